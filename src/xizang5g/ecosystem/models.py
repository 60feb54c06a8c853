"""Models of the application ecosystem: organisations, demands, solutions, intents, events."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xizang5g.core.access import EVERYONE, REGION_READERS, AccessRule
from xizang5g.core.fields import EncryptedTextField
from xizang5g.core.models.base import ChangeLoggedModel
from xizang5g.ecosystem import constants as C
from xizang5g.ecosystem.choices import (
    EventKind,
    IntentAction,
    IntentStatus,
    Maturity,
    OrganisationKind,
    OrganisationStatus,
    PostStatus,
    Side,
)

VISIBLE_POSTS = (PostStatus.PUBLISHED, PostStatus.CLOSED)


class Organisation(ChangeLoggedModel):
    """机构: a member of the ecosystem. It signs up itself; once the plan office approves it, it
    gets (or is linked to) a `core.Unit`, and its members are unit editors of that unit, so the
    platform's one access rule scopes its demands, solutions and intents."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    prefecture = models.ForeignKey(
        "core.AdminDivision",
        verbose_name=_("prefecture"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "prefecture"},
    )
    introduction = models.TextField(_("introduction"), blank=True, max_length=2000)
    # Personal information of the contact person: SM4-encrypted at rest, left out of the log.
    contact_name = EncryptedTextField(_("contact person"), max_length=100)
    email = models.EmailField(_("email"))
    phone = EncryptedTextField(_("phone"), max_length=32)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=OrganisationStatus.choices,
        default=OrganisationStatus.PENDING,
    )
    reject_reason = models.TextField(_("reason for rejection"), blank=True, max_length=1000)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    applicant = models.ForeignKey(
        "core.User",
        verbose_name=_("applicant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.OneToOneField(
        "core.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisation",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    changelog_exclude = ("created_at", "updated_at", "contact_name", "phone")

    # Approved organisations are known to every logged-in user (the directory); an organisation's
    # own members and the applicant read and change it; the plan office reviews.
    access = AccessRule(
        read=REGION_READERS,
        units=("unit",),
        owners=("applicant",),
        shared=Q(status=OrganisationStatus.APPROVED),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.status == OrganisationStatus.APPROVED


class Post(ChangeLoggedModel):
    """What demands and solutions share: a tagged text an organisation posts, moderated by the
    plan office (draft → submitted → published or rejected → closed)."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    status = models.CharField(
        _("status"), max_length=16, choices=PostStatus.choices, default=PostStatus.DRAFT
    )
    reject_reason = models.TextField(_("reason for rejection"), blank=True, max_length=1000)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    industries = models.ManyToManyField(
        "plan.Industry", verbose_name=_("industries"), related_name="+"
    )
    scenarios = models.ManyToManyField(
        "plan.Scenario", verbose_name=_("scenarios"), related_name="+", blank=True
    )

    class Meta:
        abstract = True
        ordering = ["-published_at", "-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == PostStatus.PUBLISHED

    @property
    def editable(self) -> bool:
        return self.status in (PostStatus.DRAFT, PostStatus.REJECTED)


class Demand(Post):
    """需求: what an organisation needs 5G for."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="demands",
    )
    prefectures = models.ManyToManyField(
        "core.AdminDivision",
        verbose_name=_("prefectures"),
        related_name="+",
        blank=True,
        limit_choices_to={"level": "prefecture"},
    )
    budget_min_wan = models.DecimalField(
        _("budget from (10,000 yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(C.BUDGET_MAX_WAN)],
    )
    budget_max_wan = models.DecimalField(
        _("budget up to (10,000 yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(C.BUDGET_MAX_WAN)],
    )
    wanted_by = models.DateField(_("wanted by"), null=True, blank=True)

    # Published (and closed) demands are read by every logged-in user; the organisation's members
    # read and change theirs; the plan office moderates.
    access = AccessRule(
        read=REGION_READERS,
        units=("organisation__unit",),
        shared=Q(status__in=VISIBLE_POSTS),
    )

    class Meta(Post.Meta):
        verbose_name = _("demand")
        verbose_name_plural = _("demands")

    def clean(self):
        if (
            self.budget_min_wan is not None
            and self.budget_max_wan is not None
            and self.budget_min_wan > self.budget_max_wan
        ):
            raise ValidationError(
                {"budget_max_wan": _("The upper budget must not be below the lower one.")}
            )


class Solution(Post):
    """解决方案: what an organisation offers."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="solutions",
    )
    prefectures = models.ManyToManyField(
        "core.AdminDivision",
        verbose_name=_("prefectures served"),
        related_name="+",
        blank=True,
        limit_choices_to={"level": "prefecture"},
    )
    maturity = models.CharField(_("maturity"), max_length=16, choices=Maturity.choices)
    price_from_wan = models.DecimalField(
        _("price from (10,000 yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(C.BUDGET_MAX_WAN)],
    )
    references = models.TextField(_("reference deployments"), blank=True, max_length=2000)
    is_public = models.BooleanField(
        _("show on the public site"),
        default=False,
        help_text=_("Once published, anyone may read it on the public site without logging in."),
    )

    access = AccessRule(
        read=REGION_READERS,
        units=("organisation__unit",),
        shared=Q(status__in=VISIBLE_POSTS),
    )

    class Meta(Post.Meta):
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")


class Intent(ChangeLoggedModel):
    """意向: one side of a suggested match asks the other to talk; the other accepts or declines;
    an accepted intent may become a project (optionally a plan pilot)."""

    demand = models.ForeignKey(
        Demand, verbose_name=_("demand"), on_delete=models.CASCADE, related_name="intents"
    )
    solution = models.ForeignKey(
        Solution, verbose_name=_("solution"), on_delete=models.CASCADE, related_name="intents"
    )
    initiator = models.CharField(_("initiated by"), max_length=16, choices=Side.choices)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    score = models.FloatField(_("match score"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=IntentStatus.choices, default=IntentStatus.OPEN
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    started_at = models.DateTimeField(_("project started at"), null=True, blank=True)
    pilot = models.ForeignKey(
        "core.Pilot",
        verbose_name=_("pilot project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Both organisations read and write (notes); who may answer is the service's check.
    access = AccessRule(
        read=REGION_READERS,
        units=("demand__organisation__unit", "solution__organisation__unit"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("intent")
        verbose_name_plural = _("intents")
        constraints = [
            models.UniqueConstraint(fields=["demand", "solution"], name="ecosystem_intent_once")
        ]

    def __str__(self) -> str:
        return f"{self.demand} ↔ {self.solution}"

    def side_of(self, unit_id) -> str | None:
        if unit_id is not None and self.demand.organisation.unit_id == unit_id:
            return Side.DEMAND
        if unit_id is not None and self.solution.organisation.unit_id == unit_id:
            return Side.SOLUTION
        return None


class IntentEvent(ChangeLoggedModel):
    """One entry of an intent's timeline: the step (a code, shown in the reader's language) and
    what the person wrote."""

    intent = models.ForeignKey(
        Intent, verbose_name=_("intent"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=16, choices=IntentAction.choices)
    author = models.ForeignKey(
        "core.User",
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    side = models.CharField(_("side"), max_length=16, choices=Side.choices, blank=True)
    text = models.TextField(_("text"), max_length=2000, blank=True)

    access = AccessRule(via="intent")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("intent timeline entry")
        verbose_name_plural = _("intent timeline entries")

    def __str__(self) -> str:
        return f"{self.intent_id}: {self.action}"


class Event(ChangeLoggedModel):
    """活动: a roadshow, a competition (绽放杯 …), a forum; the plan office runs them."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    prefecture = models.ForeignKey(
        "core.AdminDivision",
        verbose_name=_("prefecture"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"level": "prefecture"},
    )
    description = models.TextField(_("description"), max_length=5000, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity (seats)"), validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    is_published = models.BooleanField(_("published"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    # Every logged-in user reads events; the plan office runs them (the public list shows the
    # published ones to everyone through its own selector).
    access = AccessRule(read=EVERYONE)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = pgettext_lazy("ecosystem", "event")
        verbose_name_plural = pgettext_lazy("ecosystem", "events")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("An event cannot end before it starts.")})


class Registration(ChangeLoggedModel):
    """An organisation's registration for an event (one per organisation, seats counted)."""

    event = models.ForeignKey(
        Event,
        verbose_name=pgettext_lazy("ecosystem", "event"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    attendees = models.PositiveSmallIntegerField(
        _("attendees"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(C.ATTENDEES_MAX)],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    access = AccessRule(read=REGION_READERS, units=("organisation__unit",))

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "organisation"], name="ecosystem_registration_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.event}"
