"""Writes of the health app: ambulances, emergency calls and their run from call to handover,
vitals from the ambulance monitor (NEWS2, alerts), and syndromic counts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from time import monotonic

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xizang5g.core import access
from xizang5g.core.choices import AlertSeverity
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.core.sequences import sequence_next
from xizang5g.core.services import acting_as, alert_raise, save_validated
from xizang5g.core.texts import Text, label, names
from xizang5g.health import dispatch, ears, news2
from xizang5g.health.apps import CLINICAL_SOURCE, EPIDEMIC_SOURCE
from xizang5g.health.choices import (
    AmbulanceState,
    AttachmentKind,
    CallState,
    ConsultationState,
    Syndrome,
)
from xizang5g.health.models import (
    Ambulance,
    Consultation,
    EmergencyCall,
    SyndromicCount,
    VitalSigns,
)
from xizang5g.health.selectors import ACTIVE

# The run of a call: each state, the call's timestamp field and the ambulance's state.
RUN = {
    CallState.DISPATCHED: ("dispatched_at", AmbulanceState.DISPATCHED),
    CallState.EN_ROUTE: ("en_route_at", AmbulanceState.EN_ROUTE),
    CallState.ON_SCENE: ("on_scene_at", AmbulanceState.ON_SCENE),
    CallState.TRANSPORTING: ("transporting_at", AmbulanceState.TRANSPORTING),
    CallState.AT_HOSPITAL: ("at_hospital_at", AmbulanceState.AT_HOSPITAL),
    CallState.HANDED_OVER: ("handed_over_at", AmbulanceState.AVAILABLE),
}
NEXT = {
    CallState.DISPATCHED: CallState.EN_ROUTE,
    CallState.EN_ROUTE: CallState.ON_SCENE,
    CallState.ON_SCENE: CallState.TRANSPORTING,
    CallState.TRANSPORTING: CallState.AT_HOSPITAL,
    CallState.AT_HOSPITAL: CallState.HANDED_OVER,
}


def altitude_adjustment_on() -> bool:
    return bool(getattr(settings, "HEALTH_NEWS2_ALTITUDE_ADJUSTMENT", False))


def news2_score(observation: news2.Observation) -> news2.Score:
    """NEWS2 with the platform's altitude setting (off by default: exactly RCP NEWS2)."""
    return news2.score(
        observation,
        altitude_adjustment=altitude_adjustment_on(),
        shifts=getattr(settings, "HEALTH_NEWS2_ALTITUDE_SHIFTS", None),
    )


# ------------------------------------------------------------------------------ ambulances
def ambulance_create(
    *,
    code: str,
    name: str,
    unit: Unit,
    lon: float,
    lat: float,
    division: AdminDivision | None = None,
    device=None,
    user,
) -> Ambulance:
    if not access.can_create(user, Ambulance, unit=unit):
        raise PermissionDenied(_("You may not add ambulances to this unit."))
    ambulance = Ambulance(
        code=code,
        name=name,
        unit=unit,
        lon=lon,
        lat=lat,
        division=division,
        device=device,
        state_since=timezone.now(),
    )
    return save_validated(ambulance, user=user)


# ------------------------------------------------------------------------------ calls
def call_create(
    *,
    unit: Unit,
    caller_lon: float,
    caller_lat: float,
    chief_complaint: str,
    priority: int = 2,
    patient_ref: str = "",
    patient_altitude_m: int = 0,
    division: AdminDivision | None = None,
    received_at: datetime | None = None,
    user,
) -> EmergencyCall:
    if not access.can_create(user, EmergencyCall, unit=unit):
        raise PermissionDenied(_("You may not record calls for this unit."))
    received = received_at or timezone.now()
    call = EmergencyCall(
        unit=unit,
        caller_lon=caller_lon,
        caller_lat=caller_lat,
        chief_complaint=chief_complaint,
        priority=priority,
        patient_altitude_m=patient_altitude_m,
        division=division,
        received_at=received,
    )
    call.full_clean(exclude=["number", "patient_ref"])
    with transaction.atomic():
        seq = sequence_next("health.call", year=received.year)
        call.number = f"XZ-120-{received.year}-{seq:05d}"
        call.patient_ref = patient_ref or f"P-{received.year}-{seq:05d}"
        save_validated(call, user=user)
    return call


