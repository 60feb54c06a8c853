"""Pages of the 5G supervision app (thin: selectors read, services write)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST

from xizang5g.core import access, imports, limits
from xizang5g.core.choices import DivisionLevel
from xizang5g.core.files import download
from xizang5g.core.models import AdminDivision
from xizang5g.core.views import conflict_page
from xizang5g.network import constants as C
from xizang5g.network import forms, reports, selectors, services
from xizang5g.network import imports as network_imports
from xizang5g.network.choices import Band, CaseState, MitigationKind, StudyScope, TerrainKind
from xizang5g.network.engine import antennas
from xizang5g.network.models import (
    Cell,
    CoordinationCase,
    EarthStation,
    InterferenceStudy,
    Site,
    StudyStationResult,
    TerrainTile,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(content: bytes, filename: str, mime: str) -> HttpResponse:
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages[:50]:
        messages.error(request, message)


def _base(request) -> dict:
    return {
        "counts": selectors.registry_counts(user=request.user),
        "is_regulator": services.is_regulator(request.user),
        "can_see_studies": access.role_may(request.user, access.VIEW, InterferenceStudy),
    }


# ------------------------------------------------------------------------------ overview
@login_required
def overview(request):
    user = request.user
    context = _base(request)
    studies = (
        selectors.study_list(user=user)[:5]
        if access.role_may(user, access.VIEW, InterferenceStudy)
        else []
    )
    context.update(
        map_data=selectors.station_map_points(user=user),
        bands=Band.choices,
        studies=studies,
        cases=selectors.case_list(user=user).exclude(
            state__in=[CaseState.CLOSED, CaseState.REJECTED]
        )[:8],
        open_cases=selectors.case_list(user=user)
        .exclude(state__in=[CaseState.CLOSED, CaseState.REJECTED])
        .count(),
        emf=selectors.emf_latest_assessments(user=user),
        consumption=selectors.new_consumption_indicators(),
    )
    context["emf_fail"] = sum(1 for a in context["emf"] if not a.passes)
    return render(request, "network/overview.html", context)


@gzip_page
@login_required
def geojson(request):
    """County or prefecture outlines (WGS84) for the ECharts maps (`echarts.registerMap`)."""
    level = request.GET.get("level", DivisionLevel.PREFECTURE)
    features = [
        {
            "type": "Feature",
            "properties": {"name": d.name_zh, "adcode": d.adcode},
            "geometry": d.geometry,
        }
        for d in AdminDivision.objects.filter(level=level)
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "private, max-age=86400"
    return response


# ------------------------------------------------------------------------------ registry
def _filters(request, keys) -> dict:
    return {k: request.GET.get(k, "").strip() for k in keys if request.GET.get(k, "").strip()}


@login_required
def site_list(request):
    filters = _filters(request, ("operator", "band", "division", "status", "q"))
    sites = selectors.site_list(user=request.user, filters=filters)
    context = _base(request)
    context.update(
        sites=sites[:500],
        total=sites.count(),
        filters=filters,
        bands=Band.choices,
        operators=selectors.operator_list(user=request.user),
        prefectures=AdminDivision.objects.filter(level=DivisionLevel.PREFECTURE),
    )
    return render(request, "network/site_list.html", context)


@login_required
def site_detail(request, pk: int):
    site = selectors.site_get(user=request.user, pk=pk)
    context = _base(request)
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
            _errors(request, exc)
        else:
            messages.success(request, _("Cell %(c)s saved.") % {"c": cell.code})
            return redirect("network:site_detail", cell.site_id)
    return render(
        request,
        "network/form.html",
        {
            **_base(request),
            "form": form,
            "title": _("Change cell %(c)s") % {"c": cell.code},
            "back": cell.site,
        },
    )


@dataclass
class _Imported:
    """What an upload came to: a redirect (done, or a background job to follow), or the page
    again with the row errors and a 4xx status."""

    response: HttpResponse | None = None
    row_errors: list = field(default_factory=list)
    status: int = 200


def _import_upload(request, form, *, importer: str, title: str, done_url: str) -> _Imported:
    """Import the uploaded table all or nothing: in the request, or as a background job with a
    progress bar when it has more than XZ5G_IMPORT_BACKGROUND_ROWS rows."""
    if request.method != "POST":
        return _Imported()
    if not form.is_valid():
        return _Imported(status=422)
    upload = form.cleaned_data["file"]
    try:
        content = limits.read_upload(upload)
        rows = limits.table_row_count(content, upload.name)
        if imports.runs_in_background(rows):
            job = imports.import_job_create(
                user=request.user,
                importer=f"xizang5g.network.imports.{importer}",
                title=title,
                content=content,
                filename=upload.name,
                rows=rows,
                back_url=request.get_full_path(),
            )
            return _Imported(response=redirect(job))
        message = getattr(network_imports, importer)(
            user=request.user, content=content, filename=upload.name
        )
    except imports.ImportRejected as exc:
        messages.error(request, exc.message)
        return _Imported(row_errors=exc.errors, status=422)
    except limits.InputRejected as exc:
        messages.error(request, exc.message)
        return _Imported(status=exc.status)
    except ValidationError as exc:
        _errors(request, exc)
        return _Imported(status=422)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not import this file."))
        return _Imported(status=403)
    messages.success(request, message)
    return _Imported(response=redirect(done_url))


@login_required
def station_import(request):
    if not access.role_may(request.user, access.CHANGE, Site):
        raise PermissionDenied(_("Your role does not register stations."))
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    outcome = _import_upload(
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
            **_base(request),
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
    return _download(services.stations_template(), "station-list-template.xlsx", XLSX)


@login_required
def earth_station_list(request):
    filters = _filters(request, ("owner", "division", "purpose", "q"))
    context = _base(request)
    context.update(
        stations=selectors.earth_station_list(user=request.user, filters=filters), filters=filters
    )
    return render(request, "network/earth_station_list.html", context)


@login_required
def earth_station_detail(request, pk: int):
    station = get_object_or_404(selectors.earth_station_list(user=request.user), pk=pk)
    az, el = antennas.gso_look_angles_deg(station.lon, station.lat, station.orbital_lon_deg)
    context = _base(request)
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
            _errors(request, exc)
        else:
            messages.success(request, _("Earth station saved."))
            return redirect("network:earth_station_detail", station.pk)
    return render(
        request,
        "network/form.html",
        {
            **_base(request),
            "form": form,
            "title": _("Earth station") if instance else _("Register an earth station"),
            "back": instance,
        },
    )


# ------------------------------------------------------------------------------ terrain
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
            _errors(request, exc)
        else:
            messages.success(request, _("Terrain tile registered."))
            return redirect("network:terrain")
    return render(
        request,
        "network/terrain.html",
        {
            **_base(request),
            "tiles": TerrainTile.objects.restrict(request.user),
            "form": form,
        },
    )


# ------------------------------------------------------------------------------ studies
@login_required
def study_list(request):
    context = _base(request)
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
            _errors(request, exc)
        else:
            messages.success(request, _("The study is queued; this page shows its progress."))
            return redirect("network:study_detail", study.pk)
    return render(
        request, "network/study_new.html", {**_base(request), "form": form, "scopes": StudyScope}
    )


@login_required
def study_detail(request, pk: int):
    study = selectors.study_get(user=request.user, pk=pk)
    context = _base(request)
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
        _errors(request, exc)
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
        return _download(reports.study_xlsx(study), f"interference-study-{study.pk}.xlsx", XLSX)
    return _download(reports.study_docx(study), f"interference-study-{study.pk}.docx", DOCX)


# ------------------------------------------------------------------------------ cases
@login_required
def case_list(request):
    filters = _filters(request, ("state", "operator"))
    context = _base(request)
    context.update(
        cases=selectors.case_list(user=request.user, filters=filters),
        filters=filters,
        states=CaseState.choices,
    )
    return render(request, "network/case_list.html", context)


@login_required
def case_new(request):
    user = request.user
    if not access.role_may(user, access.CHANGE, CoordinationCase):
        raise PermissionDenied(_("Your role does not open coordination cases."))
    cells = Cell.objects.restrict(user, access.CHANGE).select_related("site", "operator")
    initial = {}
    study_id = request.GET.get("study")
    if request.GET.get("earth_station"):
        initial["earth_station"] = request.GET["earth_station"]
    if request.GET.get("cells"):
        initial["cells"] = request.GET["cells"].split(",")
    form = forms.CaseForm(request.POST or None, cells=cells, initial=initial)
    if request.method == "POST" and form.is_valid():
        study = None
        try:
            if request.POST.get("study"):
                study_pk = limits.bounded_int(request.POST["study"], field="study", low=1)
                study = selectors.study_get(user=user, pk=study_pk)
            case = services.case_open(
                user=user,
                earth_station=form.cleaned_data["earth_station"],
                cells=list(form.cleaned_data["cells"]),
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                study=study,
            )
        except ValidationError as exc:
            _errors(request, exc)
        except ValueError as exc:  # InputRejected is one; study_get's lookups raise none
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Coordination case %(n)s opened.") % {"n": case.number})
            return redirect("network:case_detail", case.pk)
    return render(
        request, "network/case_new.html", {**_base(request), "form": form, "study_id": study_id}
    )


CASE_STEPS = [
    CaseState.APPLIED,
    CaseState.COMPUTING,
    CaseState.COORDINATING,
    CaseState.IMPLEMENTING,
    CaseState.REVIEWING,
    CaseState.CLOSED,
]


@login_required
def case_detail(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    user = request.user
    steps = []
    reached = CASE_STEPS.index(case.state) if case.state in CASE_STEPS else -1
    for k, state in enumerate(CASE_STEPS):
        steps.append(
            {
                "state": state,
                "label": CaseState(state).label,
                "done": k < reached or case.state == CaseState.CLOSED,
                "current": k == reached,
            }
        )
    is_reg = services.is_regulator(user)
    is_op = services.case_actor_is_operator(user, case)
    cells = list(case.cells.select_related("site", "operator"))
    context = _base(request)
    context.update(
        case=case,
        steps=steps,
        cells=cells,
        events=case.events.select_related("user"),
        documents=case.documents.all(),
        is_party=access.can(user, access.CHANGE, case),
        is_op=is_op,
        can_advance=(is_reg and case.state in services.CASE_FLOW)
        or (is_op and case.state == CaseState.IMPLEMENTING),
        can_mitigate=(is_reg or is_op)
        and case.state in (CaseState.COMPUTING, CaseState.COORDINATING),
        can_accept=is_reg
        and case.whatif_study_id
        and not case.mitigation_accepted
        and case.state == CaseState.COORDINATING,
        can_reject=is_reg and case.state not in (CaseState.CLOSED, CaseState.REJECTED),
        mitigation_form=forms.MitigationForm(
            initial={"kind": MitigationKind.LNB_FILTER, "rejection_db": 30}
        ),
        comment_form=forms.CommentForm(),
        document_form=forms.DocumentForm(),
        next_state=services.CASE_FLOW.get(case.state),
        state_labels=dict(CaseState.choices),
        base_pairs=selectors.study_pairs(
            study=case.study, earth_station=case.earth_station, cells=cells
        )
        if case.study
        else [],
        whatif_pairs=selectors.study_pairs(
            study=case.whatif_study, earth_station=case.earth_station, cells=cells
        )
        if case.whatif_study
        else [],
    )
    if context["next_state"]:
        context["next_label"] = CaseState(context["next_state"]).label
    return render(request, "network/case_detail.html", context)


@require_POST
@login_required
def case_action(request, pk: int, action: str):
    case = selectors.case_get(user=request.user, pk=pk)
    user = request.user
    try:
        if action == "advance":
            services.case_advance(user=user, case=case, note=request.POST.get("note", ""))
            messages.success(
                request, _("The case moved to “%(s)s”.") % {"s": case.get_state_display()}
            )
        elif action == "mitigation":
            form = forms.MitigationForm(request.POST)
            if not form.is_valid():
                raise ValidationError([f"{k}: {' '.join(v)}" for k, v in form.errors.items()])
            whatif = services.case_propose_mitigation(
                user=user,
                case=case,
                mitigation=form.mitigation(),
                note=form.cleaned_data.get("note", ""),
            )
            if whatif.summary.get("passes"):
                messages.success(request, _("What-if calculation passes."))
            else:
                messages.warning(request, _("What-if calculation still fails."))
        elif action == "accept":
            services.case_accept_mitigation(user=user, case=case, note=request.POST.get("note", ""))
            messages.success(request, _("Mitigation accepted."))
        elif action == "reject":
            services.case_reject(user=user, case=case, reason=request.POST.get("reason", ""))
            messages.info(request, _("The case was rejected."))
        elif action == "comment":
            services.case_comment(user=user, case=case, note=request.POST.get("note", ""))
        elif action == "document":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError(_("Choose a file."))
            services.case_add_document(
                user=user, case=case, title=request.POST.get("title", ""), upload=upload
            )
        else:
            raise PermissionDenied
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("network:case_detail", pk)


# ------------------------------------------------------------------------------ EMF
@login_required
def emf(request):
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    outcome = _import_upload(
        request,
        form,
        importer="emf_measurements",
        title=_("Import EMF measurements"),
        done_url=reverse("network:emf"),
    )
    if outcome.response is not None:
        return outcome.response
    context = _base(request)
    context.update(
        assessments=selectors.emf_latest_assessments(user=request.user)[:200],
        measurements=selectors.emf_measurement_list(user=request.user)[:200],
        form=form,
        row_errors=outcome.row_errors,
        columns=services.EMF_COLUMNS,
    )
    return render(request, "network/emf.html", context, status=outcome.status)


@require_POST
@login_required
def emf_assess(request, pk: int):
    site = selectors.site_get(user=request.user, pk=pk, action=access.CHANGE)
    try:
        assessment = services.emf_assess_site(site=site, user=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("Compliance distance %(d).1f m; maximum public exposure %(r).1f %% of the limit.")
            % {"d": assessment.compliance_distance_m, "r": assessment.max_public_ratio * 100},
        )
    return redirect("network:site_detail", pk)


@login_required
def emf_template(request):
    return _download(
        services.table_template(
            services.EMF_COLUMNS,
            [
                "拉萨市城关区某小区广场",
                "LS-CG-001",
                91.13,
                29.66,
                "2026-10-12 10:30",
                3500,
                1.8,
                "西藏自治区辐射环境监督站",
            ],
            "emf",
        ),
        "emf-measurements-template.xlsx",
        XLSX,
    )


# ------------------------------------------------------------------------------ coverage
@login_required
def coverage(request):
    level = request.GET.get("level", DivisionLevel.PREFECTURE)
    if level not in (DivisionLevel.PREFECTURE, DivisionLevel.COUNTY):
        level = DivisionLevel.PREFECTURE
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    outcome = _Imported()
    here = f"{request.path}?level={level}"
    if request.method == "POST" and request.POST.get("action") == "compute":
        try:
            threshold = limits.finite_float(
                request.POST.get("threshold_dbm") or C.DEFAULT_COVERAGE_DBM, field="threshold_dbm"
            )
            result = services.coverage_compute(user=request.user, threshold_dbm=threshold)
        except (ValidationError, PermissionDenied, ValueError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            outcome.status = 403 if isinstance(exc, PermissionDenied) else 422
        else:
            messages.success(
                request,
                _("%(c)s of %(v)s villages and townships covered at %(t)s dBm.")
                % {"c": result["covered"], "v": result["villages"], "t": threshold},
            )
            return redirect(here)
    else:
        outcome = _import_upload(
            request, form, importer="villages", title=_("Import villages"), done_url=here
        )
        if outcome.response is not None:
            return outcome.response
    row_errors = outcome.row_errors
    kpis = selectors.coverage_kpis(user=request.user, level=level)
    context = _base(request)
    context.update(
        kpis=kpis,
        level=level,
        form=form,
        row_errors=row_errors,
        columns=services.VILLAGE_COLUMNS,
        threshold=C.DEFAULT_COVERAGE_DBM,
        sites=selectors.site_list(user=request.user)[:300],
        chart={
            "names": [r["division"].name_zh for r in kpis],
            "share": [round((r["share"] or 0) * 100, 1) for r in kpis],
            "per_10k": [round(r["per_10k"] or 0, 2) for r in kpis],
        },
    )
    return render(request, "network/coverage.html", context, status=outcome.status)


@login_required
def coverage_grid(request, pk: int):
    """Predicted best RSRP on a grid around a site (heat map), from every cell within 15 km."""
    site = selectors.site_get(user=request.user, pk=pk)
    return JsonResponse(selectors.coverage_grid(site=site))


@login_required
def villages_template(request):
    return _download(
        services.table_template(
            services.VILLAGE_COLUMNS,
            ["540102001001", "示例村", "village", 91.14, 29.65, 850],
            "villages",
        ),
        "villages-template.xlsx",
        XLSX,
    )


# ------------------------------------------------------------------------------ monthly reports
@login_required
def monthly(request):
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    outcome = _import_upload(
        request,
        form,
        importer="monthly_reports",
        title=_("Import monthly figures"),
        done_url=reverse("network:monthly"),
    )
    if outcome.response is not None:
        return outcome.response
    context = _base(request)
    context.update(
        reports=selectors.monthly_reports(user=request.user)[:300],
        trend=selectors.monthly_trend(user=request.user),
        form=form,
        row_errors=outcome.row_errors,
        columns=services.REPORT_COLUMNS,
        consumption=selectors.new_consumption_indicators(),
    )
    return render(request, "network/monthly.html", context, status=outcome.status)


@login_required
def monthly_template(request):
    return _download(
        services.table_template(
            services.REPORT_COLUMNS,
            ["ct-xz", 540100, "2026-10", 1520, 412000, 598000, 31.5],
            "monthly",
        ),
        "monthly-report-template.xlsx",
        XLSX,
    )


@login_required
def case_document(request, pk: int):
    """A case document, for the case's parties and region-wide readers."""
    document = selectors.case_document_get(user=request.user, pk=pk)
    return download(document.file, document.filename or document.title)
