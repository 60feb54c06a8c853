from django.urls import reverse

from tests.testapp.models import Observation
from xizang5g.core.registry import Tile


def frost_tile(request):
    frosty = Observation.objects.restrict(request.user).filter(temperature__lte=0).count()
    return Tile("Frost watch", str(frosty), "frosty observations", reverse("testapp:index"), "snow")
