"""plan_load: a plan YAML file into the database, idempotently and all-or-nothing."""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models, transaction
from pydantic import ValidationError as PydanticValidationError

from xizang5g.core.audit import acting_as
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.plan.models import Goal, Industry, Plan, Scenario, Task, WorkPoint
from xizang5g.plan.schema import PlanFile, check_references
from xizang5g.plan.yamlsource import YamlSyntaxError, format_loc, line_of, parse_yaml


@dataclass
class FileProblem:
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}, {self.field or '(top level)'}: {self.message}"


class PlanFileError(ValueError):
    """The file is not a valid plan; nothing was written. `problems` lists every fault found."""

    def __init__(self, source: str, problems: list[FileProblem]):
        self.source = source
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems[:50])
        super().__init__(f"{source}: invalid plan file ({len(problems)} problem(s)):\n{listing}")


@dataclass
class LoadReport:
    plan: Plan
    counts: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        parts = [f"{k} {v}" for k, v in sorted(self.counts.items())]
        return f"{self.plan.code}: " + (", ".join(parts) if parts else "no changes")


def read_plan_file(text: str, *, source: str = "<plan>") -> PlanFile:
    """Parse and validate; raises PlanFileError naming line and field of each fault."""
    try:
        document = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise PlanFileError(
            source, [FileProblem(exc.line, "", str(exc).split(": ", 1)[-1])]
        ) from exc
    if not isinstance(document.data, dict):
        raise PlanFileError(source, [FileProblem(1, "", "the file must be a YAML mapping")])
    try:
        data = PlanFile.model_validate(document.data)
    except PydanticValidationError as exc:
        problems = [
            FileProblem(line_of(document.root, err["loc"]), format_loc(err["loc"]), err["msg"])
            for err in exc.errors()
        ]
        raise PlanFileError(source, problems) from exc
    faults = check_references(data)
    if faults:
        raise PlanFileError(
            source,
            [FileProblem(line_of(document.root, f.loc), format_loc(f.loc), str(f)) for f in faults],
        )
    return data


def plan_load(*, path: str | Path | None = None, text: str | None = None, user=None) -> LoadReport:
    """Load a plan file. Re-loading the same file changes nothing; a changed file updates in
    place (every change goes to the change log); an invalid file writes nothing."""
    if text is None:
        if path is None:
            raise ValueError("plan_load needs a path or a text")
        text = Path(path).read_text(encoding="utf-8")
    source = str(path) if path else "<plan>"
    data = read_plan_file(text, source=source)
    report_counts: Counter = Counter()
    with acting_as(user), transaction.atomic():
        plan = _Writer(data, report_counts).write(sha256=hashlib.sha256(text.encode()).hexdigest())
    return LoadReport(plan=plan, counts=report_counts)


