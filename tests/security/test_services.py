"""Incident state machine, deadlines by level, permissions; systems, inspections, crypto assessments."""

import importlib
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.concurrency import require_database_server, run_concurrently
from xizang5g.core.choices import Role
from xizang5g.core.models import Alert, ChangeLog
from xizang5g.security import services, simulate
from xizang5g.security.models import Incident, IncidentAction

pytestmark = pytest.mark.django_db


def test_incident_lifecycle_deadlines_and_timeline(operator, system):
    incidents = {
        level: services.incident_create(
            title=f"L{level}",
            category="attack",
            level=level,
            responsible_unit=system.owner_unit,
            user=operator,
        )
        for level in ("I", "II", "III", "IV")
    }
    hours = {
        level: (i.deadline - i.opened_at).total_seconds() / 3600 for level, i in incidents.items()
    }
    assert hours == {"I": 24, "II": 72, "III": 168, "IV": 360}
    assert sorted(i.code for i in incidents.values())[0].endswith("-0001")
    incident = incidents["II"]
    with pytest.raises(ValidationError, match="cannot go"):
        services.incident_transition(incident=incident, to_state="review", user=operator)
    services.incident_transition(incident=incident, to_state="triage", user=operator, note="n1")
    with pytest.raises(ValidationError, match="reason"):
        services.incident_transition(incident=incident, to_state="closed", user=operator)
    services.incident_transition(
        incident=incident, to_state="closed", user=operator, closing_reason="false_positive"
    )
    incident.refresh_from_db()
    assert (
        incident.state == "closed"
        and incident.closed_at
        and incident.closing_reason == "false_positive"
    )
    kinds = list(IncidentAction.objects.filter(incident=incident).values_list("kind", "to_state"))
    assert kinds == [("created", "new"), ("transition", "triage"), ("transition", "closed")]
    assert (
        ChangeLog.objects.filter(object_id=str(incident.pk), content_type__model="incident").count()
        == 3
    )
    with pytest.raises(ValidationError):
        services.incident_transition(incident=incident, to_state="triage", user=operator)


def test_incident_permissions(operator, system, make_user, viewer):
    incident = services.incident_create(
        title="x", category="other", level="IV", responsible_unit=system.owner_unit, user=operator
    )
    with pytest.raises(PermissionDenied):
        services.incident_create(
            title="x", category="other", level="IV", responsible_unit=system.owner_unit, user=viewer
        )
    with pytest.raises(PermissionDenied):
        services.incident_transition(incident=incident, to_state="triage", user=viewer)
    editor = make_user("ed", Role.UNIT_EDITOR, system.owner_unit)
    services.incident_transition(
        incident=incident, to_state="triage", user=editor
    )  # the responsible unit may act
    other = make_user("ed2", Role.UNIT_EDITOR, operator.unit)
    with pytest.raises(PermissionDenied):
        services.incident_note_add(incident=incident, user=other, note="x")


def test_incident_from_alert_links_and_refuses_duplicates(rules, operator, system):
    services.syslog_ingest(lines=simulate.attack_lines())
    alert = Alert.objects.get(rule="correlation:ssh-brute-force")
    incident = services.incident_create_from_alert(alert=alert, user=operator, level="III")
    assert list(incident.alerts.all()) == [alert] and incident.category == "attack"
    with pytest.raises(ValidationError, match="already handled"):
        services.incident_create_from_alert(alert=alert, user=operator)


def test_systems_inspections_and_assessments(operator, system, make_user):
    editor = make_user("his", Role.UNIT_EDITOR, system.owner_unit)
    services.system_update(system=system, user=editor, security_operated=True)
    outsider = make_user("out", Role.UNIT_EDITOR, operator.unit)
    with pytest.raises(Http404):  # another unit's system does not exist for it
        services.system_update(system=system, user=outsider, mlps_level=1)
    with pytest.raises(ValidationError):
        services.system_update(system=system, user=editor, mlps_level=6)
    inspection = services.inspection_create(
        system=system, title="Q4", scheduled_for=date.today(), user=operator
    )
    finding = services.finding_create(
        inspection=inspection,
        title="weak password",
        severity="high",
        rectification_due=date.today() - timedelta(days=1),
        user=operator,
    )
    from xizang5g.security.selectors import finding_overdue_list

    assert list(finding_overdue_list(user=editor)) == [finding]
    services.finding_rectify(finding=finding, user=editor, rectified_on=date.today())
    assert not finding_overdue_list(user=editor).exists()
    assessment = services.crypto_assessment_create(
        system=system,
        user=operator,
        assessed_on=date.today(),
        agency="测评机构",
        result="conforms",
        score=90,
    )
    assert assessment.get_result_display()
    with pytest.raises(ValidationError):
        services.crypto_assessment_create(
            system=system, user=operator, assessed_on=date.today(), agency="x", result="maybe"
        )


