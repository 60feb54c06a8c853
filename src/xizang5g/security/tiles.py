"""Security awareness's tile on the home dashboard."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.registry import Tile
from xizang5g.security.choices import IncidentState
from xizang5g.security.models import Incident


def open_incidents(request):
    if not access.role_may(request.user, access.VIEW, Incident):
        return None
    incidents = Incident.objects.restrict(request.user).exclude(state=IncidentState.CLOSED)
    overdue = incidents.filter(deadline__lt=timezone.now()).count()
    return Tile(
        title=_("Security"),
        value=str(incidents.count()),
        detail=_("open incidents, %(n)s overdue") % {"n": overdue},
        url=reverse("security:incident_list"),
        icon="shield-check",
        tone="bad" if overdue else ("warn" if incidents.exists() else "ok"),
    )
