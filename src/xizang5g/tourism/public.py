"""The scenic spots' comfort levels as a block of the public portal's home (core.registry's
public_sections): each spot's current level, as the public status page shows it."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from xizang5g.core import registry
from xizang5g.tourism.choices import CrowdLevel
from xizang5g.tourism.models import ScenicSpot
from xizang5g.tourism.views import _percent, _state, spot_name


def section(request) -> registry.PublicSection | None:
    spots = list(ScenicSpot.objects.select_related("state").order_by("-a_level", "code"))
    if not spots:
        return None
    lang = translation.get_language()
    cards = []
    for spot in spots:
        state = _state(spot)
        level = state.level if state else CrowdLevel.COMFORTABLE
        cards.append(
            {
                "name": spot_name(spot, lang),
                "level": level,
                "level_label": CrowdLevel(level).label,
                "percent": _percent(spot),
            }
        )
    return registry.PublicSection(
        title=_("Scenic spots today"),
        template="tourism/_public_section.html",
        context={"cards": cards, "status_url": reverse("tourism:public_status")},
        order=50,
    )
