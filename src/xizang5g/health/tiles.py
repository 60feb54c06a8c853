from django.urls import reverse
from django.utils.translation import gettext as _

from xizang5g.core.registry import Tile
from xizang5g.health.models import EmergencyCall
from xizang5g.health.selectors import ACTIVE


def health_tile(request):
    calls = EmergencyCall.objects.restrict(request.user)
    if not calls.exists():
        return None
    active = calls.filter(state__in=ACTIVE).count()
    return Tile(
        _("Pre-hospital emergency"),
        str(active),
        _("runs under way"),
        reverse("health:index"),
        "heart-pulse",
        "warn" if active else "neutral",
    )
