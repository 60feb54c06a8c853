"""The 5G supervision overview and its map data."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.gzip import gzip_page

from xizang5g.core import access, summaries
from xizang5g.core.choices import DivisionLevel
from xizang5g.core.models import AdminDivision
from xizang5g.network import selectors
from xizang5g.network.choices import Band, CaseState
from xizang5g.network.models import InterferenceStudy
from xizang5g.network.views.common import base_context


@login_required
def overview(request):
    context = base_context(request)
    context["body"] = summaries.section(
        request, "network/_overview_body.html", lambda: _overview_context(request, context)
    )
    return render(request, "network/overview.html", context)


def _overview_context(request, base: dict) -> dict:
    user = request.user
    studies = (
        selectors.study_list(user=user)[:5]
        if access.role_may(user, access.VIEW, InterferenceStudy)
        else []
    )
    open_cases = selectors.case_list(user=user).exclude(
        state__in=[CaseState.CLOSED, CaseState.REJECTED]
    )
    emf = selectors.emf_latest_assessments(user=user)
    return {
        **base,
        "map_data": selectors.station_map_points(user=user),
        "bands": Band.choices,
        "studies": studies,
        "cases": open_cases[:8],
        "open_cases": open_cases.count(),
        "emf": emf,
        "emf_fail": sum(1 for a in emf if not a.passes),
        "consumption": selectors.new_consumption_indicators(),
    }


@gzip_page
@login_required
def geojson(request):
    """County or prefecture outlines (WGS84) for the ECharts maps (`echarts.registerMap`)."""
    level = request.GET.get("level", DivisionLevel.PREFECTURE)
    features = [
        {
            "type": "Feature",
            "properties": {"name": d.name_zh, "adcode": d.adcode},
            "geometry": d.shape.geometry,
        }
        for d in AdminDivision.objects.filter(level=level).select_related("shape")
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "private, max-age=86400"
    return response
