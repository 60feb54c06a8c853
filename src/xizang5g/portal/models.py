"""The portal's own records: news and notices with their attachments, and the public's EMF
measurement requests."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import PLAN_OFFICE, AccessRule
from xizang5g.core.choices import Role
from xizang5g.core.fields import EncryptedTextField
from xizang5g.core.files import RandomName
from xizang5g.core.models.base import ChangeLoggedModel
from xizang5g.portal.choices import NewsKind, NewsStatus, RequestStatus


class NewsItem(ChangeLoggedModel):
    """政策文件, 通知, 新闻: written and published by the plan office. The body is plain text
    (paragraphs by blank lines), never HTML: the portal escapes it on display."""

    kind = models.CharField(_("kind"), max_length=16, choices=NewsKind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=400, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=NewsStatus.choices,
        default=NewsStatus.DRAFT,
        db_index=True,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    # The plan office writes, publishes and reads drafts (the manage pages). The
    # public sees only what is published, through portal.selectors (public_news_*).
    access = AccessRule(read=PLAN_OFFICE, write=PLAN_OFFICE)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("news item")
        verbose_name_plural = _("news items")

    def __str__(self) -> str:
        return self.title


class NewsAttachment(ChangeLoggedModel):
    """A file attached to a news item (the policy document itself, a notice's form)."""

    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=RandomName("news"))
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    access = AccessRule(via="item")

    class Meta:
        ordering = ["item", "id"]
        verbose_name = _("news attachment")
        verbose_name_plural = _("news attachments")

    def __str__(self) -> str:
        return self.filename


class MeasurementRequest(ChangeLoggedModel):
    """A resident's request for an EMF measurement (电磁辐射监测申请), sent from the portal
    without logging in and handled by the radio regulator. Name and contact are personal
    information: encrypted at rest and left out of the change log."""

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    name = EncryptedTextField(_("name"))
    contact = EncryptedTextField(_("phone or email"))
    county = models.ForeignKey(
        "core.AdminDivision",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "county"},
    )
    location = models.CharField(_("address or location"), max_length=300)
    concern = models.TextField(_("concern"), max_length=2000)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RequestStatus.choices,
        default=RequestStatus.NEW,
        db_index=True,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    changelog_exclude = ("created_at", "updated_at", "name", "contact")

    # The radio regulator (无线电管理, Communications Administration) handles every request.
    access = AccessRule(read={Role.REGULATOR}, write={Role.REGULATOR})

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("EMF measurement request")
        verbose_name_plural = _("EMF measurement requests")

    def __str__(self) -> str:
        return self.reference
