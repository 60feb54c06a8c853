"""Pages of the industry app (thin: selectors read, services write)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xizang5g.core import access
from xizang5g.core.models import Unit
from xizang5g.industry import excel, gb51108, handles, selectors
from xizang5g.industry.choices import AlarmLevel, MonitoringItem
from xizang5g.industry.constants import LEVEL_COLOURS
from xizang5g.industry.models import HandleUser, Identifier
from xizang5g.industry.services import RESPONSE_ACTIONS


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
    return render(request, "industry/dispatch.html", {"mine": mine, "board": board, "chart": chart})


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
    unit = Unit.objects.filter(pk=request.POST.get("unit") or 0).first()
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
