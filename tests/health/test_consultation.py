"""Remote consultation: a township clinic asks the regional hospital, the hospital schedules a
specialist and records the session's 5G link quality and the outcome; turnaround statistics."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xizang5g.core.choices import Role, UnitKind
from xizang5g.health import selectors, services
from xizang5g.health.models import Consultation


@pytest.fixture
def clinic(make_unit):
    return make_unit("damxung-clinic", "当雄县乌玛塘乡卫生院", UnitKind.INSTITUTION)


@pytest.fixture
def doctor(make_user, clinic):
    return make_user("clinic-doctor", Role.UNIT_EDITOR, clinic)


def ask(clinic, hospital, doctor, **extra):
    return services.consultation_request(
        requesting_unit=clinic,
        consulting_unit=hospital,
        department="high_altitude",
        urgency=extra.pop("urgency", "urgent"),
        question="牧民，高原肺水肿？胸片见双肺斑片影",
        attachments=[{"kind": "dicom", "ref": "1.2.826.0.1.3680043.8.498.1", "title": "胸片"}],
        user=doctor,
        **extra,
    )


@pytest.mark.django_db
def test_a_consultation_from_request_to_outcome(clinic, hospital, doctor, nurse, outsider):
    c = ask(clinic, hospital, doctor)
    assert c.number.startswith("XZ-HZ-") and c.state == "requested"
    assert c.attachments[0]["kind"] == "dicom"
    # the clinic may not schedule its own request; the hospital does
    with pytest.raises(PermissionDenied):
        services.consultation_schedule(
            consultation=c, specialist="x", scheduled_for=timezone.now(), user=doctor
        )
    c = services.consultation_schedule(
        consultation=c,
        specialist="高原医学科 扎西主任",
        scheduled_for=timezone.now() + timedelta(hours=1),
        user=nurse,
    )
    with pytest.raises(ValidationError) as info:
        services.consultation_complete(
            consultation=c,
            outcome="",
            started_at=timezone.now(),
            ended_at=timezone.now(),
            user=nurse,
        )
    assert "outcome" in info.value.message_dict
    now = timezone.now()
    c = services.consultation_complete(
        consultation=c,
        outcome="考虑高原肺水肿，建议吸氧、转诊",
        started_at=now - timedelta(minutes=25),
        ended_at=now,
        rtt_ms=28.5,
        downlink_mbps=310,
        uplink_mbps=62,
        loss_pct=0.1,
        user=nurse,
    )
    assert c.state == "completed" and c.link_rtt_ms == 28.5
    assert not Consultation.objects.restrict(outsider).exists()
    assert Consultation.objects.restrict(doctor).filter(pk=c.pk).exists()


@pytest.mark.django_db
def test_bad_requests_are_refused(clinic, hospital, doctor, outsider):
    with pytest.raises(PermissionDenied):
        ask(clinic, hospital, outsider)
    with pytest.raises(ValidationError) as info:
        services.consultation_request(
            requesting_unit=clinic,
            consulting_unit=hospital,
            department="cardiology",
            urgency="urgent",
            question="x",
            attachments=[{"kind": "mp3", "ref": "a"}],
            user=doctor,
        )
    assert "attachments" in info.value.message_dict
    with pytest.raises(ValidationError):
        services.consultation_request(
            requesting_unit=clinic,
            consulting_unit=clinic,
            department="cardiology",
            urgency="urgent",
            question="x",
            user=doctor,
        )
    assert not Consultation.objects.exists()


@pytest.mark.django_db
def test_turnaround_by_urgency(clinic, hospital, doctor, nurse):
    for hours, urgency in ((2, "urgent"), (4, "urgent"), (10, "urgent"), (30, "routine")):
        c = ask(
            clinic,
            hospital,
            doctor,
            urgency=urgency,
            requested_at=timezone.now() - timedelta(hours=hours),
        )
        services.consultation_schedule(
            consultation=c, specialist="s", scheduled_for=timezone.now(), user=nurse
        )
        services.consultation_complete(
            consultation=c,
            outcome="ok",
            started_at=timezone.now(),
            ended_at=timezone.now(),
            user=nurse,
        )
    stats = {row["urgency"]: row for row in selectors.consultation_turnaround(user=nurse)}
    assert stats["urgent"]["count"] == 3
    assert stats["urgent"]["median_h"] == pytest.approx(4, abs=0.05)
    assert stats["urgent"]["p90_h"] == pytest.approx(10, abs=0.05)
    assert stats["routine"]["median_h"] == pytest.approx(30, abs=0.05)
