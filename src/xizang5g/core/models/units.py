from django.db import models
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import EVERYONE, AccessRule
from xizang5g.core.choices import UnitKind
from xizang5g.core.models.base import ChangeLoggedModel


class Unit(ChangeLoggedModel):
    """A responsible unit (责任单位): department, operator, government, park, enterprise, institution."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    division = models.ForeignKey(
        "core.AdminDivision",
        verbose_name=_("administrative division"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
    )
    is_active = models.BooleanField(_("active"), default=True)

    # The list of responsible units is known to every user; only the plan office changes it.
    access = AccessRule(read=EVERYONE)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name
