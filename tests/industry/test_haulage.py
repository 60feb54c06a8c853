"""Live haulage: cycles derived from truck telemetry, queue minutes, the MTWT recommendation on
live state worked by hand, learned travel times, assignments, and the shift report."""

import uuid
from datetime import datetime, timedelta

import pytest

from xizang5g.core.choices import UnitKind
from xizang5g.core.models import ChangeLog
from xizang5g.industry import dispatch, selectors, services, shifts
from xizang5g.industry.choices import Shift, TruckState
from xizang5g.industry.demo import build_jiama
from xizang5g.industry.models import HaulTruck, Loader, TruckCycle, TruckStatus
from xizang5g.industry.services.haulage import TruckReading
from xizang5g.iot import subscriptions
from xizang5g.iot.ingest import Inbound, directory, ingest_batch

pytestmark = pytest.mark.django_db


def local(hour: int, minute: float = 0, day: int = 3) -> datetime:
    return datetime(2026, 12, day, hour, 0, tzinfo=shifts.TZ) + timedelta(minutes=minute)


@pytest.fixture
def jiama(make_unit):
    directory.invalidate()
    subscriptions.routes.invalidate()
    unit = make_unit("jiama-copper", "西藏华泰龙矿业开发有限公司", UnitKind.ENTERPRISE)
    return build_jiama(unit)


def _truck(mine, code):
    return HaulTruck.objects.select_related("mine").get(mine=mine, code=code)


def one_cycle(truck, start: datetime, *, loader="EX-1", position=None, queue=3.0):
    """Leave the dump at `start`; 8 min empty (a reading every 4 min), `queue` min queueing,
    4 min loading, 10 min loaded travel with 88 t, 1.5 min dumping."""
    at = lambda minutes: start + timedelta(minutes=minutes)  # noqa: E731
    lat, lon = position or (None, None)
    code = "" if position else loader
    rows = [
        TruckReading(truck, at(0), TruckState.EMPTY, payload_t=0, target=loader),
        TruckReading(truck, at(4), TruckState.EMPTY),
        TruckReading(truck, at(8), TruckState.QUEUEING, latitude=lat, longitude=lon, loader=code),
        TruckReading(truck, at(8 + queue), TruckState.LOADING, latitude=lat, longitude=lon),
        TruckReading(truck, at(12 + queue), TruckState.LOADED, payload_t=88.0),
        TruckReading(truck, at(17 + queue), TruckState.LOADED, payload_t=88.2),
        TruckReading(truck, at(22 + queue), TruckState.DUMPING, payload_t=88.2),
    ]
    return rows, at(23.5 + queue)


def test_a_cycle_is_derived_from_the_telemetry(jiama):
    truck = _truck(jiama, "T01")
    rows, end = one_cycle(truck, local(9))
    rows.append(TruckReading(truck, end, TruckState.EMPTY, payload_t=0))
    done = services.truck_readings_record(rows)
    assert len(done) == 1
    cycle = TruckCycle.objects.get(truck=truck)
    assert cycle.loader.code == "EX-1"
    assert (cycle.start, cycle.end) == (local(9), local(9, 26.5))
    assert cycle.empty_min == pytest.approx(8)
    assert cycle.queue_min == pytest.approx(3)
    assert cycle.load_min == pytest.approx(4)
    assert cycle.haul_min == pytest.approx(10)
    assert cycle.dump_min == pytest.approx(1.5)
    assert cycle.payload_t == pytest.approx(88.2)
    assert cycle.cycle_min == pytest.approx(26.5)
    # the next cycle has begun: empty from the dump
    status = TruckStatus.objects.get(truck=truck)
    assert status.state == TruckState.EMPTY and status.cycle_start == end
    # a redelivery of the same readings adds nothing
    assert services.truck_readings_record(rows) == []
    assert TruckCycle.objects.filter(truck=truck).count() == 1


def test_the_loader_from_the_geofence_and_a_partial_first_cycle(jiama):
    truck = _truck(jiama, "T02")
    ex2 = Loader.objects.get(mine=jiama, code="EX-2")
    # first seen loaded: that cycle is not whole, so it is not stored
    services.truck_readings_record(
        [
            TruckReading(truck, local(8, 50), TruckState.LOADED, payload_t=90),
            TruckReading(truck, local(8, 58), TruckState.DUMPING),
        ]
    )
    rows, end = one_cycle(truck, local(9), position=(ex2.latitude + 0.0003, ex2.longitude))
    rows.append(TruckReading(truck, end, TruckState.EMPTY))
    services.truck_readings_record(rows)
    cycles = list(TruckCycle.objects.filter(truck=truck))
    assert [c.loader.code for c in cycles] == ["EX-2"]  # 33 m from EX-2: within the geofence


