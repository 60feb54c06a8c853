"""Education big data (教育大数据): figures per county, school, class and course, read from the LRS.

Learners are minors: analytics show them under a pseudonym (a keyed hash of their xAPI identifier,
stable across pages and exports); their real name (the actor's ``name``) is shown only to staff of
their own school (editors of the school's unit).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from xizang5g.edu.models import School, Statement

COMPLETED = {"http://adlnet.gov/expapi/verbs/completed", "http://adlnet.gov/expapi/verbs/passed"}
REMOTE_CLASS = "https://edu.xizang5g.cn/remote-class/"
EXT = "https://edu.xizang5g.cn/xapi/ext/"
CLASS_PREFIX = "https://edu.xizang5g.cn/class/"
RISK_INACTIVE_DAYS = 7
SCAN_LIMIT = 50_000
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def pseudonym(actor: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), actor.encode(), hashlib.sha256).hexdigest()
    return f"L-{digest[:8].upper()}"


def seconds(duration: str | None) -> float:
    match = _DURATION.match(duration or "")
    if not match:
        return 0.0
    days, hours, minutes, secs = (float(g or 0) for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + secs


def schools_for(user):
    return School.objects.restrict(user).select_related("county", "unit")


def sees_names(user, school: School) -> bool:
    """Real names of learners only to their own school's staff."""
    return bool(getattr(user, "unit_id", None)) and user.unit_id == school.unit_id


@dataclass
class Learner:
    key: str
    label: str
    statements: int = 0
    last: datetime | None = None
    scores: list[float] = field(default_factory=list)
    seconds: float = 0.0
    completed: int = 0

    @property
    def falling(self) -> bool:
        last3 = self.scores[-3:]
        return len(last3) == 3 and last3[0] > last3[1] > last3[2]


@dataclass
class Figures:
    statements: int = 0
    learners: int = 0
    hours: float = 0.0
    completion: float | None = None
    score: float | None = None


def _figures(learners: dict[str, Learner]) -> Figures:
    out = Figures(learners=len(learners))
    out.statements = sum(item.statements for item in learners.values())
    out.hours = round(sum(item.seconds for item in learners.values()) / 3600, 1)
    if learners:
        done = sum(1 for item in learners.values() if item.completed)
        out.completion = round(100 * done / len(learners), 1)
    scores = [s for item in learners.values() for s in item.scores]
    if scores:
        out.score = round(100 * sum(scores) / len(scores), 1)
    return out


