from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tests.testapp.models import Observation


@login_required
def index(request):
    observations = Observation.objects.restrict(request.user).select_related("device")[:100]
    return render(request, "testapp/index.html", {"observations": observations})
