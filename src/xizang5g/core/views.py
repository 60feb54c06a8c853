from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import defaults

from xizang5g.core import access, selectors
from xizang5g.core.api_style import error_body
from xizang5g.core.models import ImportJob


@login_required
def object_history(request, content_type_id: int, object_id: str):
    """The change history of a change-logged object the user may read (also of deleted ones)."""
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    obj, entries = selectors.object_history(
        user=request.user, content_type=content_type, object_id=object_id
    )
    return render(
        request,
        "core/history.html",
        {
            "obj": obj,
            "model_name": content_type.model_class()._meta.verbose_name,
            "entries": selectors.history_changes(
                model=content_type.model_class(), entries=entries[:500]
            ),
        },
    )


@login_required
def import_job(request, pk: int):
    """A background import: its progress bar (polled by HTMX while it runs), then its outcome."""
    job = access.get_or_404(ImportJob.objects.all(), request.user, pk=pk)
    template = "core/_import_progress.html" if request.htmx else "core/import_job.html"
    return render(request, template, {"job": job})


# --- error pages: the platform's layout, in the reader's language; JSON under /api/ -------------
def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    if _is_api(request):
        return JsonResponse(error_body(_("Not found.")), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500: rendered without the request context or the database (either may be what failed)."""
    if _is_api(request):
        request_id = getattr(request, "request_id", "")
        message = _("Server error (request %(id)s). Please try again later or tell the operators.")
        return JsonResponse(error_body(message % {"id": request_id}), status=500)
    return defaults.server_error(request)


def conflict_page(request, message: str):
    """409: the request is fine but the object is not in a state that allows it (yet)."""
    return render(request, "409.html", {"message": message}, status=409)


def csrf_failure(request, reason=""):
    """A form sent without its (or with an expired) security token: say how to recover."""
    if _is_api(request):
        return JsonResponse(
            error_body(_("CSRF check failed. Reload the page, or use an API token.")), status=403
        )
    return render(request, "403_csrf.html", status=403)
