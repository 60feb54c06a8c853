"""Pages of the industry app (thin: selectors read, services write)."""

from __future__ import annotations

from datetime import time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xizang5g.core import access
from xizang5g.core.models import Unit
from xizang5g.industry import excel, gb51108, handles, selectors, services, shifts
from xizang5g.industry.choices import AlarmLevel, MachineState, MonitoringItem, TruckState
from xizang5g.industry.constants import DEFAULT_SHIFT_START, LEVEL_COLOURS
from xizang5g.industry.forms import AssignmentForm, ShiftExportForm, ShiftForm
from xizang5g.industry.models import HandleUser, Identifier
from xizang5g.industry.reports import report_body
from xizang5g.industry.services import RESPONSE_ACTIONS

DEFAULT_SHIFT_TIME = time.fromisoformat(DEFAULT_SHIFT_START)


def _level(level: int) -> dict:
    return {"value": int(level), "label": AlarmLevel(level).label, "colour": LEVEL_COLOURS[level]}


def _towards_red(row) -> float | None:
    value, red = row["value"], row["limits"][3]
    if value is None or not red or not value:
        return None
    share = red / value if row["point"].item in gb51108.FALLING else value / red
    return round(share, 3)


@login_required
def index(request):
    mines = list(selectors.mine_list(user=request.user))
    ponds = [p for m in mines for p in m.ponds.all()]
    levels = selectors.pond_levels(ponds=ponds)
    for mine in mines:
        mine.pond_rows = [(p, _level(levels.get(p.pk, 0))) for p in mine.ponds.all()]
    return render(request, "industry/index.html", {"mines": mines})


@login_required
def pond_detail(request, pk: int):
    pond = selectors.pond_get(user=request.user, pk=pk)
    board = selectors.pond_dashboard(pond=pond)
    for row in board["rows"]:
        row["lv"] = _level(row["level"])
    item_names = dict(MonitoringItem.choices)
    items = [
        {"item": item_names.get(item, item), "lv": _level(level)}
        for item, level in sorted(board["items"].items())
    ]
    chart = {
        "points": [r["point"].code for r in board["rows"]],
        # how far each point is towards its red threshold (1 = red), so that items of different
        # units share one axis: value / red for rising items, red / value for falling ones
        "ratios": [_towards_red(r) for r in board["rows"]],
        "colours": [r["lv"]["colour"] for r in board["rows"]],
    }
    return render(
        request,
        "industry/pond_detail.html",
        {
            "pond": pond,
            "board": board,
            "items": items,
            "level": _level(board["level"]),
            "action": RESPONSE_ACTIONS.get(board["level"]),
            "actions": [(_level(lv), RESPONSE_ACTIONS[lv]) for lv in gb51108.LEVELS],
            "chart": chart,
        },
    )


@login_required
def mine_underground(request, pk: int):
    mine = selectors.mine_get(user=request.user, pk=pk)
    view = selectors.underground_view(mine=mine)
    return render(request, "industry/underground.html", {"mine": mine, **view})


@login_required
def mine_dispatch(request, pk: int):
    mine = selectors.mine_get(user=request.user, pk=pk)
    board = selectors.dispatch_board(mine=mine)
    chart = None
    if board:
        names = [loader.name for loader in board["loaders"]]
        chart = {
            "loaders": names,
            "fixed": [board["fixed"]["per_loader"][n] for n in names],
            "dispatch": [board["dispatch"]["per_loader"][n] for n in names],
        }
    live = selectors.dispatch_live(mine=mine)
    span = shifts.shift_at(timezone.now(), mine.shift_start)
    current = selectors.mine_shift_report(mine=mine, day=span.day, kind=span.kind)
    return render(
        request,
        "industry/dispatch.html",
        {
            "mine": mine,
            "board": board,
            "chart": chart,
            "live": live,
            "current": current,
            "map": _dispatch_map(mine, live),
            "may_assign": access.can(request.user, access.CHANGE, mine),
        },
    )


@login_required
def identifier_list(request):
    identifiers = selectors.identifier_list(user=request.user)[:200]
    stats = selectors.resolution_stats(user=request.user)
    credentials = selectors.handle_user_list(user=request.user)
    units = Unit.objects.restrict(request.user).filter(kind="enterprise")
    units = [u for u in units if access.can_create(request.user, HandleUser, unit=u)]
    return render(
        request,
        "industry/identifiers.html",
        {
            "identifiers": identifiers,
            "stats": stats,
            "credentials": credentials,
            "units": units,
            "writable": HandleUser.objects.restrict(request.user, access.CHANGE),
        },
    )


