"""The adapter's compiled profile sampler gives exactly the engine's profiles."""

import numpy as np
import pytest

from xizang5g.network import _profiles, engine
from xizang5g.radio import terrain


@pytest.mark.parametrize("spacing_m", [90.0, 500.0])
def test_compiled_profiles_equal_engine_profiles(spacing_m):
    dem = terrain.SyntheticPlateauDem(
        seed=3, bounds=(90.5, 29.2, 91.8, 30.2), resolution_deg=1 / 240
    )
    rng = np.random.default_rng(1)
    tx_lon, tx_lat = rng.uniform(90.6, 91.7, 50), rng.uniform(29.3, 30.1, 50)
    rx_lon, rx_lat = rng.uniform(90.6, 91.7, 50), rng.uniform(29.3, 30.1, 50)
    ref = terrain.profiles(tx_lon, tx_lat, rx_lon, rx_lat, spacing_m, dem)
    d, h, offsets = _profiles.profiles(tx_lon, tx_lat, rx_lon, rx_lat, spacing_m, dem)
    assert np.array_equal(offsets, ref.offsets)
    assert np.allclose(d, ref.d_km, atol=1e-12)
    assert np.allclose(h, ref.h_m, atol=1e-6)


def test_threaded_path_loss_equals_single_calls():
    dem = terrain.SyntheticPlateauDem(
        seed=3, bounds=(90.5, 29.2, 91.8, 30.2), resolution_deg=1 / 240
    )
    rng = np.random.default_rng(2)
    n = 30
    args = {
        "tx_lon": rng.uniform(90.6, 91.7, n),
        "tx_lat": rng.uniform(29.3, 30.1, n),
        "rx_lon": rng.uniform(90.6, 91.7, n),
        "rx_lat": rng.uniform(29.3, 30.1, n),
        "f_mhz": 3700.0,
        "htg_m": 30.0,
        "hrg_m": 5.0,
        "p_percent": 20.0,
        "spacing_m": 200.0,
    }
    batch = engine.path_loss(dem=dem, chunk=7, threads=2, **args).lb_db
    for i in range(0, n, 7):
        single = engine.single_path_loss(
            dem=dem, **{k: (v[i] if isinstance(v, np.ndarray) else v) for k, v in args.items()}
        )
        assert batch[i] == pytest.approx(single, abs=1e-9)
