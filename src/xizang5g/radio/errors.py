"""Exceptions raised by :mod:`xizang5g.radio`."""

from __future__ import annotations


class PathInputError(ValueError):
    """Invalid input for one path of a batch.

    Attributes
    ----------
    path_index : int or None
        Index of the offending path in the batch (``None`` when the problem is batch-wide).
    field : str
        Name of the offending input field (e.g. ``"d_km"``, ``"f_ghz"``).
    """

    def __init__(self, path_index: int | None, field: str, problem: str):
        self.path_index = path_index
        self.field = field
        self.problem = problem
        where = "batch" if path_index is None else f"path {path_index}"
        super().__init__(f"{where}: field '{field}': {problem}")


class RadioInputError(ValueError):
    """Invalid scalar or array input to a non-path radio function (antennas, budgets, EMF)."""
