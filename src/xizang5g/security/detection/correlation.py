"""Sigma correlation rules (event_count, value_count, temporal, temporal_ordered), evaluated in
memory over sliding windows.

A correlation file is a Sigma collection: named detection rules and correlation rules that refer
to them (or to other correlations: a correlation's firing is an input of the next one, as in the
Sigma specification's chaining). pySigma parses and checks the collection; the detection rules are
compiled by the Sigma engine like any other rule. The `Correlator` keeps, per correlation and
group (the `group-by` fields), the recent matches in a time-ordered deque: nothing is read back
from the database per event. Its state is a plain JSON-able snapshot, which the detection service
checkpoints periodically and restores after a restart.

Evidence always ends with the event that completed the match (kept even beyond EVIDENCE_MAX).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import (
    SigmaCorrelationConditionOperator,
    SigmaCorrelationRule,
    SigmaCorrelationType,
)
from sigma.exceptions import SigmaError

from xizang5g.security.constants import EVENT_FIELDS, EVIDENCE_MAX
from xizang5g.security.detection.pipelines import CORE_FIELDS
from xizang5g.security.detection.sigma import (
    ParsedRule,
    RuleError,
    _check_rule_text,
    parse_rule,
)

_OPS = {
    SigmaCorrelationConditionOperator.GTE: lambda n, c: n >= c,
    SigmaCorrelationConditionOperator.GT: lambda n, c: n > c,
    SigmaCorrelationConditionOperator.LTE: lambda n, c: n <= c,
    SigmaCorrelationConditionOperator.LT: lambda n, c: n < c,
    SigmaCorrelationConditionOperator.EQ: lambda n, c: n == c,
}
# Per group, at most this many matches are kept in a window (the oldest go first).
WINDOW_MAX = 10_000


def event_field(name: str) -> str:
    target = CORE_FIELDS.get(name, name)
    return target if target in EVENT_FIELDS or target.startswith("extra.") else f"extra.{name}"


def field_value(event: dict, target: str) -> str:
    if target.startswith("extra."):
        value = (event.get("extra") or {}).get(target[6:])
    else:
        value = event.get(target)
    return "" if value is None else str(value)


@dataclass
class CorrelationSpec:
    name: str
    title: str
    level: str
    kind: str  # event_count, value_count, temporal, temporal_ordered
    rules: list[str]
    group_by: list[str]
    timespan: float
    op: object = None
    count: int = 1
    value_field: str = ""
    alerts: bool = True  # False when another correlation of the collection consumes it
    author: str = ""

    def satisfied(self, window) -> bool:
        if self.kind == "event_count":
            return _OPS[self.op](len(window), self.count)
        if self.kind == "value_count":
            return _OPS[self.op](len({item[3] for item in window}), self.count)
        seen = [item[2] for item in window]
        if self.kind == "temporal":
            return set(self.rules) <= set(seen)
        position = 0  # temporal_ordered: the rules appear in this order
        for rule in seen:
            if rule == self.rules[position]:
                position += 1
                if position == len(self.rules):
                    return True
        return False


@dataclass
class CorrelationSet:
    """A parsed collection: its detection rules (by name) and its correlations."""

    code: str
    base: dict[str, ParsedRule] = field(default_factory=dict)
    specs: list[CorrelationSpec] = field(default_factory=list)


def parse_correlation(text: str) -> list[CorrelationSet]:
    """Parse a Sigma collection with correlation rules. One CorrelationSet per correlation that
    raises alerts (is not consumed by another). Raises RuleError naming every problem."""
    _check_rule_text(text)
    problems: list[str] = []
    try:
        docs = [d for d in yaml.safe_load_all(text) if d]
        collection = SigmaCollection.from_yaml(text, collect_errors=True)
        collection.resolve_rule_references()
    except (SigmaError, yaml.YAMLError, ValueError, TypeError) as exc:
        raise RuleError([f"not a valid Sigma collection: {exc}"]) from exc
    for rule in collection.rules:
        problems += [str(e) for e in rule.errors]
    base: dict[str, ParsedRule] = {}
    for doc in docs:
        if "detection" in doc:
            name = doc.get("name") or doc.get("id")
            try:
                base[str(name)] = parse_rule(yaml.safe_dump(doc, allow_unicode=True))
            except RuleError as exc:
                problems += [f"rule {name}: {p}" for p in exc.problems]
    specs = []
    for rule in collection.rules:
        if not isinstance(rule, SigmaCorrelationRule):
            continue
        try:
            specs.append(_spec(rule))
        except RuleError as exc:
            problems += exc.problems
    if not specs:
        problems.append("the collection has no correlation rule")
    names = set(base) | {s.name for s in specs}
    consumed = set()
    for spec in specs:
        for ref in spec.rules:
            if ref not in names:
                problems.append(f"correlation {spec.name} refers to unknown rule {ref!r}")
            consumed.add(ref)
    if problems:
        raise RuleError(problems)
    for spec in specs:
        spec.alerts = spec.name not in consumed
    return [CorrelationSet(code=spec.name, base=base, specs=specs) for spec in specs if spec.alerts]


def _spec(rule: SigmaCorrelationRule) -> CorrelationSpec:
    kind = {
        SigmaCorrelationType.EVENT_COUNT: "event_count",
        SigmaCorrelationType.VALUE_COUNT: "value_count",
        SigmaCorrelationType.TEMPORAL: "temporal",
        SigmaCorrelationType.TEMPORAL_ORDERED: "temporal_ordered",
    }.get(rule.type)
    if kind is None:
        raise RuleError([f"correlation {rule.name}: type {rule.type} is not supported"])
    if not rule.name:
        raise RuleError([f"correlation {rule.title!r} needs a `name`"])
    if rule.level is None:
        raise RuleError([f"correlation {rule.name} needs a `level`"])
    refs = [r.reference for r in rule.rules or []]
    condition = rule.condition
    op = getattr(condition, "op", None)
    if kind in ("event_count", "value_count") and op not in _OPS:
        raise RuleError([f"correlation {rule.name}: condition {condition} is not supported"])
    return CorrelationSpec(
        name=rule.name,
        title=rule.title,
        level=rule.level.name.lower(),
        kind=kind,
        rules=refs,
        group_by=[event_field(f) for f in rule.group_by or []],
        timespan=float(rule.timespan.seconds),
        op=op,
        count=int(getattr(condition, "count", 1) or 1),
        value_field=event_field(condition.fieldref) if getattr(condition, "fieldref", None) else "",
        author=rule.author or "",
    )


@dataclass
class Firing:
    code: str
    spec: CorrelationSpec
    group: str
    time: float
    evidence: list[int]  # event ids, the completing event last
    count: int


class Correlator:
    """Sliding windows per (correlation, group) in memory."""

    def __init__(self, sets: list[CorrelationSet]):
        self.sets = sets
        # (code, rule name) → specs of that set consuming it
        self.consumers: dict[tuple[str, str], list[CorrelationSpec]] = {}
        for cset in sets:
            for spec in cset.specs:
                for ref in spec.rules:
                    self.consumers.setdefault((cset.code, ref), []).append(spec)
        # (code, spec name, group) → deque of (time, evidence ids, rule name, value)
        self.windows: dict[tuple[str, str, str], deque] = {}
        # after a firing, a group stays quiet for one timespan (one alert per group and window)
        self.quiet: dict[tuple[str, str, str], float] = {}

    def feed(self, code: str, rule: str, event: dict, time: float, ids: list[int]) -> list[Firing]:
        """One match of `rule` (a detection rule or a correlation) in set `code`."""
        firings = []
        for spec in self.consumers.get((code, rule), ()):
            group = "|".join(field_value(event, f) for f in spec.group_by)
            if spec.group_by and not group.strip("|"):
                continue
            key = (code, spec.name, group)
            if key in self.quiet:
                if time < self.quiet[key]:
                    continue
                del self.quiet[key]
            window = self.windows.get(key)
            if window is None:
                window = self.windows[key] = deque(maxlen=WINDOW_MAX)
            value = field_value(event, spec.value_field) if spec.value_field else ""
            window.append((time, ids, rule, value))
            while window and window[0][0] < time - spec.timespan:
                window.popleft()
            if not spec.satisfied(window):
                continue
            evidence: list[int] = []
            for item in window:
                evidence.extend(item[1])
            evidence = list(dict.fromkeys(evidence))
            completing = ids[-1] if ids else None
            if len(evidence) > EVIDENCE_MAX:
                evidence = evidence[-EVIDENCE_MAX:]
            if completing is not None and (not evidence or evidence[-1] != completing):
                evidence = [i for i in evidence if i != completing][-(EVIDENCE_MAX - 1) :]
                evidence.append(completing)
            firing = Firing(code, spec, group, time, evidence, len(window))
            if spec.alerts:
                firings.append(firing)
                del self.windows[key]  # a fresh window once the quiet time is over
                self.quiet[key] = time + spec.timespan
            else:  # a chained correlation: its firing is a match for the next one
                firings.extend(self.feed(code, spec.name, event, time, evidence))
        return firings

    def snapshot(self) -> dict:
        return {
            "windows": [
                [code, name, group, [list(item) for item in window]]
                for (code, name, group), window in self.windows.items()
                if window
            ],
            "quiet": [
                [code, name, group, until] for (code, name, group), until in self.quiet.items()
            ],
        }

    def restore(self, state: dict) -> None:
        for code, name, group, items in (state or {}).get("windows", []):
            self.windows[(code, name, group)] = deque(
                (tuple(item) for item in items), maxlen=WINDOW_MAX
            )
        for code, name, group, until in (state or {}).get("quiet", []):
            self.quiet[(code, name, group)] = until
