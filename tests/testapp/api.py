from datetime import datetime

from ninja import Query, Router, Schema

from tests.testapp.models import Observation
from xizang5g.core.api_style import ApiPagination, page_schema, paginate, responses

router = Router(tags=["frost watch"])


class TestappObservationOut(Schema):
    device_id: int
    time: datetime
    temperature: float


TestappObservationPage = page_schema("TestappObservationPage", TestappObservationOut)


@router.get("/observations", response=responses({200: TestappObservationPage}))
def observation_list(request, page: Query[ApiPagination]):
    return paginate(Observation.objects.restrict(request.user), page)
