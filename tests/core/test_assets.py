"""The vendored front-end files are the subsets the code needs (make assets)."""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "src" / "xizang5g" / "static" / "vendor"


def _subset_script():
    spec = importlib.util.spec_from_file_location("subset_icons", ROOT / "scripts/subset_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_icon_the_code_names_is_vendored():
    """A page, navigation entry or tile naming an icon left out of the subset would show an
    empty box: run `make assets` after naming a new one."""
    css = (VENDOR / "bootstrap-icons" / "bootstrap-icons.min.css").read_text(encoding="utf-8")
    vendored = set(re.findall(r"\.bi-([a-z0-9-]+)::before", css))
    named = _subset_script().used_icons()
    missing = sorted(named - vendored)
    assert len(vendored) > 50 and {"bell", "cpu", "broadcast-pin"} <= vendored
    assert not missing, f"icons named in the code but not vendored (run make assets): {missing}"


def test_the_chart_library_is_the_platforms_own_build():
    """ECharts is bundled with only the charts and components the pages use."""
    bundle = (VENDOR / "echarts" / "echarts.min.js").read_bytes()
    assert len(bundle) < 800_000, "the full ECharts build is 1 MB"
    entry = (ROOT / "assets" / "echarts.entry.js").read_text(encoding="utf-8")
    for part in ("LineChart", "BarChart", "PieChart", "MapChart", "GeoComponent", "CanvasRenderer"):
        assert part in entry
