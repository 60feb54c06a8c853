from django.db import models
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import AccessManager


class ChangeLoggedModel(models.Model):
    """Base of every domain model: each create/update/delete lands in the change log.

    The recording itself happens in `xizang5g.core.audit` (model signals), so admin edits,
    services, imports and shell sessions are all covered. Bulk queryset operations bypass
    signals; services must not use them on change-logged models.
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AccessManager()

    # Fields that change on every save and would only add noise to the log.
    changelog_exclude: tuple[str, ...] = ("created_at", "updated_at")

    class Meta:
        abstract = True
