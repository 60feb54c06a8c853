"""Reads for the public, who are not users of the access rule.

The platform's access rule gives an anonymous visitor nothing (`core.access`), and rightly: the
plan's projects, reports, registry and requests are internal. The public portal therefore does not
go through `restrict(user)`; each function here selects ONLY what is meant for the public,
explicitly, and returns plain values rather than model instances where a template could otherwise
reach further (a project's units, reports or attachments):

* typical cases: projects whose state is `case` (典型案例, promoted by the plan office) — their
  story, industry, scenarios, place, KPIs and the systems' aggregate evidence; never the reports,
  attachments, milestones or people;
* goals and progress: the plan's published goals and aggregate counts of pilots;
* coverage and EMF: aggregates per county / prefecture / operator, never a site's or cell's data;
* news: items the plan office has published, and their attachments.

Each is named `public_*`; tests/portal/test_selectors.py checks that a draft, a project that is not
a typical case and a measurement request never come out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from xizang5g.core import access, summaries
from xizang5g.core.choices import DivisionLevel, Role
from xizang5g.core.models import AdminDivision
from xizang5g.network.models import EmfAssessment, OperatorMonthlyReport, Site, Village
from xizang5g.network.selectors import new_consumption_indicators
from xizang5g.plan import progress
from xizang5g.plan import selectors as plan_selectors
from xizang5g.plan.choices import ProjectState
from xizang5g.plan.models import Industry, Project
from xizang5g.portal.choices import NewsStatus
from xizang5g.portal.models import MeasurementRequest, NewsAttachment, NewsItem

# States of a pilot that has started (立项 onwards, not terminated): counted as pilots publicly.
PILOT_STATES = (
    ProjectState.APPROVED,
    ProjectState.BUILDING,
    ProjectState.TRIAL,
    ProjectState.ACCEPTED,
    ProjectState.CASE,
)


# --- typical cases -----------------------------------------------------------------------------
def _cases() -> QuerySet[Project]:
    return Project.objects.filter(state=ProjectState.CASE)


def public_case_list(*, filters: dict | None = None) -> QuerySet[Project]:
    """Typical cases, searchable by text, industry code, prefecture adcode and year (the year the
    project became a typical case)."""
    filters = filters or {}
    qs = _cases().select_related("industry", "prefecture", "county")
    if filters.get("q"):
        q = str(filters["q"])[:100]
        qs = qs.filter(Q(name__icontains=q) | Q(summary__icontains=q))
    if filters.get("industry"):
        qs = qs.filter(industry__code=filters["industry"])
    if str(filters.get("prefecture") or "").isdigit():
        qs = qs.filter(prefecture__adcode=int(filters["prefecture"]))
    if str(filters.get("year") or "").isdigit():
        qs = qs.filter(state_since__year=int(filters["year"]))
    return qs.order_by("-state_since", "code")


def public_case_filters() -> dict:
    """The choices of the case filters: only values some typical case has."""
    cases = _cases()
    return {
        "industries": list(
            Industry.objects.filter(projects__in=cases).distinct().order_by("order")
        ),
        "prefectures": list(
            AdminDivision.objects.filter(projects__in=cases).distinct().order_by("adcode")
        ),
        "years": sorted(
            {d.year for d in cases.values_list("state_since", flat=True)}, reverse=True
        ),
    }


def public_case_get(*, pk: int) -> dict:
    """One typical case as the public sees it (404 for any other project)."""
    project = (
        _cases()
        .select_related("industry", "prefecture", "county", "plan")
        .prefetch_related("scenarios", "kpis")
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404
    evidence = plan_selectors.project_evidence(project=project, today=timezone.localdate())
    return {
        "pk": project.pk,
        "code": project.code,
        "name": project.name,
        "story": project.summary,
        "industry": project.industry.name,
        "scenarios": [s.name for s in project.scenarios.all()],
        "prefecture": project.prefecture,
        "county": project.county,
        "since": project.state_since,
        "start_date": project.start_date,
        "is_demo": project.is_demo,
        "kpis": [
            {
                "name": k.name,
                "unit": k.measure_unit,
                "target": k.target,
                "actual": k.actual,
                "met": k.met,
            }
            for k in project.kpis.all()
        ],
        # the systems' headline and activity per day; no links into the internal systems
        "evidence": [
            {
                "system": row["system"],
                "headline": row["headline"],
                "last_activity": row["last_activity"],
            }
            for row in evidence["evidence_items"]
        ],
        "evidence_days": evidence["evidence_chart"]["days"],
        "evidence_series": evidence["evidence_chart"]["series"],
    }


def public_latest_cases(*, limit: int = 4) -> list[Project]:
    return list(public_case_list()[:limit])


# --- goals and progress ------------------------------------------------------------------------
def public_goals(*, as_of: date | None = None) -> list[dict]:
    """The current plan's goals with their attainment as of today (aggregate figures only)."""
    plan = plan_selectors.current_plan()
    if plan is None:
        return []
    as_of = as_of or timezone.localdate()

    def compute():
        rows = []
        for row in progress.plan_attainment(plan, as_of):
            goal, now = row["goal"], row["now"]
            rows.append(
                {
                    "code": goal.code,
                    "year": goal.year,
                    "title": goal.title,
                    "text": goal.text,
                    "value": now.value,
                    "target": now.target,
                    "percent": round(100 * now.ratio),
                    "cases": len(now.cases),
                    "min_cases": goal.min_cases,
                    "met": now.met,
                    "counted": [item.name for item in now.counted],
                }
            )
        return rows

    latest = Project.objects.aggregate(m=Max("updated_at"))["m"]
    return summaries.cached("portal.goals", (plan.pk, as_of, str(latest)), compute)


