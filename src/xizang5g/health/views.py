"""Pages of the health app (thin: selectors read, services write): the 120 dispatch map, a call's
run, and the hospital emergency board."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xizang5g.core import access
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.health import constants as C
from xizang5g.health import selectors, services
from xizang5g.health.choices import (
    AttachmentKind,
    CallPriority,
    CallState,
    Department,
    Syndrome,
    Urgency,
)
from xizang5g.health.models import Consultation, EmergencyCall

STEP_LABELS = {
    "dispatch": gettext_lazy("Dispatch the nearest ambulance"),
    CallState.EN_ROUTE: gettext_lazy("Ambulance en route"),
    CallState.ON_SCENE: gettext_lazy("On scene"),
    CallState.TRANSPORTING: gettext_lazy("Transporting to hospital"),
    CallState.AT_HOSPITAL: gettext_lazy("Arrived at hospital"),
    CallState.HANDED_OVER: gettext_lazy("Handover"),
}


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


def _centres(user):
    """Units the user may record calls for: those that run ambulances."""
    ids = selectors.ambulance_list(user=user).values("unit_id")
    return [
        u for u in Unit.objects.filter(pk__in=ids) if access.can_create(user, EmergencyCall, unit=u)
    ]


@login_required
def index(request):
    calls = selectors.call_list(user=request.user)
    news2 = selectors.news2_distribution(
        user=request.user, since=timezone.now() - timedelta(days=1)
    )
    ambulances = list(selectors.ambulance_list(user=request.user))
    active = list(calls.filter(state__in=selectors.ACTIVE))
    waiting = list(calls.filter(state=CallState.RECEIVED))
    recent = list(calls.exclude(state__in=selectors.ACTIVE).exclude(state=CallState.RECEIVED)[:10])
    map_data = {
        "ambulances": [
            [a.lon, a.lat, a.name, a.state, str(a.get_state_display())] for a in ambulances
        ],
        "calls": [
            [c.caller_lon, c.caller_lat, c.number, c.priority, c.pk, c.chief_complaint]
            for c in waiting + active
        ],
    }
    return render(
        request,
        "health/index.html",
        {
            "ambulances": ambulances,
            "active": active,
            "waiting": waiting,
            "recent": recent,
            "map_data": map_data,
            "centres": _centres(request.user),
            "counties": AdminDivision.objects.filter(level="county", adcode__lt=550000).order_by(
                "adcode"
            ),
            "priorities": CallPriority.choices,
            "available": sum(1 for a in ambulances if a.state == "available"),
            "times": selectors.response_times(user=request.user),
            "target_dispatch": getattr(
                settings, "HEALTH_TARGET_DISPATCH_MIN", C.TARGET_DISPATCH_MIN
            ),
            "target_response": getattr(
                settings, "HEALTH_TARGET_RESPONSE_MIN", C.TARGET_RESPONSE_MIN
            ),
            "news2": news2,
            "news2_any": any(news2.values()),
        },
    )


@login_required
@require_POST
def call_new(request):
    data = request.POST
    try:
        unit = Unit.objects.filter(code=data.get("unit", "")).first()
        if unit is None:
            raise ValidationError({"unit": _("Choose the 120 centre.")})
        division = AdminDivision.objects.filter(adcode=data.get("county") or -1).first()
        call = services.call_create(
            unit=unit,
            caller_lon=float(data.get("caller_lon", "")),
            caller_lat=float(data.get("caller_lat", "")),
            division=division,
            chief_complaint=data.get("chief_complaint", "").strip(),
            priority=int(data.get("priority") or 2),
            patient_altitude_m=int(data.get("patient_altitude_m") or 0),
            user=request.user,
        )
    except ValueError:
        messages.error(request, _("Longitude, latitude, priority and altitude are numbers."))
        return redirect("health:index")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("health:index")
    messages.success(request, _("Call %(n)s recorded.") % {"n": call.number})
    return redirect("health:call_detail", pk=call.pk)


@login_required
def call_detail(request, pk: int):
    call = selectors.call_get(user=request.user, pk=pk)
    vitals = list(
        selectors.call_vitals(user=request.user, call=call).order_by("-time", "-id")[:120]
    )[::-1]
    can_act = access.can(request.user, access.CHANGE, call)
    step = None
    if call.state == CallState.RECEIVED:
        step = "dispatch"
    elif call.state in services.NEXT:
        step = services.NEXT[call.state]
    hospitals = Unit.objects.filter(kind="institution", is_active=True).order_by("code")
    ranked = services.ambulances_by_travel_time(call=call) if step == "dispatch" else []
    return render(
        request,
        "health/call_detail.html",
        {
            "call": call,
            "vitals": vitals,
            "latest": vitals[-1] if vitals else None,
            "can_act": can_act,
            "step": step,
            "step_label": STEP_LABELS.get(step, ""),
            "hospitals": hospitals,
            "ranked": ranked[:5],
            "trend": {
                "times": [v.time.isoformat() for v in vitals],
                "scores": [v.score for v in vitals],
            },
            "timeline": [
                (label, getattr(call, field))
                for label, field in (
                    (_("Received"), "received_at"),
                    (_("Dispatched"), "dispatched_at"),
                    (_("En route"), "en_route_at"),
                    (_("On scene"), "on_scene_at"),
                    (_("Transporting"), "transporting_at"),
                    (_("At hospital"), "at_hospital_at"),
                    (_("Handed over"), "handed_over_at"),
                )
            ],
        },
    )


@login_required
@require_POST
def call_step(request, pk: int):
    call = selectors.call_get(user=request.user, pk=pk, action=access.CHANGE)
    step = request.POST.get("step", "")
    try:
        if step == "dispatch":
            call = services.call_dispatch(call=call, user=request.user)
        else:
            hospital = None
            if request.POST.get("hospital"):
                hospital = Unit.objects.filter(code=request.POST["hospital"]).first()
            eta = None
            if request.POST.get("eta_minutes"):
                eta = services.eta_from_minutes(float(request.POST["eta_minutes"]))
            call = services.call_advance(
                call=call,
                state=step,
                hospital=hospital,
                eta=eta,
                note=request.POST.get("note", ""),
                user=request.user,
            )
    except ValueError:
        messages.error(request, _("The ETA is a number of minutes."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request, _("Call %(n)s: %(s)s.") % {"n": call.number, "s": call.get_state_display()}
        )
    return redirect("health:call_detail", pk=pk)


@login_required
def board(request):
    """The hospital emergency board (急诊预检): patients on their way with ETA, NEWS2 trend and
    the latest vitals; updated live by the page's script through the API."""
    incoming = list(
        selectors.incoming_for_hospital(user=request.user).order_by("hospital_eta", "pk")
    )
    latest = selectors.latest_vitals(user=request.user, calls=incoming)
    rows = [(call, latest.get(call.pk, [])) for call in incoming]
    return render(request, "health/board.html", {"rows": rows})


