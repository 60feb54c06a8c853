"""Smart factory: production lines and machines, their states and counters from telemetry into
hour buckets, the shift OEE (ISO 22400-2) stored per shift, and the OEE and fault alerts.

Time model (ISO 22400-2:2014): a shift's *planned busy time* is the time gone by in the shift less
planned downtime (the constraint machine *idle*: breaks, no order). *Run* time is production
time; *stop* and *fault* are unplanned downtime; time with no reading (a gap over
MAX_READING_GAP_S) counts as downtime "no data". Availability = run / planned busy time,
performance = ideal cycle × units / run time (the constraint's counter), quality = good / units
(good = units − the rejects every machine of the line reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from xizang5g.core import access
from xizang5g.core.models import Alert, Unit
from xizang5g.core.services import alert_raise, alert_resolve, save_validated
from xizang5g.core.texts import Text, label, names
from xizang5g.industry import oee, shifts
from xizang5g.industry.apps import FACTORY_SOURCE
from xizang5g.industry.choices import MachineState, Shift
from xizang5g.industry.constants import MAX_READING_GAP_S, OEE_ALERT_MIN_PLANNED_S
from xizang5g.industry.models import (
    LineHour,
    LineShift,
    Machine,
    MachineInterval,
    MachineStatus,
    ProductionLine,
)

NO_DATA = "no data"  # the loss of time without readings (shown translated)
STATE_SECONDS = {
    MachineState.RUN: "run_s",
    MachineState.STOP: "stop_s",
    MachineState.FAULT: "fault_s",
    MachineState.IDLE: "idle_s",
}


def line_create(
    *, unit: Unit, code: str, name: str, product: str, ideal_cycle_s: float, user, **fields
) -> ProductionLine:
    if user is not None:
        access.require_create(user, ProductionLine, unit=unit)
    fields.setdefault("planned_shifts", [Shift.DAY, Shift.NIGHT])
    line = ProductionLine(
        unit=unit, code=code, name=name, product=product, ideal_cycle_s=ideal_cycle_s, **fields
    )
    save_validated(line, user=user)
    return line


def machine_create(
    *,
    line: ProductionLine,
    code: str,
    name: str,
    kind: str,
    position: int = 1,
    constraint: bool = False,
    device=None,
    user,
) -> Machine:
    if user is not None:
        access.require(user, access.CHANGE, line)
    machine = Machine(
        line=line,
        code=code,
        name=name,
        kind=kind,
        position=position,
        constraint=constraint,
        device=device,
    )
    save_validated(machine, user=user)
    return machine


@dataclass(frozen=True)
class MachineReading:
    """What a machine's controller reported at `at`: any of its state (with the reason of a stop
    or fault) and its cumulative counters."""

    machine: Machine
    at: datetime
    state: str | None = None
    reason: str = ""
    total: int | None = None
    reject: int | None = None


class _Buckets:
    """Increments of the LineHour rows of one batch, written once at the end."""

    def __init__(self):
        self.rows: dict[tuple[int, datetime], dict] = {}

    def row(self, line_id: int, hour: datetime) -> dict:
        key = (line_id, hour)
        if key not in self.rows:
            self.rows[key] = {"run_s": 0.0, "stop_s": 0.0, "fault_s": 0.0, "idle_s": 0.0}
            self.rows[key].update(total=0, reject=0, losses={})
        return self.rows[key]

    def add_time(self, line_id: int, start: datetime, end: datetime, state: str, reason: str):
        for hour, _offset, seconds in shifts.hours_of(start, end):
            row = self.row(line_id, hour)
            row[STATE_SECONDS[state]] += seconds
            if state in (MachineState.STOP, MachineState.FAULT):
                cause = reason or state
                row["losses"][cause] = row["losses"].get(cause, 0.0) + seconds

    def add_count(self, line_id: int, start: datetime, end: datetime, *, total=0, reject=0):
        """Units counted between two readings, spread over the hours between them in proportion
        to the time (whole units; the last hour takes the remainder)."""
        pieces = shifts.hours_of(start, end) or [(start.replace(minute=0, second=0), 0, 1.0)]
        span_s = sum(seconds for _h, _o, seconds in pieces) or 1.0
        given_total = given_reject = 0
        for n, (hour, _offset, seconds) in enumerate(pieces):
            row = self.row(line_id, hour.replace(microsecond=0))
            if n == len(pieces) - 1:
                part_total, part_reject = total - given_total, reject - given_reject
            else:
                part_total = int(total * seconds / span_s)
                part_reject = int(reject * seconds / span_s)
            row["total"] += part_total
            row["reject"] += part_reject
            given_total += part_total
            given_reject += part_reject

    def write(self) -> None:
        for (line_id, hour), inc in self.rows.items():
            row, _created = LineHour.objects.select_for_update().get_or_create(
                line_id=line_id, hour=hour
            )
            for name in ("run_s", "stop_s", "fault_s", "idle_s", "total", "reject"):
                setattr(row, name, getattr(row, name) + inc[name])
            losses = dict(row.losses)
            for cause, seconds in inc["losses"].items():
                losses[cause] = losses.get(cause, 0.0) + seconds
            row.losses = losses
            row.save()


def _delta(new: int | None, old: int | None) -> int:
    """Units counted between two readings of a cumulative counter (a counter that went back was
    reset by the controller: it counted `new` since)."""
    if new is None or old is None:
        return 0
    return new - old if new >= old else new


def machine_readings_record(readings: list[MachineReading], *, now: datetime | None = None):
    """Account a batch of machine readings (in order per machine; a reading not newer than the
    last one is a redelivery and ignored): state time and counts into the line's hour buckets,
    the state intervals, the shift OEE of each shift touched, and the alerts."""
    now = now or timezone.now()
    buckets = _Buckets()
    touched: dict[int, tuple[ProductionLine, set]] = {}
    by_machine: dict[int, list[MachineReading]] = {}
    for r in readings:
        by_machine.setdefault(r.machine.pk, []).append(r)
    with transaction.atomic():
        statuses = {
            s.machine_id: s
            for s in MachineStatus.objects.select_for_update().filter(machine_id__in=by_machine)
        }
        for machine_id, items in by_machine.items():
            machine = items[0].machine
            line = machine.line
            entry = touched.setdefault(line.pk, (line, set()))
            status = statuses.get(machine_id)
            for r in sorted(items, key=lambda x: x.at):
                if status is not None and r.at <= status.time:
                    continue
                entry[1].add(shifts.shift_at(r.at, line.shift_start))
                if status is None:
                    status = _status_open(machine, r)
                    continue
                gap = (r.at - status.time).total_seconds()
                if machine.constraint and gap <= MAX_READING_GAP_S:
                    buckets.add_time(line.pk, status.time, r.at, status.state, status.reason)
                    entry[1].add(shifts.shift_at(status.time, line.shift_start))
                units = _delta(r.total, status.total) if machine.constraint else 0
                rejects = _delta(r.reject, status.reject)
                if units or rejects:
                    buckets.add_count(line.pk, status.time, r.at, total=units, reject=rejects)
                if r.total is not None:
                    status.total = r.total
                if r.reject is not None:
                    status.reject = r.reject
                if r.state and (r.state != status.state or r.reason != status.reason):
                    MachineInterval.objects.filter(machine=machine, end__isnull=True).update(
                        end=r.at
                    )
                    MachineInterval.objects.create(
                        machine=machine, state=r.state, reason=r.reason[:100], start=r.at
                    )
                    status.state, status.reason, status.since = r.state, r.reason[:100], r.at
                status.time = r.at
            if status is not None:
                status.save()
                _fault_check(machine, status, now=now)
        buckets.write()
    for line, spans in touched.values():
        for span in spans:
            line_shift_refresh(line=line, span=span, now=now)


def _status_open(machine: Machine, r: MachineReading) -> MachineStatus:
    state = r.state or MachineState.RUN
    MachineInterval.objects.create(machine=machine, state=state, reason=r.reason[:100], start=r.at)
    return MachineStatus.objects.create(
        machine=machine,
        state=state,
        reason=r.reason[:100],
        since=r.at,
        time=r.at,
        total=r.total,
        reject=r.reject,
    )


def _fault_check(machine: Machine, status: MachineStatus, *, now: datetime) -> None:
    """A machine in fault longer than its line's limit raises an alert, resolved when the fault
    ends. Only live readings raise: a late replay of an old fault does not."""
    key = f"industry:fault:{machine.pk}"
    if status.state != MachineState.FAULT:
        for alert in Alert.objects.filter(dedup_key=key).exclude(state="resolved"):
            alert_resolve(alert=alert, note="machine out of fault")
        return
    minutes = (status.time - status.since).total_seconds() / 60
    live = (now - status.time).total_seconds() <= MAX_READING_GAP_S
    if minutes < machine.line.fault_alert_min or not live:
        return
    alert_raise(
        source=FACTORY_SOURCE,
        dedup_key=key,
        title=Text(
            gettext_noop("%(line)s: %(machine)s in fault for %(minutes)d min"),
            line=names(machine.line),
            machine=machine.name,
            minutes=int(minutes),
        ),
        severity="major",
        message=Text(gettext_noop("Reason: %(reason)s"), reason=status.reason or "—"),
        unit=machine.line.unit,
        obj=machine.line,
        details={"code": "machine_fault", "machine": machine.code, "reason": status.reason},
    )


def line_shift_refresh(
    *, line: ProductionLine, span: shifts.ShiftSpan, now: datetime | None = None
) -> LineShift:
    """The shift's OEE from its hour buckets, stored (so pages read one row, not the raw data);
    for the running shift, raise or resolve the OEE alert."""
    now = now or timezone.now()
    hours = LineHour.objects.filter(line=line, hour__gte=span.start, hour__lt=span.end)
    row = {"run_s": 0.0, "stop_s": 0.0, "fault_s": 0.0, "idle_s": 0.0, "total": 0, "reject": 0}
    losses: dict[str, float] = {}
    for h in hours:
        for name in row:
            row[name] += getattr(h, name)
        for cause, seconds in h.losses.items():
            losses[cause] = losses.get(cause, 0.0) + seconds
    elapsed = span.elapsed_s(now)
    accounted = row["run_s"] + row["stop_s"] + row["fault_s"] + row["idle_s"]
    worked = line.planned(span.kind) or row["run_s"] > 0
    planned = max(elapsed - row["idle_s"], 0.0) if worked else 0.0
    if worked and elapsed - accounted > 1:
        losses[NO_DATA] = elapsed - accounted
    good = max(row["total"] - row["reject"], 0)
    result = oee.oee_from_times(
        planned_s=planned,
        run_s=row["run_s"],
        ideal_cycle_s=line.ideal_cycle_s,
        total=row["total"],
        good=good,
    )
    values = {
        "planned_s": planned,
        "run_s": row["run_s"],
        "stop_s": row["stop_s"],
        "fault_s": row["fault_s"],
        "idle_s": row["idle_s"],
        "total": row["total"],
        "good": good,
        "availability": result.availability,
        "performance": result.performance,
        "quality": result.quality,
        "oee": result.oee,
        "losses": {k: round(v, 1) for k, v in losses.items()},
    }
    stored, _created = LineShift.objects.update_or_create(
        line=line, day=span.day, shift=span.kind, defaults=values
    )
    if span.start <= now < span.end:
        _oee_check(line, span, stored)
    return stored


def _oee_check(line: ProductionLine, span: shifts.ShiftSpan, stored: LineShift) -> None:
    key = f"industry:oee:{line.pk}:{span.key}"
    for alert in (
        Alert.objects.filter(dedup_key__startswith=f"industry:oee:{line.pk}:")
        .exclude(dedup_key=key)
        .exclude(state="resolved")
    ):
        alert_resolve(alert=alert, note="the shift ended")
    if stored.planned_s < OEE_ALERT_MIN_PLANNED_S:
        return
    if stored.oee >= line.oee_target:
        for alert in Alert.objects.filter(dedup_key=key).exclude(state="resolved"):
            alert_resolve(alert=alert, note="OEE back at or above the target")
        return
    ranked = stored.ranked_losses()
    top = ranked[0][0] if ranked else ""
    alert_raise(
        source=FACTORY_SOURCE,
        dedup_key=key,
        title=Text(
            gettext_noop("%(line)s: OEE %(oee)s %% under the target %(target)s %%"),
            line=names(line),
            oee=round(stored.oee * 100, 1),
            target=round(line.oee_target * 100, 1),
        ),
        severity="minor",
        message=Text(
            gettext_noop(
                "%(shift)s of %(day)s: availability %(a)s %%, performance %(p)s %%, "
                "quality %(q)s %%; largest loss: %(loss)s"
            ),
            shift=label(Shift(span.kind)),
            day=span.day.isoformat(),
            a=round(stored.availability * 100, 1),
            p=round(stored.performance * 100, 1),
            q=round(stored.quality * 100, 1),
            loss=top or "—",
        ),
        unit=line.unit,
        obj=line,
        details={"code": "oee_low", "shift": span.key, "oee": round(stored.oee, 4)},
    )
