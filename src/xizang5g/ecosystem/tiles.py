from django.urls import reverse
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.registry import Tile
from xizang5g.ecosystem import selectors
from xizang5g.ecosystem.models import Demand


def ecosystem_tile(request):
    """The ecosystem on the plan dashboard: members, published posts, projects started; the
    plan office also sees what waits for its review."""
    stats = selectors.statistics(user=request.user)
    if not stats["organisations"] and not stats["pending"]:
        return None
    waiting = 0
    if access.sees_all(request.user, Demand, access.APPROVE):
        waiting = sum(q.count() for q in selectors.moderation_queue(user=request.user).values())
    detail = _("%(d)d demands · %(s)d solutions · %(p)d projects started") % {
        "d": stats["demands"],
        "s": stats["solutions"],
        "p": stats["projects_started"],
    }
    if waiting:
        detail = _("%(n)d awaiting review") % {"n": waiting} + " · " + detail
    return Tile(
        _("Application ecosystem"),
        str(stats["organisations"]),
        detail,
        reverse("ecosystem:moderation" if waiting else "ecosystem:index"),
        "people",
        "warn" if waiting else "ok",
    )