def ambulances_by_travel_time(*, call: EmergencyCall) -> list[tuple[Ambulance, float]]:
    """Available ambulances of the call's centre, nearest first by estimated travel minutes."""
    adcode = call.division.adcode if call.division_id else None
    candidates = Ambulance.objects.filter(unit_id=call.unit_id, state=AmbulanceState.AVAILABLE)
    ranked = [
        (a, dispatch.travel_minutes(a.lon, a.lat, call.caller_lon, call.caller_lat, adcode=adcode))
        for a in candidates.select_related("division")
    ]
    ranked.sort(key=lambda pair: (pair[1], pair[0].code))
    return ranked


def call_dispatch(*, call: EmergencyCall, user, ambulance: Ambulance | None = None):
    """Send the nearest available ambulance (by estimated travel time), or the one named."""
    access.require(user, access.CHANGE, call)
    with transaction.atomic():
        call = EmergencyCall.objects.select_for_update().get(pk=call.pk)
        if call.state != CallState.RECEIVED:
            raise ValidationError(
                {
                    "state": _("Only a received call is dispatched (this one is %(s)s).")
                    % {"s": call.get_state_display()}
                }
            )
        ranked = ambulances_by_travel_time(call=call)
        if ambulance is not None:
            ranked = [pair for pair in ranked if pair[0].pk == ambulance.pk]
        if not ranked:
            raise ValidationError({"ambulance": _("No ambulance of this centre is available.")})
        chosen, minutes = ranked[0]
        chosen = Ambulance.objects.select_for_update().get(pk=chosen.pk)
        if chosen.state != AmbulanceState.AVAILABLE:
            raise ValidationError({"ambulance": _("This ambulance is no longer available.")})
        now = timezone.now()
        call.ambulance = chosen
        call.estimated_minutes = round(minutes, 1)
        call.state = CallState.DISPATCHED
        call.dispatched_at = now
        chosen.state, chosen.state_since = AmbulanceState.DISPATCHED, now
        save_validated(call, user=user)
        save_validated(chosen, user=user)
    return call


def call_advance(
    *,
    call: EmergencyCall,
    state: str,
    user,
    hospital: Unit | None = None,
    eta: datetime | None = None,
    note: str = "",
) -> EmergencyCall:
    """Move a dispatched call one step along its run (the ambulance follows)."""
    access.require(user, access.CHANGE, call)
    with transaction.atomic():
        call = EmergencyCall.objects.select_for_update().get(pk=call.pk)
        expected = NEXT.get(call.state)
        if state != expected:
            raise ValidationError(
                {
                    "state": _("From %(a)s the next step is %(b)s.")
                    % {
                        "a": call.get_state_display(),
                        "b": CallState(expected).label if expected else _("none"),
                    }
                }
            )
        if state == CallState.TRANSPORTING:
            hospital = hospital or call.hospital
            if hospital is None:
                raise ValidationError({"hospital": _("Name the receiving hospital.")})
            call.hospital = hospital
            call.hospital_eta = eta
        if state == CallState.HANDED_OVER:
            if not note.strip():
                raise ValidationError({"handover_note": _("Write the handover record.")})
            call.handover_note = note
        now = timezone.now()
        field, ambulance_state = RUN[state]
        setattr(call, field, now)
        call.state = state
        ambulance = Ambulance.objects.select_for_update().get(pk=call.ambulance_id)
        ambulance.state, ambulance.state_since = ambulance_state, now
        save_validated(call, user=user)
        with acting_as(user):
            ambulance.save()
    return call


def call_handover(*, call: EmergencyCall, note: str, user) -> EmergencyCall:
    return call_advance(call=call, state=CallState.HANDED_OVER, note=note, user=user)


# ------------------------------------------------------------------------------ vitals
def vitals_record(
    *, ambulance: Ambulance, msg_id: str, time: datetime, values: dict
) -> VitalSigns | None:
    """Score one vitals update of an ambulance monitor with NEWS2 and keep it; alert the
    receiving hospital on a medium or high response. Machine-written (the ingest worker).
    Returns None when the update lacks a parameter or repeats a message."""
    return vitals_record_many(ambulance=ambulance, updates=[(msg_id, time, values)])[:1] or None


