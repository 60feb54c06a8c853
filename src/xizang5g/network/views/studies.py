"""Terrain and interference study pages (the regulator's tool)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xizang5g.core import access
from xizang5g.core.views import conflict_page
from xizang5g.network import forms, reports, selectors, services
from xizang5g.network.choices import StudyScope, TerrainKind
from xizang5g.network.models import TerrainTile
from xizang5g.network.views.common import DOCX, XLSX, base_context, download_bytes, show_errors


@login_required
def terrain(request):
    if not access.role_may(request.user, access.VIEW, TerrainTile):
        raise PermissionDenied(_("Terrain is the radio regulator's."))
    form = forms.TerrainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        path = form.cleaned_data["path"]
        kind = TerrainKind.HGT if path.lower().endswith(".hgt") else TerrainKind.GEOTIFF
        try:
            services.terrain_register(
                user=request.user, name=form.cleaned_data["name"], kind=kind, path=path
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("Terrain tile registered."))
            return redirect("network:terrain")
    return render(
        request,
        "network/terrain.html",
        {
            **base_context(request),
            "tiles": TerrainTile.objects.restrict(request.user),
            "form": form,
        },
    )


# ------------------------------------------------------------------------------ studies
@login_required
def study_list(request):
    context = base_context(request)
    context.update(studies=selectors.study_list(user=request.user)[:100])
    return render(request, "network/study_list.html", context)


@login_required
def study_new(request):
    if not services.is_regulator(request.user):
        raise PermissionDenied
    form = forms.StudyForm(request.POST or None, initial={"name": _("Regional coordination study")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            study = services.study_create(
                user=request.user,
                name=data["name"],
                scope=data["scope"],
                earth_stations=data["earth_stations"] or (),
                division=data["division"],
                coordination_km=data["coordination_km"],
                p_percent=data["p_percent"],
            )
        except ValidationError as exc:
            show_errors(request, exc)
        else:
            messages.success(request, _("The study is queued; this page shows its progress."))
            return redirect("network:study_detail", study.pk)
    return render(
        request,
        "network/study_new.html",
        {**base_context(request), "form": form, "scopes": StudyScope},
    )


@login_required
def study_detail(request, pk: int):
    study = selectors.study_get(user=request.user, pk=pk)
    context = base_context(request)
    context.update(study=study)
    if study.status == "done":
        context.update(
            station_results=selectors.study_station_results(study=study)[:200],
            worst_pairs=selectors.study_pairs(study=study)[:100],
            map_data=selectors.study_map_data(study=study),
        )
    return render(request, "network/study_detail.html", context)


@login_required
def study_progress(request, pk: int):
    """HTMX partial: the progress bar; reloads the page when the study has finished."""
    study = selectors.study_get(user=request.user, pk=pk)
    response = render(
        request,
        "network/_study_progress.html",
        {"study": study, "is_regulator": services.is_regulator(request.user)},
    )
    if not study.is_active and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@require_POST
@login_required
def study_cancel(request, pk: int):
    study = selectors.study_get(user=request.user, pk=pk)
    try:
        services.study_cancel(user=request.user, study=study)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.info(request, _("Cancellation requested."))
    return redirect("network:study_detail", pk)


@login_required
def study_export(request, pk: int, fmt: str):
    if fmt not in ("xlsx", "docx"):
        raise Http404
    study = selectors.study_get(user=request.user, pk=pk)
    if study.status != "done":
        return conflict_page(
            request, _("The study has not finished: its report can be downloaded when it is done.")
        )
    if fmt == "xlsx":
        return download_bytes(
            reports.study_xlsx(study), f"interference-study-{study.pk}.xlsx", XLSX
        )
    return download_bytes(reports.study_docx(study), f"interference-study-{study.pk}.docx", DOCX)
