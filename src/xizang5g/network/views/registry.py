"""Registry pages: sites, cells, station imports and earth stations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.choices import DivisionLevel
from xizang5g.core.models import AdminDivision
from xizang5g.network import forms, selectors, services
from xizang5g.network.choices import Band
from xizang5g.network.engine import antennas
from xizang5g.network.models import Cell, EarthStation, Site, StudyStationResult
from xizang5g.network.views.common import (
    XLSX,
    base_context,
    download_bytes,
    import_upload,
    query_filters,
    show_errors,
)

PAGE_SIZE = 50  # a registry of 17,000 cells is read a page at a time


@login_required
def site_list(request):
    filters = query_filters(request, ("operator", "band", "division", "status", "q"))
    sites = selectors.site_list(user=request.user, filters=filters)
    context = base_context(request)
    context.update(
        page=Paginator(sites, PAGE_SIZE).get_page(request.GET.get("page")),
        may_import=access.role_may(request.user, access.CHANGE, Site),
        filters=filters,
        bands=Band.choices,
        operators=selectors.operator_list(user=request.user),
        prefectures=AdminDivision.objects.filter(level=DivisionLevel.PREFECTURE),
    )
    return render(request, "network/site_list.html", context)


@login_required
def site_detail(request, pk: int):
    site = selectors.site_get(user=request.user, pk=pk)
    context = base_context(request)
    context.update(
        site=site,
        cells=site.cells.select_related("operator"),
        emf=site.emf_assessments.first(),
        can_edit=access.can(request.user, access.CHANGE, site),
    )
    return render(request, "network/site_detail.html", context)


@login_required
def cell_edit(request, pk: int):
    cell = selectors.cell_get(user=request.user, pk=pk, action=access.CHANGE)
    form = forms.CellChangeForm(request.POST or None, instance=Cell.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.cell_update(user=request.user, cell=cell, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Cell %(c)s saved.") % {"c": cell.code})
            return redirect("network:site_detail", cell.site_id)
    return render(
        request,
        "network/form.html",
        {
            **base_context(request),
            "form": form,
            "title": _("Change cell %(c)s") % {"c": cell.code},
            "back": cell.site,
        },
    )


@login_required
def station_import(request):
    if not access.role_may(request.user, access.CHANGE, Site):
        raise PermissionDenied(_("Your role does not register stations."))
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    outcome = import_upload(
        request,
        form,
        importer="stations",
        title=_("Import station list"),
        done_url=reverse("network:site_list"),
    )
    if outcome.response is not None:
        return outcome.response
    return render(
        request,
        "network/import.html",
        {
            **base_context(request),
            "form": form,
            "row_errors": outcome.row_errors,
            "title": _("Import station list"),
            "template_url": "network:station_template",
            "columns": services.STATION_COLUMNS,
            "help": _(
                "One row per cell. Operators may import only their own stations. If any row is wrong, nothing is written."
            ),
        },
        status=outcome.status,
    )


@login_required
def station_template(request):
    return download_bytes(services.stations_template(), "station-list-template.xlsx", XLSX)


@login_required
def earth_station_list(request):
    filters = query_filters(request, ("owner", "division", "purpose", "q"))
    context = base_context(request)
    context.update(
        stations=selectors.earth_station_list(user=request.user, filters=filters), filters=filters
    )
    return render(request, "network/earth_station_list.html", context)


@login_required
def earth_station_detail(request, pk: int):
    station = get_object_or_404(selectors.earth_station_list(user=request.user), pk=pk)
    az, el = antennas.gso_look_angles_deg(station.lon, station.lat, station.orbital_lon_deg)
    context = base_context(request)
    context.update(
        station=station,
        pointing={"az": float(az), "el": float(el)},
        cases=selectors.case_list(user=request.user).filter(earth_station=station),
        results=station_results_for(request.user, station),
        can_edit=access.can(request.user, access.CHANGE, station),
    )
    return render(request, "network/earth_station_detail.html", context)


def station_results_for(user, station):
    return (
        StudyStationResult.objects.restrict(user)
        .filter(earth_station=station, study__mitigation={})
        .select_related("study")
        .order_by("-study__created_at")[:5]
    )


@login_required
def earth_station_form(request, pk: int | None = None):
    instance = (
        selectors.earth_station_get(user=request.user, pk=pk, action=access.CHANGE) if pk else None
    )
    if instance is None and not access.role_may(request.user, access.CHANGE, EarthStation):
        raise PermissionDenied(_("Your role does not register earth stations."))
    form = forms.EarthStationForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data.items())
        try:
            if instance:
                data.pop("owner")
                station = services.earth_station_update(
                    user=request.user, station=EarthStation.objects.get(pk=pk), **data
                )
            else:
                station = services.earth_station_create(user=request.user, **data)
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Earth station saved."))
            return redirect("network:earth_station_detail", station.pk)
    return render(
        request,
        "network/form.html",
        {
            **base_context(request),
            "form": form,
            "title": _("Earth station") if instance else _("Register an earth station"),
            "back": instance,
        },
    )
