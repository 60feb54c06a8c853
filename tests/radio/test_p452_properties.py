"""Self-contained P.452-18 engine checks: limits, reciprocity, monotonicity, input errors."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from xizang5g.radio import PathInputError
from xizang5g.radio.p452 import (
    PathBatch,
    beta0_percent,
    inv_cum_norm,
    transmission_loss,
    transmission_loss_single,
)

pytestmark = []

COMMON = {
    "tx_lon": 91.0,
    "tx_lat": 29.6,
    "rx_lon": 91.5,
    "rx_lat": 29.6,
    "gt_dbi": 0.0,
    "gr_dbi": 0.0,
    "pol": 1,
    "dct_km": 500.0,
    "dcr_km": 500.0,
    "press_hpa": 1013.25,
    "temp_c": 15.0,
    "delta_n": 45.0,
    "n0": 320.0,
}


def ridge_profile(d_tot=48.0, n=481, ridge_m=400.0):
    d = np.linspace(0.0, d_tot, n)
    h = 3800.0 + 60.0 * np.sin(d / 3.0) + ridge_m * np.exp(-(((d - 0.4 * d_tot) / 2.0) ** 2))
    return d, h


def one(d, h, **kw):
    params = {**COMMON, "f_ghz": 3.5, "p_percent": 10.0, "htg_m": 30.0, "hrg_m": 10.0, **kw}
    return PathBatch.from_profiles([d], [h], zone=2, **params)


def test_line_of_sight_tends_to_free_space():
    d = np.linspace(0.0, 10.0, 101)
    h = np.zeros_like(d)
    res = transmission_loss(
        one(d, h, htg_m=200.0, hrg_m=200.0, p_percent=50.0, f_ghz=1.0), return_intermediates=True
    )
    fsl = 92.4 + 20.0 * np.log10(1.0) + 20.0 * np.log10(10.0)
    assert res.path_type[0] == 1
    assert res.ld50_db[0] == 0.0
    # Free-space loss plus a small gaseous term (~0.06 dB over 10 km at 1 GHz).
    assert 0.0 < res.lbfsg_db[0] - fsl < 0.2
    assert abs(res.lb_db[0] - res.lbfsg_db[0]) < 0.05


def test_obstructed_path_is_trans_horizon_and_exceeds_free_space():
    d, h = ridge_profile()
    res = transmission_loss(one(d, h), return_intermediates=True)
    assert res.path_type[0] == 2
    assert res.ld50_db[0] > 10.0
    assert res.lb_db[0] > res.lbfsg_db[0] + 10.0


def test_reciprocity_on_trans_horizon_path():
    d, h = ridge_profile()
    fwd = one(d, h, htg_m=25.0, hrg_m=8.0, gt_dbi=5.0, gr_dbi=12.0)
    rev = one(
        d[-1] - d[::-1],
        h[::-1],
        htg_m=8.0,
        hrg_m=25.0,
        gt_dbi=12.0,
        gr_dbi=5.0,
        tx_lon=COMMON["rx_lon"],
        rx_lon=COMMON["tx_lon"],
    )
    a = transmission_loss(fwd, return_intermediates=True)
    b = transmission_loss(rev, return_intermediates=True)
    assert b.theta_t_mrad[0] == pytest.approx(a.theta_r_mrad[0], abs=1e-9)
    assert b.dlt_km[0] == pytest.approx(a.dlr_km[0], abs=1e-9)
    assert b.ld50_db[0] == pytest.approx(a.ld50_db[0], abs=1e-6)
    assert b.lb_db[0] == pytest.approx(a.lb_db[0], abs=1e-6)


@pytest.mark.parametrize("ridge_m", [0.0, 150.0, 400.0])
def test_lb_is_monotonic_in_time_percentage(ridge_m):
    d, h = ridge_profile(ridge_m=ridge_m)
    p = np.array([0.001, 0.01, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0])
    n = p.size
    batch = PathBatch.from_profiles(
        [d] * n, [h] * n, zone=2, f_ghz=3.5, p_percent=p, htg_m=30.0, hrg_m=10.0, **COMMON
    )
    lb = transmission_loss(batch)
    assert np.all(np.diff(lb) >= -1e-9), lb


def test_ragged_batch_equals_individual_paths():
    d1, h1 = ridge_profile(48.0, 481)
    d2, h2 = ridge_profile(12.0, 61, ridge_m=50.0)
    d3, h3 = ridge_profile(130.0, 2601, ridge_m=0.0)
    batch = PathBatch.from_profiles(
        [d1, d2, d3],
        [h1, h2, h3],
        zone=[2, 1, np.where(d3 > 60.0, 3, 2)],
        f_ghz=[3.5, 0.9, 26.0],
        p_percent=[10.0, 1.0, 0.01],
        htg_m=[30.0, 20.0, 50.0],
        hrg_m=10.0,
        **COMMON,
    )
    lb = transmission_loss(batch)
    singles = [transmission_loss(batch.subset(i, i + 1))[0] for i in range(3)]
    np.testing.assert_allclose(lb, singles, rtol=0, atol=1e-12)


def test_single_path_signature_and_value():
    d, h = ridge_profile()
    sig = inspect.signature(transmission_loss_single)
    expected = [
        "f_ghz",
        "p_percent",
        "d_km",
        "h_m",
        "clutter_m",
        "zone",
        "htg_m",
        "hrg_m",
        "tx_lon",
        "tx_lat",
        "rx_lon",
        "rx_lat",
        "gt_dbi",
        "gr_dbi",
        "pol",
        "dct_km",
        "dcr_km",
        "press_hpa",
        "temp_c",
        "delta_n",
        "n0",
    ]
    assert list(sig.parameters) == expected
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in sig.parameters.values())
    clutter = np.full_like(d, 10.0)
    lb = transmission_loss_single(
        f_ghz=3.5,
        p_percent=10.0,
        d_km=d,
        h_m=h,
        clutter_m=clutter,
        zone=np.full(d.size, 2),
        htg_m=30.0,
        hrg_m=10.0,
        **COMMON,
    )
    batch = PathBatch.from_profiles(
        [d],
        [h],
        clutter_m=[clutter],
        zone=2,
        f_ghz=3.5,
        p_percent=10.0,
        htg_m=30.0,
        hrg_m=10.0,
        **COMMON,
    )
    assert lb == pytest.approx(transmission_loss(batch)[0], abs=1e-12)


def test_clutter_50m_rule_is_applied_inside():
    d = np.linspace(0.0, 5.0, 501)
    h = np.zeros_like(d)
    near = np.where(d < 0.05, 30.0, 0.0)  # clutter only within 50 m of Tx: must be ignored
    base = transmission_loss(one(d, h, htg_m=10.0, hrg_m=10.0))
    with_near = transmission_loss(
        PathBatch.from_profiles(
            [d],
            [h],
            clutter_m=[near],
            zone=2,
            f_ghz=3.5,
            p_percent=10.0,
            htg_m=10.0,
            hrg_m=10.0,
            **COMMON,
        )
    )
    assert with_near[0] == pytest.approx(base[0], abs=1e-12)
    far = np.where((d > 0.1) & (d < 4.9), 15.0, 0.0)
    with_far = transmission_loss(
        PathBatch.from_profiles(
            [d],
            [h],
            clutter_m=[far],
            zone=2,
            f_ghz=3.5,
            p_percent=10.0,
            htg_m=10.0,
            hrg_m=10.0,
            **COMMON,
        )
    )
    assert with_far[0] > base[0] + 5.0


def test_helpers():
    assert inv_cum_norm(0.5) == pytest.approx(0.0, abs=1e-3)
    assert inv_cum_norm(0.01) == pytest.approx(-2.326, abs=2e-3)
    assert inv_cum_norm(1e-9) == inv_cum_norm(1e-6)
    assert beta0_percent(30.0, 100.0, 100.0) < beta0_percent(30.0, 0.0, 0.0)


# ------------------------------------------------------------------ invalid input
def good_kwargs():
    d, h = ridge_profile()
    return {
        "d_km": [d, d],
        "h_m": [h, h],
        "zone": 2,
        "f_ghz": 3.5,
        "p_percent": 10.0,
        "htg_m": 30.0,
        "hrg_m": 10.0,
        **COMMON,
    }


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda k: k["d_km"].__setitem__(1, k["d_km"][1][::-1].copy()), "d_km"),
        (lambda k: k["d_km"].__setitem__(1, k["d_km"][1] + 0.5), "d_km"),
        (lambda k: k["d_km"].__setitem__(1, np.r_[0.0, 1.0, 1.0, k["d_km"][1][3:]]), "d_km"),
        (lambda k: k["h_m"].__setitem__(1, np.where(k["d_km"][1] > 5, np.nan, 1.0)), "h_m"),
        (lambda k: k["h_m"].__setitem__(1, k["h_m"][1][:-1]), "h_m"),
        (lambda k: k.__setitem__("f_ghz", [3.5, 60.0]), "f_ghz"),
        (lambda k: k.__setitem__("f_ghz", [3.5, 0.05]), "f_ghz"),
        (lambda k: k.__setitem__("p_percent", [10.0, 75.0]), "p_percent"),
        (lambda k: k.__setitem__("p_percent", [10.0, 0.0001]), "p_percent"),
        (lambda k: k.__setitem__("pol", [1, 3]), "pol"),
        (lambda k: k.__setitem__("zone", [2, 4]), "zone"),
        (lambda k: k.__setitem__("delta_n", [45.0, 200.0]), "delta_n"),
        (lambda k: k.__setitem__("htg_m", [30.0, -1.0]), "htg_m"),
        (lambda k: k.__setitem__("tx_lat", [29.0, 95.0]), "tx_lat"),
        (lambda k: k.__setitem__("n0", [320.0, np.nan]), "n0"),
    ],
)
def test_invalid_input_names_path_and_field(mutate, field):
    kw = good_kwargs()
    mutate(kw)
    d, h = kw.pop("d_km"), kw.pop("h_m")
    with pytest.raises(PathInputError) as exc:
        PathBatch.from_profiles(d, h, **kw)
    assert exc.value.field == field
    assert exc.value.path_index == 1
    assert "path 1" in str(exc.value) and field in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_batch_level_errors():
    kw = good_kwargs()
    d, h = kw.pop("d_km"), kw.pop("h_m")
    with pytest.raises(PathInputError, match="h_m"):
        PathBatch.from_profiles(d, h[:1], **kw)
    with pytest.raises(PathInputError, match="f_ghz"):
        PathBatch.from_profiles(d, h, **{**kw, "f_ghz": [3.5, 3.5, 3.5]})
    with pytest.raises(PathInputError, match="at least 4"):
        PathBatch.from_profiles([np.array([0.0, 1.0, 2.0])], [np.zeros(3)], **dict(kw.items()))
    with pytest.raises(PathInputError, match="required"):
        PathBatch.from_profiles(d, h, **{k: v for k, v in kw.items() if k != "delta_n"})
    with pytest.raises(TypeError):
        transmission_loss([d, h])
