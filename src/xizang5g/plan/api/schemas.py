"""Input and output schemas of the plan supervision API."""

from datetime import date
from decimal import Decimal

from ninja import Field, Schema

from xizang5g.core import limits
from xizang5g.core.api_style import (
    ApiInput,
    ApiPagination,
    page_schema,
)
from xizang5g.core.choices import UnitKind
from xizang5g.plan.choices import ProjectState


# ==== schemas ====================================================================================
class PlanOut(Schema):
    code: str
    title: str
    period_start: date
    period_end: date
    basis: list
    goals_text: str
    goals: int
    tasks: int
    work_points: int
    projects: int


class PlanNamedRef(Schema):
    code: str
    name: str


class PlanDivisionRef(Schema):
    adcode: int
    name: str


class PlanProjectRef(Schema):
    id: int | None = Field(None, description="null when the project is not visible to you")
    code: str
    name: str
    lead_unit: str
    state: str = Field(description="state as of the requested date")
    state_label: str
    since: date | None = None
    why: str = ""


class PlanCountedItemOut(Schema):
    code: str
    name: str
    projects: list[PlanProjectRef]


class PlanAttainmentOut(Schema):
    as_of: date
    value: int
    target: int
    met: bool
    cases: int
    cases_met: bool
    ratio: float


class PlanGoalOut(Schema):
    code: str
    year: int
    title: str
    text: str
    metric: str
    metric_label: str
    rule: str
    target: int
    min_cases: int
    industries: list[str]
    as_of: date
    value: int
    met: bool
    cases_met: bool
    ratio: float
    deadline: date
    at_deadline: PlanAttainmentOut
    counted: list[PlanCountedItemOut]
    cases: list[PlanProjectRef]


class PlanProgressOut(Schema):
    status: str = Field(description="not_started | on_track | lagging | completed")
    status_label: str
    project_count: int
    state_counts: dict[str, int]
    overdue_milestones: int
    projects: list[PlanProjectRef]


class PlanTaskOut(Schema):
    code: str
    number: int
    title: str
    text: str
    responsible_text: str
    lead_units: list[str]
    participating_units: list[str]
    industries: list[str]
    scenarios: list[str]
    progress: PlanProgressOut


class PlanWorkPointOut(Schema):
    code: str
    number: int
    year: int
    category: str
    text: str
    responsible_text: str
    units: list[str]
    tasks: list[str]
    industries: list[str]
    scenarios: list[str]
    progress: PlanProgressOut


class PlanUnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    aliases: list[str]
    kind: str
    kind_label: str
    parent: str | None
    division: int | None


class PlanIndustryOut(Schema):
    code: str
    name: str
    aliases: list[str]
    scenarios: list[str]


class PlanScenarioOut(Schema):
    code: str
    name: str
    industry: str


class PlanProjectOut(Schema):
    id: int
    code: str
    name: str
    summary: str
    plan: str
    industry: PlanNamedRef
    scenarios: list[str]
    tasks: list[str]
    work_points: list[str]
    lead_unit: PlanNamedRef
    participating_units: list[str]
    operator: str | None
    prefecture: PlanDivisionRef
    county: PlanDivisionRef | None
    lon: float | None
    lat: float | None
    budget_wan: float | None
    start_date: date | None
    end_date: date | None
    declared_on: date
    state: str
    state_label: str
    state_since: date
    termination_reason: str
    is_demo: bool
    can_edit: bool


class PlanProjectTransitionOut(Schema):
    from_state: str
    to_state: str
    effective_on: date
    user: str | None
    note: str


class PlanProjectDetailOut(PlanProjectOut):
    transitions: list[PlanProjectTransitionOut]
    next_states: dict[str, list[str]] = Field(
        description="each allowed next state with what still blocks it (empty: possible now)"
    )


class PlanProjectFilters(ApiPagination):
    """The filters of selectors.project_list (the same as the project page)."""

    state: ProjectState | None = None
    industry: str | None = Field(None, description="industry code")
    prefecture: limits.Int64 | None = Field(None, description="prefecture adcode")
    lead_unit: str | None = Field(None, description="unit code")
    operator: str | None = Field(None, description="operator unit code")
    task: str | None = Field(None, description="task code, e.g. T02")
    work_point: str | None = Field(None, description="work point code, e.g. WP02")
    scenario: str | None = Field(None, description="scenario code")
    plan: str | None = Field(None, description="plan code")
    q: str | None = Field(None, description="text in name, code or summary")
    demo: bool | None = Field(None, description="only demo (true) or only real (false) projects")


class PlanProgressFilters(ApiPagination):
    as_of: date | None = Field(None, description="default: today")
    plan: str | None = Field(None, description="plan code; default: the current plan")


