"""Fixtures for the radio engine tests (no database needed)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ENV_VAR = "XZ5G_P452_VALIDATION_DIR"


def validation_dir() -> Path:
    """Folder of the ITU P.452-18 validation data: the env override, else ``shared/`` beside the
    checkout or beside the folder of worktrees that holds it (``/work/wt/<name>`` ->
    ``/work/shared``)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    candidates = [
        base / "shared" / "p452-validation" for base in (REPO_ROOT.parent, REPO_ROOT.parents[1])
    ]
    return next((path for path in candidates if path.is_dir()), candidates[0])


def _read_profile(path: Path):
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    d = np.array([float(r[0]) for r in rows])
    h = np.array([float(r[1]) for r in rows])
    clutter = np.array([float(r[2]) for r in rows])
    zone = np.array([int(r[4]) for r in rows])
    return d, h, clutter, zone


@pytest.fixture(scope="session")
def p452_validation_cases():
    """All (profile, result row) cases as parallel lists; skips with a reason if data is absent."""
    root = validation_dir()
    results = sorted((root / "results").glob("test_result_*.csv"))
    if not results:
        reason = (
            f"ITU P.452-18 validation data not found in {root} "
            f"(set {ENV_VAR} or provide ../shared/p452-validation)"
        )
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    profiles, rows = [], []
    for result_file in results:
        # The profile column inside one result file is mislabelled upstream; pair by file name.
        profile_file = root / "profiles" / result_file.name.replace("test_result_", "test_profile_")
        prof = _read_profile(profile_file)
        with result_file.open(newline="") as fh:
            for row in csv.DictReader(fh):
                clean = {k.strip(): v.strip() for k, v in row.items() if k is not None}
                clean["_file"] = result_file.name
                profiles.append(prof)
                rows.append(clean)
    return profiles, rows
