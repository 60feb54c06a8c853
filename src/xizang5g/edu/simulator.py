"""Realistic xAPI traffic of the demo schools: cmi5-style course sessions (launched, initialized,
progressed, completed, passed/failed, terminated), video interactions, remote-class attendance."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from xizang5g.edu.selectors import CLASS_PREFIX, EXT, REMOTE_CLASS

ADL = "http://adlnet.gov/expapi/verbs/"
VIDEO = "https://w3id.org/xapi/video/verbs/"
COURSES = [
    ("math-7", "七年级数学", "Grade 7 mathematics"),
    ("chinese-7", "七年级语文", "Grade 7 Chinese"),
    ("tibetan-7", "七年级藏文", "Grade 7 Tibetan"),
    ("physics-8", "八年级物理", "Grade 8 physics"),
    ("english-8", "八年级英语", "Grade 8 English"),
]
SURNAMES = [
    "扎西",
    "次仁",
    "卓玛",
    "格桑",
    "央金",
    "尼玛",
    "达瓦",
    "拉姆",
    "平措",
    "旦增",
    "德吉",
    "索朗",
]


def learner(school: str, number: int) -> dict:
    name = f"{SURNAMES[number % len(SURNAMES)]}{number:03d}"
    return {
        "objectType": "Agent",
        "name": name,
        "account": {"homePage": f"https://edu.xizang5g.cn/{school}", "name": f"s{number:04d}"},
    }


def _verb(base: str, name: str, zh: str) -> dict:
    return {"id": base + name, "display": {"en-US": name, "zh-CN": zh}}


def _context(school: str, klass: str, course, registration: str, extra: dict | None = None):
    code, zh, en = course
    ctx = {
        "registration": registration,
        "platform": "5G 智慧课堂",
        "language": "zh-CN",
        "contextActivities": {
            "parent": [
                {
                    "id": f"https://edu.xizang5g.cn/course/{code}",
                    "definition": {"name": {"zh-CN": zh, "en-US": en}},
                }
            ],
            "grouping": [{"id": f"{CLASS_PREFIX}{school}/{klass}"}],
            "category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}],
        },
    }
    if extra:
        ctx["extensions"] = extra
    return ctx


def course_session(school: str, klass: str, who: dict, start: datetime, rng: random.Random):
    """One learner's session on a course unit: a list of statements in time order."""
    course = rng.choice(COURSES)
    unit = rng.randint(1, 8)
    activity = {
        "id": f"https://edu.xizang5g.cn/course/{course[0]}/unit-{unit}",
        "definition": {
            "name": {"zh-CN": f"{course[1]} 第{unit}单元", "en-US": f"{course[2]} unit {unit}"},
            "type": "https://w3id.org/xapi/cmi5/activitytype/block",
        },
    }
    registration = str(uuid.uuid4())
    ctx = _context(school, klass, course, registration)
    t = start
    out = []

    def add(verb, result=None, obj=None):
        nonlocal t
        stmt = {
            "id": str(uuid.uuid4()),
            "actor": who,
            "verb": verb,
            "object": obj or activity,
            "context": ctx,
            "timestamp": t.isoformat(),
        }
        if result:
            stmt["result"] = result
        out.append(stmt)

    add(_verb(ADL, "launched", "启动"))
    t += timedelta(seconds=rng.randint(2, 10))
    add(_verb(ADL, "initialized", "初始化"))
    minutes = rng.randint(6, 40)
    video = {
        "id": f"https://edu.xizang5g.cn/video/{course[0]}-{unit}",
        "definition": {
            "name": {"zh-CN": f"{course[1]} 微课 {unit}"},
            "type": "https://w3id.org/xapi/video/activity-type/video",
        },
    }
    for step in (1, 2, 3):
        t += timedelta(minutes=minutes / 4)
        add(_verb(VIDEO, "played", "播放"), obj=video)
        add(
            _verb(ADL, "progressed", "进展"),
            {"extensions": {"https://w3id.org/xapi/cmi5/result/extensions/progress": step * 30}},
        )
    t += timedelta(minutes=minutes / 4)
    ability = rng.random()
    scaled = round(max(0.0, min(1.0, rng.gauss(0.55 + 0.35 * ability, 0.12))), 2)
    completed = rng.random() < 0.85
    duration = f"PT{minutes}M{rng.randint(0, 59)}S"
    if completed:
        add(_verb(ADL, "completed", "完成"), {"completion": True, "duration": duration})
        passed = scaled >= 0.6
        add(
            _verb(ADL, "passed" if passed else "failed", "通过" if passed else "未通过"),
            {
                "score": {"scaled": scaled, "raw": round(scaled * 100), "min": 0, "max": 100},
                "success": passed,
                "duration": duration,
            },
        )
    add(_verb(ADL, "terminated", "终止"), {"duration": duration})
    return out


def remote_class(sending: str, receiving: str, klass: str, pupils: list[dict], start, rng):
    """A 5G remote interactive class from a sending school to a receiving one: attendance."""
    session = f"{REMOTE_CLASS}{start:%Y%m%d%H%M}-{sending}-{receiving}"
    course = rng.choice(COURSES)
    mos = round(rng.uniform(3.6, 4.6), 2)
    extra = {
        EXT + "sending-school": sending,
        EXT + "receiving-school": receiving,
        EXT + "stream-mos": mos,
    }
    ctx = _context(receiving, klass, course, str(uuid.uuid4()), extra)
    out = []
    for who in pupils:
        if rng.random() < 0.08:
            continue  # absent
        minutes = rng.randint(30, 45)
        out.append(
            {
                "id": str(uuid.uuid4()),
                "actor": who,
                "verb": _verb(ADL, "attended", "出席"),
                "object": {
                    "id": session,
                    "definition": {
                        "name": {"zh-CN": f"5G 远程互动课堂 {course[1]}"},
                        "type": "http://adlnet.gov/expapi/activities/meeting",
                    },
                },
                "result": {"duration": f"PT{minutes}M"},
                "context": ctx,
                "timestamp": start.isoformat(),
            }
        )
    return out