MONITOR_FIELDS = (
    "respiration_rate",
    "spo2",
    "systolic_bp",
    "heart_rate",
    "consciousness",
    "temperature_c",
)


def _observation(values: dict, altitude_m: int) -> news2.Observation | None:
    if any(values.get(f) is None for f in MONITOR_FIELDS):
        return None
    try:
        return news2.Observation(
            respiration_rate=round(float(values["respiration_rate"])),
            spo2=round(float(values["spo2"])),
            spo2_scale=int(values.get("spo2_scale") or 1),
            on_oxygen=bool(values.get("on_oxygen") or False),
            systolic_bp=round(float(values["systolic_bp"])),
            heart_rate=round(float(values["heart_rate"])),
            consciousness=str(values["consciousness"]).upper(),
            temperature_c=float(values["temperature_c"]),
            altitude_m=altitude_m,
        )
    except (TypeError, ValueError):
        return None


def vitals_record_many(*, ambulance: Ambulance, updates) -> list[VitalSigns]:
    return vitals_record_batch({ambulance: updates})


# (call id, response) → monotonic time of the last alert_raise from this process: a live alert
# is counted again at most every 10 s per call and level (alert_raise itself is idempotent).
_ALERTED: dict[tuple[int, str], float] = {}
ALERT_REPEAT_SECONDS = 10.0


def vitals_record_batch(batches: dict[Ambulance, list]) -> list[VitalSigns]:
    """Score and store the updates of several ambulances at once (the ingest worker's batch):
    one query for their active runs, one insert, alerts only on medium or high responses."""
    calls: dict[int, EmergencyCall] = {}
    for call in EmergencyCall.objects.filter(
        ambulance_id__in=[a.pk for a in batches], state__in=ACTIVE
    ).order_by("dispatched_at"):
        calls[call.ambulance_id] = call  # the latest dispatched run wins
    rows = []
    for ambulance, updates in batches.items():
        call = calls.get(ambulance.pk)
        altitude = call.patient_altitude_m if call else 0
        for msg_id, time, values in updates:
            obs = _observation(values, altitude)
            if (
                obs is None
                or obs.consciousness not in news2.CONSCIOUSNESS
                or obs.spo2_scale not in (1, 2)
            ):
                continue
            result = news2_score(obs)
            rows.append(
                VitalSigns(
                    ambulance=ambulance,
                    call=call,
                    msg_id=msg_id,
                    time=time,
                    respiration_rate=obs.respiration_rate,
                    spo2=obs.spo2,
                    spo2_scale=obs.spo2_scale,
                    on_oxygen=obs.on_oxygen,
                    systolic_bp=obs.systolic_bp,
                    heart_rate=obs.heart_rate,
                    consciousness=obs.consciousness,
                    temperature_c=obs.temperature_c,
                    altitude_m=altitude,
                    score=result.score,
                    parameters=result.parameters,
                    response=result.response,
                )
            )
    VitalSigns.objects.bulk_create(rows, ignore_conflicts=True)  # at least once: kept once
    # one live alert per call and response level (repeats are counted on it)
    latest: dict[tuple[int, str], VitalSigns] = {}
    for row in sorted(rows, key=lambda r: r.time):
        if row.call is not None and row.response in (news2.MEDIUM, news2.HIGH):
            latest[(row.call.pk, row.response)] = row
    now = monotonic()
    for key, row in latest.items():
        if now - _ALERTED.get(key, -1e9) >= ALERT_REPEAT_SECONDS:
            _news2_alert(row.call, row)
            _ALERTED[key] = now
    return rows


def _news2_alert(call: EmergencyCall, vitals: VitalSigns) -> None:
    high = vitals.response == news2.HIGH
    alert_raise(
        source=CLINICAL_SOURCE,
        dedup_key=f"health:news2:{call.pk}:{vitals.response}",
        title=Text(
            gettext_noop("NEWS2 %(score)s (%(response)s) — call %(number)s, %(ambulance)s"),
            score=vitals.score,
            response=vitals.response,
            number=call.number,
            ambulance=vitals.ambulance.name,
        ),
        severity=AlertSeverity.CRITICAL if high else AlertSeverity.MAJOR,
        message=Text(
            gettext_noop("Patient %(patient)s: %(complaint)s. ETA %(eta)s."),
            patient=call.patient_ref,
            complaint=call.chief_complaint,
            eta=call.hospital_eta.isoformat() if call.hospital_eta else "—",
        ),
        unit=Unit(pk=call.hospital_id) if call.hospital_id else Unit(pk=call.unit_id),
        obj=call,
        details={
            "call": call.pk,
            "score": vitals.score,
            "response": vitals.response,
            "parameters": vitals.parameters,
        },
        at=vitals.time,
    )


