"""Education: schools and classes, LRS credentials, and the learning record store's data.

The LRS keeps every xAPI statement whole (``payload``, JSON as stored) beside the columns its
queries filter on; the agents and activities a statement mentions are listed in
:class:`StatementIndex` for the ``agent``/``activity`` filters (and their ``related_*`` forms).
On PostgreSQL the statements table is partitioned by month of ``stored``
(``xizang5g.core.partitions``, migration 0002).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xizang5g.core.access import REGION_READERS, AccessManager, AccessRule
from xizang5g.core.choices import Role
from xizang5g.core.files import RandomName
from xizang5g.core.models import ChangeLoggedModel


class School(ChangeLoggedModel):
    """A school (学校) sending learning records; its staff are the editors of its unit."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        "core.AdminDivision",
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    altitude_m = models.PositiveIntegerField(_("altitude (m)"), null=True, blank=True)
    pilot = models.ForeignKey(
        "core.Pilot",
        verbose_name=_("pilot project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    access = AccessRule(read=REGION_READERS, units=("unit",))

    class Meta:
        ordering = ["code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self) -> str:
        return self.name


class SchoolClass(ChangeLoggedModel):
    """A class (班级) of a school."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="classes"
    )
    name = models.CharField(_("name"), max_length=100)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)

    access = AccessRule(via="school")

    class Meta:
        ordering = ["school", "name"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="edu_class_once_per_school")
        ]

    def __str__(self) -> str:
        return self.name


class LrsCredential(ChangeLoggedModel):
    """A Basic-auth key and secret of the LRS, for one school (reads and writes only its own
    statements) or, without a school, for the education department (reads all)."""

    name = models.CharField(_("name"), max_length=200)
    key = models.CharField(_("key"), max_length=64, unique=True)
    secret_hash = models.CharField(_("secret hash"), max_length=200)
    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="credentials",
    )
    active = models.BooleanField(_("active"), default=True)

    access = AccessRule(read={Role.VIEWER: Q()}, units=("school__unit",))

    class Meta:
        ordering = ["name"]
        verbose_name = _("LRS credential")
        verbose_name_plural = _("LRS credentials")

    def __str__(self) -> str:
        return self.name


class Statement(models.Model):
    """One xAPI statement as stored (machine-written, high volume: not change-logged)."""

    id = models.BigAutoField(primary_key=True)
    statement_id = models.UUIDField(_("statement id"), db_index=True)
    stored = models.DateTimeField(_("stored"))
    timestamp = models.DateTimeField(_("timestamp"))
    verb = models.CharField(_("verb"), max_length=512)
    actor = models.CharField(_("actor"), max_length=512)
    activity = models.CharField(_("activity"), max_length=512, blank=True)
    registration = models.UUIDField(_("registration"), null=True, blank=True)
    voided = models.BooleanField(_("voided"), default=False)
    voids = models.UUIDField(_("voids"), null=True, blank=True)
    refs = models.UUIDField(_("statement referenced"), null=True, blank=True)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    credential = models.ForeignKey(
        LrsCredential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(_("statement"))
    attachment_hashes = models.JSONField(default=list, blank=True)

    objects = AccessManager()
    access = AccessRule(read=REGION_READERS, units=("school__unit",))

    class Meta:
        ordering = ["stored", "id"]
        # The queries filter on a column and read the newest first (ORDER BY stored DESC, id
        # DESC LIMIT n): the actor's indexes are in that order, so that a learner's page reads
        # n index entries whatever the learner's history. Registration and refs are indexed
        # only where set (most statements have neither: they pay nothing for them).
        indexes = [
            models.Index(fields=["actor", "verb", "-stored", "-id"], name="edu_stmt_actor_verb_t"),
            models.Index(fields=["actor", "-stored", "-id"], name="edu_stmt_actor_t"),
            models.Index(fields=["verb", "stored"], name="edu_stmt_verb"),
            models.Index(fields=["activity", "stored"], name="edu_stmt_activity"),
            models.Index(
                fields=["registration", "stored"],
                name="edu_stmt_registration_set",
                condition=Q(registration__isnull=False),
            ),
            models.Index(fields=["school", "stored"], name="edu_stmt_school"),
            models.Index(fields=["stored"], name="edu_stmt_stored"),
            models.Index(
                fields=["refs"], name="edu_stmt_refs_set", condition=Q(refs__isnull=False)
            ),
        ]


class StatementIndex(models.Model):
    """An agent or activity a statement mentions (kind "agent"/"activity"); ``direct`` marks the
    ones the plain ``agent``/``activity`` filters match (actor/object), the others only match
    ``related_agents``/``related_activities``. Machine-written, not change-logged."""

    statement_id = models.UUIDField()
    kind = models.CharField(max_length=8)
    value = models.CharField(max_length=512)
    direct = models.BooleanField(default=False)

    objects = AccessManager()
    access = AccessRule(read=REGION_READERS)

    class Meta:
        indexes = [models.Index(fields=["kind", "value", "statement_id"], name="edu_idx_value")]


class Document(models.Model):
    """A document of the state, activity-profile or agent-profile resource."""

    kind = models.CharField(max_length=16)  # state, activity_profile, agent_profile
    activity_id = models.CharField(max_length=512, blank=True)
    agent = models.CharField(max_length=512, blank=True)
    registration = models.CharField(max_length=64, blank=True)
    doc_id = models.CharField(max_length=512)
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()
    etag = models.CharField(max_length=64)
    updated = models.DateTimeField()
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    objects = AccessManager()
    access = AccessRule(read=REGION_READERS, units=("school__unit",))

    class Meta:
        indexes = [
            models.Index(
                fields=["kind", "activity_id", "agent", "registration", "doc_id"],
                name="edu_doc_key",
            )
        ]


class Attachment(models.Model):
    """An attachment's raw data, once per SHA-256, in the private file store."""

    sha2 = models.CharField(max_length=64, unique=True)
    content_type = models.CharField(max_length=255)
    length = models.PositiveBigIntegerField()
    file = models.FileField(upload_to=RandomName("edu/attachments"))

    objects = AccessManager()
    access = AccessRule(read=REGION_READERS)


class ActivityDefinition(models.Model):
    """The canonical definition of an activity, as last sent in a statement (activities resource)."""

    activity_id = models.CharField(max_length=512, unique=True)
    definition = models.JSONField(default=dict)

    objects = AccessManager()
    access = AccessRule(read=REGION_READERS)
