"""Production-line OEE (ISO 22400-2) from machine states and counters, worked by hand; the hour
trend, the loss Pareto, redelivery, the alerts, and telemetry through the IoT hub."""

import uuid
from datetime import datetime, timedelta

import pytest

from xizang5g.core.choices import UnitKind
from xizang5g.core.models import Alert
from xizang5g.industry import selectors, services, shifts
from xizang5g.industry.apps import FACTORY_SOURCE
from xizang5g.industry.choices import MachineState, Shift
from xizang5g.industry.demo import build_bottling_line
from xizang5g.industry.models import LineHour, LineShift, Machine, MachineInterval, MachineStatus
from xizang5g.industry.services.factory import MachineReading
from xizang5g.iot import subscriptions
from xizang5g.iot.ingest import Inbound, directory, ingest_batch

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 12, 3, tzinfo=shifts.TZ).date()


def local(hour: int, minute: int = 0, day: int = 3) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=shifts.TZ)


@pytest.fixture
def line(make_unit):
    directory.invalidate()
    subscriptions.routes.invalidate()
    unit = make_unit("lhasa-water", "拉萨高原饮用水有限公司", UnitKind.ENTERPRISE)
    return build_bottling_line(unit)


# The day shift of 3 December (08:00–20:00): run 08:00–12:00, break 12:00–12:30 (idle, planned),
# fault "valve_leak" 12:30–13:30, run 13:30–19:30, stop "cap_jam" 19:30–20:00.
SEGMENTS = [
    (local(8), local(12), MachineState.RUN, ""),
    (local(12), local(12, 30), MachineState.IDLE, "break"),
    (local(12, 30), local(13, 30), MachineState.FAULT, "valve_leak"),
    (local(13, 30), local(19, 30), MachineState.RUN, ""),
    (local(19, 30), local(20), MachineState.STOP, "cap_jam"),
]
RATE = 6.0  # bottles per second of run time: 216,000 over the 10 h run


def hand_worked_shift(line):
    """Readings of the filler every 5 minutes and at each change; the capper reports its
    rejects at the start and the end."""
    filler = Machine.objects.select_related("line__unit").get(line=line, code="F1")
    capper = Machine.objects.select_related("line__unit").get(line=line, code="C1")
    readings, run_s = [], 0.0
    for start, end, state, reason in SEGMENTS:
        t = start
        while t < end:
            readings.append(
                MachineReading(
                    machine=filler,
                    at=t,
                    state=state,
                    reason=reason,
                    total=int(run_s * RATE),
                    reject=int(1000 * run_s / 36000),
                )
            )
            step = min(t + timedelta(minutes=5), end)
            if state == MachineState.RUN:
                run_s += (step - t).total_seconds()
            t = step
    readings.append(MachineReading(machine=filler, at=local(20), total=216000, reject=1000))
    readings.append(MachineReading(machine=capper, at=local(8), state="run", total=0, reject=0))
    readings.append(MachineReading(machine=capper, at=local(20), total=216000, reject=2240))
    return readings


def test_shift_oee_worked_by_hand(line):
    services.machine_readings_record(hand_worked_shift(line), now=local(10, day=4))
    row = LineShift.objects.get(line=line, day=DAY, shift=Shift.DAY)
    # planned busy time 12 h − 0.5 h break = 11.5 h; run 10 h → A = 10 / 11.5
    assert row.planned_s == pytest.approx(11.5 * 3600)
    assert row.run_s == pytest.approx(10 * 3600)
    assert row.availability == pytest.approx(10 / 11.5)
    # P = 0.15 s × 216,000 / 36,000 s = 0.9
    assert row.total == 216000
    assert row.performance == pytest.approx(0.9)
    # Q = (216,000 − 1,000 filler − 2,240 capper rejects) / 216,000 = 0.985
    assert row.good == 212760
    assert row.quality == pytest.approx(0.985)
    assert row.oee == pytest.approx(10 / 11.5 * 0.9 * 0.985)  # 0.7709
    # losses, largest first: the fault's hour, then the stop's half hour; no missing data
    assert row.ranked_losses() == [("valve_leak", 3600.0), ("cap_jam", 1800.0)]


def test_hour_trend_timeline_and_pareto(line):
    services.machine_readings_record(hand_worked_shift(line), now=local(10, day=4))
    span = shifts.span(DAY, Shift.DAY, line.shift_start)
    board = selectors.line_board(line=line, span=span, now=local(10, day=4))
    assert len(board["hours"]) == 12
    first, twelve = board["hours"][0], board["hours"][4]  # 08:00 and 12:00 local
    # the hour's rejects: the filler's 100 and the capper's 2,240 spread over its 12 h (186)
    assert (first["total"], first["reject"]) == (21600, 286)
    assert first["oee"] == pytest.approx(0.9 * (1 - 286 / 21600))
    assert twelve["availability"] == 0.0  # 12:00–12:30 break (not planned), 12:30–13:00 fault
    states = [(t["state"], t["reason"]) for t in board["timeline"]]
    assert ("fault", "valve_leak") in states and ("idle", "break") in states
    assert [p["minutes"] for p in board["pareto"]] == [60.0, 30.0]
    assert board["pareto"][-1]["cumulative"] == pytest.approx(1.0)
    assert board["pareto"][0]["cause"] == "Filling valve leak"


