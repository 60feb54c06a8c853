from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import EVERYONE, AccessManager, AccessRule
from xizang5g.core.choices import DivisionLevel


class AdminDivision(models.Model):
    """地市 / 县区: a prefecture- or county-level division of Xizang; its simplified WGS84 outline is
    its `shape` (kept apart: tens of kilobytes that lists joining a division must not load).

    Reference data loaded from the shipped GeoJSON (not edited in the application, so not change-logged).
    """

    adcode = models.PositiveIntegerField(_("adcode"), unique=True)
    level = models.CharField(_("level"), max_length=16, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    name_zh = models.CharField(_("Chinese name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    name_bo = models.CharField(_("Tibetan name"), max_length=128, blank=True)
    seat_lon = models.FloatField(_("seat longitude"))
    seat_lat = models.FloatField(_("seat latitude"))

    objects = AccessManager()
    access = AccessRule(read=EVERYONE)

    class Meta:
        ordering = ["adcode"]
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        language = (get_language() or "zh-hans").lower()
        if language.startswith("en") and self.name_en:
            return self.name_en
        if language.startswith("bo") and self.name_bo:
            return self.name_bo
        return self.name_zh

    @property
    def prefecture(self) -> "AdminDivision":
        return self.parent if self.level == DivisionLevel.COUNTY and self.parent else self


class DivisionShape(models.Model):
    """The outline of a division (GeoJSON geometry, WGS84), for maps and point-in-county lookups."""

    division = models.OneToOneField(
        AdminDivision,
        verbose_name=_("division"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="shape",
    )
    geometry = models.JSONField(_("geometry (GeoJSON, WGS84)"))

    objects = AccessManager()
    access = AccessRule(read=EVERYONE)

    class Meta:
        verbose_name = _("division outline")
        verbose_name_plural = _("division outlines")

    def __str__(self) -> str:
        return str(self.division)
