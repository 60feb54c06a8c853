"""The adapter's chunked, threaded path loss equals the engine's single-path entry point."""

import numpy as np
import pytest

from xizang5g.network import engine
from xizang5g.radio import terrain


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


def test_registry_choices_are_the_engines_pattern_identifiers():
    from xizang5g.network.choices import CellPattern, EarthStationPattern
    from xizang5g.radio import antennas

    assert tuple(EarthStationPattern.values) == antennas.EARTH_STATION_PATTERNS
    assert tuple(CellPattern.values) == antennas.BASE_STATION_PATTERNS


def test_bad_emission_mask_points_are_refused_with_the_reason():
    from xizang5g.radio import RadioInputError

    with pytest.raises(RadioInputError, match="ascending"):
        engine.unwanted_power_dbm(
            mask_points=[[10, -30], [0, -20]],
            power_dbm=49.0,
            ch_low_mhz=3400.0,
            ch_high_mhz=3500.0,
            rx_low_mhz=3700.0,
            rx_high_mhz=3736.0,
        )
    flat = engine.unwanted_power_dbm(
        mask_points=[],
        power_dbm=49.0,
        ch_low_mhz=3400.0,
        ch_high_mhz=3500.0,
        rx_low_mhz=3700.0,
        rx_high_mhz=3736.0,
    )
    assert flat == pytest.approx(-30.0 + 10 * np.log10(36.0))
