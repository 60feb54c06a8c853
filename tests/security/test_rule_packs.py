"""Rules as content: `xizang5g security rules import PATH` (folder, zip, file) adds and updates by
id and reports refusals with reasons; `xizang5g setup` loads the shipped pack; rules are switched
per source and tuned with false-positive filters that survive a pack update."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from xizang5g.security.choices import RuleOrigin
from xizang5g.security.models import Detection, RuleTuning, SigmaRule
from xizang5g.security.services import (
    log_source_create,
    rule_tuning_set,
    sigma_rule_set_enabled,
    sigma_rules_import,
)
from xizang5g.security.services.events import syslog_ingest
from xizang5g.security.services.rules import RULES_DIR

pytestmark = pytest.mark.django_db

CORPUS = Path("/work/shared/sigmahq-rules/rules")
if not CORPUS.exists():
    CORPUS = Path(__file__).resolve().parents[3] / "shared" / "sigmahq-rules" / "rules"

RULE = """title: {title}
id: 0b7f1c7e-1111-4c1e-9a55-{n:012d}
status: test
author: test author
level: high
logsource:
  category: webserver
detection:
  selection:
    cs-user-agent|contains: '{agent}'
  condition: selection
"""


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_setup_loads_the_shipped_pack_with_its_licence():
    output = run("setup")
    assert "setup: security rules import --default" in output
    shipped = SigmaRule.objects.filter(origin=RuleOrigin.SHIPPED)
    sigmahq = list((RULES_DIR / "sigmahq").rglob("*.yml"))
    own = list(RULES_DIR.glob("*.yml"))
    assert shipped.count() == len(sigmahq) + len(own) and len(sigmahq) >= 40
    assert (RULES_DIR / "sigmahq" / "LICENSE.Detection.Rules.md").exists()
    assert "Detection Rule License" in (RULES_DIR / "sigmahq" / "LICENSE").read_text()
    again = run("security", "rules", "import", "--default")  # idempotent
    assert shipped.count() == len(sigmahq) + len(own) and "rules loaded" in again


def test_import_the_sigmahq_corpus_prints_the_count_and_reasons():
    if not CORPUS.exists():
        pytest.skip(f"the SigmaHQ corpus is not at {CORPUS} (../shared/sigmahq-rules/)")
    output = run("security", "rules", "import", str(CORPUS))
    total = len(list(CORPUS.rglob("*.yml")))
    print(output.splitlines()[0])
    assert output.startswith(f"{total} of {total} rules loaded: {total} added")
    assert SigmaRule.objects.filter(origin=RuleOrigin.IMPORTED).count() == total


def test_zip_import_adds_updates_by_id_and_reports_refusals(tmp_path, operator):
    pack = tmp_path / "pack.zip"
    with zipfile.ZipFile(pack, "w") as archive:
        archive.writestr("a/one.yml", RULE.format(title="One", n=1, agent="evilbot"))
        archive.writestr("a/two.yml", RULE.format(title="Two", n=2, agent="badbot"))
        archive.writestr(
            "b/windows.yml",
            RULE.format(title="W", n=3, agent="x").replace(
                "category: webserver", "product: windows"
            ),
        )
        archive.writestr("b/latin1.yml", "title: caf\xe9".encode("latin-1"))
        archive.writestr("README.md", "not a rule")
    output = run("security", "rules", "import", str(pack))
    assert output.startswith("2 of 4 rules loaded: 2 added, 0 updated, 0 unchanged, 2 refused")
    assert "refused b/windows.yml: log source product: windows is not collected" in output
    assert "refused b/latin1.yml: not UTF-8" in output
    one = SigmaRule.objects.get(title="One")
    sigma_rule_set_enabled(rule=one, enabled=False, user=operator)
    rule_tuning_set(rule=one, user=operator, filter="f:\n  src_ip: 10.0.0.1\ncondition: f\n")
    single = tmp_path / "one.yml"
    single.write_text(RULE.format(title="One, revised", n=1, agent="evilbot"), encoding="utf-8")
    report = sigma_rules_import(path=single, user=operator)
    assert (len(report.added), len(report.updated)) == (0, 1)
    one.refresh_from_db()
    assert one.title == "One, revised" and one.enabled is False  # the local switch is kept
    assert RuleTuning.objects.get(rule=one).filter  # and the local filter
    report = sigma_rules_import(path=single, user=operator)
    assert report.unchanged == ["one.yml"]
    with pytest.raises(ValidationError, match="no such file"):
        sigma_rules_import(path=tmp_path / "missing", user=operator)


def test_per_source_switch_and_false_positive_filter_survive_a_pack_update(tmp_path, operator):
    _edge, _ = log_source_create(
        code="edge", name="Edge", kind="syslog", category="web", hosts=["edge1"], user=operator
    )
    lab, _ = log_source_create(
        code="lab", name="Lab", kind="syslog", category="web", hosts=["lab1"], user=operator
    )
    pack = tmp_path / "rule.yml"
    pack.write_text(RULE.format(title="Bot", n=7, agent="evilbot"), encoding="utf-8")
    sigma_rules_import(path=pack, user=operator)
    rule = SigmaRule.objects.get(title="Bot")
    rule_tuning_set(rule=rule, source=lab, enabled=False, user=operator, note="pentest lab")
    rule_tuning_set(
        rule=rule,
        user=operator,
        filter="scanner:\n  src_ip: 10.9.9.9\ncondition: scanner\n",
        note="our own vulnerability scanner",
    )
    # a pack update (new title, same id) keeps both tunings
    pack.write_text(RULE.format(title="Bot v2", n=7, agent="evilbot"), encoding="utf-8")
    assert sigma_rules_import(path=pack, user=operator).updated == ["rule.yml"]

    def line(host: str, ip: str) -> bytes:
        return (
            f"<190>Dec  3 10:20:00 {host} nginx: {ip} - - [03/Dec/2026:10:20:00 +0800] "
            f'"GET / HTTP/1.1" 200 5 "-" "EvilBot/2"'
        ).encode()

    result = syslog_ingest(
        lines=[line("edge1", "203.0.113.1"), line("lab1", "203.0.113.2"), line("edge1", "10.9.9.9")]
    )
    fired = [d for d in result.detections if d.rule_code == rule.rule_id]
    assert [d.group_value for d in fired] == ["203.0.113.1"]
    assert Detection.objects.get(pk=fired[0].pk).alert.details["rule_author"] == "test author"


def test_a_filter_that_is_not_a_sigma_detection_is_refused(operator, tmp_path):
    pack = tmp_path / "rule.yml"
    pack.write_text(RULE.format(title="Bot", n=8, agent="x"), encoding="utf-8")
    sigma_rules_import(path=pack, user=operator)
    rule = SigmaRule.objects.get(title="Bot")
    with pytest.raises(ValidationError, match="condition"):
        rule_tuning_set(rule=rule, user=operator, filter="src_ip: 10.0.0.1\n")
    with pytest.raises(ValidationError, match=r"nothere|identifier"):
        rule_tuning_set(rule=rule, user=operator, filter="f:\n  src_ip: 1\ncondition: nothere\n")


def test_operators_tune_a_rule_over_the_api(client, operator, viewer, tmp_path):
    """PUT rules/{id}/tuning switches a rule off for one source and sets a filter; a bad filter
    or an unknown source is 422 naming the field; other roles may not tune."""
    import json

    lab, _ = log_source_create(
        code="lab", name="Lab", kind="syslog", category="web", hosts=["lab1"], user=operator
    )
    pack = tmp_path / "rule.yml"
    pack.write_text(RULE.format(title="Bot", n=9, agent="evilbot"), encoding="utf-8")
    sigma_rules_import(path=pack, user=operator)
    rule = SigmaRule.objects.get(title="Bot")
    url = f"/api/v1/security/rules/{rule.pk}/tuning"

    def put(body):
        return client.put(url, json.dumps(body), content_type="application/json")

    client.force_login(operator)
    off = put({"source": "lab", "enabled": False, "note": "pentest lab"})
    assert off.status_code == 200, off.content
    assert off.json() == {
        "rule_id": rule.pk,
        "source": "lab",
        "enabled": False,
        "filter": "",
        "note": "pentest lab",
    }
    scanner = "scanner:\n  src_ip: 10.9.9.9\ncondition: scanner"
    assert put({"filter": scanner}).json()["source"] is None
    assert RuleTuning.objects.get(rule=rule, source=lab).enabled is False
    assert RuleTuning.objects.get(rule=rule, source=None).filter == scanner
    bad = put({"filter": "src_ip: 10.0.0.1"})
    assert bad.status_code == 422 and "filter" in bad.content.decode()
    unknown = put({"source": "nowhere", "enabled": False})
    assert unknown.status_code == 422 and "source" in unknown.content.decode()
    client.force_login(viewer)
    assert put({"enabled": False}).status_code == 403