# ------------------------------------------------------------------------------ consultations
def _requesting_units(user):
    return [
        u
        for u in Unit.objects.filter(is_active=True).order_by("kind", "code")
        if access.can_create(user, Consultation, requesting_unit=u)
    ][:200]


@login_required
def consultation_list(request):
    rows = selectors.consultation_list(user=request.user)
    return render(
        request,
        "health/consultation_list.html",
        {
            "rows": rows[:200],
            "turnaround": selectors.consultation_turnaround(user=request.user),
            "units": _requesting_units(request.user),
            "hospitals": Unit.objects.filter(kind="institution", is_active=True).order_by("code"),
            "departments": Department.choices,
            "urgencies": Urgency.choices,
            "kinds": AttachmentKind.choices,
        },
    )


@login_required
@require_POST
def consultation_new(request):
    data = request.POST
    attachments = [
        {"kind": kind, "ref": ref, "title": title}
        for kind, ref, title in zip(
            data.getlist("attachment_kind"),
            data.getlist("attachment_ref"),
            data.getlist("attachment_title"),
            strict=False,
        )
        if ref.strip()
    ]
    try:
        requesting = Unit.objects.filter(code=data.get("requesting_unit", "")).first()
        consulting = Unit.objects.filter(code=data.get("consulting_unit", "")).first()
        if requesting is None or consulting is None:
            raise ValidationError(_("Choose the requesting clinic and the consulting hospital."))
        consultation = services.consultation_request(
            requesting_unit=requesting,
            consulting_unit=consulting,
            department=data.get("department", ""),
            urgency=data.get("urgency", ""),
            question=data.get("question", "").strip(),
            attachments=attachments,
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("health:consultation_list")
    messages.success(request, _("Consultation %(n)s requested.") % {"n": consultation.number})
    return redirect("health:consultation_detail", pk=consultation.pk)


@login_required
def consultation_detail(request, pk: int):
    consultation = selectors.consultation_get(user=request.user, pk=pk)
    consulting = access.can(request.user, access.CHANGE, consultation) and (
        access.sees_all(request.user, Consultation, access.CHANGE)
        or request.user.unit_id == consultation.consulting_unit_id
    )
    return render(
        request,
        "health/consultation_detail.html",
        {"c": consultation, "consulting": consulting},
    )


def _float(value: str | None) -> float | None:
    return float(value) if value not in (None, "") else None


def _moment(value: str | None):
    moment = parse_datetime(value or "")
    if moment is None:
        raise ValidationError(_("Give the date and time."))
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@login_required
@require_POST
def consultation_step(request, pk: int):
    consultation = selectors.consultation_get(user=request.user, pk=pk, action=access.CHANGE)
    data = request.POST
    try:
        if data.get("step") == "schedule":
            services.consultation_schedule(
                consultation=consultation,
                specialist=data.get("specialist", ""),
                scheduled_for=_moment(data.get("scheduled_for")),
                user=request.user,
            )
        elif data.get("step") == "complete":
            services.consultation_complete(
                consultation=consultation,
                outcome=data.get("outcome", ""),
                started_at=_moment(data.get("started_at")),
                ended_at=_moment(data.get("ended_at")),
                rtt_ms=_float(data.get("rtt_ms")),
                downlink_mbps=_float(data.get("downlink_mbps")),
                uplink_mbps=_float(data.get("uplink_mbps")),
                loss_pct=_float(data.get("loss_pct")),
                user=request.user,
            )
        else:
            raise ValidationError(_("Unknown step."))
    except ValueError:
        messages.error(request, _("The link figures are numbers."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Consultation %(n)s updated.") % {"n": consultation.number})
    return redirect("health:consultation_detail", pk=pk)


@login_required
def epidemic(request):
    """Syndromic curves per county with the EARS C1/C2/C3 alarm days."""
    end = timezone.localdate() - timedelta(days=1)
    curves = selectors.syndromic_curves(user=request.user, end=end)
    days = [(end - timedelta(days=27 - i)).isoformat() for i in range(28)]
    labels = {value: str(label) for value, label in Syndrome.choices}
    return render(
        request,
        "health/epidemic.html",
        {"curves": curves, "chart": {"days": days, "labels": labels, "curves": curves}},
    )