@login_required
@require_POST
def handle_user_create(request):
    if not access.role_may(request.user, access.CHANGE, HandleUser):
        raise PermissionDenied(_("You may not manage identifier credentials."))
    chosen = request.POST.get("unit", "")
    unit = Unit.objects.filter(pk=chosen).first() if chosen.isdigit() else None
    if unit is None:
        messages.error(request, _("Choose the enterprise."))
        return redirect("industry:identifier_list")
    try:
        handles.handle_user_create(
            unit=unit,
            prefix=request.POST.get("prefix", "").strip(),
            name=request.POST.get("name", "ADMIN").strip() or "ADMIN",
            password=request.POST.get("password", ""),
            user=request.user,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The write credential was saved; its password is not shown."))
    return redirect("industry:identifier_list")


@login_required
@require_POST
def identifier_import(request):
    """Batch registration from an Excel sheet under one of the enterprise's prefixes."""
    if not access.role_may(request.user, access.CHANGE, Identifier):
        raise PermissionDenied(_("You may not register identifiers."))
    credential = HandleUser.objects.restrict(request.user, access.CHANGE).filter(
        pk=request.POST.get("credential") or 0
    )
    credential = credential.select_related("unit").first()
    upload = request.FILES.get("file")
    if credential is None or upload is None:
        messages.error(request, _("Choose a credential's prefix and an Excel file."))
        return redirect("industry:identifier_list")
    try:
        rows = excel.rows_from_workbook(upload)
        count = handles.identifiers_register(
            unit=credential.unit, prefix=credential.prefix, rows=rows, user=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(n)s identifiers registered.") % {"n": count})
    return redirect("industry:identifier_list")


@login_required
def mine_slope(request, pk: int):
    mine = selectors.mine_get(user=request.user, pk=pk)
    points = selectors.slope_view(mine=mine)
    chart = [
        {
            "name": p["point"].code,
            "data": p["series"],
            "fit": [p["fit"].slope, p["fit"].intercept] if p.get("forecast") else None,
        }
        for p in points
        if p["series"]
    ]
    # the points heading for failure, when there are any: steady ones would flatten the scale
    chart = [c for c in chart if c["fit"]] or chart
    return render(request, "industry/slope.html", {"mine": mine, "points": points, "chart": chart})


# ------------------------------------------------------------------------------ smart factory
def _shift_form(request) -> ShiftForm:
    return ShiftForm(request.GET or None)


def _bad_shift(request, form, template: str, context: dict):
    """An invalid shift in the query: the page with the form's errors, answered 400."""
    return render(request, template, {**context, "form": form}, status=400)


@login_required
def line_list(request):
    lines = list(selectors.line_list(user=request.user))
    current = selectors.line_current(lines=lines)
    for line in lines:
        line.current = current.get(line.pk)
    return render(request, "industry/lines.html", {"lines": lines})


@login_required
def line_detail(request, pk: int):
    line = selectors.line_get(user=request.user, pk=pk)
    form = _shift_form(request)
    if form.is_bound and not form.is_valid():
        return _bad_shift(request, form, "industry/line_detail.html", {"line": line})
    if not form.is_bound:
        form.cleaned_data = {}
    board = selectors.line_board(line=line, span=form.span(line.shift_start))
    stored = board["shift"]
    board["run_h"] = stored.run_s / 3600 if stored else 0.0
    board["planned_h"] = stored.planned_s / 3600 if stored else 0.0
    for machine in board["machines"]:
        machine.colour = STATE_COLOURS.get(machine.live.state, "#9aa5b1") if machine.live else ""
        reason = machine.live.reason if machine.live else ""
        machine.reason_label = selectors.loss_label(reason) if reason else ""
    return render(
        request,
        "industry/line_detail.html",
        {"line": line, "form": form, "board": board, "chart": _line_chart(line, board)},
    )


def _line_chart(line, board) -> dict:
    stored = board["shift"]
    names = {m.pk: f"{m.code} {m.name}" for m in board["machines"]}
    return {
        "oee": round(stored.oee * 100, 1) if stored else 0,
        "target": round(line.oee_target * 100, 1),
        "hours": [timezone.localtime(h["hour"]).strftime("%H:%M") for h in board["hours"]],
        "series": {
            key: [round(h[key] * 100, 1) for h in board["hours"]]
            for key in ("oee", "availability", "performance", "quality")
        },
        "labels": {
            "oee": _("OEE"),
            "availability": _("Availability"),
            "performance": _("Performance"),
            "quality": _("Quality"),
            "minutes": _("minutes"),
            "cumulative": _("cumulative %"),
        },
        "machines": [names[m.pk] for m in board["machines"]],
        "states": {s.value: str(s.label) for s in MachineState},
        "colours": STATE_COLOURS,
        "timeline": [
            [
                [m.pk for m in board["machines"]].index(t["machine"]),
                t["start"].timestamp() * 1000,
                t["end"].timestamp() * 1000,
                t["state"],
                selectors.loss_label(t["reason"]) if t["reason"] else "",
            ]
            for t in board["timeline"]
            if t["machine"] in names and t["end"] > t["start"]
        ],
        "start": board["span"].start.timestamp() * 1000,
        "end": board["span"].end.timestamp() * 1000,
        "pareto": {
            "causes": [p["cause"] for p in board["pareto"]],
            "minutes": [round(p["minutes"], 1) for p in board["pareto"]],
            "cumulative": [round(p["cumulative"] * 100, 1) for p in board["pareto"]],
        },
    }


STATE_COLOURS = {
    MachineState.RUN: "#1f9d55",
    MachineState.IDLE: "#9aa5b1",
    MachineState.STOP: "#e0a100",
    MachineState.FAULT: "#d64545",
}
TRUCK_COLOURS = {
    TruckState.EMPTY: "#0a8ca8",
    TruckState.QUEUEING: "#d64545",
    TruckState.LOADING: "#e0a100",
    TruckState.LOADED: "#0b4a8b",
    TruckState.DUMPING: "#6f42c1",
    TruckState.IDLE: "#9aa5b1",
    TruckState.DOWN: "#5b6b7f",
}


# ------------------------------------------------------------------------------ dispatch
def _dispatch_map(mine, live) -> dict:
    return {
        "loaders": [
            [r["loader"].longitude, r["loader"].latitude, r["loader"].code]
            for r in live["loaders"]
            if r["loader"].latitude is not None and r["loader"].longitude is not None
        ],
        "dump": [mine.dump_longitude, mine.dump_latitude, _("Dump")]
        if mine.dump_latitude is not None and mine.dump_longitude is not None
        else None,
        "trucks": [
            [t.live.longitude, t.live.latitude, t.code, t.live.state, t.live.get_state_display()]
            for t in live["trucks"]
            if t.live is not None and t.live.latitude is not None and t.live.longitude is not None
        ],
        "colours": TRUCK_COLOURS,
        "states": {s.value: str(s.label) for s in TruckState},
        "labels": {"loader": _("Loader"), "dump": _("Dump")},
    }


@login_required
@require_POST
def assignment_create(request, pk: int):
    mine = selectors.mine_get(user=request.user, pk=pk, action=access.CHANGE)
    form = AssignmentForm(request.POST)
    truck = loader = None
    if form.is_valid():
        truck = selectors.truck_get(mine=mine, code=form.cleaned_data["truck"])
        loader = selectors.loader_get(mine=mine, code=form.cleaned_data["loader"])
    if truck is None or loader is None:
        field = _("Truck") if truck is None else _("Loader")
        return HttpResponseBadRequest(
            _("%(field)s: no such truck or loader at this mine.") % {"field": field}
        )
    advice = selectors.recommendation_for(mine=mine, truck=truck)
    services.assignment_record(
        truck=truck,
        loader=loader,
        user=request.user,
        recommended=advice["loader"] if advice else None,
        expected_wait_min=advice["expected_wait_min"] if advice else None,
    )
    messages.success(
        request, _("%(truck)s sent to %(loader)s.") % {"truck": truck.code, "loader": loader}
    )
    return redirect("industry:mine_dispatch", pk=mine.pk)


# ------------------------------------------------------------------------------ shift reports
@login_required
def shift_report(request):
    form = _shift_form(request)
    if form.is_bound and not form.is_valid():
        return _bad_shift(request, form, "industry/shift_report.html", {})
    if not form.is_bound:
        form.cleaned_data = {}
    span = form.span(DEFAULT_SHIFT_TIME)
    report = selectors.shift_report(user=request.user, day=span.day, kind=span.kind)
    query = urlencode({"date": span.day.isoformat(), "shift": span.kind})
    return render(
        request,
        "industry/shift_report.html",
        {"form": form, "report": report, "span": span, "query": query},
    )


@login_required
def shift_report_export(request):
    form = ShiftExportForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{field}: {' '.join(e)}" for field, e in form.errors.items())
        return HttpResponseBadRequest(errors or _("Give the date and the shift."))
    span = form.span(DEFAULT_SHIFT_TIME)
    report = selectors.shift_report(user=request.user, day=span.day, kind=span.kind)
    content = excel.shift_report_workbook(report_body(report))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="shift-report-{span.day.isoformat()}-{span.kind}.xlsx"'
    )
    return response
