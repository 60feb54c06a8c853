from django.urls import reverse
from django.utils.translation import gettext as _

from xizang5g.core.registry import Tile
from xizang5g.tourism import selectors
from xizang5g.tourism.choices import CrowdLevel


def crowd_tile(request):
    spots = selectors.spot_list(user=request.user)
    total = spots.count()
    if not total:
        return None
    crowded = spots.filter(state__level__in=(CrowdLevel.WARNING, CrowdLevel.SATURATED)).count()
    return Tile(
        _("Scenic spots"),
        f"{crowded}/{total}",
        _("at warning or saturated"),
        reverse("tourism:index"),
        "geo-alt",
        "bad" if crowded else "ok",
    )
