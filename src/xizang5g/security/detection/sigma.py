"""Sigma rules → fast in-process matchers.

Rules are parsed and validated by pySigma and transformed by the log-source processing pipeline
(detection.pipelines: Sigma field names → normalised event fields); each rule's condition tree is
then translated into one Python boolean expression over the normalised event fields, and all rules
of one event category are generated into a single function that lowercases each field it needs
once and evaluates every rule with short-circuit `and`/`or` (cheap equality tests first). The
generated source contains only literals (`repr` of strings) and precompiled helpers, never text of
the rule itself.

Semantics follow the Sigma specification and agree with pySigma's SQLite backend (the differential
test, tests/security/test_sigma_differential.py): string matching is case-insensitive unless
`|cased`; `*`/`?` wildcards; `contains`/`startswith`/`endswith` (and every modifier pySigma turns into
values: `all`, `windash`, `base64`, `base64offset`, `wide`/`utf16*`); `re` (case-sensitive, flags
i/m/s, a search); `cidr`; numbers; `null`; `exists`; `gt/gte/lt/lte`; `fieldref`. Keyword
(field-less) values match anywhere in the message, as a `contains`. The logsource selects events
by category, program, action or an `extra` key (detection.pipelines.logsource_conditions).
"""

from __future__ import annotations

import ast
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

import re2
import yaml
from sigma.collection import SigmaCollection
from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule as PySigmaRule
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
    SigmaRegularExpressionFlag,
    SigmaString,
    SpecialChars,
)
from sigma.validation import SigmaValidator
from sigma.validators.base import SigmaValidationIssueSeverity
from sigma.validators.core import validators as core_validators

from xizang5g.security.constants import EVENT_FIELDS
from xizang5g.security.detection.pipelines import logsource_conditions, pipeline

# pySigma validators that work offline (the tag validators download MITRE data at run time).
OFFLINE_VALIDATORS = (
    "all_of_them_condition",
    "control_character",
    "dangling_condition",
    "dangling_detection",
    "double_wildcard",
    "duplicate_tag",
    "escaped_wildcard",
    "identifier_existence",
    "invalid_modifier_combinations",
    "number_as_string",
    "tag_format",
    "them_condition_with_single_detection",
    "wildcards_instead_of_modifiers",
)
# Event fields the ingest stage stores in lower case (see ingest.enrich / normalise_json_item).
LOWERCASE_FIELDS = frozenset({"category", "program", "action", "outcome"})
_EQUALITY = re.compile(r"^\((\w+) == ('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\)$")
ALL_CATEGORIES = ("linux", "web", "network", "platform", "application")
# A Sigma rule is a page of YAML; the largest of the public SigmaHQ rules are about 20 KB.
RULE_MAX_CHARS = 100_000


