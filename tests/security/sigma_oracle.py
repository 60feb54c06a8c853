"""The reference for Sigma semantics: pySigma's SQLite backend run the Zircolite way (events in a
SQLite table whose columns are COLLATE NOCASE, each rule converted to SQL and queried), plus a
generator of events that should hit a rule and of near misses.

The generator walks the rule's parsed condition (pySigma) and builds field assignments that satisfy
(or falsify) it: strings with wildcards filled in and letters in alternating case (Sigma matching is
case-insensitive), keywords embedded in a longer message (they match anywhere), regular
expressions sampled with hypothesis, CIDR hosts, numbers beside a comparison. Near misses change one
character of one value, or drop one field. Whether each event is a hit is decided by SQLite, never
by the generator: the test compares the project's verdicts to SQLite's on every event.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import warnings

from hypothesis import strategies as st
from hypothesis.errors import NonInteractiveExampleWarning
from sigma.backends.sqlite import sqliteBackend
from sigma.collection import SigmaCollection
from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.types import (
    CompareOperators,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaString,
    SpecialChars,
)

from xizang5g.security.constants import EVENT_FIELDS
from xizang5g.security.detection.pipelines import CORE_FIELDS, WEB_FIELDS

KEYWORD = "message"  # the full-text column of the SQLite table (the backend's fulltext_field)
ABSENT = None
MAX_CANDIDATES = 6


def _alternate_case(text: str) -> str:
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(text))


def _string(value: SigmaString, *, cased: bool) -> str:
    out = []
    for part in value.s:
        if isinstance(part, str):
            out.append(part if cased else _alternate_case(part))
        elif part == SpecialChars.WILDCARD_MULTI:
            out.append("Zq")
        elif part == SpecialChars.WILDCARD_SINGLE:
            out.append("q")
    return "".join(out)


def _regex_sample(pattern: str) -> str | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        try:
            return (
                st.from_regex(pattern, fullmatch=False).filter(lambda s: "\x00" not in s).example()
            )
        except Exception:
            return None


def _positive(field: str | None, value) -> list[dict]:
    key = field or KEYWORD
    if isinstance(value, SigmaCasedString):
        text = _string(value, cased=True)
    elif isinstance(value, SigmaString):
        text = _string(value, cased=False)
    elif isinstance(value, SigmaNumber):
        text = str(value.number)
    elif isinstance(value, SigmaBool):
        text = "true" if value.boolean else "false"
    elif isinstance(value, SigmaNull):
        return [{key: ABSENT}]
    elif isinstance(value, SigmaExists):
        return [{key: "present"}] if value.exists else [{key: ABSENT}]
    elif isinstance(value, SigmaRegularExpression):
        flags = "".join(f.name[0].lower() for f in value.flags)
        pattern = f"(?{flags}){value.regexp}" if flags else str(value.regexp)
        text = _regex_sample(pattern)
        if text is None:
            return []
    elif isinstance(value, SigmaCIDRExpression):
        network = value.network
        text = str(next(iter(network.hosts()), network.network_address))
    elif isinstance(value, SigmaCompareExpression):
        n = value.number.number
        text = str(
            {
                CompareOperators.LT: n - 1,
                CompareOperators.LTE: n,
                CompareOperators.GT: n + 1,
                CompareOperators.GTE: n,
            }[value.op]
        )
    elif isinstance(value, SigmaFieldReference):
        return [{key: "same-value", value.field: "same-value"}]
    else:
        return []
    if field is None:  # a keyword: anywhere in the message
        text = f"prefix {text} suffix"
    return [{key: text}]


def _negative(field: str | None, value) -> list[dict]:
    key = field or KEYWORD
    if isinstance(value, SigmaNull) or (isinstance(value, SigmaExists) and not value.exists):
        return [{key: "present"}]
    if isinstance(value, SigmaExists):
        return [{key: ABSENT}]
    return [{key: "benign-Value"}]


def _merge(a: dict, b: dict) -> list[dict]:
    """Assignments satisfying both; a field both set gets the two values joined, in either order
    (one order satisfies `startswith` of the first and `endswith` of the second)."""
    out = [dict(a)]
    for key, value in b.items():
        merged = []
        for partial in out:
            if key not in partial or partial[key] == value:
                merged.append({**partial, key: value})
            elif partial[key] is None or value is None:
                continue
            else:
                merged.append({**partial, key: f"{partial[key]} {value}"})
                merged.append({**partial, key: f"{value} {partial[key]}"})
        out = merged[:4]
    return out


def _and(lists: list[list[dict]]) -> list[dict]:
    results = [{}]
    for options in lists:
        merged = []
        for left, right in itertools.product(results, options):
            merged.extend(_merge(left, right))
            if len(merged) >= MAX_CANDIDATES:
                break
        results = merged[:MAX_CANDIDATES]
        if not results:
            return []
    return results


def _or(lists: list[list[dict]]) -> list[dict]:
    return [c for options in lists for c in options][: MAX_CANDIDATES * 2]


def satisfy(node, want: bool = True) -> list[dict]:
    if isinstance(node, ConditionNOT):
        return satisfy(node.args[0], not want)
    if isinstance(node, ConditionAND):
        parts = [satisfy(a, want) for a in node.args]
        return _and(parts) if want else _or(parts)
    if isinstance(node, ConditionOR):
        parts = [satisfy(a, want) for a in node.args]
        return _or(parts) if want else _and(parts)
    if isinstance(node, ConditionFieldEqualsValueExpression):
        return (_positive if want else _negative)(node.field, node.value)
    if isinstance(node, ConditionValueExpression):
        return (_positive if want else _negative)(None, node.value)
    return []


def _is_int(text) -> bool:
    return isinstance(text, str) and text.isdigit() and len(text) < 18


def _mutate(text: str) -> str:
    if _is_int(text):  # a number stays a number (a column of numbers in Zircolite's table)
        return str(int(text) - 1) if int(text) > 0 else "1"
    for i, c in enumerate(text):
        if c.isalnum():
            return text[:i] + ("x" if c.lower() != "x" else "y") + text[i + 1 :]
    return text + "x"


def events_for(rule_text: str) -> list[dict]:
    """Candidate hits and near misses for a rule, as flat events keyed by Sigma field names."""
    rule = SigmaCollection.from_yaml(rule_text).rules[0]
    candidates: list[dict] = []
    for condition in rule.detection.parsed_condition:
        candidates += satisfy(condition.parsed, True)
    events = [c for c in candidates[:MAX_CANDIDATES] if c]
    misses = []
    for event in events[:2]:
        for key, value in event.items():
            if value is None:
                misses.append({**event, key: "present"})
            else:
                misses.append({**event, key: _mutate(value)})
                misses.append({k: v for k, v in event.items() if k != key})
    out = []
    for event in [*events, *misses]:
        clean = {k: v for k, v in event.items() if v is not None}
        if clean not in out:
            out.append(clean)
    return out


class SqliteOracle:
    """pySigma's SQLite backend on a Zircolite-style table (every column TEXT COLLATE NOCASE)."""

    def __init__(self):
        self.backend = sqliteBackend(fulltext_field=KEYWORD)

    def queries(self, rule_text: str) -> tuple[list[str], list[str]]:
        """The rule's SQL queries and the columns they read."""
        collection = SigmaCollection.from_yaml(rule_text)
        fields = self.backend.required_fields(collection.rules[0])
        return self.backend.convert(collection), fields

    @staticmethod
    def connect(events: list[dict], fields: list[str] = ()) -> sqlite3.Connection:
        """Zircolite's table: a column per field, INTEGER where every value is a number (as
        Zircolite types a column by its JSON values), otherwise TEXT COLLATE NOCASE."""
        names = sorted({k for e in events for k in e} | {KEYWORD} | set(fields))
        numeric = {
            n
            for n in names
            if any(n in e for e in events) and all(_is_int(e[n]) for e in events if n in e)
        }
        events = [{k: int(v) if k in numeric else v for k, v in e.items()} for e in events]
        db = sqlite3.connect(":memory:")
        db.create_function(
            "REGEXP",
            2,
            lambda pattern, value: value is not None and re.search(pattern, str(value)) is not None,
            deterministic=True,
        )
        quoted = ", ".join(
            f'"{c}" INTEGER' if c in numeric else f'"{c}" TEXT COLLATE NOCASE' for c in names
        )
        db.execute(f"CREATE TABLE logs ({quoted})")
        for n, event in enumerate(events, start=1):
            names = ", ".join(f'"{k}"' for k in event)
            marks = ", ".join("?" for _ in event)
            if event:
                db.execute(
                    f"INSERT INTO logs (rowid, {names}) VALUES (?, {marks})", (n, *event.values())
                )
            else:
                db.execute("INSERT INTO logs (rowid) VALUES (?)", (n,))
        return db

    @staticmethod
    def hits(db: sqlite3.Connection, queries: list[str]) -> set[int]:
        out: set[int] = set()
        for query in queries:
            select = query.replace("SELECT * FROM", "SELECT rowid FROM", 1)
            out |= {row[0] for row in db.execute(select)}
        return out


def project_event(flat: dict, conditions: dict, logsource) -> dict:
    """The normalised event the project's parsers would produce for a flat Sigma event."""
    web = logsource.category == "webserver" or logsource.service in ("apache", "nginx")
    event: dict = {"extra": {}}
    for key, values in conditions.items():
        if key.startswith("extra."):
            event["extra"][key[6:]] = values[0]
        else:
            event[key] = values[0]
    event.setdefault("category", "application")
    for name, value in flat.items():
        target = (WEB_FIELDS.get(name) if web else None) or CORE_FIELDS.get(name)
        if target is None:
            target = name if name in EVENT_FIELDS else f"extra.{name}"
        if target.startswith("extra."):
            event["extra"][target[6:]] = value
        elif target in ("program", "action", "outcome", "category"):
            event[target] = value.lower()  # stored in lower case at ingest
        else:
            event[target] = value
    return event
