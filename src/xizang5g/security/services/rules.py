"""Sigma and correlation rules: custom rules validated and compile-checked, shipped rules synced."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xizang5g.core.audit import acting_as
from xizang5g.security.choices import RuleOrigin
from xizang5g.security.detection.sigma import RuleError, compile_check, parse_rule
from xizang5g.security.models import CorrelationRule, FieldMapping, SigmaRule
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


def sigma_rules_sync(*, directory: Path = RULES_DIR, user=None) -> int:
    """Load (idempotently) the shipped rule set from the app's rules/ directory."""
    count = 0
    with acting_as(user), transaction.atomic():
        for path in sorted(directory.glob("*.yml")):
            if path.name == "correlation.yml":
                continue
            text = path.read_text(encoding="utf-8")
            try:
                parsed = parse_rule(text)
                compile_check(parsed)
            except RuleError as exc:
                raise ValidationError(f"shipped rule {path.name}: {exc}") from exc
            rule = SigmaRule.objects.filter(rule_id=parsed.rule_id).first() or SigmaRule(
                rule_id=parsed.rule_id, origin=RuleOrigin.SHIPPED
            )
            for key, value in _rule_fields(parsed, text).items():
                setattr(rule, key, value)
            rule.save()
            count += 1
        count += correlation_rules_sync(path=directory / "correlation.yml")
    return count


def correlation_rules_sync(*, path: Path) -> int:
    if not path.exists():
        return 0
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for item in data:
        rule = CorrelationRule.objects.filter(code=item["code"]).first() or CorrelationRule(
            code=item["code"]
        )
        for key in (
            "title",
            "kind",
            "match",
            "then_match",
            "group_by",
            "threshold",
            "window_seconds",
            "level",
        ):
            if key in item:
                setattr(rule, key, item[key])
        rule.full_clean()
        rule.save()
    return len(data)