class RuleError(ValueError):
    """A rule that cannot be used, with every reason found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class ParsedRule:
    rule_id: str
    title: str
    level: str
    status: str
    description: str
    tags: list[str]
    logsource: str
    conditions: dict[str, tuple[str, ...]]  # event field → accepted lower-case values (logsource)
    pyrule: PySigmaRule
    text: str = ""
    warnings: list[str] = field(default_factory=list)


def _validator() -> SigmaValidator:
    return SigmaValidator([core_validators[name] for name in OFFLINE_VALIDATORS])


def parse_rule(text: str) -> ParsedRule:
    """Parse and validate one Sigma rule (YAML). Raises RuleError naming every problem."""
    if not text or not text.strip():
        raise RuleError(["the rule is empty"])
    _check_rule_text(text)
    try:
        collection = SigmaCollection.from_yaml(text, collect_errors=True)
    except (SigmaError, ValueError, TypeError) as exc:
        raise RuleError([f"not a valid Sigma document: {exc}"]) from exc
    except Exception as exc:  # yaml.YAMLError and friends
        raise RuleError([f"not valid YAML: {exc}"]) from exc
    rules = [r for r in collection.rules if isinstance(r, PySigmaRule)]
    if len(collection.rules) != 1 or len(rules) != 1:
        raise RuleError(
            [f"expected exactly one Sigma detection rule, found {len(collection.rules)}"]
        )
    rule = rules[0]
    problems = [_explain(str(error)) for error in rule.errors]
    if not problems:
        try:
            pipeline().apply(rule)
        except SigmaError as exc:
            problems.append(f"field mapping: {exc}")
    if rule.id is None:
        problems.append("the rule needs an `id` (a UUID)")
    if rule.level is None:
        problems.append("the rule needs a `level`")
    if problems:
        raise RuleError(problems)
    warnings: list[str] = []
    for condition in rule.detection.parsed_condition:
        try:
            condition.parsed  # noqa: B018 - parsing raises on undefined identifiers and syntax errors
        except SigmaError as exc:
            problems.append(f"condition {condition.condition!r}: {exc}")
    try:
        issues = _validator().validate_rule(rule)
    except SigmaError as exc:
        raise RuleError([str(exc)]) from exc
    for issue in issues:
        text_issue = f"{type(issue).__name__}: {issue.description}"
        if issue.severity == SigmaValidationIssueSeverity.HIGH:
            problems.append(text_issue)
        else:
            warnings.append(text_issue)
    conditions, logsource_problems = _logsource_conditions(rule)
    problems.extend(logsource_problems)
    if problems:
        raise RuleError(problems)
    ls = rule.logsource
    return ParsedRule(
        rule_id=str(rule.id),
        title=rule.title,
        level=rule.level.name.lower(),
        status=rule.status.name.lower() if rule.status else "",
        description=rule.description or "",
        tags=[str(tag) for tag in rule.tags],
        logsource=" / ".join(
            f"{k}:{v}"
            for k, v in (
                ("product", ls.product),
                ("category", ls.category),
                ("service", ls.service),
            )
            if v
        ),
        conditions=conditions,
        pyrule=rule,
        text=text,
        warnings=warnings,
    )


def _explain(problem: str) -> str:
    """pySigma checks `re` values with RE2 already; say why a pattern is refused."""
    if problem.startswith("Regular expression") and " is invalid" in problem:
        return problem.replace("b'", "'") + RE2_HINT
    return problem


def _check_rule_text(text: str) -> None:
    """Bound a rule before pySigma reads it: its size, and no YAML aliases (a few nested aliases
    expand to billions of values; Sigma rules never need them)."""
    if len(text) > RULE_MAX_CHARS:
        raise RuleError([f"the rule has {len(text):,} characters; at most {RULE_MAX_CHARS:,}"])
    try:
        if any(isinstance(token, yaml.AliasToken) for token in yaml.scan(text)):
            raise RuleError(["YAML aliases (*name) are not accepted in a rule"])
    except yaml.YAMLError as exc:
        raise RuleError([f"not valid YAML: {exc}"]) from exc


def _logsource_conditions(rule: PySigmaRule) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    ls = rule.logsource
    return logsource_conditions(ls.product, ls.category, ls.service)


# --- compilation ---------------------------------------------------------------------------
class _Compiler:
    """Translates condition trees into Python expressions; collects helpers and field uses."""

    def __init__(self, mapping: dict[str, str], prefix: str = "_h"):
        self.mapping = mapping
        self.prefix = prefix
        self.helpers: dict[str, Any] = {}
        self.fields_raw: set[str] = set()
        self.fields_lower: set[str] = set()
        self.problems: list[str] = []

    # field access ----------------------------------------------------------------
    def event_field(self, sigma_field: str | None) -> str:
        """The event field a (pipeline-transformed) Sigma field reads; field-less values read
        the message. An administrator's field mapping (FieldMapping) wins over the pipeline's
        `extra.<name>` default."""
        if sigma_field is None:
            return "message"
        name = sigma_field.removeprefix("extra.")
        target = self.mapping.get(sigma_field) or self.mapping.get(name)
        if target is None:
            target = sigma_field
        if not (target in EVENT_FIELDS or target.startswith("extra.")):
            self.problems.append(
                f"field {sigma_field!r} is not mapped to an event field; add a field mapping"
            )
            return "message"
        return target

    @staticmethod
    def var(target: str, lower: bool) -> str:
        return ("l_" if lower else "v_") + re.sub(r"\W", "_", target)

    def raw(self, target: str) -> str:
        self.fields_raw.add(target)
        return self.var(target, False)

    def low(self, target: str) -> str:
        self.fields_raw.add(target)
        if target in LOWERCASE_FIELDS:  # normalised to lower case at ingest: no .lower() per event
            return self.var(target, False)
        self.fields_lower.add(target)
        return self.var(target, True)

    def present(self, target: str) -> str:
        """An expression that is None when the extra field is absent."""
        self.raw(target)
        return f"x_.get({target.split('.', 1)[1]!r})"

    def helper(self, value: Any) -> str:
        name = f"{self.prefix}{len(self.helpers)}"
        self.helpers[name] = value
        return name

    # tree -----------------------------------------------------------------------
    def expr(self, node) -> tuple[str, int]:
        """Return (python expression, cost) for a condition node."""
        if isinstance(node, ConditionAND | ConditionOR):
            parts = [self.expr(arg) for arg in node.args]
            if isinstance(node, ConditionAND):
                parts.sort(key=lambda p: p[1])  # cheapest first; `and` short-circuits
                joiner = " and "
            else:
                joiner = " or "
                equal = [_EQUALITY.match(p[0]) for p in parts]
                if len(parts) >= 3 and all(equal) and len({m.group(1) for m in equal}) == 1:
                    values = frozenset(ast.literal_eval(m.group(2)) for m in equal)
                    return f"({equal[0].group(1)} in {self.helper(values)})", 1
            return "(" + joiner.join(p[0] for p in parts) + ")", sum(p[1] for p in parts)
        if isinstance(node, ConditionNOT):
            inner, cost = self.expr(node.args[0])
            return f"(not {inner})", cost
        if isinstance(node, ConditionFieldEqualsValueExpression):
            return self.leaf(self.event_field(node.field), node.value)
        if isinstance(node, ConditionValueExpression):
            return self.keyword(node.value)
        self.problems.append(f"unsupported condition element {type(node).__name__}")
        return "False", 1

    def keyword(self, value) -> tuple[str, int]:
        """A field-less value: found anywhere in the message (Sigma keywords; pySigma's SQLite
        backend with `message` as its full-text field: LIKE '%value%')."""
        target = self.event_field(None)
        if isinstance(value, SigmaString):
            parts = list(value.s)
            if not parts or parts[0] != SpecialChars.WILDCARD_MULTI:
                parts.insert(0, SpecialChars.WILDCARD_MULTI)
            if parts[-1] != SpecialChars.WILDCARD_MULTI:
                parts.append(SpecialChars.WILDCARD_MULTI)
            return self.string(target, parts, cased=isinstance(value, SigmaCasedString))
        if isinstance(value, SigmaNumber):
            return self.string(
                target,
                [SpecialChars.WILDCARD_MULTI, str(value.number), SpecialChars.WILDCARD_MULTI],
                cased=False,
            )
        return self.leaf(target, value)

    def leaf(self, target: str, value) -> tuple[str, int]:
        if isinstance(value, SigmaString) and value.contains_placeholder():
            self.problems.append(
                f"placeholders (%name%) in {target} need a value list; expand them first"
            )
            return "False", 1
        if isinstance(value, SigmaCasedString):
            return self.string(target, list(value.s), cased=True)
        if isinstance(value, SigmaString):
            return self.string(target, list(value.s), cased=False)
        if isinstance(value, SigmaBool):
            return f"({self.low(target)} == {str(bool(value.boolean)).lower()!r})", 1
        if isinstance(value, SigmaNumber):
            return f"({self.raw(target)} == {str(value.number)!r})", 1
        if isinstance(value, SigmaNull):
            if target.startswith("extra."):
                return f"({self.present(target)} is None)", 1
            return f"({self.raw(target)} == '')", 1
        if isinstance(value, SigmaExists):
            if target.startswith("extra."):
                test = "is not None" if value.exists else "is None"
                return f"({self.present(target)} {test})", 1
            return (
                f"({self.raw(target)} != '')" if value.exists else f"({self.raw(target)} == '')"
            ), 1
        if isinstance(value, SigmaRegularExpression):
            flags = "".join(_RE_FLAG_LETTERS[flag] for flag in value.flags)
            text = (
                value.regexp.to_plain() if hasattr(value.regexp, "to_plain") else str(value.regexp)
            )
            try:
                pattern = linear_regex(python_classes(text), flags=flags)
            except re2.error as exc:
                self.problems.append(
                    f"regular expression for {target} is invalid: {_re2_reason(exc)}{RE2_HINT}"
                )
                return "False", 1
            return f"({self.helper(pattern.search)}({self.raw(target)}) is not None)", 20
        if isinstance(value, SigmaCIDRExpression):
            network = value.network
            return f"{self.helper(_cidr_matcher(network))}({self.raw(target)})", 8
        if isinstance(value, SigmaCompareExpression):
            op = {
                CompareOperators.LT: "<",
                CompareOperators.LTE: "<=",
                CompareOperators.GT: ">",
                CompareOperators.GTE: ">=",
            }[value.op]
            number = value.number.number
            return f"{self.helper(_compare(op, number))}({self.raw(target)})", 4
        if isinstance(value, SigmaFieldReference):
            other = self.event_field(value.field)
            return f"({self.low(target)} == {self.low(other)})", 2
        self.problems.append(f"unsupported value type {type(value).__name__} for field {target}")
        return "False", 1

    def string(self, target: str, parts: list, *, cased: bool) -> tuple[str, int]:
        var = self.raw(target) if cased else self.low(target)

        def lit(text: str) -> str:
            return repr(text if cased else text.lower())

        plain = [p for p in parts if isinstance(p, str)]
        specials = [p for p in parts if not isinstance(p, str)]
        if not specials:
            text = "".join(plain)
            if not text and target.startswith("extra."):  # empty, not absent
                return f"({var} == '' and {self.present(target)} is not None)", 1
            return f"({var} == {lit(text)})", 1
        if all(s == SpecialChars.WILDCARD_MULTI for s in specials) and len(plain) <= 1:
            text = plain[0] if plain else ""
            lead = parts[0] == SpecialChars.WILDCARD_MULTI
            trail = parts[-1] == SpecialChars.WILDCARD_MULTI
            if not text:
                return "True", 0
            if lead and trail and len(parts) == 3:
                return f"({lit(text)} in {var})", 3
            if trail and len(parts) == 2:
                return f"{var}.startswith({lit(text)})", 2
            if lead and len(parts) == 2:
                return f"{var}.endswith({lit(text)})", 2
        pattern = "".join(
            re2.escape(p if cased else p.lower())
            if isinstance(p, str)
            else (".*" if p == SpecialChars.WILDCARD_MULTI else ".")
            for p in parts
        )
        compiled = linear_regex(pattern, flags="s")  # many wildcards stay linear too
        return f"({self.helper(compiled.fullmatch)}({var}) is not None)", 15


# Sigma's `re` modifier flags (pySigma SigmaRegularExpressionFlag) as RE2 inline flags.
_RE_FLAG_LETTERS = {
    SigmaRegularExpressionFlag.IGNORECASE: "i",
    SigmaRegularExpressionFlag.MULTILINE: "m",
    SigmaRegularExpressionFlag.DOTALL: "s",
}
RE2_HINT = (
    " (patterns run on RE2, in time linear in the text: backreferences and lookaround are not"
    " supported)"
)
# RE2 gives up (an error, not a slow match) beyond this much memory for one pattern.
RE2_MAX_MEM = 8 * 1024 * 1024


# Python's (and so Zircolite's and pySigma's SQLite REGEXP's) \s, \d and \w are Unicode-aware;
# RE2's are ASCII. The classes below are Python's, written for RE2.
_PY_SPACE = r"\s\x{0b}\x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
_PY_DIGIT = r"\p{Nd}"
_PY_WORD = r"\p{L}\p{N}_"
_CLASS_ESCAPES = {"s": _PY_SPACE, "d": _PY_DIGIT, "w": _PY_WORD}


def python_classes(pattern: str) -> str:
    """Rewrite \\s, \\d, \\w (and their negations outside brackets) to Python's Unicode
    classes, so a Sigma `re` value means on RE2 what it means in Python's `re`."""
    out = []
    in_class = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            e = pattern[i + 1]
            body = _CLASS_ESCAPES.get(e.lower())
            if body is not None and (in_class and e.islower()):
                out.append(body)
            elif body is not None and not in_class:
                out.append(f"[{body}]" if e.islower() else f"[^{body}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
            out.append(c)
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":  # a leading ] is literal
                out.append("]")
                i += 1
        elif c == "]" and in_class:
            in_class = False
            out.append(c)
        else:
            out.append(c)
        i += 1
    return "".join(out)


def linear_regex(pattern: str, *, flags: str = ""):
    """Compile a user-supplied pattern with RE2: matching time is linear in the text, so no
    pattern can stall ingest (Python's `re` backtracks: `^(a+)+$` doubles with each character).
    `flags` holds the letters i, m, s. Raises re2.error for what RE2 cannot run (backreferences,
    lookaround)."""
    options = re2.Options()
    options.log_errors = False
    options.max_mem = RE2_MAX_MEM
    return re2.compile(f"(?{flags}){pattern}" if flags else pattern, options)


def _re2_reason(exc: Exception) -> str:
    reason = exc.args[0] if exc.args else exc
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


def _cidr_matcher(network):
    def match(value: str) -> bool:
        if not value:
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False

    return match


def _compare(op: str, number):
    def compare(value: str) -> bool:
        try:
            x = float(value)
        except (TypeError, ValueError):
            return False
        return {"<": x < number, "<=": x <= number, ">": x > number, ">=": x >= number}[op]

    return compare


@dataclass
class CompiledRule:
    rule_id: str
    title: str
    level: str
    tags: list[str]
    index: int
    categories: tuple[str, ...]
    author: str = ""


def _rule_expression(compiler: _Compiler, parsed: ParsedRule) -> str:
    conditions = parsed.pyrule.detection.parsed_condition
    exprs = []
    for condition in conditions:
        try:
            tree = condition.parsed
        except SigmaError as exc:
            compiler.problems.append(f"condition: {exc}")
            return "False"
        exprs.append(compiler.expr(tree)[0])
    body = "(" + " or ".join(exprs) + ")" if exprs else "False"
    tests = []
    for target, values in sorted(parsed.conditions.items()):
        if target == "category":
            continue  # the engine dispatches on the category
        if len(values) == 1:
            tests.append(f"{compiler.low(target)} == {values[0]!r}")
        else:
            tests.append(f"{compiler.low(target)} in {tuple(values)!r}")
    if tests:
        body = "(" + " and ".join(tests) + f" and {body})"
    return body


def _gate_of(parsed: ParsedRule) -> tuple[tuple, str, set[str], set[str]]:
    """The rule's log-source test other than the category (program, action, an extra key): rules
    sharing one are evaluated under one `if`, so an event reads and lowercases only the fields
    of the rules its log source can match. (key, expression, raw fields, lowercased fields)."""
    gate = _Compiler({})
    tests = []
    for target, values in sorted(parsed.conditions.items()):
        if target == "category":
            continue
        if len(values) == 1:
            tests.append(f"{gate.low(target)} == {values[0]!r}")
        else:
            tests.append(f"{gate.low(target)} in {tuple(values)!r}")
    key = tuple((k, v) for k, v in sorted(parsed.conditions.items()) if k != "category")
    return key, " and ".join(tests), gate.fields_raw, gate.fields_lower


def compile_check(parsed: ParsedRule, mapping: dict[str, str] | None = None) -> None:
    """Raise RuleError when the rule cannot be compiled (unmapped field, bad regex, …)."""
    compiler = _Compiler(dict(mapping or {}))
    _rule_expression(compiler, parsed)
    if compiler.problems:
        raise RuleError(sorted(set(compiler.problems)))


class SigmaEngine:
    """All enabled rules compiled into one matcher function per event category."""

    def __init__(self, rules: list[ParsedRule], mapping: dict[str, str] | None = None):
        self.mapping = dict(mapping or {})
        self.rules: list[CompiledRule] = []
        self.problems: dict[str, list[str]] = {}
        per_category: dict[str, list[tuple[int, str, _Compiler]]] = {c: [] for c in ALL_CATEGORIES}
        for n, parsed in enumerate(rules):
            compiler = _Compiler(self.mapping, prefix=f"_r{n}h")
            body = _rule_expression(compiler, parsed)
            if compiler.problems:
                self.problems[parsed.rule_id] = sorted(set(compiler.problems))
                continue
            categories = parsed.conditions.get("category") or ALL_CATEGORIES
            index = len(self.rules)
            self.rules.append(
                CompiledRule(
                    parsed.rule_id,
                    parsed.title,
                    parsed.level,
                    parsed.tags,
                    index,
                    tuple(categories),
                    author=parsed.pyrule.author or "",
                )
            )
            gate = _gate_of(parsed)
            for cat in categories:
                per_category[cat].append((index, body, compiler, gate))
        self._generate(per_category)

    @staticmethod
    def _category_code(
        entries, *, complete: bool
    ) -> tuple[list[str], list[tuple[int, str]], dict[str, Any]]:
        """Preamble (field reads, each lowercased once), rule tests and helpers of one category.
        `complete`: the events carry every field (ingest.complete_event), read by subscription."""
        helpers: dict[str, Any] = {}
        raw_fields: set[str] = set()
        lower_fields: set[str] = set()
        tests = []
        for index, body, compiler, _gate in entries:
            helpers.update(compiler.helpers)  # helper names are unique per rule (prefix)
            raw_fields |= compiler.fields_raw
            lower_fields |= compiler.fields_lower
            tests.append((index, body))
        preamble = []
        if any(t.startswith("extra.") for t in raw_fields):
            preamble.append(
                "x_ = ev['extra'] or _EMPTY" if complete else "x_ = ev.get('extra') or _EMPTY"
            )
        for target in sorted(raw_fields):
            var = _Compiler.var(target, False)
            if target.startswith("extra.") or target == "dst_port":
                if target.startswith("extra."):
                    getter = f"x_.get({target.split('.', 1)[1]!r})"
                else:
                    getter = "ev['dst_port']" if complete else "ev.get('dst_port')"
                preamble.append(f"{var} = {getter}")
                preamble.append(
                    f"if {var}.__class__ is not str:\n    {var} = '' if {var} is None else str({var})"
                )
            elif complete:
                preamble.append(f"{var} = ev[{target!r}]")
            else:
                preamble.append(f"{var} = ev.get({target!r}) or ''")
        for target in sorted(lower_fields):
            preamble.append(
                f"{_Compiler.var(target, True)} = {_Compiler.var(target, False)}.lower()"
            )
        return preamble, tests, helpers

    @classmethod
    def _gated_code(cls, entries) -> list[str]:
        """Batch code of one category: the gate fields read once, then per gate an `if` reading
        the group's own fields and testing its rules."""
        groups: dict[tuple, list] = {}
        gate_raw: set[str] = set()
        gate_lower: set[str] = set()
        for entry in entries:
            key, _expr, raw, lower = entry[3]
            groups.setdefault(key, []).append(entry)
            gate_raw |= raw
            gate_lower |= lower
        pad = "            "
        lines = [
            pad + line.replace("\n", "\n" + pad)
            for line in cls._read_fields(
                gate_raw,
                gate_lower,
                {"extra"} if any(t.startswith("extra.") for t in gate_raw) else set(),
            )
        ]
        for key, group in groups.items():
            expr = group[0][3][1]
            raw = set().union(*(e[2].fields_raw for e in group)) - gate_raw
            lower = set().union(*(e[2].fields_lower for e in group)) - gate_lower
            inner = pad + "    " if key else pad
            if key:
                lines.append(f"{pad}if {expr}:")
            need_extra = any(t.startswith("extra.") for t in raw) and not any(
                t.startswith("extra.") for t in gate_raw
            )
            for line in cls._read_fields(raw, lower, {"extra"} if need_extra else set()):
                lines.append(inner + line.replace("\n", "\n" + inner))
            for index, body, _compiler, _gate in group:
                lines.append(f"{inner}if {body}:\n{inner}    add((pos, {index}))")
            if key and len(lines) and lines[-1].startswith(f"{pad}if "):
                lines.append(f"{inner}pass")
        return lines

    @staticmethod
    def _read_fields(raw_fields: set[str], lower_fields: set[str], extra: set[str]) -> list[str]:
        """Statements reading fields of a complete event (ingest.complete_event)."""
        out = ["x_ = ev['extra'] or _EMPTY"] if extra else []
        for target in sorted(raw_fields):
            var = _Compiler.var(target, False)
            if target.startswith("extra.") or target == "dst_port":
                getter = (
                    f"x_.get({target.split('.', 1)[1]!r})"
                    if target.startswith("extra.")
                    else "ev['dst_port']"
                )
                out.append(f"{var} = {getter}")
                out.append(
                    f"if {var}.__class__ is not str:\n    {var} = '' if {var} is None else str({var})"
                )
            else:
                out.append(f"{var} = ev[{target!r}]")
        for target in sorted(lower_fields):
            out.append(f"{_Compiler.var(target, True)} = {_Compiler.var(target, False)}.lower()")
        return out

    def _generate(self, per_category: dict[str, list]) -> None:
        """Generate one `_match_<category>(ev) -> [rule indices]` per category and one
        `_match_batch(evs, base, out)` that dispatches on the category inline and appends
        (base + position, rule index) for every match."""
        namespace: dict[str, Any] = {"_EMPTY": {}}
        single_sources = []
        batch = [
            "def _match_batch(evs, base, out):",
            "    add = out.append",
            "    for pos, ev in enumerate(evs, base):",
            "        cat = ev.get('category')",
        ]
        first = True
        for category, entries in per_category.items():
            if not entries:
                continue
            preamble, tests, helpers = self._category_code(entries, complete=False)
            namespace.update(helpers)
            single = [
                f"def _match_{category}(ev):",
                *("    " + line.replace("\n", "\n    ") for line in preamble),
                "    hits = []",
            ]
            single += [f"    if {body}:\n        hits.append({index})" for index, body in tests]
            single.append("    return hits")
            single_sources.append("\n".join(single))
            batch.append(f"        {'if' if first else 'elif'} cat == {category!r}:")
            first = False
            batch += self._gated_code(entries)
        if first:
            batch.append("        pass")
        self.source = "\n\n\n".join([*single_sources, "\n".join(batch)]) + "\n"
        exec(compile(self.source, "<sigma-rules>", "exec"), namespace)
        self._matchers = {cat: namespace.get(f"_match_{cat}") for cat in per_category}
        self._batch = namespace["_match_batch"]

    def match_batch(self, events: list[dict]) -> list[tuple[int, int]]:
        """(event position, rule index) for every match in a batch of complete events (every
        field of the normalised schema present, strings never None: `ingest.complete_event`)."""
        out: list[tuple[int, int]] = []
        self._batch(events, 0, out)
        return out

    def match(self, event: dict) -> list[CompiledRule]:
        matcher = self._matchers.get(event.get("category") or "")
        if matcher is None:
            return []
        return [self.rules[i] for i in matcher(event)]

    def match_indices(self, event: dict) -> list[int]:
        matcher = self._matchers.get(event.get("category") or "")
        return matcher(event) if matcher is not None else []


def _to_str(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)
