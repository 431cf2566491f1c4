"""Checking a selection of leads (such as ``is_sqo``) against the leads it selects from."""

from __future__ import annotations

import numpy as np
import pandas as pd


def as_selection(
    leads: pd.DataFrame, selected: pd.Series | np.ndarray, name: str = "is_sqo"
) -> np.ndarray:
    """A boolean numpy array, one entry per lead, from a Series aligned on ``leads`` or an array.

    Raises ValueError with a clear message for a wrong length, a misaligned index, missing values or
    values that are not True/False.
    """
    if isinstance(selected, pd.Series):
        if len(selected) != len(leads):
            raise ValueError(
                f"{name} has {len(selected)} entries but there are {len(leads)} leads: "
                f"compute it from the same leads, e.g. {name} = qualify(leads, criteria)."
            )
        if not selected.index.equals(leads.index):
            if selected.index.sort_values().equals(leads.index.sort_values()):
                selected = selected.reindex(leads.index)
            else:
                raise ValueError(
                    f"{name} is indexed differently from the leads: compute it from the same "
                    "DataFrame (or pass a plain array in the leads' row order)."
                )
        values = selected.to_numpy()
    else:
        values = np.asarray(selected)
        if values.ndim != 1 or len(values) != len(leads):
            raise ValueError(
                f"{name} has shape {values.shape} but there are {len(leads)} leads: "
                "pass one True/False per lead."
            )
    if values.dtype == bool:
        return values
    if values.dtype == object or pd.api.types.is_bool_dtype(values.dtype):
        series = pd.Series(values)
        if series.isna().any():
            raise ValueError(f"{name} has missing values: give every lead True or False.")
        if series.map(lambda v: isinstance(v, bool | np.bool_)).all():
            return series.to_numpy(dtype=bool)
    raise ValueError(
        f"{name} must hold True/False per lead, got values of type {values.dtype}: "
        "compare with a threshold first, e.g. score >= 60."
    )