def test_deadlines_raise_alerts_once(operator, system):
    from django.utils import timezone

    incident = services.incident_create(
        title="late",
        category="attack",
        level="I",
        responsible_unit=system.owner_unit,
        user=operator,
        opened_at=timezone.now() - timedelta(days=2),
    )
    inspection = services.inspection_create(
        system=system, title="Q3", scheduled_for=date.today(), user=operator
    )
    services.finding_create(
        inspection=inspection,
        title="logs kept < 6 months",
        severity="high",
        rectification_due=date.today() - timedelta(days=3),
        user=operator,
    )
    services.crypto_assessment_create(
        system=system,
        user=operator,
        assessed_on=date.today() - timedelta(days=400),
        agency="x",
        result="basically",
        next_due=date.today() - timedelta(days=35),
    )
    assert services.deadlines_check() == 3
    assert services.deadlines_check() == 0  # de-duplicated while open
    overdue = Alert.objects.get(rule="deadline:incident")
    assert (
        overdue.severity == "critical"
        and overdue.unit == system.owner_unit
        and incident.code in overdue.title
    )
    services.incident_transition(
        incident=incident, to_state="closed", user=operator, closing_reason="duplicate"
    )
    assert Alert.objects.filter(rule="deadline:finding", unit=system.owner_unit).exists()
    from xizang5g.security.tasks import security_deadlines_check

    assert security_deadlines_check.call() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_incidents_get_consecutive_codes(operator, system):
    """Operators opening incidents at the same moment each get their own next code."""
    require_database_server()
    opened_at = datetime(2026, 6, 1, 8, tzinfo=UTC)

    def open_one() -> str:
        return services.incident_create(
            title="concurrent",
            category="attack",
            level="IV",
            responsible_unit=system.owner_unit,
            user=operator,
            opened_at=opened_at,
        ).code

    codes = run_concurrently(open_one, threads=6, each=5)
    assert sorted(codes) == [f"INC-2026-{n:04d}" for n in range(1, 31)]


def test_incident_codes_continue_from_the_seeded_counter(operator, system):
    """The data migration seeds the counter from the codes already given."""
    seed = importlib.import_module("xizang5g.security.migrations.0003_seed_incident_sequence").seed
    first = services.incident_create(
        title="a",
        category="other",
        level="IV",
        responsible_unit=system.owner_unit,
        user=operator,
        opened_at=datetime(2025, 3, 1, tzinfo=UTC),
    )
    Incident.objects.filter(pk=first.pk).update(code="INC-2025-0041")  # e.g. from an import
    seed(django_apps, None)
    second = services.incident_create(
        title="b",
        category="other",
        level="IV",
        responsible_unit=system.owner_unit,
        user=operator,
        opened_at=datetime(2025, 9, 1, tzinfo=UTC),
    )
    assert second.code == "INC-2025-0042"


def test_the_responsible_unit_handles_but_only_operators_close_an_incident(
    operator, system, make_user
):
    editor = make_user("his-editor", Role.UNIT_EDITOR, system.owner_unit)
    incident = services.incident_create(
        title="勒索软件",
        category="malware",
        level="III",
        responsible_unit=system.owner_unit,
        user=operator,
    )
    for state in ("triage", "containment", "recovery", "review"):
        services.incident_transition(incident=incident, to_state=state, user=editor)
    with pytest.raises(PermissionDenied):
        services.incident_transition(
            incident=incident, to_state="closed", user=editor, closing_reason="true_positive"
        )
    services.incident_transition(
        incident=incident, to_state="closed", user=operator, closing_reason="true_positive"
    )
    assert incident.state == "closed"
