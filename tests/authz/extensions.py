"""Apps declare their own routes for the authorization matrix, inside their own test folder.

A platform app's tests may hold `tests/<app>/authz.py` with any of:

* `PAGES: dict[str, Route]` — its pages by URL name (see routes.py);
* `OPERATIONS: dict[str, Operation]` — its API operations by "METHOD /path" (see api_routes.py);
* `populate(world, units)` — adds its objects to the matrix world (`world.add(kind, obj)`): one
  belonging to a unit with a demo user ("health" or "cmcc"), one to a unit without, as world.py
  does for the core systems.

So a new system never edits the central tables, and two systems added side by side never clash.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path
from types import ModuleType

TESTS = Path(__file__).resolve().parents[1]


@cache
def app_modules() -> tuple[ModuleType, ...]:
    found = sorted(p for p in TESTS.glob("*/authz.py") if p.parent.name != "authz")
    return tuple(importlib.import_module(f"tests.{p.parent.name}.authz") for p in found)


def _merged(base: dict, attribute: str) -> dict:
    merged = dict(base)
    for module in app_modules():
        extra = getattr(module, attribute, {})
        clash = set(extra) & set(merged)
        assert not clash, f"{module.__name__} declares {sorted(clash)} again"
        merged.update(extra)
    return merged


def pages() -> dict:
    from tests.authz.routes import PAGES

    return _merged(PAGES, "PAGES")


def operations() -> dict:
    from tests.authz.api_routes import OPERATIONS

    return _merged(OPERATIONS, "OPERATIONS")


def populate(world, units) -> None:
    for module in app_modules():
        if hasattr(module, "populate"):
            module.populate(world, units)