def test_a_redelivered_batch_changes_nothing(line):
    readings = hand_worked_shift(line)
    services.machine_readings_record(readings, now=local(10, day=4))
    before = list(LineHour.objects.filter(line=line).values_list("run_s", "total", "reject"))
    services.machine_readings_record(readings, now=local(10, day=4))
    after = list(LineHour.objects.filter(line=line).values_list("run_s", "total", "reject"))
    assert before == after
    assert MachineInterval.objects.filter(machine__line=line, machine__code="F1").count() == 5


def test_a_counter_reset_counts_from_zero(line):
    filler = Machine.objects.select_related("line__unit").get(line=line, code="F1")
    services.machine_readings_record(
        [
            MachineReading(machine=filler, at=local(9), state="run", total=5000, reject=0),
            MachineReading(machine=filler, at=local(9, 5), total=6800, reject=0),
            MachineReading(machine=filler, at=local(9, 10), total=1200, reject=0),  # reset
        ],
        now=local(10),
    )
    assert LineHour.objects.get(line=line).total == 1800 + 1200


def test_live_fault_and_low_oee_alerts(line):
    filler = Machine.objects.select_related("line__unit").get(line=line, code="F1")
    t = local(8)
    readings = []
    # an hour of slow running (half the ideal rate), then a fault from 09:10
    for minute in range(0, 70, 5):
        readings.append(
            MachineReading(
                machine=filler, at=t + timedelta(minutes=minute), state="run", total=minute * 200
            )
        )
    services.machine_readings_record(readings, now=t + timedelta(minutes=65))
    alert = Alert.objects.get(source=FACTORY_SOURCE, details__code="oee_low")
    assert alert.state != "resolved"
    # stored as text to render in each reader's language, the line's name too
    assert "低于目标" in alert.title  # the platform's language
    assert str(alert).startswith("Lhasa bottled-water plant, line 1: OEE 50.0 % under the target")
    fault = [
        MachineReading(machine=filler, at=local(9, 10), state="fault", reason="sensor"),
        MachineReading(machine=filler, at=local(9, 20), state="fault", reason="sensor"),
    ]
    services.machine_readings_record(fault, now=local(9, 20))
    assert not Alert.objects.filter(dedup_key=f"industry:fault:{filler.pk}").exists()  # 10 min
    services.machine_readings_record(
        [MachineReading(machine=filler, at=local(9, 26), state="fault", reason="sensor")],
        now=local(9, 26),
    )
    fault_alert = Alert.objects.get(dedup_key=f"industry:fault:{filler.pk}")
    assert fault_alert.details["reason"] == "sensor"
    services.machine_readings_record(
        [MachineReading(machine=filler, at=local(9, 30), state="run", total=14000)],
        now=local(9, 30),
    )
    fault_alert.refresh_from_db()
    assert fault_alert.state == "resolved"


def test_an_old_fault_replayed_raises_nothing(line):
    filler = Machine.objects.select_related("line__unit").get(line=line, code="F1")
    services.machine_readings_record(
        [
            MachineReading(machine=filler, at=local(9), state="fault", reason="sensor"),
            MachineReading(machine=filler, at=local(9, 5), state="fault", reason="sensor"),
            MachineReading(machine=filler, at=local(9, 40), state="fault", reason="sensor"),
        ],
        now=local(10, day=5),
    )
    assert not Alert.objects.filter(dedup_key=f"industry:fault:{filler.pk}").exists()


def _post(device, values, at):
    body = {
        "id": uuid.uuid4().hex[:12],
        "version": "1.0",
        "time": int(at.timestamp() * 1000),
        "params": values,
        "method": "thing.event.property.post",
    }
    ingest_batch([Inbound(device.product.product_key, device.name, "property", body)])


def test_machine_telemetry_through_the_iot_hub(line):
    filler = Machine.objects.select_related("device__product").get(line=line, code="F1")
    labeller = Machine.objects.select_related("device__product").get(line=line, code="L1")
    now = datetime.now(tz=shifts.TZ).replace(microsecond=0)
    _post(filler.device, {"state": "run", "total": 100, "good": 100}, now - timedelta(minutes=4))
    _post(
        filler.device, {"state": "stop", "reason": "bottle_jam", "total": 1500, "good": 1490}, now
    )
    _post(labeller.device, {"state": "run", "total": 1400, "reject": 3}, now)
    status = MachineStatus.objects.get(machine=filler)
    assert (status.state, status.reason, status.total, status.reject) == (
        "stop",
        "bottle_jam",
        1500,
        10,
    )
    span = shifts.shift_at(now, line.shift_start)
    row = LineShift.objects.get(line=line, day=span.day, shift=span.kind)
    assert row.total == 1400 and row.run_s == pytest.approx(240)
    # an unknown state or a negative counter is no reading
    _post(filler.device, {"state": "exploded", "total": -5}, now + timedelta(seconds=5))
    assert MachineStatus.objects.get(machine=filler).time == status.time
