"""Column access shared by the engine modules: read a lead column or say clearly why not.

Fast path: a column with the loader's dtype is returned without conversion. A missing column or a
value of the wrong kind raises :class:`~sqolab.data.schema.LeadDataError` naming the column, what
needs it and the fix.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from sqolab.data.schema import LeadDataError, Problem


def lead_column(leads: pd.DataFrame, column: str, what: str) -> pd.Series:
    """The column, or a LeadDataError that names it and says what needs it."""
    try:
        return leads[column]
    except KeyError:
        raise LeadDataError(
            Problem(
                column,
                f"The column is missing, but {what} needs it.",
                f"add a '{column}' column (see the data dictionary in datasets/README.md).",
            )
        ) from None


def category_codes(
    leads: pd.DataFrame, column: str, dtype: pd.CategoricalDtype, what: str
) -> np.ndarray:
    """Category codes of ``column`` under ``dtype`` (-1 = missing value).

    Plain strings or a categorical with other categories are converted; a value that is not one of
    the dtype's categories raises LeadDataError.
    """
    series = lead_column(leads, column, what)
    if series.dtype == dtype:
        return series.array.codes
    bad = ~(series.isna() | series.isin(dtype.categories)).to_numpy()
    if bad.any():
        values = tuple(dict.fromkeys(str(v) for v in series[bad].head(50)))[:5]
        raise LeadDataError(
            Problem(
                column,
                f"Values outside the allowed ones: {', '.join(map(repr, values))}.",
                f"use one of: {', '.join(dtype.categories)}.",
            )
        )
    return series.astype(dtype).array.codes


def float_column(leads: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """The column as a numpy array of numbers (NaN = missing); no copy when already numeric."""
    series = lead_column(leads, column, what)
    if series.dtype.kind in "fiu":
        return series.to_numpy()
    try:
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise LeadDataError(
            Problem(column, "The column holds values that are not numbers.", "use plain numbers.")
        ) from None


def is_number(value: object) -> bool:
    """True for a real number (int, float, numpy number), not for a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