def test_a_gap_without_readings_is_not_counted(jiama):
    truck = _truck(jiama, "T03")
    services.truck_readings_record(
        [
            TruckReading(truck, local(9), TruckState.EMPTY),
            TruckReading(truck, local(9, 30), TruckState.QUEUEING, loader="EX-1"),
        ]
    )
    status = TruckStatus.objects.get(truck=truck)
    assert status.phases == {}  # 30 min without a reading: over the 10 min limit


def _status(mine, code, state, since, *, loader=None, target=None, phases=None, now):
    truck = _truck(mine, code)
    return TruckStatus.objects.create(
        truck=truck,
        state=state,
        since=now - timedelta(minutes=since),
        time=now,
        loader=Loader.objects.get(mine=mine, code=loader) if loader else None,
        target=Loader.objects.get(mine=mine, code=target) if target else None,
        phases=phases or {},
    )


def live_state(mine, now):
    """EX-1 (load 4, travel 8): T01 loading for 1 min, T02 queueing → free in 3 + 4 = 7.
    EX-2 (load 5, travel 15): T05 just started loading, T06 queueing, T07 en route with 10 of
    15 min to go → free in max(10, 10) + 5 = 15. EX-3 (load 3.5, travel 10): T03 en route, 4 of
    10 min done → free in 6 + 3.5 = 9.5. T04 and T08 are dumping (T04 since longer)."""
    _status(mine, "T01", TruckState.LOADING, 1, loader="EX-1", now=now)
    _status(mine, "T02", TruckState.QUEUEING, 2, loader="EX-1", now=now)
    _status(mine, "T05", TruckState.LOADING, 0, loader="EX-2", now=now)
    _status(mine, "T06", TruckState.QUEUEING, 1, loader="EX-2", now=now)
    _status(mine, "T07", TruckState.EMPTY, 5, target="EX-2", phases={"empty": 300}, now=now)
    _status(mine, "T03", TruckState.EMPTY, 4, target="EX-3", phases={"empty": 240}, now=now)
    _status(mine, "T04", TruckState.DUMPING, 1, now=now)
    _status(mine, "T08", TruckState.DUMPING, 0.5, now=now)


def test_the_live_mtwt_recommendation_by_hand(jiama):
    now = local(10)
    live_state(jiama, now)
    board = selectors.dispatch_live(mine=jiama, now=now)
    free = {r["loader"].code: r["free_in_min"] for r in board["loaders"]}
    assert free == pytest.approx({"EX-1": 7.0, "EX-2": 15.0, "EX-3": 9.5})
    recs = [(r["truck"].code, r["loader"].code) for r in board["recommendations"]]
    # T04: free − travel = EX-1 7 − 8 = −1, EX-2 15 − 15 = 0, EX-3 9.5 − 10 = −0.5 → EX-1,
    # where the loader would stand idle 1 min. Then EX-1 is free at max(7, 8) + 4 = 12.
    # T08: EX-1 12 − 8 = 4, EX-2 0, EX-3 −0.5 → EX-3.
    assert recs == [("T04", "EX-1"), ("T08", "EX-3")]
    first, second = board["recommendations"]
    assert first["expected_wait_min"] == 0 and first["loader_idle_min"] == pytest.approx(1.0)
    assert second["loader_idle_min"] == pytest.approx(0.5)
    queues = {r["loader"].code: len(r["queueing"]) for r in board["loaders"]}
    assert queues == {"EX-1": 1, "EX-2": 1, "EX-3": 0}


def test_the_pure_rule_matches_the_hand_calculation():
    loaders = [
        dispatch.LiveLoader("EX-1", 4, 8),
        dispatch.LiveLoader("EX-2", 5, 15),
        dispatch.LiveLoader("EX-3", 3.5, 10),
    ]
    committed = [
        dispatch.Committed("EX-1", 0, 3),
        dispatch.Committed("EX-1", 0),
        dispatch.Committed("EX-2", 0, 5),
        dispatch.Committed("EX-2", 0),
        dispatch.Committed("EX-2", 10),
        dispatch.Committed("EX-3", 6),
    ]
    recs = dispatch.recommend(loaders, committed, ["T04", "T08", "T09"])
    assert [r.loader for r in recs] == ["EX-1", "EX-3", "EX-2"]
    # T09: EX-1 12 − 8 = 4, EX-2 15 − 15 = 0, EX-3 max(9.5, 10) + 3.5 − 10 = 3.5 → EX-2
    assert recs[2].scores == {"EX-1": 4.0, "EX-2": 0.0, "EX-3": 3.5}


