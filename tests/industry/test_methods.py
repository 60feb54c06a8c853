"""Slope forecast (Fukuzono), dispatch against fixed assignment, underground limits, OEE."""

import math

import numpy as np
import pytest

from xizang5g.industry import dispatch, oee, slope, underground


def test_inverse_velocity_forecasts_a_known_failure_time():
    # Accelerating creep with Fukuzono's alpha = 2: v = 1 / (A (tf - t)), so 1/v = A (tf - t);
    # the displacement is d = -(1/A) ln(tf - t). Failure at tf = 100 h; GNSS every 2 h to 90 h,
    # with 0.1 mm of measurement noise (slope radar).
    tf, a = 100.0, 0.01
    t = np.arange(0.0, 92.0, 2.0)
    d = -(1 / a) * np.log(tf - t) + np.random.default_rng(7).normal(0, 0.1, t.size)
    mid, v = slope.velocities(t, d)
    forecast = slope.inverse_velocity_forecast(mid, v, window=20)
    assert forecast.failure_time is not None
    assert forecast.failure_time == pytest.approx(tf, abs=3.0)
    assert forecast.slope < 0 and forecast.r2 > 0.8


def test_no_forecast_for_steady_creep():
    t = np.arange(0.0, 50.0, 1.0)
    d = 2.0 * t + np.random.default_rng(3).normal(0, 0.05, t.size)
    mid, v = slope.velocities(t, d)
    assert slope.inverse_velocity_forecast(mid, v).failure_time is None


def test_velocities_refuse_bad_series():
    with pytest.raises(ValueError, match="increase"):
        slope.velocities([0, 2, 1], [0, 1, 2])


LOADERS = [
    dispatch.Loader("EX-1", load_min=4.0, travel_min=8.0),
    dispatch.Loader("EX-2", load_min=5.0, travel_min=15.0),
    dispatch.Loader("EX-3", load_min=3.5, travel_min=10.0),
]


def test_dispatch_reduces_queueing_against_fixed_assignment():
    fixed = [dispatch.simulate(LOADERS, 12, policy="fixed", seed=s) for s in range(10)]
    dynamic = [dispatch.simulate(LOADERS, 12, policy="dispatch", seed=s) for s in range(10)]
    queue_fixed = sum(r.queue_min for r in fixed)
    queue_dynamic = sum(r.queue_min for r in dynamic)
    assert queue_dynamic < 0.7 * queue_fixed  # at least 30 % less waiting at loaders
    # and production holds (within 3 %: the heuristic serves starving loaders, not the nearest)
    assert sum(r.tonnes for r in dynamic) >= 0.97 * sum(r.tonnes for r in fixed)


def test_dispatch_moves_more_ore_when_the_fleet_is_over_trucked():
    fixed = [dispatch.simulate(LOADERS, 18, policy="fixed", seed=s) for s in range(10)]
    dynamic = [dispatch.simulate(LOADERS, 18, policy="dispatch", seed=s) for s in range(10)]
    assert sum(r.queue_min for r in dynamic) < 0.8 * sum(r.queue_min for r in fixed)
    assert sum(r.tonnes for r in dynamic) > sum(r.tonnes for r in fixed)


def test_dispatch_refuses_unknown_policy():
    with pytest.raises(ValueError, match="policy"):
        dispatch.simulate(LOADERS, 3, policy="random")


def test_pressure_and_oxygen_at_altitude():
    assert underground.pressure_kpa(0) == pytest.approx(101.325)
    assert underground.pressure_kpa(4500) == pytest.approx(57.7, abs=0.2)
    # 20.9 % O2 at 4,500 m: ≈ 12.1 kPa, below the sea-level equivalent of 19.5 % (19.76 kPa)
    assert underground.o2_partial_pressure_kpa(20.9, 4500) == pytest.approx(12.06, abs=0.1)


def test_air_alarms_by_volume_with_advisory_partial_pressure():
    fine_at_sea = underground.air_alarms(
        {"o2": 20.9, "co": 5, "no2": 0.5, "airflow": 1.0, "temperature": 18}, elevation_m=0
    )
    assert fine_at_sea == []
    high = underground.air_alarms({"o2": 20.9, "co": 5}, elevation_m=4500)
    assert high == ["po2_low"]  # the volume limit holds; the partial pressure is advisory
    bad = underground.air_alarms(
        {"o2": 19.5, "co": 30, "no2": 3.0, "airflow": 0.1, "temperature": 28.5}, elevation_m=4500
    )
    assert set(bad) == {
        "o2_low",
        "po2_low",
        "co_high",
        "no2_high",
        "airflow_low",
        "temperature_high",
    }


def test_oee_by_hand():
    # 8 h planned, 1 h stopped; ideal cycle 1 s; 20,000 bottles of which 19,600 good
    result = oee.oee_from_states(
        [(25200, "run"), (3600, "stop")],
        planned_s=28800,
        ideal_cycle_s=1.0,
        total=20000,
        good=19600,
    )
    assert result.availability == pytest.approx(0.875)
    assert result.performance == pytest.approx(20000 / 25200)
    assert result.quality == pytest.approx(0.98)
    assert result.oee == pytest.approx(0.875 * 20000 / 25200 * 0.98)
    assert math.isclose(result.oee, 0.6806, abs_tol=1e-3)
    with pytest.raises(ValueError):
        oee.oee_from_states([], planned_s=0, ideal_cycle_s=1, total=1, good=1)
