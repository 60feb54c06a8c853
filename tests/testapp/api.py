from datetime import datetime

from ninja import Router, Schema

from tests.testapp.models import Observation

router = Router(tags=["frost watch"])


class ObservationOut(Schema):
    device_id: int
    time: datetime
    temperature: float


@router.get("/observations", response=list[ObservationOut], operation_id="testapp_observation_list")
def observation_list(request):
    return list(Observation.objects.restrict(request.user)[:100])