def public_key_figures() -> dict:
    counts = dict(
        Project.objects.filter(state__in=PILOT_STATES)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    network = new_consumption_indicators(as_of=timezone.localdate())
    return {
        "pilots": sum(counts.values()),
        "cases": counts.get(ProjectState.CASE, 0),
        "industries": Project.objects.filter(state__in=PILOT_STATES)
        .values("industry")
        .distinct()
        .count(),
        "stations": network.get("stations"),
        "users": network.get("users"),
        "network_month": network.get("month"),
    }


def public_pilots_by_prefecture() -> list[dict]:
    """Pilots (started, not terminated) and typical cases per prefecture, every prefecture."""
    counts = {
        row["prefecture"]: row
        for row in Project.objects.filter(state__in=PILOT_STATES)
        .values("prefecture")
        .annotate(n=Count("pk"), cases=Count("pk", filter=Q(state=ProjectState.CASE)))
    }
    out = []
    for division in AdminDivision.objects.filter(level=DivisionLevel.PREFECTURE).order_by("adcode"):
        row = counts.get(division.pk, {})
        out.append({"division": division, "pilots": row.get("n", 0), "cases": row.get("cases", 0)})
    top = max((r["pilots"] for r in out), default=0) or 1
    for r in out:
        r["percent"] = round(100 * r["pilots"] / top)
    return out


def public_pilots_by_industry() -> list[dict]:
    rows = list(
        Project.objects.filter(state__in=PILOT_STATES)
        .values("industry__name")
        .annotate(n=Count("pk"), cases=Count("pk", filter=Q(state=ProjectState.CASE)))
        .order_by("-n", "industry__name")
    )
    top = max((r["n"] for r in rows), default=0) or 1
    return [
        {
            "name": r["industry__name"],
            "pilots": r["n"],
            "cases": r["cases"],
            "percent": round(100 * r["n"] / top),
        }
        for r in rows
    ]


# --- coverage ----------------------------------------------------------------------------------
def public_coverage_by_county() -> list[dict]:
    """Per county: administrative villages, how many 5G covers, and 5G sites in service."""
    counties = {
        d.pk: d
        for d in AdminDivision.objects.filter(level=DivisionLevel.COUNTY).select_related("parent")
    }
    villages = {
        row["county_id"]: row
        for row in Village.objects.filter(kind="village")
        .values("county_id")
        .annotate(n=Count("pk"), covered=Count("pk", filter=Q(covered=True)))
    }
    sites = dict(
        Site.objects.filter(cells__isnull=False)
        .exclude(status="decommissioned")
        .values("division_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("division_id", "n")
    )
    out = []
    for pk, division in counties.items():
        v = villages.get(pk, {})
        n, covered = v.get("n", 0), v.get("covered", 0)
        if not n and not sites.get(pk):
            continue
        out.append(
            {
                "division": division,
                "villages": n,
                "covered": covered,
                "percent": round(100 * covered / n) if n else None,
                "sites": sites.get(pk, 0),
            }
        )
    return sorted(out, key=lambda r: r["division"].adcode)


def public_operator_trend(*, months: int = 12) -> dict:
    """5G base stations and users per operator and month (region totals), the last `months`."""
    data = list(
        OperatorMonthlyReport.objects.values("month", "operator__short_name", "operator__name")
        .annotate(stations=Sum("base_stations_5g"), users=Sum("users_5g"))
        .order_by("month")
    )
    all_months = sorted({r["month"] for r in data})[-months:]
    index = {m: i for i, m in enumerate(all_months)}
    series: dict[str, dict] = defaultdict(
        lambda: {"stations": [0] * len(all_months), "users": [0] * len(all_months)}
    )
    for r in data:
        if r["month"] not in index:
            continue
        name = r["operator__short_name"] or r["operator__name"]
        series[name]["stations"][index[r["month"]]] = r["stations"] or 0
        series[name]["users"][index[r["month"]]] = r["users"] or 0
    return {"months": all_months, "series": dict(sorted(series.items()))}


# --- EMF ---------------------------------------------------------------------------------------
def public_emf_by_county() -> list[dict]:
    """Per county: sites assessed (latest assessment of each), the largest ratio to the GB 8702
    public limit and how many sites pass. No site is named."""
    latest: dict[int, EmfAssessment] = {}
    for a in EmfAssessment.objects.select_related("site").order_by(
        "site_id", "-computed_at", "-id"
    ):
        latest.setdefault(a.site_id, a)
    by_county: dict[int, list[EmfAssessment]] = defaultdict(list)
    for a in latest.values():
        by_county[a.site.division_id].append(a)
    divisions = AdminDivision.objects.in_bulk(list(by_county))
    out = [
        {
            "division": divisions[pk],
            "sites": len(items),
            "max_ratio": max(a.max_public_ratio for a in items),
            "max_percent": 100 * max(a.max_public_ratio for a in items),
            "passing": sum(1 for a in items if a.passes),
        }
        for pk, items in by_county.items()
        if pk in divisions
    ]
    return sorted(out, key=lambda r: r["division"].adcode)


def public_county_choices() -> QuerySet[AdminDivision]:
    return AdminDivision.objects.filter(level=DivisionLevel.COUNTY).order_by("adcode")


# --- news --------------------------------------------------------------------------------------
def public_news_list(*, kind: str | None = None) -> QuerySet[NewsItem]:
    qs = NewsItem.objects.filter(status=NewsStatus.PUBLISHED, published_at__lte=timezone.now())
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-published_at", "-id")


def public_news_get(*, pk: int) -> NewsItem:
    item = public_news_list().filter(pk=pk).prefetch_related("attachments").first()
    if item is None:
        raise Http404
    return item


def public_attachment_get(*, pk: int) -> NewsAttachment:
    attachment = (
        NewsAttachment.objects.filter(pk=pk, item__in=public_news_list())
        .select_related("item")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


# --- logged-in reads ---------------------------------------------------------------------------
def news_manage_list(*, user) -> QuerySet[NewsItem]:
    return NewsItem.objects.restrict(user).order_by("status", "-published_at", "-id")


def news_get(*, user, pk: int, action: str = access.VIEW) -> NewsItem:
    return access.get_or_404(NewsItem.objects.all(), user, action, pk=pk)


def attachment_get(*, user, pk: int) -> NewsAttachment:
    return access.get_or_404(NewsAttachment.objects.select_related("item"), user, pk=pk)


def request_list(*, user, status: str | None = None) -> QuerySet[MeasurementRequest]:
    qs = MeasurementRequest.objects.restrict(user).select_related("county", "assignee")
    if status:
        qs = qs.filter(status=status)
    return qs


def request_get(*, user, pk: int, action: str = access.VIEW) -> MeasurementRequest:
    return access.get_or_404(
        MeasurementRequest.objects.select_related("county", "assignee"), user, action, pk=pk
    )


def request_assignees(*, user):
    """Users who may be assigned measurement requests: the radio regulators."""
    return get_user_model().objects.filter(is_active=True, role=Role.REGULATOR).order_by("username")