class PlanUnitFilters(ApiPagination):
    kind: UnitKind | None = None


class PlanScenarioFilters(ApiPagination):
    industry: str | None = Field(None, description="industry code")


class PlanProjectIn(ApiInput):
    name: str = Field(min_length=1, max_length=200)
    summary: str = ""
    plan: str | None = Field(None, description="plan code; default: the current plan")
    industry: str = Field(description="industry code")
    scenarios: list[str] = Field(default_factory=list, description="scenario codes")
    tasks: list[str] = Field(default_factory=list, description="task codes, e.g. T02")
    work_points: list[str] = Field(default_factory=list, description="work point codes")
    lead_unit: str = Field(description="unit code")
    participating_units: list[str] = Field(default_factory=list, description="unit codes")
    operator: str | None = Field(None, description="operator unit code")
    prefecture: limits.Int64 = Field(description="prefecture adcode, e.g. 540100")
    county: limits.Int64 | None = Field(None, description="county adcode within the prefecture")
    lon: float | None = None
    lat: float | None = None
    budget_wan: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    start_date: date | None = None
    end_date: date | None = None
    declared_on: date | None = Field(None, description="default: today")


class PlanProjectPatch(ApiInput):
    name: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = None
    industry: str | None = None
    scenarios: list[str] | None = None
    tasks: list[str] | None = None
    work_points: list[str] | None = None
    lead_unit: str | None = None
    participating_units: list[str] | None = None
    operator: str | None = None
    prefecture: limits.Int64 | None = None
    county: limits.Int64 | None = None
    lon: float | None = None
    lat: float | None = None
    budget_wan: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    start_date: date | None = None
    end_date: date | None = None
    declared_on: date | None = None


class PlanProjectTransitionIn(ApiInput):
    to_state: ProjectState
    effective_on: date | None = Field(None, description="default: today")
    note: str = ""


class PlanMilestoneOut(Schema):
    id: int
    project: str
    title: str
    due_date: date
    status: str
    completed_on: date | None
    accepted_on: date | None
    accepted_by: str | None
    note: str
    overdue: bool


class PlanMilestoneIn(ApiInput):
    title: str = Field(min_length=1, max_length=200)
    due_date: date
    note: str = ""


class PlanMilestoneCompleteIn(ApiInput):
    completed_on: date | None = Field(None, description="default: today")


class PlanMilestoneAcceptIn(ApiInput):
    accepted_on: date | None = Field(None, description="default: today")


class PlanReportOut(Schema):
    id: int
    project: str
    period: date
    summary: str
    problems: str
    next_steps: str
    status: str
    submitted_on: date | None
    submitted_by: str | None
    attachments: int


class PlanReportIn(ApiInput):
    period: date = Field(description="any day of the month; stored as its first day")
    summary: str = Field(min_length=1)
    problems: str = ""
    next_steps: str = ""
    submit: bool = False


class PlanReportSubmitIn(ApiInput):
    submitted_on: date | None = Field(None, description="default: today")


class PlanKpiOut(Schema):
    id: int
    project: str
    name: str
    measure_unit: str
    target: float
    actual: float | None
    higher_is_better: bool
    met: bool | None


class PlanKpiIn(ApiInput):
    name: str = Field(min_length=1, max_length=100)
    measure_unit: str = ""
    target: Decimal = Field(max_digits=14, decimal_places=3)
    actual: Decimal | None = Field(None, max_digits=14, decimal_places=3)
    higher_is_better: bool = True


class PlanKpiPatch(ApiInput):
    name: str | None = Field(None, min_length=1, max_length=100)
    measure_unit: str | None = None
    target: Decimal | None = Field(None, max_digits=14, decimal_places=3)
    actual: Decimal | None = Field(None, max_digits=14, decimal_places=3)
    higher_is_better: bool | None = None


PlanGoalPage = page_schema("PlanGoalPage", PlanGoalOut)
PlanTaskPage = page_schema("PlanTaskPage", PlanTaskOut)
PlanWorkPointPage = page_schema("PlanWorkPointPage", PlanWorkPointOut)
PlanUnitPage = page_schema("PlanUnitPage", PlanUnitOut)
PlanIndustryPage = page_schema("PlanIndustryPage", PlanIndustryOut)
PlanScenarioPage = page_schema("PlanScenarioPage", PlanScenarioOut)
PlanProjectPage = page_schema("PlanProjectPage", PlanProjectOut)
PlanMilestonePage = page_schema("PlanMilestonePage", PlanMilestoneOut)
PlanReportPage = page_schema("PlanReportPage", PlanReportOut)
PlanKpiPage = page_schema("PlanKpiPage", PlanKpiOut)
