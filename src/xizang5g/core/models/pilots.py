from django.db import models
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import REGION_READERS, AccessRule
from xizang5g.core.models.base import ChangeLoggedModel


class Pilot(ChangeLoggedModel):
    """试点项目 as the systems see it: the identity that devices, information systems, learners and
    patients of a pilot point to, without knowing plan supervision. Plan supervision keeps the
    project itself (plan.Project, one to one, same id) and this row in step with it; the systems
    below plan read and reference only this.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    lead_unit = models.ForeignKey(
        "core.Unit", verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    # Units that read the pilot besides the lead: participating units and the operator.
    units = models.ManyToManyField(
        "core.Unit", verbose_name=_("other units"), related_name="pilots", blank=True
    )
    industry_code = models.SlugField(_("industry"), max_length=64, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    # The same rule as the project it stands for.
    access = AccessRule(read=REGION_READERS, units=("lead_unit",), read_units=("units",))

    class Meta:
        ordering = ["code"]
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")

    def __str__(self) -> str:
        return self.name
