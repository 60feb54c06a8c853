"""Simulated telemetry for the demo (no database): a water-bottling line whose filler, capper and
labeller report state and counters, and a haul fleet whose trucks report state, position and
payload. `industry_demo` replays them over today's and yesterday's shifts; `industry_simulate`
runs them live through the IoT ingest.

Bottling line: the filler is the constraint; micro-stops (jams, caps or labels run out) about
every 9 minutes lasting 0.5–3 min, a fault about every 5 h lasting 10–40 min, a 30-minute break
at 12:00 and 00:00 local time; speed 92–98 % of the ideal rate; rejects about 1.5 % (capper
0.6 %, labeller 0.7 %, filler 0.2 %).

Haul fleet: trucks cycle dump → loader → dump, loading and travel times lognormal (σ = 0.15),
each truck leaving the dump sent by the MTWT rule (`dispatch.recommend`) unless a dispatcher's
target is given; 20 minutes' handover at each shift change; a truck now and then down for
maintenance.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from xizang5g.industry import dispatch, shifts
from xizang5g.industry.choices import MachineState, TruckState

# --------------------------------------------------------------------------- bottling line
LINE_MACHINES = (
    # code, kind, name, reject share, micro-stop reasons, fault reasons
    ("F1", "filler", "灌装机", 0.002, ("bottle_jam", "preform_supply"), ("valve_leak", "sensor")),
    ("C1", "capper", "旋盖机", 0.006, ("cap_jam", "cap_supply"), ("torque_head",)),
    ("L1", "labeller", "贴标机", 0.007, ("label_break", "glue"), ("sensor",)),
)
BREAKS = ((time(12, 0), 30), (time(0, 0), 30))  # local time, minutes
MICRO_STOP_MEAN_MIN = 9.0
FAULT_MEAN_H = 5.0


@dataclass
class _Stoppage:
    machine: str
    state: str
    reason: str
    until: datetime


class LineSim:
    """Advance with `run(until, every_s)`; readings as dicts for the IoT thing model
    (`state`, `reason`, `total`, `reject`) keyed by machine code."""

    STEP_S = 10.0

    def __init__(self, *, start: datetime, ideal_cycle_s: float, seed: int = 7, counters=None):
        self.t = start
        self.rng = random.Random(seed)
        self.ideal_cycle_s = ideal_cycle_s
        counters = counters or {}
        self.total = {m[0]: float(counters.get(m[0], (0, 0))[0]) for m in LINE_MACHINES}
        self.reject = {m[0]: float(counters.get(m[0], (0, 0))[1]) for m in LINE_MACHINES}
        self.stoppage: _Stoppage | None = None
        self.next_micro = start + self._exp(MICRO_STOP_MEAN_MIN * 60)
        self.next_fault = start + self._exp(FAULT_MEAN_H * 3600)
        self.last_state: dict[str, tuple[str, str]] = {}
        self.last_report = start - timedelta(days=1)

    def _exp(self, mean_s: float) -> timedelta:
        return timedelta(seconds=self.rng.expovariate(1 / mean_s))

    def _on_break(self, t: datetime) -> bool:
        local = t.astimezone(shifts.TZ)
        for start, minutes in BREAKS:
            begin = datetime.combine(local.date(), start, tzinfo=shifts.TZ)
            if begin <= local < begin + timedelta(minutes=minutes):
                return True
        return False

    def states(self, t: datetime) -> dict[str, tuple[str, str]]:
        if self._on_break(t):
            return {m[0]: (MachineState.IDLE, "break") for m in LINE_MACHINES}
        out = {m[0]: (MachineState.RUN, "") for m in LINE_MACHINES}
        s = self.stoppage
        if s is not None:
            out[s.machine] = (s.state, s.reason)
            if s.machine != "F1":  # the filler waits for the machine that stopped
                out["F1"] = (MachineState.STOP, f"{s.machine}:{s.reason}")
        return out

    def _events(self, t: datetime) -> None:
        if self.stoppage is not None and t >= self.stoppage.until:
            self.stoppage = None
        if self.stoppage is None and t >= self.next_fault:
            code, _k, _n, _r, _micro, faults = self.rng.choice(LINE_MACHINES)
            minutes = self.rng.uniform(10, 40)
            self.stoppage = _Stoppage(
                code, MachineState.FAULT, self.rng.choice(faults), t + timedelta(minutes=minutes)
            )
            self.next_fault = t + self._exp(FAULT_MEAN_H * 3600)
        elif self.stoppage is None and t >= self.next_micro:
            code, _k, _n, _r, micro, _faults = self.rng.choice(LINE_MACHINES)
            seconds = self.rng.uniform(30, 180)
            self.stoppage = _Stoppage(
                code, MachineState.STOP, self.rng.choice(micro), t + timedelta(seconds=seconds)
            )
            self.next_micro = t + self._exp(MICRO_STOP_MEAN_MIN * 60)

    def run(self, until: datetime, every_s: float) -> list[dict]:
        """Step to `until`; a reading per machine at every state change and every `every_s`."""
        out = []
        while self.t < until:
            self._events(self.t)
            states = self.states(self.t)
            if states["F1"][0] == MachineState.RUN:
                speed = self.rng.uniform(0.92, 0.98)
                units = self.STEP_S / self.ideal_cycle_s * speed
                for code, _k, _n, share, _micro, _faults in LINE_MACHINES:
                    self.total[code] += units
                    self.reject[code] += units * share * self.rng.uniform(0.5, 1.5)
            due = (self.t - self.last_report).total_seconds() >= every_s
            for code, *_rest in LINE_MACHINES:
                if due or states[code] != self.last_state.get(code):
                    state, reason = states[code]
                    out.append(
                        {
                            "machine": code,
                            "at": self.t,
                            "state": state,
                            "reason": reason,
                            "total": int(self.total[code]),
                            "reject": int(self.reject[code]),
                        }
                    )
            if due:
                self.last_report = self.t
            self.last_state = states
            self.t += timedelta(seconds=self.STEP_S)
        return out


# --------------------------------------------------------------------------- haul fleet
@dataclass(frozen=True)
class SimLoader:
    code: str
    latitude: float
    longitude: float
    load_min: float
    travel_min: float


@dataclass
class _Truck:
    code: str
    state: str = TruckState.EMPTY
    since: datetime | None = None
    until: datetime | None = None
    loader: str = ""
    payload: float = 0.0
    down_done: bool = False


@dataclass(order=True)
class _Event:
    at: datetime
    seq: int
    truck: str = field(compare=False)
    kind: str = field(compare=False)


DUMP_MIN = 1.5
HAUL_FACTOR = 1.15  # loaded trucks climb out of the pit: slower than empty
HANDOVER_MIN = 20


class FleetSim:
    """Advance with `run(until, every_s)`: a reading per truck at each state change and every
    `every_s` seconds (position interpolated along the road). `targets` (truck → loader code)
    overrides the rule for trucks leaving the dump, as a dispatcher's assignment does."""

    def __init__(
        self,
        *,
        loaders: list[SimLoader],
        trucks: list[str],
        dump: tuple[float, float],
        start: datetime,
        shift_start: time,
        capacity_t: float = 90.0,
        seed: int = 11,
    ):
        self.loaders = {ld.code: ld for ld in loaders}
        self.dump = dump
        self.t = start
        self.shift_start = shift_start
        self.capacity_t = capacity_t
        self.rng = random.Random(seed)
        self.trucks = {code: _Truck(code, since=start) for code in trucks}
        self.busy_until = dict.fromkeys(self.loaders, start)
        self.queue: dict[str, list[str]] = {code: [] for code in self.loaders}
        self.events: list[_Event] = []
        self.seq = 0
        self.out: list[dict] = []
        self.targets: dict[str, str] = {}
        # staggered departures from the dump, a minute apart
        for n, code in enumerate(trucks):
            self._push(start + timedelta(minutes=n), code, "dumped")
        self.down_truck = self.rng.choice(trucks) if trucks else None

    def _push(self, at: datetime, truck: str, kind: str) -> None:
        self.seq += 1
        heapq.heappush(self.events, _Event(at, self.seq, truck, kind))

    def _noisy(self, minutes: float) -> timedelta:
        return timedelta(minutes=minutes * self.rng.lognormvariate(0.0, 0.15))

    def position(self, truck: _Truck, at: datetime) -> tuple[float, float]:
        loader = self.loaders.get(truck.loader)
        if loader is None:
            return self.dump
        if truck.state in (TruckState.QUEUEING, TruckState.LOADING):
            # queueing trucks wait a little way back from the loader
            back = 0.0004 if truck.state == TruckState.QUEUEING else 0.0
            return loader.latitude + back, loader.longitude + back
        if truck.state not in (TruckState.EMPTY, TruckState.LOADED):
            return self.dump
        span = (truck.until - truck.since).total_seconds() if truck.until else 1.0
        done = min(max((at - truck.since).total_seconds() / max(span, 1.0), 0.0), 1.0)
        if truck.state == TruckState.LOADED:
            done = 1.0 - done
        bend = 0.002 * math.sin(math.pi * done)  # the haul road bends round the pit
        lat = self.dump[0] + (loader.latitude - self.dump[0]) * done + bend
        lon = self.dump[1] + (loader.longitude - self.dump[1]) * done
        return lat, lon

    def _emit(self, truck: _Truck, at: datetime, target: str = "") -> None:
        lat, lon = self.position(truck, at)
        reading = {
            "truck": truck.code,
            "at": at,
            "state": truck.state,
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "payload": round(truck.payload, 1),
        }
        if truck.state in (TruckState.QUEUEING, TruckState.LOADING):
            reading["loader"] = truck.loader
        if target:
            reading["target"] = target
        self.out.append(reading)

    def _set(self, truck: _Truck, state: str, at: datetime, until: datetime | None = None):
        truck.state, truck.since, truck.until = state, at, until
        self._emit(truck, at, truck.loader if state == TruckState.EMPTY else "")

    def _choose(self, code: str, at: datetime) -> str:
        if code in self.targets and self.targets[code] in self.loaders:
            return self.targets.pop(code)
        live = [
            dispatch.LiveLoader(ld.code, ld.load_min, ld.travel_min) for ld in self.loaders.values()
        ]
        committed = []
        for t in self.trucks.values():
            if t.state == TruckState.LOADING:
                left = max((t.until - at).total_seconds() / 60, 0.0)
                committed.append(dispatch.Committed(t.loader, 0.0, left))
            elif t.state == TruckState.QUEUEING:
                committed.append(dispatch.Committed(t.loader, 0.0))
            elif t.state == TruckState.EMPTY and t.loader and t.until:
                committed.append(
                    dispatch.Committed(t.loader, max((t.until - at).total_seconds() / 60, 0.0))
                )
        return dispatch.recommend(live, committed, [code])[0].loader

    def _handover(self, at: datetime) -> datetime | None:
        """The end of the shift handover `at` falls in, if any."""
        span = shifts.shift_at(at, self.shift_start)
        end = span.start + timedelta(minutes=HANDOVER_MIN)
        return end if at < end else None

    def _start_loading(self, truck: _Truck, at: datetime) -> None:
        loader = self.loaders[truck.loader]
        done = at + self._noisy(loader.load_min)
        self.busy_until[loader.code] = done
        self._set(truck, TruckState.LOADING, at, done)
        self._push(done, truck.code, "loaded")

    def _handle(self, ev: _Event) -> None:
        truck, at = self.trucks[ev.truck], ev.at
        if ev.kind == "dumped":
            truck.payload = 0.0
            handover = self._handover(at)
            if handover is not None:
                self._set(truck, TruckState.IDLE, at, handover)
                self._push(handover, truck.code, "dumped")
                return
            local = at.astimezone(shifts.TZ)
            if truck.code == self.down_truck and not truck.down_done and local.hour == 10:
                truck.down_done = True  # a morning in the workshop
                back = at + timedelta(minutes=self.rng.uniform(60, 120))
                self._set(truck, TruckState.DOWN, at, back)
                self._push(back, truck.code, "dumped")
                return
            if local.hour != 10:
                truck.down_done = False
            truck.loader = self._choose(truck.code, at)
            arrive = at + self._noisy(self.loaders[truck.loader].travel_min)
            self._set(truck, TruckState.EMPTY, at, arrive)
            self._push(arrive, truck.code, "arrive")
        elif ev.kind == "arrive":
            if self.busy_until[truck.loader] <= at and not self.queue[truck.loader]:
                self._start_loading(truck, at)
            else:
                self.queue[truck.loader].append(truck.code)
                self._set(truck, TruckState.QUEUEING, at)
        elif ev.kind == "loaded":
            loader = self.loaders[truck.loader]
            truck.payload = self.capacity_t * min(max(self.rng.gauss(0.97, 0.03), 0.85), 1.05)
            back = at + self._noisy(loader.travel_min * HAUL_FACTOR)
            self._set(truck, TruckState.LOADED, at, back)
            self._push(back, truck.code, "at_dump")
            if self.queue[loader.code]:
                self._start_loading(self.trucks[self.queue[loader.code].pop(0)], at)
        elif ev.kind == "at_dump":
            done = at + self._noisy(DUMP_MIN)
            self._set(truck, TruckState.DUMPING, at, done)
            self._push(done, truck.code, "dumped")

    def run(self, until: datetime, every_s: float) -> list[dict]:
        self.out = []
        tick = self.t
        while True:
            next_event = self.events[0].at if self.events else until
            next_tick = tick + timedelta(seconds=every_s)
            if min(next_event, next_tick) >= until:
                break
            if next_event <= next_tick:
                self._handle(heapq.heappop(self.events))
            else:
                tick = next_tick
                for truck in self.trucks.values():
                    self._emit(truck, tick)
        self.t = until
        return sorted(self.out, key=lambda r: r["at"])
