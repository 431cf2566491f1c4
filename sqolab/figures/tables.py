"""Tables as a report shows them: readable column titles, formatted numbers with units, no index
column, "unknown" for a missing value and a tick or a cross for yes/no."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from sqolab.engine.formatting import show_value

YES, NO = "✓", "✗"
UNKNOWN = "unknown"

Column = str | tuple[str, str | Callable[[object], str]]
"""A column's title, or its title and a format (``"{:,.0f} EUR"``, or a function value -> text)."""


def cell_text(value: object, fmt: str | Callable[[object], str] | None = None) -> str:
    """One cell: ✓/✗ for a truth value, ``unknown`` for a missing one, else the format's text."""
    if isinstance(value, bool | np.bool_):
        return YES if value else NO
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return UNKNOWN
    if fmt is None:
        return show_value(value)
    return fmt(value) if callable(fmt) else fmt.format(value)


def report_table(
    frame: pd.DataFrame,
    columns: Mapping[str, Column] | None = None,
    *,
    index: str | None = None,
) -> Styler:
    """``frame`` as a report table without an index column.

    ``columns`` maps a column to its title or to (title, format), in display order; None shows every
    column, titled from its name. ``index`` is the title under which the row labels become the first
    column.
    """
    if columns is None:
        columns = {c: str(c).replace("_", " ") for c in frame.columns}
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(
            f"report_table: no column {missing} in the table; it has {list(frame.columns)}."
        )
    shown = pd.DataFrame(index=range(len(frame)))
    if index is not None:
        shown[index] = [cell_text(v) for v in frame.index]
    for name, spec in columns.items():
        title, fmt = (spec, None) if isinstance(spec, str) else spec
        shown[title] = [cell_text(v, fmt) for v in frame[name]]
    return shown.style.hide(axis="index")