class _Writer:
    def __init__(self, data: PlanFile, counts: Counter):
        self.data = data
        self.counts = counts
        self.units: dict[str, Unit] = {}
        self.groups = {g.code: g.members for g in data.unit_groups}
        self.group_names = {g.code: g.name for g in data.unit_groups}

    def upsert(self, model: type[models.Model], lookup: dict, values: dict) -> models.Model:
        """Create, or update only the fields that differ (so a reload writes nothing)."""
        obj = model.objects.filter(**lookup).first()
        label = model._meta.model_name
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean(validate_unique=False, validate_constraints=False)
            obj.save()
            self.counts[f"{label} created"] += 1
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save()
            self.counts[f"{label} updated"] += 1
        return obj

    def set_m2m(self, obj, name: str, targets) -> None:
        manager = getattr(obj, name)
        wanted = {t.pk for t in targets}
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(list(targets))
            self.counts[f"{obj._meta.model_name} links updated"] += 1

    def expand(self, codes: list[str]) -> list[Unit]:
        out: list[Unit] = []
        for code in codes:
            for member in self.groups.get(code, [code]):
                unit = self.units[member]
                if unit not in out:
                    out.append(unit)
        return out

    def written_as(self, codes: list[str]) -> str:
        names = []
        for code in codes:
            if code in self.group_names:
                names.append(self.group_names[code])
            else:
                unit = self.units[code]
                names.append(unit.short_name or unit.name)
        return "、".join(names)

    def write(self, *, sha256: str) -> Plan:
        self.write_units()
        industries = self.write_industries()
        scenarios = self.write_scenarios(industries)
        info = self.data.plan
        plan = self.upsert(
            Plan,
            {"code": info.code},
            {
                "title": info.title,
                "period_start": info.period_start,
                "period_end": info.period_end,
                "basis": [b.model_dump() for b in info.basis],
                "preamble": info.preamble.strip(),
                "guiding_ideology": info.guiding_ideology.strip(),
                "goals_text": info.goals_text.strip(),
                "live_evidence_days": info.live_evidence_days,
                "source_sha256": sha256,
            },
        )
        self.write_goals(plan, industries)
        tasks = self.write_tasks(plan, industries, scenarios)
        self.write_work_points(plan, tasks, industries, scenarios)
        return plan

    def write_units(self) -> None:
        divisions = {d.adcode: d for d in AdminDivision.objects.all()}
        for item in self.data.units:
            self.units[item.code] = self.upsert(
                Unit,
                {"code": item.code},
                {
                    "name": item.name,
                    "short_name": item.short_name,
                    "aliases": item.aliases,
                    "kind": item.kind,
                    "division": divisions.get(item.division_adcode),
                },
            )
        for item in self.data.units:
            self.upsert(Unit, {"code": item.code}, {"parent": self.units.get(item.parent)})

    def write_industries(self) -> dict[str, Industry]:
        return {
            item.code: self.upsert(
                Industry,
                {"code": item.code},
                {"name": item.name, "aliases": item.aliases, "order": index},
            )
            for index, item in enumerate(self.data.industries)
        }

    def write_scenarios(self, industries) -> dict[str, Scenario]:
        return {
            item.code: self.upsert(
                Scenario,
                {"code": item.code},
                {"name": item.name, "industry": industries[item.industry], "order": index},
            )
            for index, item in enumerate(self.data.scenarios)
        }

    def write_goals(self, plan: Plan, industries) -> None:
        keep = []
        for item in self.data.goals:
            goal = self.upsert(
                Goal,
                {"plan": plan, "code": item.code},
                {
                    "year": item.year,
                    "title": item.title,
                    "text": item.text.strip(),
                    "metric": item.metric,
                    "target": item.target,
                    "min_cases": item.min_cases,
                },
            )
            self.set_m2m(goal, "industries", [industries[c] for c in item.industries])
            keep.append(goal.pk)
        self.delete_missing(Goal.objects.filter(plan=plan).exclude(pk__in=keep))

    def write_tasks(self, plan: Plan, industries, scenarios) -> dict[str, Task]:
        tasks: dict[str, Task] = {}
        for item in self.data.tasks:
            task = self.upsert(
                Task,
                {"plan": plan, "code": item.code},
                {
                    "number": item.number,
                    "title": item.title,
                    "text": item.text.strip(),
                    "responsible_text": self.written_as(item.lead_units + item.participating_units),
                },
            )
            self.set_m2m(task, "lead_units", self.expand(item.lead_units))
            self.set_m2m(task, "participating_units", self.expand(item.participating_units))
            self.set_m2m(task, "industries", [industries[c] for c in item.industries])
            self.set_m2m(task, "scenarios", [scenarios[c] for c in item.scenarios])
            tasks[item.code] = task
        self.delete_missing(
            Task.objects.filter(plan=plan).exclude(pk__in=[t.pk for t in tasks.values()])
        )
        return tasks

    def write_work_points(self, plan: Plan, tasks, industries, scenarios) -> None:
        keep = []
        for item in self.data.work_points:
            point = self.upsert(
                WorkPoint,
                {"plan": plan, "code": item.code},
                {
                    "number": item.number,
                    "year": item.year,
                    "category": item.category,
                    "text": item.text.strip(),
                    "responsible_text": self.written_as(item.units),
                },
            )
            self.set_m2m(point, "units", self.expand(item.units))
            self.set_m2m(point, "tasks", [tasks[c] for c in item.tasks])
            self.set_m2m(point, "industries", [industries[c] for c in item.industries])
            self.set_m2m(point, "scenarios", [scenarios[c] for c in item.scenarios])
            keep.append(point.pk)
        self.delete_missing(WorkPoint.objects.filter(plan=plan).exclude(pk__in=keep))

    def delete_missing(self, queryset) -> None:
        for obj in queryset:
            obj.delete()
            self.counts[f"{obj._meta.model_name} deleted"] += 1
