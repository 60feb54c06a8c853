"""Sigma and correlation rules: custom rules validated and compile-checked, rule packs imported
(folder, zip or file; added or updated by id, refusals reported with their reasons), the shipped
pack loaded by `xizang5g setup`, and local tuning (per-source switch, false-positive filters) kept
apart from the rules so a pack update never loses it."""

from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xizang5g.core.audit import acting_as
from xizang5g.security.choices import RuleOrigin
from xizang5g.security.detection.correlation import parse_correlation
from xizang5g.security.detection.sigma import (
    RULE_MAX_CHARS,
    RuleError,
    compile_check,
    parse_rule,
)
from xizang5g.security.models import CorrelationRule, FieldMapping, LogSource, RuleTuning, SigmaRule
from xizang5g.security.services.permissions import require_operator

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"


def _rule_fields(parsed, text: str) -> dict:
    return {
        "title": parsed.title[:255],
        "level": parsed.level,
        "status": parsed.status,
        "logsource": parsed.logsource[:200],
        "tags": parsed.tags,
        "description": parsed.description,
        "yaml": text,
    }


def sigma_rule_validate(*, text: str):
    """Parse, validate and compile-check a rule; raises ValidationError listing the problems."""
    try:
        parsed = parse_rule(text)
        compile_check(parsed, dict(FieldMapping.objects.values_list("sigma_field", "event_field")))
    except RuleError as exc:
        raise ValidationError({"yaml": exc.problems}) from exc
    return parsed


def sigma_rule_create(*, text: str, user, enabled: bool = True) -> SigmaRule:
    require_operator(user)
    parsed = sigma_rule_validate(text=text)
    if SigmaRule.objects.filter(rule_id=parsed.rule_id).exists():
        raise ValidationError(
            {"yaml": [_("A rule with id %(id)s exists already.") % {"id": parsed.rule_id}]}
        )
    rule = SigmaRule(
        rule_id=parsed.rule_id,
        origin=RuleOrigin.CUSTOM,
        enabled=enabled,
        **_rule_fields(parsed, text),
    )
    rule.full_clean()
    with acting_as(user):
        rule.save()
    return rule


def sigma_rule_set_enabled(*, rule: SigmaRule, enabled: bool, user) -> SigmaRule:
    require_operator(user)
    rule.enabled = enabled
    with acting_as(user):
        rule.save()
    return rule


# A pack holds at most this many files (SigmaHQ as a whole is about 3,000 rules).
PACK_MAX_FILES = 20_000
RULE_SUFFIXES = (".yml", ".yaml")


@dataclass
class ImportReport:
    """What an import did: counts, and each refused file with its reasons."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: dict[str, list[str]] = field(default_factory=dict)

    @property
    def loaded(self) -> int:
        return len(self.added) + len(self.updated) + len(self.unchanged)

    @property
    def total(self) -> int:
        return self.loaded + len(self.refused)

    def lines(self) -> list[str]:
        out = [
            f"{self.loaded} of {self.total} rules loaded: {len(self.added)} added, "
            f"{len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.refused)} refused"
        ]
        for name, problems in sorted(self.refused.items()):
            out.append(f"refused {name}: {'; '.join(problems)}")
        return out


def _pack_files(path: Path, skip: tuple[str, ...] = ()):
    """(name, text) for every rule file of a folder (recursively), a zip, or one file."""
    if path.is_dir():
        files = sorted(
            p
            for p in path.rglob("*")
            if p.suffix in RULE_SUFFIXES and p.is_file() and p.name not in skip
        )
        if len(files) > PACK_MAX_FILES:
            raise ValidationError(f"{path}: more than {PACK_MAX_FILES} rule files")
        for file in files:
            yield str(file.relative_to(path)), _read(file.read_bytes(), file.name)
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir() and m.filename.endswith(RULE_SUFFIXES)
            ]
            if len(members) > PACK_MAX_FILES:
                raise ValidationError(f"{path}: more than {PACK_MAX_FILES} rule files")
            for member in sorted(members, key=lambda m: m.filename):
                if member.file_size > RULE_MAX_CHARS * 4:
                    yield member.filename, None
                    continue
                with archive.open(member) as handle:
                    yield (
                        member.filename,
                        _read(handle.read(RULE_MAX_CHARS * 4 + 1), member.filename),
                    )
    elif path.is_file():
        yield path.name, _read(path.read_bytes(), path.name)
    else:
        raise ValidationError(f"{path}: no such file or folder")


def _read(data: bytes, name: str) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def sigma_rules_import(
    *, path: Path, user=None, origin: str = RuleOrigin.IMPORTED, skip: tuple[str, ...] = ()
) -> ImportReport:
    """Add or update (by rule id) every Sigma rule of a folder, zip or file. A rule that does not
    parse, validate or compile is refused with its reasons; the others are saved. Updating a rule
    keeps whether it is enabled and its local tuning (RuleTuning)."""
    if user is not None:
        require_operator(user)
    report = ImportReport()
    mapping = dict(FieldMapping.objects.values_list("sigma_field", "event_field"))
    existing = {r.rule_id: r for r in SigmaRule.objects.all()}
    with acting_as(user), transaction.atomic():
        for name, text in _pack_files(Path(path), skip):
            if text is None:
                report.refused[name] = [f"not UTF-8 text of at most {RULE_MAX_CHARS:,} characters"]
                continue
            if "\ncorrelation:" in f"\n{text}":
                try:
                    changed = correlation_collection_save(text=text)
                except RuleError as exc:
                    report.refused[name] = exc.problems
                    continue
                {"added": report.added, "updated": report.updated}.get(
                    changed, report.unchanged
                ).append(name)
                continue
            try:
                parsed = parse_rule(text)
                compile_check(parsed, mapping)
            except RuleError as exc:
                report.refused[name] = exc.problems
                continue
            rule = existing.get(parsed.rule_id)
            fields = _rule_fields(parsed, text)
            if rule is None:
                rule = SigmaRule(rule_id=parsed.rule_id, origin=origin, **fields)
                rule.full_clean()
                rule.save()
                existing[rule.rule_id] = rule
                report.added.append(name)
            elif all(getattr(rule, k) == v for k, v in fields.items()):
                report.unchanged.append(name)
            else:
                for key, value in fields.items():
                    setattr(rule, key, value)
                rule.full_clean()
                rule.save()
                report.updated.append(name)
    return report


def sigma_rules_sync(*, directory: Path = RULES_DIR, user=None) -> int:
    """Load (idempotently) the shipped pack: the project's rules in rules/ and the chosen SigmaHQ
    rules in rules/sigmahq/ (DRL 1.1, LICENSE beside them). A shipped rule must load."""
    report = sigma_rules_import(
        path=directory, user=None, origin=RuleOrigin.SHIPPED, skip=("correlation.yml",)
    )
    if report.refused:
        raise ValidationError(
            [f"shipped rule {k}: {'; '.join(v)}" for k, v in report.refused.items()]
        )
    return report.loaded + correlation_rules_sync(path=directory / "correlation.yml")


def _filter_rule_text(rule: SigmaRule, text: str, key: str) -> str:
    """A false-positive filter as a Sigma rule of its own, on the tuned rule's log source."""
    try:
        detection = yaml.safe_load(text)
        logsource = (yaml.safe_load(rule.yaml) or {}).get("logsource") or {}
    except yaml.YAMLError as exc:
        raise RuleError([f"not valid YAML: {exc}"]) from exc
    if not isinstance(detection, dict) or "condition" not in detection:
        raise RuleError(["a filter is a Sigma detection: selections and a `condition`"])
    return yaml.safe_dump(
        {
            "title": f"filter of {rule.rule_id}",
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"xz5g-filter:{rule.rule_id}:{key}")),
            "status": "test",
            "level": "low",
            "logsource": logsource,
            "detection": detection,
        },
        allow_unicode=True,
        sort_keys=False,
    )


