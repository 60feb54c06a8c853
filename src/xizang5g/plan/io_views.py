"""Excel import and export pages of plan supervision. Thin: the work is in plan.excel."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from xizang5g.core import imports, limits
from xizang5g.plan import excel, progress, selectors


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in template (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "class": "form-control",
            }
        ),
    )


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def _plan():
    plan = selectors.current_plan()
    if plan is None:
        raise Http404(_("No plan is loaded yet."))
    return plan


def _can_import(user) -> bool:
    return selectors.project_may_create(user=user)


def _scope(user) -> str:
    """Whose projects an export covers, printed in its subtitle."""
    if selectors.project_scope_is_region(user=user):
        return "全区"
    return f"{user.unit or ''}牵头、参与或承建的项目"


@login_required
@require_http_methods(["GET", "POST"])
def project_import(request):
    plan = _plan()
    if not _can_import(request.user):
        raise PermissionDenied(_("Your role cannot register projects."))
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {
        "plan": plan,
        "form": form,
        "errors": [],
        "file_error": "",
        "rows": 0,
        "max_mb": limits.limit("XZ5G_UPLOAD_MAX_BYTES") // (1024 * 1024),
        "max_rows": excel.IMPORT_MAX_ROWS,
        "background_rows": limits.limit("XZ5G_IMPORT_BACKGROUND_ROWS"),
    }
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        context["filename"] = upload.name
        try:
            content = excel.read_upload(upload)
            rows = excel.project_row_count(content)
            if imports.runs_in_background(rows):
                job = imports.import_job_create(
                    user=request.user,
                    importer="xizang5g.plan.excel.projects_import_job",
                    title=_("Import projects from Excel"),
                    content=content,
                    filename=upload.name,
                    rows=rows,
                    back_url=request.path,
                )
                return redirect(job)
            result = excel.projects_import_content(content=content, user=request.user, plan=plan)
        except excel.ImportFileError as error:
            context["file_error"] = error.message
            status = error.status
        else:
            if result.ok:
                messages.success(request, excel.imported_message(result))
                return redirect("plan:project_list")
            context["errors"] = result.errors
            context["rows"] = result.rows
            context["bad_rows"] = len({e.row for e in result.errors})
            status = 422
    elif request.method == "POST":
        status = 422
    return render(request, "plan/project_import.html", context, status=status)


@login_required
@require_GET
def project_import_template(request):
    plan = _plan()
    return _xlsx(excel.import_template(plan=plan), "试点项目导入模板.xlsx")


def _as_of(request) -> date | None:
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return timezone.localdate()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _bad_date(request) -> HttpResponse:
    return HttpResponseBadRequest(
        _("Invalid as_of date %(d)s; use YYYY-MM-DD.") % {"d": request.GET.get("as_of")},
        content_type="text/plain; charset=utf-8",
    )


@login_required
@require_GET
def progress_export(request):
    plan = _plan()
    as_of = _as_of(request)
    if as_of is None:
        return _bad_date(request)
    projects = progress.load_projects(plan, selectors.project_list(user=request.user))
    content = excel.progress_workbook(
        plan=plan, as_of=as_of, projects=projects, scope=_scope(request.user)
    )
    return _xlsx(content, f"工作要点推进情况_{as_of:%Y%m%d}.xlsx")


@login_required
@require_GET
def scorecards_export(request):
    plan = _plan()
    as_of = _as_of(request)
    if as_of is None:
        return _bad_date(request)
    projects = progress.load_projects(plan, selectors.project_list(user=request.user))
    content = excel.scorecards_workbook(
        plan=plan, as_of=as_of, projects=projects, scope=_scope(request.user)
    )
    return _xlsx(content, f"责任单位考核_{as_of:%Y%m%d}.xlsx")
