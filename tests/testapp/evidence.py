from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import TruncDate

from tests.testapp.models import Observation
from xizang5g.core.evidence import Evidence


def pilot_evidence(pilot_ids, *, start, end):
    rows = (
        Observation.objects.filter(device__project_id__in=pilot_ids, time__date__range=(start, end))
        .annotate(day=TruncDate("time"))
        .values_list("device__project_id", "day")
        .annotate(n=Count("id"))
    )
    daily = defaultdict(dict)
    for pilot_id, day, count in rows:
        daily[pilot_id][day] = count
    return {
        pilot_id: [Evidence("Frost watch", "observations", f"{sum(d.values())} observations", d)]
        for pilot_id, d in daily.items()
    }
