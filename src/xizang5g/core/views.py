from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import get_object_or_404, render

from xizang5g.core import access, selectors
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
            "entries": entries[:500],
        },
    )


@login_required
def import_job(request, pk: int):
    """A background import: its progress bar (polled by HTMX while it runs), then its outcome."""
    job = access.get_or_404(ImportJob.objects.all(), request.user, pk=pk)
    template = "core/_import_progress.html" if request.htmx else "core/import_job.html"
    return render(request, template, {"job": job})
