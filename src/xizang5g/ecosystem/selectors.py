"""Reads of the ecosystem, always from what the user may see (core's access rule)."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from xizang5g.core import access
from xizang5g.ecosystem import matching
from xizang5g.ecosystem.choices import IntentStatus, OrganisationStatus, PostStatus
from xizang5g.ecosystem.models import (
    VISIBLE_POSTS,
    Demand,
    Event,
    Intent,
    Organisation,
    Registration,
    Solution,
)
from xizang5g.ecosystem.services import organisation_of

TAG_PREFETCH = ("industries", "scenarios", "prefectures")


# --- organisations ------------------------------------------------------------------------------
def organisation_list(*, user, filters: dict | None = None):
    qs = Organisation.objects.restrict(user).select_related("prefecture", "unit")
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    return qs


def organisation_get(*, user, pk: int, action: str = access.VIEW) -> Organisation:
    return access.get_or_404(Organisation.objects.select_related("prefecture"), user, action, pk=pk)


# --- demands and solutions ----------------------------------------------------------------------
def _posts(model, *, user, filters: dict | None):
    qs = model.objects.restrict(user).select_related("organisation").prefetch_related(*TAG_PREFETCH)
    filters = filters or {}
    if filters.get("mine"):
        org = organisation_of(user)
        qs = qs.filter(organisation=org) if org else qs.none()
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("industry"):
        qs = qs.filter(industries__code=filters["industry"])
    if filters.get("scenario"):
        qs = qs.filter(scenarios__code=filters["scenario"])
    if filters.get("prefecture"):
        qs = qs.filter(prefectures__adcode=filters["prefecture"])
    if filters.get("q"):
        qs = qs.filter(Q(title__icontains=filters["q"]) | Q(description__icontains=filters["q"]))
    return qs.distinct()


def demand_list(*, user, filters: dict | None = None):
    return _posts(Demand, user=user, filters=filters)


def solution_list(*, user, filters: dict | None = None):
    return _posts(Solution, user=user, filters=filters)


def demand_get(*, user, pk: int, action: str = access.VIEW) -> Demand:
    return access.get_or_404(Demand.objects.select_related("organisation"), user, action, pk=pk)


def solution_get(*, user, pk: int, action: str = access.VIEW) -> Solution:
    return access.get_or_404(Solution.objects.select_related("organisation"), user, action, pk=pk)


def public_solutions():
    """Published solutions their organisations chose to show on the public site (no login)."""
    return (
        Solution.objects.filter(status=PostStatus.PUBLISHED, is_public=True)
        .select_related("organisation")
        .prefetch_related(*TAG_PREFETCH)
        .order_by("-published_at")
    )


def moderation_queue(*, user) -> dict:
    """What waits for the plan office: applications, submitted demands and solutions."""
    return {
        "organisations": organisation_list(user=user).filter(status=OrganisationStatus.PENDING)
        if access.sees_all(user, Organisation, access.APPROVE)
        else Organisation.objects.none(),
        "demands": Demand.objects.restrict(user, access.APPROVE)
        .filter(status=PostStatus.SUBMITTED)
        .select_related("organisation")
        .prefetch_related(*TAG_PREFETCH),
        "solutions": Solution.objects.restrict(user, access.APPROVE)
        .filter(status=PostStatus.SUBMITTED)
        .select_related("organisation")
        .prefetch_related(*TAG_PREFETCH),
    }


# --- matchmaking --------------------------------------------------------------------------------
def _suggest(subject, candidate_model, *, user):
    candidates = (
        candidate_model.objects.restrict(user)
        .filter(status=PostStatus.PUBLISHED)
        .exclude(organisation_id=subject.organisation_id)
        .select_related("organisation")
        .prefetch_related(*TAG_PREFETCH)
    )
    # Inverse document frequencies over every published post the user may read.
    corpus = [
        *Demand.objects.restrict(user)
        .filter(status__in=VISIBLE_POSTS)
        .only("title", "description"),
        *Solution.objects.restrict(user)
        .filter(status__in=VISIBLE_POSTS)
        .only("title", "description"),
    ]
    return matching.rank(subject, candidates, corpus=corpus)


def suggestions_for_demand(*, user, demand: Demand) -> list[matching.Suggestion]:
    """Solutions for a demand the user may read (its own organisation's are left out)."""
    return _suggest(demand, Solution, user=user)


def suggestions_for_solution(*, user, solution: Solution) -> list[matching.Suggestion]:
    return _suggest(solution, Demand, user=user)


# --- intents ------------------------------------------------------------------------------------
def intent_list(*, user, filters: dict | None = None):
    qs = Intent.objects.restrict(user).select_related(
        "demand__organisation", "solution__organisation", "pilot"
    )
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("demand"):
        qs = qs.filter(demand_id=filters["demand"])
    if filters.get("solution"):
        qs = qs.filter(solution_id=filters["solution"])
    return qs


def intent_get(*, user, pk: int, action: str = access.VIEW) -> Intent:
    return access.get_or_404(
        Intent.objects.select_related("demand__organisation", "solution__organisation", "pilot"),
        user,
        action,
        pk=pk,
    )


# --- events -------------------------------------------------------------------------------------
def event_list(*, user, upcoming: bool = False):
    qs = Event.objects.restrict(user).annotate(seats=Coalesce(Sum("registrations__attendees"), 0))
    if not access.sees_all(user, Event, access.CHANGE):
        qs = qs.filter(is_published=True)
    if upcoming:
        qs = qs.filter(starts_at__gte=timezone.now())
    return qs.select_related("prefecture")


def public_events(*, upcoming: bool = True):
    """Published events for the public site (no login)."""
    qs = Event.objects.filter(is_published=True).annotate(
        seats=Coalesce(Sum("registrations__attendees"), 0)
    )
    if upcoming:
        qs = qs.filter(starts_at__gte=timezone.now())
    return qs.select_related("prefecture").order_by("starts_at")


def event_get(*, user, pk: int, action: str = access.VIEW) -> Event:
    event = access.get_or_404(Event.objects.select_related("prefecture"), user, action, pk=pk)
    return event


def registration_list(*, user, event: Event):
    return Registration.objects.restrict(user).filter(event=event).select_related("organisation")


# --- statistics ---------------------------------------------------------------------------------
def statistics(*, user=None, public: bool = False) -> dict:
    """The ecosystem's figures: organisations by kind, published demands and solutions by
    industry, intents, matches made (accepted or started) and projects started. Counts, not
    contents: the public site shows them too."""
    orgs = Organisation.objects.filter(status=OrganisationStatus.APPROVED)
    by_kind = dict(orgs.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    demands = Demand.objects.filter(status__in=VISIBLE_POSTS)
    solutions = Solution.objects.filter(status__in=VISIBLE_POSTS)
    industries: dict[str, dict] = {}
    for label, qs in (("demands", demands), ("solutions", solutions)):
        rows = qs.values("industries__code", "industries__name").annotate(
            n=Count("pk", distinct=True)
        )
        for row in rows:
            if row["industries__code"] is None:
                continue
            entry = industries.setdefault(
                row["industries__code"],
                {
                    "code": row["industries__code"],
                    "name": row["industries__name"],
                    "demands": 0,
                    "solutions": 0,
                },
            )
            entry[label] = row["n"]
    intents = Intent.objects.all()
    by_status = dict(
        intents.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {
        "organisations": sum(by_kind.values()),
        "organisations_by_kind": by_kind,
        "pending": Organisation.objects.filter(status=OrganisationStatus.PENDING).count(),
        "demands": demands.count(),
        "solutions": solutions.count(),
        "by_industry": sorted(industries.values(), key=lambda e: -(e["demands"] + e["solutions"])),
        "intents": sum(by_status.values()),
        "intents_by_status": by_status,
        "matches": by_status.get(IntentStatus.ACCEPTED, 0) + by_status.get(IntentStatus.STARTED, 0),
        "projects_started": by_status.get(IntentStatus.STARTED, 0),
    }
