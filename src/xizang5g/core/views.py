from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from xizang5g.core import selectors
from xizang5g.core.models import ImportJob
from xizang5g.core.models.base import ChangeLoggedModel


@login_required
def object_history(request, content_type_id: int, object_id: str):
    """The change history of any change-logged object (also of deleted ones)."""
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    if model is None or not issubclass(model, ChangeLoggedModel):
        raise Http404
    obj = model._base_manager.filter(pk=object_id).first()
    visible = getattr(model, "user_can_view", None)
    if obj is not None and visible is not None and not visible(obj, request.user):
        raise PermissionDenied
    entries = selectors.change_history_for(content_type=content_type, object_id=object_id)
    return render(
        request,
        "core/history.html",
        {"obj": obj, "model_name": model._meta.verbose_name, "entries": entries[:500]},
    )


@login_required
def import_job(request, pk: int):
    """A background import: its progress bar (polled by HTMX while it runs), then its outcome."""
    job = get_object_or_404(ImportJob, pk=pk)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    template = "core/_import_progress.html" if request.htmx else "core/import_job.html"
    return render(request, template, {"job": job})