POSITION_EVERY_SECONDS = 5


def ambulance_move(*, ambulance: Ambulance, lon: float, lat: float, at: datetime) -> None:
    """Machine-written position of an ambulance (the position fields are left out of the
    change log: it moves every second). Saved at most every POSITION_EVERY_SECONDS."""
    if (
        ambulance.position_at
        and (at - ambulance.position_at).total_seconds() < POSITION_EVERY_SECONDS
    ):
        return
    ambulance.lon, ambulance.lat, ambulance.position_at = lon, lat, at
    ambulance.save(update_fields=["lon", "lat", "position_at", "updated_at"])


# ------------------------------------------------------------------------------ syndromic
def syndromic_report(
    *, unit: Unit, division: AdminDivision, day, syndrome: str, count: int, user
) -> SyndromicCount:
    if not access.can_create(user, SyndromicCount, unit=unit):
        raise PermissionDenied(_("You may not report for this unit."))
    row = SyndromicCount.objects.filter(
        unit=unit, division=division, day=day, syndrome=syndrome
    ).first() or SyndromicCount(unit=unit, division=division, day=day, syndrome=syndrome)
    row.count = count
    row.full_clean()
    row.save()
    return row


def eta_from_minutes(minutes: float) -> datetime:
    return timezone.now() + timedelta(minutes=minutes)


def syndromic_check(*, day: date | None = None, history_days: int = 28) -> list[dict]:
    """Run EARS C1/C2/C3 over each county's daily syndromic counts up to `day` (default
    yesterday) and raise an epidemic-warning alert for each county and syndrome in alarm."""
    day = day or (timezone.localdate() - timedelta(days=1))
    start = day - timedelta(days=history_days - 1)
    totals: dict[tuple[int, str], dict] = defaultdict(dict)
    rows = (
        SyndromicCount.objects.filter(day__range=(start, day))
        .values("division_id", "syndrome", "day")
        .annotate(n=Sum("count"))
    )
    for row in rows:
        totals[(row["division_id"], row["syndrome"])][row["day"]] = row["n"]
    found = []
    divisions = AdminDivision.objects.in_bulk({k[0] for k in totals})
    for (division_id, syndrome), by_day in totals.items():
        series = [by_day.get(start + timedelta(days=i), 0) for i in range(history_days)]
        today = ears.ears(series)[-1]
        if not today.alarm:
            continue
        division = divisions[division_id]
        methods = [
            m
            for m, on in (("C1", today.c1_alarm), ("C2", today.c2_alarm), ("C3", today.c3_alarm))
            if on
        ]
        found.append(
            {
                "division": division.adcode,
                "syndrome": syndrome,
                "count": today.count,
                "methods": methods,
            }
        )
        alert_raise(
            source=EPIDEMIC_SOURCE,
            dedup_key=f"health:ears:{division.adcode}:{syndrome}",
            title=Text(
                gettext_noop("%(syndrome)s cases above expected in %(county)s (EARS %(methods)s)"),
                syndrome=label(Syndrome(syndrome)),
                county=names(division),
                methods="/".join(methods),
            ),
            severity=AlertSeverity.MAJOR,
            message=Text(
                gettext_noop("%(n)s cases on %(day)s."), n=int(today.count), day=day.isoformat()
            ),
            details={
                "adcode": division.adcode,
                "syndrome": syndrome,
                "day": day.isoformat(),
                "count": today.count,
                "c1": today.c1,
                "c2": today.c2,
                "c3": today.c3,
            },
        )
    return found


