"""Overall equipment effectiveness (Nakajima; ISO 22400-2:2014 KPI "OEE index"):
OEE = availability × performance × quality, with
availability = run time / planned time, performance = ideal cycle × total count / run time,
quality = good count / total count."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Oee:
    availability: float
    performance: float
    quality: float

    @property
    def oee(self) -> float:
        return self.availability * self.performance * self.quality


def oee_from_states(
    states: list[tuple[float, str]],
    *,
    planned_s: float,
    ideal_cycle_s: float,
    total: int,
    good: int,
) -> Oee:
    """`states`: (duration s, "run" | "stop" | "idle") of the machine over the planned time."""
    if planned_s <= 0 or ideal_cycle_s <= 0 or total < 0 or not 0 <= good <= total:
        raise ValueError("planned time and ideal cycle must be positive and 0 ≤ good ≤ total")
    run = sum(d for d, state in states if state == "run")
    availability = min(run / planned_s, 1.0)
    performance = min(ideal_cycle_s * total / run, 1.0) if run > 0 else 0.0
    quality = good / total if total else 0.0
    return Oee(availability, performance, quality)


def oee_from_times(
    *, planned_s: float, run_s: float, ideal_cycle_s: float, total: int, good: int
) -> Oee:
    """The same from accumulated run time (the stored hour and shift buckets). No planned time:
    every factor 0 (there is nothing to judge)."""
    if planned_s <= 0:
        return Oee(0.0, 0.0, 0.0)
    good = max(0, min(good, total))
    return oee_from_states(
        [(run_s, "run")], planned_s=planned_s, ideal_cycle_s=ideal_cycle_s, total=total, good=good
    )
