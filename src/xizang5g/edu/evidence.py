"""Live evidence for pilot projects: xAPI statements stored per day by the pilot's schools."""

from collections import defaultdict

from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from xizang5g.core.evidence import Evidence
from xizang5g.edu.models import Statement


def pilot_evidence(pilot_ids, *, start, end):
    rows = (
        Statement.objects.filter(school__pilot_id__in=pilot_ids, stored__date__range=(start, end))
        .annotate(day=TruncDate("stored"))
        .values_list("school__pilot_id", "day")
        .annotate(n=Count("id"), last=Max("stored"))
    )
    daily: dict[int, dict] = defaultdict(dict)
    last: dict[int, object] = {}
    for pilot_id, day, count, latest in rows:
        daily[pilot_id][day] = count
        if pilot_id not in last or latest > last[pilot_id]:
            last[pilot_id] = latest
    return {
        pilot_id: [
            Evidence(
                _("Education LRS"),
                _("learning records"),
                _("%(count)d learning records stored") % {"count": sum(days.values())},
                days,
                last.get(pilot_id),
            )
        ]
        for pilot_id, days in daily.items()
    }