# ------------------------------------------------------------------------------ consultations
def _attachments_clean(attachments) -> list[dict]:
    out = []
    for n, item in enumerate(attachments or []):
        if not isinstance(item, dict) or item.get("kind") not in AttachmentKind.values:
            raise ValidationError(
                {
                    "attachments": _("Attachment %(n)s: kind is one of %(kinds)s.")
                    % {"n": n, "kinds": ", ".join(AttachmentKind.values)}
                }
            )
        ref = str(item.get("ref", "")).strip()
        if not ref or len(ref) > 500:
            raise ValidationError(
                {"attachments": _("Attachment %(n)s: a reference of 1–500 characters.") % {"n": n}}
            )
        out.append({"kind": item["kind"], "ref": ref, "title": str(item.get("title", ""))[:200]})
    return out


def consultation_request(
    *,
    requesting_unit: Unit,
    consulting_unit: Unit,
    department: str,
    urgency: str,
    question: str,
    patient_ref: str = "",
    attachments=(),
    requested_at: datetime | None = None,
    user,
) -> Consultation:
    if not access.can_create(user, Consultation, requesting_unit=requesting_unit):
        raise PermissionDenied(_("You may not request consultations for this unit."))
    if requesting_unit.pk == consulting_unit.pk:
        raise ValidationError({"consulting_unit": _("Ask another unit than your own.")})
    at = requested_at or timezone.now()
    consultation = Consultation(
        requesting_unit=requesting_unit,
        consulting_unit=consulting_unit,
        department=department,
        urgency=urgency,
        question=question,
        attachments=_attachments_clean(attachments),
        requested_at=at,
    )
    consultation.full_clean(exclude=["number", "patient_ref"])
    with transaction.atomic():
        seq = sequence_next("health.consultation", year=at.year)
        consultation.number = f"XZ-HZ-{at.year}-{seq:05d}"
        consultation.patient_ref = patient_ref or f"C-{at.year}-{seq:05d}"
        save_validated(consultation, user=user)
    return consultation


def _consulting_only(user, consultation: Consultation) -> None:
    access.require(user, access.CHANGE, consultation)
    if not (
        access.sees_all(user, Consultation, access.CHANGE)
        or getattr(user, "unit_id", None) == consultation.consulting_unit_id
    ):
        raise PermissionDenied(_("Only the consulting hospital does this."))


def consultation_schedule(
    *, consultation: Consultation, specialist: str, scheduled_for: datetime, user
) -> Consultation:
    _consulting_only(user, consultation)
    if consultation.state != ConsultationState.REQUESTED:
        raise ValidationError({"state": _("Only a requested consultation is scheduled.")})
    if not specialist.strip():
        raise ValidationError({"specialist": _("Name the specialist.")})
    consultation.specialist = specialist.strip()
    consultation.scheduled_for = scheduled_for
    consultation.state = ConsultationState.SCHEDULED
    return save_validated(consultation, user=user)


def consultation_complete(
    *,
    consultation: Consultation,
    outcome: str,
    started_at: datetime,
    ended_at: datetime,
    rtt_ms: float | None = None,
    downlink_mbps: float | None = None,
    uplink_mbps: float | None = None,
    loss_pct: float | None = None,
    user,
) -> Consultation:
    _consulting_only(user, consultation)
    if consultation.state != ConsultationState.SCHEDULED:
        raise ValidationError({"state": _("Only a scheduled consultation is completed.")})
    if not outcome.strip():
        raise ValidationError({"outcome": _("Write the outcome.")})
    if ended_at < started_at:
        raise ValidationError({"session_ended_at": _("The session ends after it starts.")})
    for field, value, high in (
        ("link_rtt_ms", rtt_ms, 60_000),
        ("link_downlink_mbps", downlink_mbps, 100_000),
        ("link_uplink_mbps", uplink_mbps, 100_000),
        ("link_loss_pct", loss_pct, 100),
    ):
        if value is not None and not 0 <= value <= high:
            raise ValidationError({field: _("Between 0 and %(h)s.") % {"h": high}})
    consultation.outcome = outcome.strip()
    consultation.session_started_at, consultation.session_ended_at = started_at, ended_at
    consultation.link_rtt_ms, consultation.link_downlink_mbps = rtt_ms, downlink_mbps
    consultation.link_uplink_mbps, consultation.link_loss_pct = uplink_mbps, loss_pct
    consultation.state = ConsultationState.COMPLETED
    consultation.completed_at = timezone.now()
    return save_validated(consultation, user=user)
