"""5G supervision's tile on the home dashboard."""

from django.urls import reverse
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.registry import Tile
from xizang5g.network.choices import CaseState
from xizang5g.network.models import CoordinationCase, Site


def open_cases(request):
    if not access.role_may(request.user, access.VIEW, Site):
        return None
    cases = CoordinationCase.objects.restrict(request.user).exclude(
        state__in=(CaseState.CLOSED, CaseState.REJECTED)
    )
    sites = Site.objects.restrict(request.user).count()
    return Tile(
        title=_("5G supervision"),
        value=str(cases.count()),
        detail=_("coordination cases open · %(n)s sites") % {"n": sites},
        url=reverse("network:case_list"),
        icon="broadcast-pin",
        tone="warn" if cases.exists() else "ok",
    )
