"""Reads of the health app, always restricted to what the user may see."""

from __future__ import annotations

from xizang5g.core import access
from xizang5g.health.choices import CallState
from xizang5g.health.models import Ambulance, EmergencyCall, SyndromicCount, VitalSigns

ACTIVE = (
    CallState.DISPATCHED,
    CallState.EN_ROUTE,
    CallState.ON_SCENE,
    CallState.TRANSPORTING,
    CallState.AT_HOSPITAL,
)


def ambulance_list(*, user, state: str | None = None):
    rows = Ambulance.objects.restrict(user).select_related("unit", "division")
    return rows.filter(state=state) if state else rows


def ambulance_get(*, user, pk: int, action: str = access.VIEW) -> Ambulance:
    return access.get_or_404(Ambulance.objects.all(), user, action, pk=pk)


def call_list(*, user, state: str | None = None, active: bool | None = None):
    rows = EmergencyCall.objects.restrict(user).select_related(
        "unit", "hospital", "ambulance", "division"
    )
    if state:
        rows = rows.filter(state=state)
    if active is True:
        rows = rows.filter(state__in=ACTIVE)
    elif active is False:
        rows = rows.exclude(state__in=ACTIVE)
    return rows


def call_get(*, user, pk: int, action: str = access.VIEW) -> EmergencyCall:
    return access.get_or_404(
        EmergencyCall.objects.select_related("unit", "hospital", "ambulance", "division"),
        user,
        action,
        pk=pk,
    )


def call_vitals(*, user, call: EmergencyCall):
    return VitalSigns.objects.restrict(user).filter(call=call).order_by("time", "id")


def incoming_for_hospital(*, user):
    """Runs heading to (or just arrived at) a hospital the user may read: the emergency board."""
    return call_list(user=user).filter(
        state__in=(CallState.TRANSPORTING, CallState.AT_HOSPITAL), hospital__isnull=False
    )


def latest_vitals(*, user, calls) -> dict[int, list[VitalSigns]]:
    """The last vitals of each call (the latest last), at most 30 each."""
    out: dict[int, list[VitalSigns]] = {}
    for call in calls:
        rows = list(call_vitals(user=user, call=call).order_by("-time", "-id")[:30])
        out[call.pk] = rows[::-1]
    return out


def syndromic_list(*, user):
    return SyndromicCount.objects.restrict(user).select_related("division", "unit")
