"""Pages: the county overview, a school's dashboard, and its Excel export."""

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from openpyxl import Workbook

from xizang5g.core import access
from xizang5g.edu import selectors
from xizang5g.edu.models import School

PERIODS = (7, 30, 90)


def _days(request) -> int:
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    return days if days in PERIODS else 30


@login_required
def index(request):
    days = _days(request)
    data = selectors.county_overview(user=request.user, days=days)
    charts = {
        "counties": [c["county"] for c in data["counties"]],
        "statements": [c["statements"] for c in data["counties"]],
        "learners": [c["learners"] for c in data["counties"]],
    }
    return render(
        request,
        "edu/index.html",
        {"data": data, "charts": charts, "days": days, "periods": PERIODS},
    )


@login_required
def school(request, pk: int):
    found = access.get_or_404(School.objects.select_related("county"), request.user, pk=pk)
    days = _days(request)
    report = selectors.school_report(school=found, user=request.user, days=days)
    charts = {
        "days": [d for d, _n in report["daily"]],
        "counts": [n for _d, n in report["daily"]],
        "classes": [name for name, _f in report["classes"]],
        "class_learners": [f.learners for _n, f in report["classes"]],
        "class_completion": [f.completion or 0 for _n, f in report["classes"]],
    }
    return render(
        request,
        "edu/school.html",
        {"report": report, "charts": charts, "days": days, "periods": PERIODS},
    )


@login_required
def school_export(request, pk: int):
    found = access.get_or_404(School.objects.all(), request.user, pk=pk)
    report = selectors.school_report(school=found, user=request.user, days=_days(request))
    book = Workbook()
    sheet = book.active
    sheet.title = _("Classes")[:31]
    head = [_("Learners"), _("Records"), _("Hours on task"), _("Completion %"), _("Mean score")]
    sheet.append([_("Class"), *head])
    for name, f in report["classes"]:
        sheet.append([name, f.learners, f.statements, f.hours, f.completion, f.score])
    courses = book.create_sheet(_("Courses")[:31])
    courses.append([_("Course"), *head])
    for name, f in report["courses"]:
        courses.append([name, f.learners, f.statements, f.hours, f.completion, f.score])
    remote = book.create_sheet(_("Remote classes")[:31])
    remote.append(
        [
            _("Session"),
            _("Sending school"),
            _("Receiving school"),
            _("Attendees"),
            _("Minutes"),
            _("Stream quality (MOS)"),
        ]
    )
    for s in report["remote"]:
        remote.append(
            [s["id"], s["sending"], s["receiving"], s["attendees"], s["minutes"], s["quality"]]
        )
    risk = book.create_sheet(_("Learners at risk")[:31])
    risk.append([_("Learner"), _("Last activity"), _("Falling scores")])
    for item in report["at_risk"]:
        last = item.last.replace(tzinfo=None) if item.last else None
        risk.append([item.label, last, _("yes") if item.falling else ""])
    out = BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="edu-{found.code}.xlsx"'
    return response