def filter_rule_parse(tuning: RuleTuning):
    """The parsed Sigma rule of a tuning's filter (raises RuleError)."""
    text = _filter_rule_text(tuning.rule, tuning.filter, str(tuning.source_id or "all"))
    parsed = parse_rule(text)
    compile_check(parsed, dict(FieldMapping.objects.values_list("sigma_field", "event_field")))
    return parsed


def rule_tuning_set(
    *,
    rule: SigmaRule,
    user,
    source: LogSource | None = None,
    enabled: bool = True,
    filter: str = "",
    note: str = "",
) -> RuleTuning:
    """Switch a rule on or off for one source (or every source) and set its false-positive filter."""
    require_operator(user)
    tuning = RuleTuning.objects.filter(rule=rule, source=source).first() or RuleTuning(
        rule=rule, source=source
    )
    tuning.enabled, tuning.filter, tuning.note = enabled, filter.strip(), note
    if tuning.filter:
        try:
            filter_rule_parse(tuning)
        except RuleError as exc:
            raise ValidationError({"filter": exc.problems}) from exc
    tuning.full_clean(validate_constraints=False)
    with acting_as(user):
        tuning.save()
    return tuning


def correlation_collection_save(*, text: str) -> str:
    """Save the alerting correlations of a Sigma collection by name (code); returns "added",
    "updated" or "unchanged". Raises RuleError."""
    sets = parse_correlation(text)
    outcome = "unchanged"
    for cset in sets:
        spec = next(s for s in cset.specs if s.name == cset.code)
        rule = CorrelationRule.objects.filter(code=cset.code[:64]).first()
        values = {
            "title": spec.title[:255],
            "kind": spec.kind,
            "match": {"rules": spec.rules},
            "group_by": ",".join(spec.group_by)[:32],
            "threshold": spec.count,
            "window_seconds": int(spec.timespan),
            "level": spec.level,
            "yaml": text,
        }
        if rule is None:
            rule = CorrelationRule(code=cset.code[:64], **values)
            outcome = "added"
        elif any(getattr(rule, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(rule, key, value)
            outcome = "updated" if outcome == "unchanged" else outcome
        else:
            continue
        try:
            rule.full_clean()
        except ValidationError as exc:
            raise RuleError([f"{cset.code}: {m}" for m in exc.messages]) from exc
        rule.save()
    return outcome


def correlation_rules_sync(*, path: Path = RULES_DIR / "correlation") -> int:
    """Load the shipped Sigma correlation collections (also part of `sigma_rules_sync`)."""
    count = 0
    for file in sorted(Path(path).glob("*.yml")):
        correlation_collection_save(text=file.read_text(encoding="utf-8"))
        count += 1
    return count
