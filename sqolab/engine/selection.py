"""Checking per-lead values (a selection such as ``is_sqo``, a score) against the leads."""

from __future__ import annotations

import numpy as np
import pandas as pd


def aligned_values(leads: pd.DataFrame, values: object, name: str) -> np.ndarray:
    """``values`` (a Series on the leads' index, or an array of the same length) as numpy."""
    n = len(leads)
    if isinstance(values, pd.Series):
        if len(values) != n:
            raise ValueError(f"{name} has {len(values)} values but there are {n} leads.")
        if not values.index.equals(leads.index):
            raise ValueError(
                f"{name} is not aligned with the leads: its index differs from the leads' index. "
                f"Use {name}.reindex(leads.index) or compute it from the same frame."
            )
        return values.to_numpy()
    array = np.asarray(values)
    if array.ndim != 1 or len(array) != n:
        raise ValueError(f"{name} must have one value per lead ({n}), got shape {array.shape}.")
    return array


def as_selection(leads: pd.DataFrame, selected: object, name: str = "is_sqo") -> np.ndarray:
    """A boolean numpy array, one entry per lead (True = selected, e.g. an SQO)."""
    array = aligned_values(leads, selected, name)
    if array.dtype == np.bool_:
        return array
    if array.dtype == object and all(isinstance(v, bool | np.bool_) for v in array):
        return array.astype(bool)
    raise ValueError(
        f"{name} must be boolean (True = SQO), one True/False per lead, got dtype {array.dtype}"
        + (" with missing values" if pd.isna(array).any() else "")
        + ". Compare first, e.g. score >= 60."
    )
