"""Demo data (【演示数据】): schools in Lhasa, Shigatse and Nagqu, classes, LRS keys, two weeks of
learning records, and the keys the simulator uses (kept under var/, never shown on a page)."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xizang5g.core.choices import UnitKind
from xizang5g.core.models import AdminDivision, Pilot, Unit
from xizang5g.edu import services, simulator
from xizang5g.edu.models import LrsCredential, School, SchoolClass, Statement
from xizang5g.edu.xapi import store

DEMO = "【演示数据】"
SCHOOLS = [
    # code, name, county adcode, altitude (m), pupils
    ("lhasa-no1", "拉萨市第一中学", 540102, 3650, 36),
    ("lhasa-dz", "达孜区中学", 540104, 3760, 24),
    ("shigatse-no1", "日喀则市第一中学", 540202, 3840, 30),
    ("shigatse-dr", "定日县中学", 540223, 4300, 18),
    ("nagqu-no1", "那曲市第一中学", 540602, 4500, 24),
    ("nagqu-sh", "双湖县完全小学", 540630, 4900, 12),
]
REMOTE_PAIRS = [
    ("lhasa-no1", "nagqu-sh"),
    ("lhasa-no1", "shigatse-dr"),
    ("shigatse-no1", "nagqu-no1"),
]
CLASSES = ("7-1", "7-2", "8-1")


def keys_file() -> Path:
    return Path(settings.BASE_DIR) / "var" / "edu-demo-keys.json"


def pupils(code: str, count: int) -> list[tuple[str, dict]]:
    return [(CLASSES[n % len(CLASSES)], simulator.learner(code, n)) for n in range(count)]


@transaction.atomic
def edu_demo_load(*, days: int = 14, seed: int = 5) -> dict:
    rng = random.Random(seed)
    pilot = Pilot.objects.filter(name__contains="教育").first()
    keys = {}
    for code, name, adcode, altitude, _count in SCHOOLS:
        unit, _ = Unit.objects.get_or_create(
            code=f"edu-{code}", defaults={"name": f"{name}{DEMO}", "kind": UnitKind.INSTITUTION}
        )
        school, _created = School.objects.get_or_create(
            code=code,
            defaults={
                "name": f"{name}{DEMO}",
                "unit": unit,
                "county": AdminDivision.objects.filter(adcode=adcode).first(),
                "altitude_m": altitude,
                "pilot": pilot,
            },
        )
        for klass in CLASSES:
            SchoolClass.objects.get_or_create(school=school, name=klass)
        LrsCredential.objects.filter(school=school, name__startswith="demo ").delete()
        credential, secret = services.lrs_key_create(name=f"demo {code}", school=school)
        keys[code] = {"key": credential.key, "secret": secret}
    path = keys_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(keys, indent=1))
    loaded = 0
    if not Statement.objects.filter(school__code__in=[s[0] for s in SCHOOLS]).exists():
        now = timezone.now()
        for code, _name, _adcode, _alt, count in SCHOOLS:
            caller = store.Caller(LrsCredential.objects.get(key=keys[code]["key"]))
            people = pupils(code, count)
            for day in range(days, 0, -1):
                batch = []
                when = now - timedelta(days=day)
                for klass, who in people:
                    # a few learners stop working a week ago: "at risk"
                    if who["account"]["name"].endswith("7") and day < 8:
                        continue
                    if rng.random() < 0.6:
                        start = when.replace(hour=rng.randint(8, 20), minute=rng.randint(0, 59))
                        batch += simulator.course_session(code, klass, who, start, rng)
                for sending, receiving in REMOTE_PAIRS:
                    if receiving == code and day % 2 == 0:
                        start = when.replace(hour=10, minute=0)
                        batch += simulator.remote_class(
                            sending,
                            receiving,
                            "7-1",
                            [w for k, w in people if k == "7-1"],
                            start,
                            rng,
                        )
                store.statements_store(
                    statements=batch, caller=caller, version="1.0.3", stored_at=when
                )
                loaded += len(batch)
    return {"schools": len(SCHOOLS), "statements": loaded}
