"""Pages of the tourism app: region map and list of spots, a spot's dashboard, tourism data with
its Excel export, and the public status page (no login)."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from openpyxl import Workbook

from xizang5g.core import access
from xizang5g.core.choices import AlertState
from xizang5g.core.models import AdminDivision, Alert
from xizang5g.tourism import selectors, services
from xizang5g.tourism.choices import CrowdLevel
from xizang5g.tourism.models import CarPark, Forecast, ScenicSpot

LANGS = {"zh": "zh-hans", "zh-hans": "zh-hans", "bo": "bo", "en": "en"}


def spot_name(spot: ScenicSpot, lang: str | None = None) -> str:
    lang = lang or translation.get_language() or "zh-hans"
    if lang.startswith("bo") and spot.name_bo:
        return spot.name_bo
    if lang.startswith("en") and spot.name_en:
        return spot.name_en
    return spot.name


def _state(spot):
    return getattr(spot, "state", None)


def _percent(spot) -> float | None:
    state = _state(spot)
    if not state or not spot.capacity_instant:
        return None
    return round(100.0 * state.occupancy / spot.capacity_instant, 1)


@login_required
def index(request):
    spots = list(selectors.spot_list(user=request.user).select_related("county__parent"))
    rows = [
        {
            "spot": s,
            "name": spot_name(s),
            "state": _state(s),
            "percent": _percent(s),
            "url": reverse("tourism:spot", args=[s.code]),
        }
        for s in spots
    ]
    points = [
        {
            "name": r["name"],
            "value": [r["spot"].lon, r["spot"].lat, r["percent"] or 0],
            "level": r["state"].level if r["state"] else CrowdLevel.COMFORTABLE,
            "url": r["url"],
        }
        for r in rows
        if r["spot"].lon is not None
    ]
    levels = [{"code": c, "label": str(label)} for c, label in CrowdLevel.choices]
    counts = {
        c: sum(1 for r in rows if r["state"] and r["state"].level == c)
        for c, _l in CrowdLevel.choices
    }
    return render(
        request,
        "tourism/index.html",
        {
            "rows": rows,
            "map_data": {"points": points, "levels": levels},
            "level_counts": counts,
            "can_export": bool(rows),
        },
    )


@login_required
def spot_detail(request, code):
    spot = selectors.spot_get(user=request.user, code=code)
    state = _state(spot)
    forecast = Forecast.objects.filter(spot=spot).first()
    parks = list(selectors.car_park_list(user=request.user, spot=spot))
    nearest = None
    if spot.lon is not None:
        nearest = selectors.nearest_free_car_park(parks, spot.lon, spot.lat)
    alerts = Alert.objects.restrict(request.user).filter(dedup_key=services.crowd_dedup_key(spot))[
        :5
    ]
    return render(
        request,
        "tourism/spot_detail.html",
        {
            "spot": spot,
            "name": spot_name(spot),
            "state": state,
            "percent": _percent(spot),
            "zones": spot.zones.all(),
            "forecast": forecast,
            "forecast_days": (forecast.daily[:7] if forecast else []),
            "parks": parks,
            "nearest": nearest,
            "content": selectors.content_list(user=request.user, spot=spot),
            "alerts": alerts,
            "open_alert": any(a.state != AlertState.RESOLVED for a in alerts),
            "can_edit": access.can(request.user, access.CHANGE, spot),
            "thresholds": {
                "busy": spot.capacity_instant * spot.busy_pct // 100,
                "warning": spot.capacity_instant * spot.warning_pct // 100,
                "saturated": spot.capacity_instant * spot.saturated_pct // 100,
            },
        },
    )


def _with_gaps(values, *, gap: timedelta) -> list:
    """[time, occupancy] pairs with a null wherever the gates were silent longer than `gap`
    (overnight), so the chart breaks the line there instead of drawing a ramp."""
    series, previous = [], None
    for at, occupancy in values:
        if previous is not None and at - previous > gap:
            series.append([timezone.localtime(previous + gap).isoformat(), None])
        series.append([timezone.localtime(at).isoformat(), occupancy])
        previous = at
    return series


@login_required
def spot_live(request, code):
    """A spot's occupancy over the last 24 hours, for the live chart (polled)."""
    spot = selectors.spot_get(user=request.user, code=code)
    values = selectors.occupancy_last_day(user=request.user, spot=spot)
    # At most ~720 points: thin a dense series evenly.
    step = max(1, len(values) // 720)
    values = values[::step] + (values[-1:] if values and (len(values) - 1) % step else [])
    state = _state(spot)
    forecast = Forecast.objects.filter(spot=spot).first()
    return JsonResponse(
        {
            "series": _with_gaps(values, gap=timedelta(hours=1)),
            "occupancy": state.occupancy if state else 0,
            "entries_today": state.entries_today if state else 0,
            "level": state.level if state else CrowdLevel.COMFORTABLE,
            "level_label": str(
                CrowdLevel(state.level).label if state else CrowdLevel.COMFORTABLE.label
            ),
            "percent": _percent(spot),
            "capacity_instant": spot.capacity_instant,
            "warning_at": spot.capacity_instant * spot.warning_pct // 100,
            "saturated_at": spot.capacity_instant * spot.saturated_pct // 100,
            "hourly": forecast.hourly if forecast else [],
            "updated_at": state.updated_at.isoformat() if state and state.updated_at else None,
        }
    )


# ==== tourism data =================================================================================
def _data_filters(request) -> dict:
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = today.replace(day=1) - timedelta(days=365)
        start = start.replace(day=1)
    try:
        end = date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    prefecture = request.GET.get("prefecture") or None
    if prefecture and not prefecture.isdigit():
        prefecture = None
    return {"start": start, "end": end, "prefecture": int(prefecture) if prefecture else None}


def _aggregate(rows):
    """Monthly visitors and revenue by prefecture; origins; stay."""
    by_month_pref = defaultdict(lambda: defaultdict(int))
    revenue = defaultdict(float)
    origins = defaultdict(int)
    by_spot = defaultdict(int)
    stay_sum = stay_n = 0
    for r in rows:
        pref = (
            r.spot.county.parent.name_zh if r.spot.county and r.spot.county.parent else _("Unknown")
        )
        month = r.date.strftime("%Y-%m")
        by_month_pref[month][pref] += r.visitors
        revenue[month] += float(r.revenue_yuan)
        by_spot[r.spot.name] += r.visitors
        for province, n in (r.origins or {}).items():
            origins[province] += n
        if r.stay_hours:
            stay_sum += r.stay_hours * r.visitors
            stay_n += r.visitors
    months = sorted(by_month_pref)
    prefectures = sorted({p for m in by_month_pref.values() for p in m})
    return {
        "months": months,
        "prefectures": prefectures,
        "series": {p: [by_month_pref[m].get(p, 0) for m in months] for p in prefectures},
        "revenue": [round(revenue[m], 2) for m in months],
        "origins": sorted(origins.items(), key=lambda kv: -kv[1])[:12],
        "spots": sorted(by_spot.items(), key=lambda kv: -kv[1]),
        "stay_hours": round(stay_sum / stay_n, 2) if stay_n else None,
        "visitors": sum(by_spot.values()),
        "revenue_total": round(sum(revenue.values()), 2),
    }


@login_required
def data_dashboard(request):
    filters = _data_filters(request)
    rows = selectors.daily_list(user=request.user, filters=filters)
    data = _aggregate(rows)
    prefectures = AdminDivision.objects.filter(level="prefecture").order_by("adcode")
    return render(
        request,
        "tourism/data.html",
        {
            "filters": filters,
            "data": data,
            "prefectures": prefectures,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def data_export(request):

    filters = _data_filters(request)
    rows = selectors.daily_list(user=request.user, filters=filters).order_by("date", "spot__code")
    book = Workbook()
    sheet = book.active
    sheet.title = _("Daily visitors")[:31]
    sheet.append(
        [
            _("Date"),
            _("Spot code"),
            _("Scenic spot"),
            _("Prefecture"),
            _("Visitors"),
            _("Ticket revenue (yuan)"),
            _("Average stay (hours)"),
        ]
    )
    for r in rows:
        pref = r.spot.county.parent.name_zh if r.spot.county and r.spot.county.parent else ""
        sheet.append(
            [
                r.date,
                r.spot.code,
                r.spot.name,
                pref,
                r.visitors,
                float(r.revenue_yuan),
                r.stay_hours,
            ]
        )
    data = _aggregate(selectors.daily_list(user=request.user, filters=filters))
    monthly = book.create_sheet(_("By prefecture and month")[:31])
    monthly.append([_("Month"), *data["prefectures"], _("Ticket revenue (yuan)")])
    for i, month in enumerate(data["months"]):
        monthly.append(
            [month, *(data["series"][p][i] for p in data["prefectures"]), data["revenue"][i]]
        )
    origin = book.create_sheet(_("Visitors' origin")[:31])
    origin.append([_("Province"), _("Visitors")])
    for province, n in data["origins"]:
        origin.append([province, n])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="tourism-{filters["start"]}-{filters["end"]}.xlsx"'
    )
    return response


# ==== public status page ===========================================================================
@cache_control(public=True, max_age=30)
def public_status(request):
    """Each spot's comfort level, free parking and today's forecast — no login, light on a phone.
    Language by ?lang=zh|bo|en, otherwise the visitor's chosen language."""
    lang = LANGS.get(request.GET.get("lang", ""))
    with translation.override(lang or translation.get_language()):
        current = translation.get_language()
        spots = ScenicSpot.objects.select_related("state").order_by("-a_level", "code")
        forecasts = {f.spot_id: f for f in Forecast.objects.all()}
        parks = defaultdict(list)
        for park in CarPark.objects.all():
            parks[park.spot_id].append(park)
        today = timezone.localdate().isoformat()
        cards = []
        for s in spots:
            state = _state(s)
            fc = forecasts.get(s.pk)
            today_fc = next((d for d in (fc.daily if fc else []) if d["date"] == today), None)
            spot_parks = parks.get(s.pk, [])
            cards.append(
                {
                    "name": spot_name(s, current),
                    "level": state.level if state else CrowdLevel.COMFORTABLE,
                    "level_label": CrowdLevel(
                        state.level if state else CrowdLevel.COMFORTABLE
                    ).label,
                    "percent": _percent(s),
                    "free": sum(p.free for p in spot_parks) if spot_parks else None,
                    "spaces": sum(p.spaces for p in spot_parks) if spot_parks else None,
                    "forecast": today_fc["arrivals"] if today_fc else None,
                    "quota": fc.quota_today if fc else None,
                }
            )
        response = render(
            request,
            "tourism/public_status.html",
            {"cards": cards, "lang": current, "now": timezone.localtime()},
        )
    return response
