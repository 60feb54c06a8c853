"""Ecosystem API (/api/v1/ecosystem/): demands, solutions, suggestions with scores and reasons,
intents. Reads through selectors (the access rule), writes through services."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from xizang5g.core.api_style import ApiInput, ApiPagination, page_schema, paginate, responses
from xizang5g.core.models import AdminDivision
from xizang5g.ecosystem import constants as C
from xizang5g.ecosystem import selectors, services
from xizang5g.ecosystem.choices import IntentStatus, Maturity, PostStatus
from xizang5g.plan.models import Industry, Scenario

router = Router(tags=["ecosystem"])

Code = Field(..., min_length=1, max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")
Money = Field(None, ge=0, le=C.BUDGET_MAX_WAN, max_digits=12, decimal_places=2)


class EcosystemTagsIn(ApiInput):
    industries: list[str] = Field(..., min_length=1, max_length=20, description="industry codes")
    scenarios: list[str] = Field(default_factory=list, max_length=50, description="scenario codes")
    prefectures: list[int] = Field(
        default_factory=list, max_length=7, description="prefecture adcodes (none: region-wide)"
    )


class EcosystemDemandIn(EcosystemTagsIn):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=5000)
    budget_min_wan: Decimal | None = Money
    budget_max_wan: Decimal | None = Money
    wanted_by: date | None = None
    submit: bool = Field(False, description="hand it to the plan office for publication at once")


class EcosystemSolutionIn(EcosystemTagsIn):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=5000)
    maturity: Maturity
    price_from_wan: Decimal | None = Money
    references: str = Field("", max_length=2000)
    is_public: bool = False
    submit: bool = False


class EcosystemTagOut(Schema):
    code: str
    name: str


class EcosystemPostOut(Schema):
    id: int
    title: str
    description: str
    status: str
    organisation: str
    industries: list[EcosystemTagOut]
    scenarios: list[EcosystemTagOut]
    prefectures: list[int]
    published_at: datetime | None
    reject_reason: str


class EcosystemDemandOut(EcosystemPostOut):
    budget_min_wan: Decimal | None
    budget_max_wan: Decimal | None
    wanted_by: date | None


class EcosystemSolutionOut(EcosystemPostOut):
    maturity: str
    price_from_wan: Decimal | None
    is_public: bool


class EcosystemReasonsOut(Schema):
    industries: list[str]
    scenarios: list[str]
    prefectures: list[str]
    keywords: list[str] = Field(description="shared jieba tokens, most relevant first")


class EcosystemSuggestionOut(Schema):
    id: int = Field(description="id of the suggested demand or solution")
    title: str
    organisation: str
    score: float = Field(description="0–100: weighted tag overlap and text similarity")
    parts: dict[str, float] = Field(description="industry, scenario, prefecture, text (0–1)")
    reasons: EcosystemReasonsOut


class EcosystemPostFilters(ApiPagination):
    status: PostStatus | None = None
    industry: str | None = Field(None, max_length=64)
    prefecture: int | None = Field(None, ge=0, le=999999)
    q: str | None = Field(None, max_length=100)
    mine: bool = False


class EcosystemIntentIn(ApiInput):
    demand_id: int = Field(..., ge=1)
    solution_id: int = Field(..., ge=1)
    message: str = Field("", max_length=2000)


class EcosystemIntentAnswerIn(ApiInput):
    accept: bool
    text: str = Field("", max_length=2000)


class EcosystemIntentNoteIn(ApiInput):
    text: str = Field(..., min_length=1, max_length=2000)


class EcosystemIntentOut(Schema):
    id: int
    demand_id: int
    solution_id: int
    initiator: str
    status: str
    score: float
    message: str
    created_at: datetime
    answered_at: datetime | None
    started_at: datetime | None
    pilot_id: int | None


class EcosystemIntentFilters(ApiPagination):
    status: IntentStatus | None = None


EcosystemDemandPage = page_schema("EcosystemDemandPage", EcosystemDemandOut)
EcosystemSolutionPage = page_schema("EcosystemSolutionPage", EcosystemSolutionOut)
EcosystemIntentPage = page_schema("EcosystemIntentPage", EcosystemIntentOut)


def _post_out(post) -> dict:
    out = {
        "id": post.pk,
        "title": post.title,
        "description": post.description,
        "status": post.status,
        "organisation": post.organisation.name,
        "industries": [{"code": i.code, "name": i.name} for i in post.industries.all()],
        "scenarios": [{"code": s.code, "name": s.name} for s in post.scenarios.all()],
        "prefectures": [p.adcode for p in post.prefectures.all()],
        "published_at": post.published_at,
        "reject_reason": post.reject_reason,
    }
    for name in (
        "budget_min_wan",
        "budget_max_wan",
        "wanted_by",
        "maturity",
        "price_from_wan",
        "is_public",
    ):
        if hasattr(post, name):
            out[name] = getattr(post, name)
    return out


def _suggestion_out(s) -> dict:
    return {
        "id": s.post.pk,
        "title": s.post.title,
        "organisation": s.post.organisation.name,
        "score": s.score,
        "parts": s.parts,
        "reasons": {
            "industries": [i.name for i in s.industries],
            "scenarios": [x.name for x in s.scenarios],
            "prefectures": [p.name_zh for p in s.prefectures],
            "keywords": s.keywords,
        },
    }


def _tags(payload: EcosystemTagsIn) -> dict:
    industries = list(Industry.objects.filter(code__in=payload.industries))
    missing = sorted(set(payload.industries) - {i.code for i in industries})
    if missing:
        raise ValidationError(
            {"industries": _("Unknown industries: %(c)s.") % {"c": ", ".join(missing)}}
        )
    scenarios = list(Scenario.objects.filter(code__in=payload.scenarios))
    missing = sorted(set(payload.scenarios) - {s.code for s in scenarios})
    if missing:
        raise ValidationError(
            {"scenarios": _("Unknown scenarios: %(c)s.") % {"c": ", ".join(missing)}}
        )
    prefectures = list(
        AdminDivision.objects.filter(adcode__in=payload.prefectures, level="prefecture")
    )
    missing = sorted(set(payload.prefectures) - {p.adcode for p in prefectures})
    if missing:
        raise ValidationError(
            {
                "prefectures": _("Not prefecture adcodes: %(c)s.")
                % {"c": ", ".join(map(str, missing))}
            }
        )
    return {"industries": industries, "scenarios": scenarios, "prefectures": prefectures}


def _filters(f: EcosystemPostFilters) -> dict:
    return {
        "status": f.status,
        "industry": f.industry,
        "prefecture": f.prefecture,
        "q": f.q,
        "mine": f.mine,
    }


@router.get("/demands", response=responses({200: EcosystemDemandPage}), summary="Demands")
def demand_list(request, filters: Query[EcosystemPostFilters]):
    return paginate(
        selectors.demand_list(user=request.user, filters=_filters(filters)), filters, _post_out
    )


@router.post(
    "/demands",
    response=responses({201: EcosystemDemandOut}),
    summary="Post a demand (draft, or submitted)",
)
def demand_create(request, payload: EcosystemDemandIn):
    values = payload.dict(exclude={"industries", "scenarios", "prefectures", "submit"})
    demand = services.demand_create(user=request.user, values=values, tags=_tags(payload))
    if payload.submit:
        services.post_submit(post=demand, user=request.user)
    return Status(201, _post_out(demand))


@router.get(
    "/demands/{demand_id}", response=responses({200: EcosystemDemandOut}), summary="One demand"
)
def demand_get(request, demand_id: int):
    return _post_out(selectors.demand_get(user=request.user, pk=demand_id))


@router.get(
    "/demands/{demand_id}/suggestions",
    response=responses({200: list[EcosystemSuggestionOut]}),
    summary="Solutions suggested for a demand, with score and reasons",
)
def demand_suggestions_get(request, demand_id: int):
    demand = selectors.demand_get(user=request.user, pk=demand_id)
    return [
        _suggestion_out(s)
        for s in selectors.suggestions_for_demand(user=request.user, demand=demand)
    ]


@router.get("/solutions", response=responses({200: EcosystemSolutionPage}), summary="Solutions")
def solution_list(request, filters: Query[EcosystemPostFilters]):
    return paginate(
        selectors.solution_list(user=request.user, filters=_filters(filters)), filters, _post_out
    )


@router.post(
    "/solutions",
    response=responses({201: EcosystemSolutionOut}),
    summary="Post a solution (draft, or submitted)",
)
def solution_create(request, payload: EcosystemSolutionIn):
    values = payload.dict(exclude={"industries", "scenarios", "prefectures", "submit"})
    solution = services.solution_create(user=request.user, values=values, tags=_tags(payload))
    if payload.submit:
        services.post_submit(post=solution, user=request.user)
    return Status(201, _post_out(solution))


@router.get(
    "/solutions/{solution_id}",
    response=responses({200: EcosystemSolutionOut}),
    summary="One solution",
)
def solution_get(request, solution_id: int):
    return _post_out(selectors.solution_get(user=request.user, pk=solution_id))


@router.get(
    "/solutions/{solution_id}/suggestions",
    response=responses({200: list[EcosystemSuggestionOut]}),
    summary="Demands suggested for a solution, with score and reasons",
)
def solution_suggestions_get(request, solution_id: int):
    solution = selectors.solution_get(user=request.user, pk=solution_id)
    return [
        _suggestion_out(s)
        for s in selectors.suggestions_for_solution(user=request.user, solution=solution)
    ]


@router.get(
    "/intents",
    response=responses({200: EcosystemIntentPage}),
    summary="Intents of the caller's organisation",
)
def intent_list(request, filters: Query[EcosystemIntentFilters]):
    return paginate(
        selectors.intent_list(user=request.user, filters={"status": filters.status}), filters
    )


@router.post(
    "/intents",
    response=responses({201: EcosystemIntentOut}),
    summary="Express an intent on a match",
)
def intent_create(request, payload: EcosystemIntentIn):
    demand = selectors.demand_get(user=request.user, pk=payload.demand_id)
    solution = selectors.solution_get(user=request.user, pk=payload.solution_id)
    suggestions = selectors.suggestions_for_demand(user=request.user, demand=demand)
    score = next((s.score for s in suggestions if s.post.pk == solution.pk), 0.0)
    intent = services.intent_express(
        user=request.user, demand=demand, solution=solution, message=payload.message, score=score
    )
    return Status(201, intent)


@router.post(
    "/intents/{intent_id}/answer",
    response=responses({200: EcosystemIntentOut}),
    summary="Accept or decline an intent",
)
def intent_transition(request, intent_id: int, payload: EcosystemIntentAnswerIn):
    intent = selectors.intent_get(user=request.user, pk=intent_id, action="change")
    return services.intent_answer(
        intent=intent, user=request.user, accept=payload.accept, text=payload.text
    )


@router.post(
    "/intents/{intent_id}/notes",
    response=responses({201: EcosystemIntentOut}),
    summary="Add a follow-up note",
)
def intent_note_create(request, intent_id: int, payload: EcosystemIntentNoteIn):
    intent = selectors.intent_get(user=request.user, pk=intent_id, action="change")
    services.intent_note(intent=intent, user=request.user, text=payload.text)
    return Status(201, intent)
