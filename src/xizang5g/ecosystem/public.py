"""The ecosystem's block on the public portal's home: its figures and the upcoming events."""

from django.utils.translation import gettext_lazy as _

from xizang5g.core.registry import PublicSection
from xizang5g.ecosystem import selectors


def ecosystem_section(request):
    stats = selectors.statistics(public=True)
    return PublicSection(
        title=_("5G application ecosystem"),
        template="ecosystem/public_section.html",
        context={
            "stats": stats,
            "events": list(selectors.public_events()[:3]),
            "solutions": list(selectors.public_solutions()[:3]),
        },
        order=40,
    )