def school_report(*, school: School, user, days: int = 30, now: datetime | None = None) -> dict:
    """Figures of one school over the last ``days``: overall, per class and course, remote
    classes, learners at risk (inactive for RISK_INACTIVE_DAYS, or three falling scores)."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    names = sees_names(user, school)
    rows = (
        Statement.objects.filter(school=school, voided=False, stored__gte=since)
        .order_by("stored")
        .values_list("actor", "verb", "stored", "payload")[:SCAN_LIMIT]
    )
    learners: dict[str, Learner] = {}
    by_class: dict[str, dict[str, Learner]] = defaultdict(dict)
    by_course: dict[str, dict[str, Learner]] = defaultdict(dict)
    sessions: dict[str, dict] = {}
    daily: dict[str, int] = defaultdict(int)
    for actor, verb, stored, payload in rows:
        if not actor:
            continue
        name = payload["actor"].get("name") if names else None
        label = name or pseudonym(actor)
        learner = learners.setdefault(actor, Learner(actor, label))
        ctx = payload.get("context") or {}
        groups = ctx.get("contextActivities") or {}
        targets = [learner]
        for item in groups.get("grouping", []):
            if item["id"].startswith(CLASS_PREFIX):
                targets.append(by_class[item["id"]].setdefault(actor, Learner(actor, label)))
        for item in groups.get("parent", []):
            course = (item.get("definition") or {}).get("name", {})
            title = course.get("zh-CN") or next(iter(course.values()), item["id"])
            targets.append(by_course[title].setdefault(actor, Learner(actor, label)))
        result = payload.get("result") or {}
        spent = seconds(result.get("duration"))
        scaled = (result.get("score") or {}).get("scaled")
        for target in targets:
            target.statements += 1
            target.last = stored
            target.seconds += spent
            if isinstance(scaled, int | float):
                target.scores.append(float(scaled))
            if verb in COMPLETED:
                target.completed += 1
        daily[timezone.localtime(stored).date().isoformat()] += 1
        obj_id = payload["object"].get("id", "")
        if obj_id.startswith(REMOTE_CLASS):
            ext = ctx.get("extensions") or {}
            session = sessions.setdefault(
                obj_id,
                {
                    "id": obj_id.rsplit("/", 1)[-1],
                    "sending": ext.get(EXT + "sending-school", ""),
                    "receiving": ext.get(EXT + "receiving-school", ""),
                    "attendees": set(),
                    "minutes": [],
                    "quality": [],
                    "start": stored,
                },
            )
            session["attendees"].add(actor)
            if spent:
                session["minutes"].append(spent / 60)
            if isinstance(ext.get(EXT + "stream-mos"), int | float):
                session["quality"].append(float(ext[EXT + "stream-mos"]))
    at_risk = [
        item
        for item in learners.values()
        if item.falling or (item.last and item.last < now - timedelta(days=RISK_INACTIVE_DAYS))
    ]
    remote = [
        {
            **s,
            "attendees": len(s["attendees"]),
            "minutes": round(sum(s["minutes"]) / len(s["minutes"]), 1) if s["minutes"] else None,
            "quality": round(sum(s["quality"]) / len(s["quality"]), 2) if s["quality"] else None,
        }
        for s in sessions.values()
    ]
    return {
        "school": school,
        "days": days,
        "names": names,
        "overall": _figures(learners),
        "classes": sorted(
            ((key.rsplit("/", 1)[-1], _figures(v)) for key, v in by_class.items()),
            key=lambda item: item[0],
        ),
        "courses": sorted(((k, _figures(v)) for k, v in by_course.items()), key=lambda i: i[0]),
        "remote": sorted(remote, key=lambda s: s["start"], reverse=True),
        "at_risk": sorted(at_risk, key=lambda item: item.last or now)[:50],
        "daily": sorted(daily.items()),
        "truncated": len(rows) >= SCAN_LIMIT,
    }


def county_overview(*, user, days: int = 30, now: datetime | None = None) -> dict:
    """Schools, learners and statements by county, for the schools the user reads."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    schools = list(schools_for(user))
    counts = dict(
        Statement.objects.filter(school__in=schools, voided=False, stored__gte=since)
        .values_list("school")
        .annotate(n=Count("id"))
    )
    learners = dict(
        Statement.objects.filter(school__in=schools, voided=False, stored__gte=since)
        .values_list("school")
        .annotate(n=Count("actor", distinct=True))
    )
    counties: dict[str, dict] = {}
    for school in schools:
        name = school.county.localized_name if school.county else "—"  # reader's language
        entry = counties.setdefault(
            name, {"county": name, "schools": 0, "statements": 0, "learners": 0, "altitudes": []}
        )
        entry["schools"] += 1
        entry["statements"] += counts.get(school.pk, 0)
        entry["learners"] += learners.get(school.pk, 0)
        if school.altitude_m:
            entry["altitudes"].append(school.altitude_m)
        school.statement_count = counts.get(school.pk, 0)
        school.learner_count = learners.get(school.pk, 0)
    rows = sorted(counties.values(), key=lambda c: -c["statements"])
    for row in rows:
        alts = row.pop("altitudes")
        row["altitude"] = round(sum(alts) / len(alts)) if alts else None
    return {"counties": rows, "schools": schools, "days": days}
