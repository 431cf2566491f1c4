"""Numbers as the course shows them: one formatter per kind, used by the engine, figures, labs and
practice alike. Missing values (None, NaN) read ``n/a`` (``unknown`` in the per-lead tables)."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))


def fmt_int(value: float) -> str:
    """12,345 (n/a for NaN)."""
    return "n/a" if _missing(value) else f"{value:,.0f}"


def fmt_pct(value: float, decimals: int = 1) -> str:
    """A 0-1 share as 12.3% (n/a for NaN, e.g. the win rate of no SQOs)."""
    return "n/a" if _missing(value) else f"{value:.{decimals}%}"


def fmt_eur(value: float) -> str:
    """1,234,567 EUR (n/a for NaN)."""
    return "n/a" if _missing(value) else f"{value:,.0f} EUR"


def fmt_number(value: float) -> str:
    """A control's value as text: 7,500 or 1.5 (at most two decimals, no trailing zeros)."""
    if _missing(value):
        return "n/a"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def show_value(value: object) -> str:
    """A cell of the lead tables: ``unknown`` for a missing value, thousands separators."""
    if pd.isna(value):
        return "unknown"
    if isinstance(value, float | int | np.number):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"
    return str(value).replace("_", " ")


def display_table(table: pd.DataFrame, spec: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """The columns named in ``spec`` (column -> (title, format)) as formatted text; NaN as n/a."""
    shown = pd.DataFrame(index=table.index)
    for column, (title, fmt) in spec.items():
        shown[title] = [("n/a" if pd.isna(v) else fmt.format(v)) for v in table[column]]
    return shown


def prose_html(text: str) -> str:
    """Plain-text lines as HTML paragraphs in the page's own font (escaped), for notebook output.

    Printed text lands in a monospace box that wraps anywhere, even inside a word ("n ot met");
    an object that shows itself with this reads as normal prose.
    """
    lines = [html.escape(line) for line in text.splitlines() if line.strip()]
    return "".join(f'<p style="margin: 0.2em 0;">{line}</p>' for line in lines)
