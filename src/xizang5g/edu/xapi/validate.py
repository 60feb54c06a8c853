"""Validation of xAPI statements (xAPI 1.0.3 and IEEE 9274.1.1 xAPI 2.0, "Data" part).

:func:`statement` raises :class:`Invalid` naming the first property that breaks a MUST of the
specification; the LRS answers it with 400 and the message.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
MAILTO = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
DURATION = re.compile(
    r"^P(?:\d+(?:\.\d+)?W|(?!$)(\d+(?:\.\d+)?Y)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?D)?"
    r"(T(?=\d)(\d+(?:\.\d+)?H)?(\d+(?:\.\d+)?M)?(\d+(?:\.\d+)?S)?)?)$"
)
TIMESTAMP = re.compile(
    r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)?$", re.IGNORECASE
)
_NEGATIVE_ZERO = re.compile(r"-00(:?00)?$")
_OFFSET_HOURS = re.compile(r"[+-]\d\d$")
_OFFSET_COMPACT = re.compile(r"[+-]\d{4}$")
_FRACTION = re.compile(r"^(.*T\d\d:\d\d:\d\d)\.(\d+)(.*)$")
INTERACTION_TYPES = {
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
}
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")


class Invalid(ValueError):
    """A statement (or a parameter) that breaks the specification; the message says where."""


def _fail(path: str, why: str):
    raise Invalid(f"{path}: {why}")


def _object(value, path: str) -> dict:
    if not isinstance(value, dict):
        _fail(path, "must be a JSON object")
    return value


def _keys(value: dict, path: str, allowed: set[str], required: tuple[str, ...] = ()) -> None:
    for key in value:
        if key not in allowed:
            _fail(f"{path}.{key}", "is not a property allowed here")
    for key in required:
        if key not in value:
            _fail(f"{path}.{key}", "is required")


def _string(value, path: str) -> str:
    if not isinstance(value, str):
        _fail(path, "must be a string")
    return value


def iri(value, path: str) -> str:
    if not isinstance(value, str) or not IRI.match(value):
        _fail(path, "must be an absolute IRI")
    return value


def uuid(value, path: str) -> str:
    if not isinstance(value, str) or not UUID.match(value):
        _fail(path, "must be a UUID")
    return value


def _bool(value, path: str) -> None:
    if not isinstance(value, bool):
        _fail(path, "must be true or false")


def _number(value, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(path, "must be a number")
    return value


def language_map(value, path: str) -> None:
    _object(value, path)
    for tag, text in value.items():
        if not LANG.match(tag):
            _fail(f"{path}.{tag}", "is not an RFC 5646 language tag")
        _string(text, f"{path}.{tag}")


def extensions(value, path: str) -> None:
    _object(value, path)
    for key in value:
        iri(key, f"{path} key {key!r}")


def timestamp(value, path: str) -> datetime:
    if not isinstance(value, str) or not TIMESTAMP.match(value):
        _fail(path, "must be an ISO 8601 timestamp")
    text = value.upper().replace(" ", "T")
    if _NEGATIVE_ZERO.search(text):
        _fail(path, "must not use the offset -00:00")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif _OFFSET_HOURS.search(text):
        text += ":00"
    elif _OFFSET_COMPACT.search(text):
        text = text[:-2] + ":" + text[-2:]
    match = _FRACTION.match(text)
    if match:
        text = f"{match[1]}.{match[2][:6].ljust(6, '0')}{match[3]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        _fail(path, "must be an ISO 8601 timestamp")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


# --- actors -----------------------------------------------------------------------------------

IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def _ifis(value: dict, path: str) -> int:
    count = 0
    for key in IFIS:
        if key not in value:
            continue
        count += 1
        item = value[key]
        if key == "mbox":
            if not isinstance(item, str) or not MAILTO.match(item):
                _fail(f"{path}.mbox", "must be a mailto: IRI")
        elif key == "mbox_sha1sum":
            if not isinstance(item, str) or not SHA1.match(item):
                _fail(f"{path}.mbox_sha1sum", "must be a SHA-1 hex digest")
        elif key == "openid":
            iri(item, f"{path}.openid")
        else:
            _object(item, f"{path}.account")
            _keys(item, f"{path}.account", {"homePage", "name"}, ("homePage", "name"))
            iri(item["homePage"], f"{path}.account.homePage")
            _string(item["name"], f"{path}.account.name")
    return count


def agent(value, path: str) -> None:
    _object(value, path)
    _keys(value, path, {"objectType", "name", *IFIS})
    if "objectType" in value and value["objectType"] != "Agent":
        _fail(f"{path}.objectType", "must be 'Agent'")
    if "name" in value:
        _string(value["name"], f"{path}.name")
    if _ifis(value, path) != 1:
        _fail(path, "an Agent must have exactly one inverse functional identifier")


def group(value, path: str) -> None:
    _object(value, path)
    _keys(value, path, {"objectType", "name", "member", *IFIS}, ("objectType",))
    if value["objectType"] != "Group":
        _fail(f"{path}.objectType", "must be 'Group'")
    if "name" in value:
        _string(value["name"], f"{path}.name")
    count = _ifis(value, path)
    if count > 1:
        _fail(path, "a Group has at most one inverse functional identifier")
    if "member" in value:
        members = value["member"]
        if not isinstance(members, list):
            _fail(f"{path}.member", "must be an array")
        for index, member in enumerate(members):
            if isinstance(member, dict) and member.get("objectType") == "Group":
                _fail(f"{path}.member[{index}]", "a Group's members must be Agents")
            agent(member, f"{path}.member[{index}]")
    if count == 0 and not value.get("member"):
        _fail(f"{path}.member", "an anonymous Group must list its members")


def actor(value, path: str) -> None:
    _object(value, path)
    if value.get("objectType") == "Group":
        group(value, path)
    else:
        agent(value, path)


# --- verb, object -----------------------------------------------------------------------------


def verb(value, path: str) -> None:
    _object(value, path)
    _keys(value, path, {"id", "display"}, ("id",))
    iri(value["id"], f"{path}.id")
    if "display" in value:
        language_map(value["display"], f"{path}.display")


def _components(value, path: str) -> None:
    if not isinstance(value, list):
        _fail(path, "must be an array of interaction components")
    seen = set()
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        _object(item, where)
        _keys(item, where, {"id", "description"}, ("id",))
        _string(item["id"], f"{where}.id")
        if item["id"] in seen:
            _fail(f"{where}.id", "ids of interaction components must be distinct")
        seen.add(item["id"])
        if "description" in item:
            language_map(item["description"], f"{where}.description")


def definition(value, path: str) -> None:
    _object(value, path)
    _keys(
        value,
        path,
        {
            "name",
            "description",
            "type",
            "moreInfo",
            "extensions",
            "interactionType",
            "correctResponsesPattern",
            *COMPONENT_LISTS,
        },
    )
    for key in ("name", "description"):
        if key in value:
            language_map(value[key], f"{path}.{key}")
    for key in ("type", "moreInfo"):
        if key in value:
            iri(value[key], f"{path}.{key}")
    if "extensions" in value:
        extensions(value["extensions"], f"{path}.extensions")
    kind = value.get("interactionType")
    if "interactionType" in value and (not isinstance(kind, str) or kind not in INTERACTION_TYPES):
        _fail(f"{path}.interactionType", "is not an interaction type of the specification")
    if "correctResponsesPattern" in value:
        if kind is None:
            _fail(f"{path}.correctResponsesPattern", "needs an interactionType")
        pattern = value["correctResponsesPattern"]
        if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
            _fail(f"{path}.correctResponsesPattern", "must be an array of strings")
    for key in COMPONENT_LISTS:
        if key in value:
            if kind is None:
                _fail(f"{path}.{key}", "needs an interactionType")
            _components(value[key], f"{path}.{key}")


def activity(value, path: str) -> None:
    _object(value, path)
    _keys(value, path, {"objectType", "id", "definition"}, ("id",))
    if "objectType" in value and value["objectType"] != "Activity":
        _fail(f"{path}.objectType", "must be 'Activity'")
    iri(value["id"], f"{path}.id")
    if "definition" in value:
        definition(value["definition"], f"{path}.definition")


def statement_ref(value, path: str) -> None:
    _object(value, path)
    _keys(value, path, {"objectType", "id"}, ("objectType", "id"))
    if value["objectType"] != "StatementRef":
        _fail(f"{path}.objectType", "must be 'StatementRef'")
    uuid(value["id"], f"{path}.id")


def object_(value, path: str, *, sub: bool) -> None:
    _object(value, path)
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        activity(value, path)
    elif kind == "Agent":
        agent(value, path)
    elif kind == "Group":
        group(value, path)
    elif kind == "StatementRef":
        statement_ref(value, path)
    elif kind == "SubStatement":
        if sub:
            _fail(f"{path}.objectType", "a SubStatement cannot contain a SubStatement")
        _statement_body(value, path, sub=True)
    else:
        _fail(f"{path}.objectType", "is not a known object type")


# --- result, context, attachments -------------------------------------------------------------


def result(value, path: str) -> None:
    _object(value, path)
    _keys(value, path, {"score", "success", "completion", "response", "duration", "extensions"})
    if "score" in value:
        score = _object(value["score"], f"{path}.score")
        _keys(score, f"{path}.score", {"scaled", "raw", "min", "max"})
        for key in score:
            _number(score[key], f"{path}.score.{key}")
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            _fail(f"{path}.score.scaled", "must be between -1 and 1")
        low, high, raw = score.get("min"), score.get("max"), score.get("raw")
        if low is not None and high is not None and low >= high:
            _fail(f"{path}.score.min", "must be less than max")
        if raw is not None and low is not None and raw < low:
            _fail(f"{path}.score.raw", "must not be below min")
        if raw is not None and high is not None and raw > high:
            _fail(f"{path}.score.raw", "must not be above max")
    for key in ("success", "completion"):
        if key in value:
            _bool(value[key], f"{path}.{key}")
    if "response" in value:
        _string(value["response"], f"{path}.response")
    if "duration" in value and (
        not isinstance(value["duration"], str) or not DURATION.match(value["duration"])
    ):
        _fail(f"{path}.duration", "must be an ISO 8601 duration")
    if "extensions" in value:
        extensions(value["extensions"], f"{path}.extensions")


def context(value, path: str, object_kind: str) -> None:
    _object(value, path)
    _keys(
        value,
        path,
        {
            "registration",
            "instructor",
            "team",
            "contextActivities",
            "revision",
            "platform",
            "language",
            "statement",
            "extensions",
            "contextAgents",
            "contextGroups",
        },
    )
    if "registration" in value:
        uuid(value["registration"], f"{path}.registration")
    if "instructor" in value:
        actor(value["instructor"], f"{path}.instructor")
    if "team" in value:
        group(value["team"], f"{path}.team")
    if "contextActivities" in value:
        activities = _object(value["contextActivities"], f"{path}.contextActivities")
        _keys(activities, f"{path}.contextActivities", {"parent", "grouping", "category", "other"})
        for key, item in activities.items():
            items = item if isinstance(item, list) else [item]
            for index, one in enumerate(items):
                activity(one, f"{path}.contextActivities.{key}[{index}]")
    for key in ("revision", "platform"):
        if key in value:
            _string(value[key], f"{path}.{key}")
            if object_kind != "Activity":
                _fail(f"{path}.{key}", "is only allowed when the object is an Activity")
    if "language" in value and (
        not isinstance(value["language"], str) or not LANG.match(value["language"])
    ):
        _fail(f"{path}.language", "must be an RFC 5646 language tag")
    if "statement" in value:
        statement_ref(value["statement"], f"{path}.statement")
    if "extensions" in value:
        extensions(value["extensions"], f"{path}.extensions")
    if "contextAgents" in value:
        _context_agents(value["contextAgents"], f"{path}.contextAgents", "agent", agent)
    if "contextGroups" in value:
        _context_agents(value["contextGroups"], f"{path}.contextGroups", "group", group)


def _context_agents(value, path: str, key: str, check) -> None:
    if not isinstance(value, list):
        _fail(path, "must be an array")
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        _object(item, where)
        _keys(item, where, {"objectType", key, "relevantTypes"}, ("objectType", key))
        expected = "contextAgent" if key == "agent" else "contextGroup"
        if item["objectType"] != expected:
            _fail(f"{where}.objectType", f"must be '{expected}'")
        check(item[key], f"{where}.{key}")
        if "relevantTypes" in item:
            types = item["relevantTypes"]
            if not isinstance(types, list) or not types:
                _fail(f"{where}.relevantTypes", "must be a non-empty array of IRIs")
            for number, one in enumerate(types):
                iri(one, f"{where}.relevantTypes[{number}]")


def attachments(value, path: str) -> None:
    if not isinstance(value, list):
        _fail(path, "must be an array")
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        _object(item, where)
        _keys(
            item,
            where,
            {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"},
            ("usageType", "display", "contentType", "length", "sha2"),
        )
        iri(item["usageType"], f"{where}.usageType")
        language_map(item["display"], f"{where}.display")
        if "description" in item:
            language_map(item["description"], f"{where}.description")
        _string(item["contentType"], f"{where}.contentType")
        if isinstance(item["length"], bool) or not isinstance(item["length"], int):
            _fail(f"{where}.length", "must be an integer")
        _string(item["sha2"], f"{where}.sha2")
        if "fileUrl" in item:
            iri(item["fileUrl"], f"{where}.fileUrl")


# --- statement --------------------------------------------------------------------------------


def _statement_body(value: dict, path: str, *, sub: bool) -> None:
    allowed = {"actor", "verb", "object", "result", "context", "timestamp", "attachments"}
    if sub:
        allowed.add("objectType")
    else:
        allowed |= {"id", "stored", "authority", "version"}
    _keys(value, path, allowed, ("actor", "verb", "object"))
    actor(value["actor"], f"{path}.actor")
    verb(value["verb"], f"{path}.verb")
    object_(value["object"], f"{path}.object", sub=sub)
    if "result" in value:
        result(value["result"], f"{path}.result")
    if "context" in value:
        kind = value["object"].get("objectType", "Activity")
        context(value["context"], f"{path}.context", kind)
    if "timestamp" in value:
        timestamp(value["timestamp"], f"{path}.timestamp")
    if "attachments" in value:
        attachments(value["attachments"], f"{path}.attachments")


def statement(value, *, version: str = "1.0.3") -> None:
    """Raise :class:`Invalid` unless ``value`` is a valid statement for ``version``."""
    _object(value, "statement")
    _statement_body(value, "statement", sub=False)
    if "id" in value:
        uuid(value["id"], "statement.id")
    if "stored" in value:
        timestamp(value["stored"], "statement.stored")
    if "authority" in value:
        _authority(value["authority"])
    if "version" in value:
        text = value["version"]
        if not isinstance(text, str) or not re.match(r"^(1\.0(\.\d+)?|2\.0(\.\d+)?)$", text):
            _fail("statement.version", "must be a supported xAPI version (1.0.x or 2.0.x)")
    if not version.startswith("2"):
        context_value = value.get("context")
        if isinstance(context_value, dict) and (
            "contextAgents" in context_value or "contextGroups" in context_value
        ):
            _fail("statement.context", "contextAgents/contextGroups are xAPI 2.0 properties")


def _authority(value) -> None:
    _object(value, "statement.authority")
    if value.get("objectType") == "Group":
        group(value, "statement.authority")
        if any(key in value for key in IFIS):
            _fail("statement.authority", "an authority Group must be anonymous")
        members = value.get("member", [])
        if len(members) != 2:
            _fail("statement.authority", "an authority Group must have exactly two Agents")
    else:
        agent(value, "statement.authority")