def test_travel_and_loading_times_are_learned_from_recent_cycles(jiama):
    truck = _truck(jiama, "T01")
    start = local(8)
    for _n in range(3):  # three cycles at EX-1 with 12 min empty travel (nominal 8)
        rows, end = one_cycle(truck, start, queue=0.5)
        rows[1] = TruckReading(truck, start + timedelta(minutes=6), TruckState.EMPTY)
        rows = [
            TruckReading(
                r.truck,
                r.at + timedelta(minutes=4) if i >= 2 else r.at,
                r.state,
                r.latitude,
                r.longitude,
                r.payload_t,
                r.loader,
                r.target,
            )
            for i, r in enumerate(rows)
        ]
        services.truck_readings_record(rows)
        start = end + timedelta(minutes=4)
    services.truck_readings_record([TruckReading(truck, start, TruckState.EMPTY)])
    ex1 = Loader.objects.get(mine=jiama, code="EX-1")
    learned = selectors.learned_times(loaders=[ex1], now=start)[ex1.pk]
    assert learned["learned"] and learned["cycles"] == 3
    assert learned["travel_min"] == pytest.approx(12.0)
    assert learned["load_min"] == pytest.approx(4.0)
    assert learned["queue_min"] == pytest.approx(0.5)


def test_an_assignment_binds_the_truck_and_is_change_logged(jiama):
    now = local(10)
    live_state(jiama, now)
    truck, ex2 = _truck(jiama, "T04"), Loader.objects.get(mine=jiama, code="EX-2")
    assignment = services.assignment_record(
        truck=truck, loader=ex2, user=None, recommended=None, at=now
    )
    assert TruckStatus.objects.get(truck=truck).target == ex2
    logged = ChangeLog.objects.filter(
        content_type__model="assignment", object_id=str(assignment.pk)
    )
    assert logged.exists()


def test_shift_report_figures(jiama):
    t1, t2 = _truck(jiama, "T01"), _truck(jiama, "T02")
    # T01 two cycles at EX-1 queueing 3 min each; T02 one at EX-1 queueing 6 min; T02 then down
    rows, end = one_cycle(t1, local(9))
    rows2, end2 = one_cycle(t1, end)
    rows3, end3 = one_cycle(t2, local(9), queue=6.0)
    services.truck_readings_record(
        rows
        + rows2
        + [TruckReading(t1, end2, TruckState.EMPTY)]
        + rows3
        + [TruckReading(t2, end3, TruckState.DOWN)]
        + [TruckReading(t2, end3 + timedelta(minutes=m), TruckState.DOWN) for m in (5, 10)]
    )
    report = selectors.mine_shift_report(
        mine=jiama, day=local(9).date(), kind=Shift.DAY, now=local(10, day=4)
    )
    assert report["trips"] == 3
    assert report["tonnes"] == pytest.approx(3 * 88.2)
    assert report["mean_cycle_min"] == pytest.approx((26.5 + 26.5 + 29.5) / 3)
    ex1 = next(r for r in report["loaders"] if r["loader"].code == "EX-1")
    assert ex1["trips"] == 3 and ex1["queue_min"] == pytest.approx(12.0)
    assert ex1["mean_queue_min"] == pytest.approx(4.0)
    assert ex1["utilisation"] == pytest.approx(12.0 / 720)  # 3 loads of 4 min in 12 h
    by_truck = {r["truck"].code: r for r in report["trucks"]}
    assert by_truck["T02"]["down_min"] == pytest.approx(10.0)
    # T01 reported 53 min, T02 39.5 min of which 10 down, over the 720 min shift
    assert by_truck["T01"]["availability"] == pytest.approx(53 / 720)
    assert by_truck["T02"]["availability"] == pytest.approx(29.5 / 720)


def test_truck_telemetry_through_the_iot_hub(jiama):
    truck = HaulTruck.objects.select_related("device__product").get(mine=jiama, code="T05")
    now = datetime.now(tz=shifts.TZ).replace(microsecond=0)

    def post(values, at):
        body = {
            "id": uuid.uuid4().hex[:12],
            "version": "1.0",
            "time": int(at.timestamp() * 1000),
            "params": values,
            "method": "thing.event.property.post",
        }
        device = truck.device
        ingest_batch([Inbound(device.product.product_key, device.name, "property", body)])

    post({"state": "empty", "lat": 29.733, "lon": 91.719, "payload": 0, "target": "EX-3"}, now)
    post({"state": "queueing", "lat": 29.7351, "lon": 91.7080}, now + timedelta(minutes=3))
    status = TruckStatus.objects.select_related("loader", "target").get(truck=truck)
    assert status.state == "queueing" and status.loader.code == "EX-3"
    assert status.phases == {"empty": pytest.approx(180.0)}
    post({"state": "flying", "lat": 200, "lon": 91}, now + timedelta(minutes=4))
    status.refresh_from_db()
    assert status.state == "queueing" and status.latitude == pytest.approx(29.7351)
