"""EMF, village coverage and the operators' monthly figures."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xizang5g.core import access, limits
from xizang5g.core.choices import DivisionLevel
from xizang5g.network import constants as C
from xizang5g.network import forms, selectors, services
from xizang5g.network.views.common import (
    XLSX,
    Imported,
    base_context,
    download_bytes,
    import_upload,
    show_errors,
)


@login_required
def emf(request):
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    outcome = import_upload(
        request,
        form,
        importer="emf_measurements",
        title=_("Import EMF measurements"),
        done_url=reverse("network:emf"),
    )
    if outcome.response is not None:
        return outcome.response
    context = base_context(request)
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
        show_errors(request, exc)
    else:
        messages.success(
            request,
            _("Compliance distance %(d).1f m; maximum public exposure %(r).1f %% of the limit.")
            % {"d": assessment.compliance_distance_m, "r": assessment.max_public_ratio * 100},
        )
    return redirect("network:site_detail", pk)


@login_required
def emf_template(request):
    return download_bytes(
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
    outcome = Imported()
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
        outcome = import_upload(
            request, form, importer="villages", title=_("Import villages"), done_url=here
        )
        if outcome.response is not None:
            return outcome.response
    row_errors = outcome.row_errors
    kpis = selectors.coverage_kpis(user=request.user, level=level)
    context = base_context(request)
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
    return download_bytes(
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
    outcome = import_upload(
        request,
        form,
        importer="monthly_reports",
        title=_("Import monthly figures"),
        done_url=reverse("network:monthly"),
    )
    if outcome.response is not None:
        return outcome.response
    context = base_context(request)
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
    return download_bytes(
        services.table_template(
            services.REPORT_COLUMNS,
            ["ct-xz", 540100, "2026-10", 1520, 412000, 598000, 31.5],
            "monthly",
        ),
        "monthly-report-template.xlsx",
        XLSX,
    )
