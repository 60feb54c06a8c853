"""Pages of the security app (thin: selectors read, services write)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xizang5g.core import access, limits, summaries
from xizang5g.security import selectors, services
from xizang5g.security.choices import (
    DetectionKind,
    EventCategory,
    FilingStatus,
    IncidentCategory,
    IncidentLevel,
    IncidentState,
)
from xizang5g.security.constants import INCIDENT_TRANSITIONS
from xizang5g.security.forms import (
    FromAlertForm,
    IncidentForm,
    NoteForm,
    SigmaRuleForm,
    TransitionForm,
)
from xizang5g.security.models import BadLine, SigmaRule


def _page(request, qs, per_page=50):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


@login_required
def dashboard(request):
    hours = 24 if request.GET.get("hours") not in ("72", "168") else int(request.GET["hours"])
    body = summaries.section(
        request,
        "security/_dashboard_body.html",
        lambda: _dashboard_context(request, hours),
        vary=(hours,),
    )
    return render(request, "security/dashboard.html", {"hours": hours, "body": body})


def _dashboard_context(request, hours: int) -> dict:
    data = selectors.dashboard(user=request.user, hours=hours)
    level_labels = dict(IncidentLevel.choices)
    category_labels = dict(EventCategory.choices)
    charts = {
        "timeline": data["timeline"],
        "by_category": [
            {"name": str(category_labels.get(r["category"], r["category"])), "value": r["n"]}
            for r in data["by_category"]
        ],
        "by_src_ip": {
            "labels": [r["src_ip"] for r in data["by_src_ip"]][::-1],
            "values": [r["n"] for r in data["by_src_ip"]][::-1],
        },
        "incidents_by_level": [
            {"name": str(level_labels.get(r["level"], r["level"])), "value": r["n"]}
            for r in data["incidents_by_level"]
        ],
        "systems_by_level": {
            "labels": [_("Level %(n)s") % {"n": r["mlps_level"]} for r in data["systems_by_level"]],
            "values": [r["n"] for r in data["systems_by_level"]],
        },
    }
    kind_labels = dict(DetectionKind.choices)
    for row in data["top_rules"]:
        row["kind_label"] = kind_labels.get(row["kind"], row["kind"])
    filing_labels = dict(FilingStatus.choices)
    filing = [
        {
            "code": r["filing_status"],
            "label": filing_labels.get(r["filing_status"], r["filing_status"]),
            "n": r["n"],
        }
        for r in data["systems_by_filing"]
    ]
    return {
        "data": data,
        "filing": filing,
        "charts": charts,
        "hours": hours,
        "recent_alerts": selectors.security_alert_list(user=request.user).exclude(state="resolved")[
            :8
        ],
        "can_operate": services.can_operate(request.user),
    }


@login_required
def system_list(request):
    qs = selectors.system_list(user=request.user, filters=request.GET.dict())
    return render(request, "security/system_list.html", {"page": _page(request, qs)})


@login_required
def system_detail(request, pk: int):
    system = selectors.system_get(user=request.user, pk=pk)
    return render(
        request,
        "security/system_detail.html",
        {
            "system": system,
            "inspections": system.inspections.prefetch_related("findings"),
            "assessments": system.crypto_assessments.all(),
            "incidents": selectors.incident_list(user=request.user).filter(systems=system)[:20],
            "sources": system.log_sources.all(),
        },
    )


@login_required
def event_list(request):
    filters = {
        k: v
        for k, v in request.GET.items()
        if k in ("category", "host", "src_ip", "action", "outcome", "user", "q")
    }
    if request.GET.get("ids"):
        filters["ids"] = limits.db_ids(request.GET["ids"].split(","))
    qs = selectors.event_list(user=request.user, filters=filters)
    return render(
        request,
        "security/event_list.html",
        {
            "page": _page(request, qs),
            "filters": filters,
            "categories": EventCategory.choices,
        },
    )


def _require_reader(user, model) -> None:
    """Pages of the security operators' own material (rules, unparsed lines): 403 for roles
    that read none of it."""
    if not access.role_may(user, access.VIEW, model):
        raise PermissionDenied(_("These pages are for security operators."))


@login_required
def bad_line_list(request):
    _require_reader(request.user, BadLine)
    return render(
        request,
        "security/bad_line_list.html",
        {
            "page": _page(request, selectors.bad_line_list(user=request.user)),
            "total": selectors.bad_line_list(user=request.user).count(),
        },
    )


@login_required
def alert_list(request):
    qs = selectors.security_alert_list(user=request.user)
    state = request.GET.get("state", "live")
    if state == "live":
        qs = qs.exclude(state="resolved")
    return render(
        request,
        "security/alert_list.html",
        {
            "page": _page(request, qs.prefetch_related("security_incidents")),
            "state": state,
            "from_alert_form": FromAlertForm(),
            "can_operate": services.can_operate(request.user),
        },
    )


@login_required
@require_POST
def incident_from_alert(request, alert_id: int):
    alert = selectors.security_alert_get(user=request.user, pk=alert_id)
    form = FromAlertForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a level."))
        return redirect("security:alert_list")
    try:
        incident = services.incident_create_from_alert(
            alert=alert, user=request.user, level=form.cleaned_data["level"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
        return redirect("security:alert_list")
    messages.success(request, _("Incident %(c)s opened.") % {"c": incident.code})
    return redirect("security:incident_detail", pk=incident.pk)


@login_required
def incident_list(request):
    filters = {k: v for k, v in request.GET.items() if k in ("state", "level", "category")}
    filters.setdefault("state", "open")
    if filters["state"] == "all":
        filters.pop("state")
    qs = selectors.incident_list(user=request.user, filters=filters)
    return render(
        request,
        "security/incident_list.html",
        {
            "page": _page(request, qs),
            "filters": filters,
            "levels": IncidentLevel.choices,
            "categories": IncidentCategory.choices,
            "states": IncidentState.choices,
            "can_operate": services.can_operate(request.user),
        },
    )


@login_required
def incident_create(request):
    if not services.can_operate(request.user):
        raise PermissionDenied
    form = IncidentForm(request.POST or None, initial={"responsible_unit": request.user.unit_id})
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in _errors(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("Incident %(c)s opened.") % {"c": incident.code})
            return redirect("security:incident_detail", pk=incident.pk)
    return render(request, "security/incident_form.html", {"form": form})


@login_required
def incident_detail(request, pk: int):
    incident = selectors.incident_get(user=request.user, pk=pk)
    can_close = access.can(request.user, access.APPROVE, incident)
    next_states = [
        (s, IncidentState(s).label)
        for s in IncidentState.values
        if s in INCIDENT_TRANSITIONS[IncidentState(incident.state)]
        and (s != IncidentState.CLOSED or can_close)
    ]
    form = TransitionForm()
    form.fields["to_state"].choices = next_states
    return render(
        request,
        "security/incident_detail.html",
        {
            "incident": incident,
            "timeline": incident.timeline.select_related("user"),
            "alerts": incident.alerts.all(),
            "systems": incident.systems.all(),
            "transition_form": form,
            "note_form": NoteForm(),
            "next_states": next_states,
            "can_act": services.incident_can_act(request.user, incident),
        },
    )


@login_required
@require_POST
def incident_transition(request, pk: int):
    incident = selectors.incident_get(user=request.user, pk=pk, action=access.CHANGE)
    form = TransitionForm(request.POST)
    form.fields["to_state"].choices = IncidentState.choices
    if form.is_valid():
        try:
            services.incident_transition(incident=incident, user=request.user, **form.cleaned_data)
            messages.success(
                request, _("Incident moved to %(s)s.") % {"s": incident.get_state_display()}
            )
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
    else:
        messages.error(request, _("Choose the next state."))
    return redirect("security:incident_detail", pk=pk)


@login_required
@require_POST
def incident_note(request, pk: int):
    incident = selectors.incident_get(user=request.user, pk=pk, action=access.CHANGE)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.incident_note_add(
                incident=incident, user=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
    return redirect("security:incident_detail", pk=pk)


@login_required
def rule_list(request):
    _require_reader(request.user, SigmaRule)
    return render(
        request,
        "security/rule_list.html",
        {
            "sigma_rules": selectors.sigma_rule_list(user=request.user),
            "correlation_rules": selectors.correlation_rule_list(user=request.user),
            "mappings": selectors.field_mapping_list(user=request.user),
            "can_operate": services.can_operate(request.user),
        },
    )


@login_required
def rule_add(request):
    if not services.can_operate(request.user):
        raise PermissionDenied
    form = SigmaRuleForm(request.POST or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.sigma_rule_create(text=form.cleaned_data["yaml"], user=request.user)
        except ValidationError as exc:
            problems = _errors(exc)
        else:
            messages.success(request, _("Rule “%(t)s” added and active.") % {"t": rule.title})
            return redirect("security:rule_list")
    return render(request, "security/rule_form.html", {"form": form, "problems": problems})


@login_required
@require_POST
def rule_toggle(request, pk: int):
    rule = access.get_or_404(selectors.sigma_rule_list(user=request.user), request.user, pk=pk)
    services.sigma_rule_set_enabled(rule=rule, enabled=not rule.enabled, user=request.user)
    return redirect("security:rule_list")


@login_required
def inspection_list(request):
    return render(
        request,
        "security/inspection_list.html",
        {
            "inspections": selectors.inspection_list(user=request.user).prefetch_related(
                "findings"
            ),
            "assessments": selectors.crypto_assessment_list(user=request.user),
            "overdue": selectors.finding_overdue_list(user=request.user).select_related(
                "inspection__system"
            ),
        },
    )


@login_required
def alert_incident_redirect(request, alert_id: int):
    alert = selectors.security_alert_get(user=request.user, pk=alert_id)
    incident = selectors.incident_list(user=request.user).filter(alerts=alert).first()
    if incident is None:
        return redirect("security:alert_list")
    return redirect("security:incident_detail", pk=incident.pk)
