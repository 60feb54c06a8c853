"""The plan file format (YAML), validated with pydantic; errors point at the line and field."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from xizang5g.core.choices import UnitKind
from xizang5g.plan.choices import GoalMetric

Code = str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class BasisDocument(_Strict):
    title: str = Field(min_length=1)
    number: str = ""


class PlanInfo(_Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    title: str = Field(min_length=1, max_length=200)
    period_start: date
    period_end: date
    basis: list[BasisDocument] = []
    preamble: str = ""
    guiding_ideology: str = ""
    goals_text: str = ""
    # A pilot counts toward the goals as running only with live evidence from the systems (devices
    # reporting, events, statements …) in the last N days; None: the lifecycle state alone counts.
    live_evidence_days: int | None = Field(default=None, ge=1, le=366)

    @model_validator(mode="after")
    def _period_ordered(self):
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class UnitGroupIn(_Strict):
    code: Code
    name: str
    members: list[Code] = Field(min_length=1)


class UnitIn(_Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    name: str = Field(min_length=1, max_length=200)
    short_name: str = ""
    aliases: list[str] = []
    kind: Literal[tuple(UnitKind.values)]  # type: ignore[valid-type]
    parent: Code | None = None
    division_adcode: int | None = None


class IndustryIn(_Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    name: str = Field(min_length=1, max_length=64)
    aliases: list[str] = []


class ScenarioIn(_Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    name: str = Field(min_length=1, max_length=100)
    industry: Code
    source: list[Code] = []


class GoalIn(_Strict):
    code: str = Field(min_length=1, max_length=32)
    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1)
    metric: Literal[tuple(GoalMetric.values)]  # type: ignore[valid-type]
    target: int = Field(gt=0)
    min_cases: int = Field(default=0, ge=0)
    industries: list[Code] = []


class TaskIn(_Strict):
    code: str = Field(min_length=1, max_length=32)
    number: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1)
    lead_units: list[Code] = Field(min_length=1)
    participating_units: list[Code] = []
    industries: list[Code] = []
    scenarios: list[Code] = []


class WorkPointIn(_Strict):
    code: str = Field(min_length=1, max_length=32)
    number: int = Field(ge=1)
    year: int = Field(ge=2000, le=2100)
    category: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1)
    units: list[Code] = Field(min_length=1)
    tasks: list[Code] = []
    industries: list[Code] = []
    scenarios: list[Code] = []


class PlanFile(_Strict):
    schema_version: Literal[1]
    plan: PlanInfo
    unit_groups: list[UnitGroupIn] = []
    units: list[UnitIn]
    industries: list[IndustryIn]
    scenarios: list[ScenarioIn]
    goals: list[GoalIn] = Field(min_length=1)
    tasks: list[TaskIn] = Field(min_length=1)
    work_points: list[WorkPointIn] = []

    @field_validator(
        "units", "industries", "scenarios", "goals", "tasks", "work_points", "unit_groups"
    )
    @classmethod
    def _codes_unique(cls, items):
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item.code in seen:
                raise ValueError(f"item {index}: duplicate code {item.code!r}")
            seen.add(item.code)
        return items


class ReferenceError_(ValueError):
    """A code that points nowhere; `loc` is the path of the field at fault."""

    def __init__(self, loc: tuple, message: str):
        super().__init__(message)
        self.loc = loc


def check_references(data: PlanFile) -> list[ReferenceError_]:
    """Every code used must be defined; returns all faults (empty when the file is sound)."""
    units = {u.code for u in data.units}
    groups = {g.code for g in data.unit_groups}
    industries = {i.code for i in data.industries}
    scenarios = {s.code for s in data.scenarios}
    tasks = {t.code for t in data.tasks}
    faults: list[ReferenceError_] = []

    def need(values, known, loc, what):
        for index, value in enumerate(values):
            if value not in known:
                faults.append(ReferenceError_((*loc, index), f"unknown {what} {value!r}"))

    for i, group in enumerate(data.unit_groups):
        need(group.members, units, ("unit_groups", i, "members"), "unit")
    for i, unit in enumerate(data.units):
        if unit.parent is not None and unit.parent not in units:
            faults.append(ReferenceError_(("units", i, "parent"), f"unknown unit {unit.parent!r}"))
    for i, scenario in enumerate(data.scenarios):
        need([scenario.industry], industries, ("scenarios", i, "industry"), "industry")
    for i, goal in enumerate(data.goals):
        need(goal.industries, industries, ("goals", i, "industries"), "industry")
    for i, task in enumerate(data.tasks):
        need(task.lead_units, units | groups, ("tasks", i, "lead_units"), "unit")
        need(task.participating_units, units | groups, ("tasks", i, "participating_units"), "unit")
        need(task.industries, industries, ("tasks", i, "industries"), "industry")
        need(task.scenarios, scenarios, ("tasks", i, "scenarios"), "scenario")
    for i, point in enumerate(data.work_points):
        need(point.units, units | groups, ("work_points", i, "units"), "unit")
        need(point.tasks, tasks, ("work_points", i, "tasks"), "task")
        need(point.industries, industries, ("work_points", i, "industries"), "industry")
        need(point.scenarios, scenarios, ("work_points", i, "scenarios"), "scenario")
    aliases: dict[str, str] = {}
    for i, unit in enumerate(data.units):
        for j, alias in enumerate([unit.name, unit.short_name, *unit.aliases]):
            if alias and aliases.setdefault(alias, unit.code) != unit.code:
                loc = ("units", i, "aliases", j - 2) if j >= 2 else ("units", i, "name")
                faults.append(
                    ReferenceError_(loc, f"name {alias!r} also belongs to unit {aliases[alias]!r}")
                )
    return faults
