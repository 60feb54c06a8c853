from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    OPERATOR = "operator", _("Telecom operator")
    UNIVERSITY = "university", _("University or research institute")
    INVESTOR = "investor", _("Investor")
    PARK = "park", _("Park")


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", pgettext_lazy("ecosystem", "Approved")
    REJECTED = "rejected", _("Rejected")


class PostStatus(models.TextChoices):
    """The life of a demand or a solution: the plan office publishes what is submitted."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed")


class Maturity(models.TextChoices):
    CONCEPT = "concept", _("Concept")
    PROTOTYPE = "prototype", _("Prototype")
    PILOT = "pilot", _("Piloted")
    COMMERCIAL = "commercial", _("Commercially deployed")


class Side(models.TextChoices):
    DEMAND = "demand", _("Demand side")
    SOLUTION = "solution", _("Solution side")


class IntentStatus(models.TextChoices):
    OPEN = "open", _("Awaiting answer")
    ACCEPTED = "accepted", pgettext_lazy("ecosystem", "Accepted")
    DECLINED = "declined", _("Declined")
    STARTED = "started", _("Project started")


class IntentAction(models.TextChoices):
    """Entries of an intent's timeline."""

    EXPRESSED = "expressed", _("Intent expressed")
    ACCEPTED = "accepted", pgettext_lazy("ecosystem", "Accepted")
    DECLINED = "declined", _("Declined")
    NOTE = "note", _("Note")
    STARTED = "started", _("Project started")


class EventKind(models.TextChoices):
    ROADSHOW = "roadshow", _("Roadshow")
    COMPETITION = "competition", _("Competition")
    FORUM = "forum", _("Forum")
    TRAINING = "training", _("Training")
