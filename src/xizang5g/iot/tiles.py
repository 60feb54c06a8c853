"""The IoT hub's tile on the home dashboard."""

from django.urls import reverse
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.registry import Tile
from xizang5g.iot.choices import DeviceState
from xizang5g.iot.models import Device


def devices_online(request):
    if not access.role_may(request.user, access.VIEW, Device):
        return None
    devices = Device.objects.restrict(request.user)
    total = devices.count()
    online = devices.filter(status__state=DeviceState.ONLINE).count()
    return Tile(
        title=_("IoT hub"),
        value=f"{online}/{total}",
        detail=_("devices online"),
        url=reverse("iot:device_list"),
        icon="cpu",
        tone="ok" if total and online == total else ("warn" if total else "neutral"),
    )
