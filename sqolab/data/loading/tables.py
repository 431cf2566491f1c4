"""The loader's shared vocabulary: the tables it knows, a sheet as read from a file, and the
problems collected while reading one."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sqolab.data.schema import (
    AUTHORITY_DTYPE,
    CAMPAIGN_COLUMNS,
    LEAD_COLUMNS,
    NEED_DTYPE,
    ORCHARD_COLUMNS,
    OUTCOME_DTYPE,
    SOURCE_DTYPE,
    Column,
    LeadDataError,
    Problem,
)

STR_DTYPE = pd.StringDtype(na_value=np.nan)  # pandas' default "str" dtype
SELLS_DTYPE = pd.CategoricalDtype(("yes", "no"))
MAX_SHOWN = 5  # offending rows shown per problem
EMPTY_FIX = "export the data again; the file needs a header row and one row per record."


@dataclass(frozen=True, eq=False)  # eq=False: hashable by identity, for the schema cache
class Table:
    """A table the loader knows: its columns, categorical dtypes and the noun for one row."""

    name: str
    noun: str
    columns: tuple[Column, ...]
    dtypes: dict[str, pd.CategoricalDtype]

    @functools.cached_property
    def by_name(self) -> dict[str, Column]:
        """The columns keyed by name."""
        return {c.name: c for c in self.columns}


LEADS = Table(
    "lead",
    "lead",
    LEAD_COLUMNS,
    {
        "source": SOURCE_DTYPE,
        "authority": AUTHORITY_DTYPE,
        "need": NEED_DTYPE,
        "outcome": OUTCOME_DTYPE,
    },
)
CAMPAIGNS = Table("campaign", "campaign", CAMPAIGN_COLUMNS, {"channel": SOURCE_DTYPE})
ORCHARD = Table("orchard", "fruit", ORCHARD_COLUMNS, {"sells": SELLS_DTYPE})


@dataclass
class Context:
    """What the parsers need to know about the data at hand, and the problems found so far."""

    rows: np.ndarray  # spreadsheet row number of each data row
    decimal: str  # the file's decimal mark (see the module docstring)
    table: Table
    # suggested renames {file column: schema column} -> (the renames as the user writes them, fix)
    rename_hint: Callable[[dict[Any, str]], tuple[str, str]]
    headers: dict[str, str] = field(default_factory=dict)  # mapped column -> user's header
    # cells as they appeared, or a function that reads them again (typed CSV columns)
    raw: dict[str, pd.Series | Callable[[], pd.Series]] = field(default_factory=dict)
    bad: dict[str, np.ndarray] = field(default_factory=dict)  # cells the parser rejected
    problems: list[Problem] = field(default_factory=list)

    def report(self, column: str, mask: np.ndarray, message: str, fix: str) -> None:
        """Add a problem for the cells of ``column`` selected by the boolean ``mask``."""
        positions = np.flatnonzero(mask)
        if positions.size:
            self.problems.append(self.problem(column, positions, message, fix))

    def problem(self, column: str, positions: np.ndarray, message: str, fix: str) -> Problem:
        """A problem naming the first offending rows (spreadsheet numbers) and raw values."""
        first = positions[:MAX_SHOWN]
        raw = self.raw[column]
        if callable(raw):
            raw = self.raw[column] = raw()
        raw = raw.iloc[first]
        values = tuple("" if pd.isna(v) else str(v) for v in raw)  # error message only
        count = f"{positions.size} row{'s' if positions.size > 1 else ''}"
        return Problem(
            column,
            f"{message} ({count}).",
            fix,
            tuple(int(r) for r in self.rows[first]),
            values,
            header=self.headers.get(column, ""),
        )


def layout(filled: list[int], source: str) -> tuple[int, list[int]]:
    """The header's spreadsheet row and the data rows, from the rows that are not blank.

    ``filled`` holds the spreadsheet numbers (first row = 1) of the non-blank rows, in order.
    A file without header or data rows raises.
    """
    if not filled:
        raise LeadDataError(
            Problem(None, "The file has no header row, only empty cells.", EMPTY_FIX), source
        )
    if len(filled) == 1:
        raise LeadDataError(
            Problem(
                None,
                "The file has a header row but no data rows.",
                "export the data again, including the rows.",
            ),
            source,
        )
    return filled[0], filled[1:]


# Bounds of what is read: larger tables are refused before they can exhaust the memory.
MAX_ROWS = 1_048_576  # rows of a sheet, header included (Excel's limit); lines of a CSV file
MAX_COLUMNS = 1_000  # columns of the header row (real CRM exports have a few hundred at most)
MAX_CELLS = 30_000_000  # rows x columns, e.g. 1,000,000 leads of 30 columns


def check_bounds(
    rows: int, columns: int, source: str, what: str = "", cells: int | None = None
) -> None:
    """Refuse a table beyond the documented bounds (``what`` says where it was found)."""
    cells = rows * columns if cells is None else cells
    found = ""
    if columns > MAX_COLUMNS:
        found = f"{columns:,} columns{what}; the loader reads at most {MAX_COLUMNS:,}"
    elif rows > MAX_ROWS:
        found = f"more than {MAX_ROWS:,} rows{what}, the most a spreadsheet holds"
    elif cells > MAX_CELLS:
        found = f"{cells:,} cells{what}; the loader reads at most {MAX_CELLS:,}"
    if found:
        raise LeadDataError(
            Problem(
                None,
                f"The table is too large: {found}.",
                "read only the columns and rows you need: delete the others in your "
                "spreadsheet, or export a smaller selection from your CRM.",
            ),
            source,
        )


def column_letter(position: int) -> str:
    """Spreadsheet letter of a 0-based column position (0 -> A, 26 -> AA)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Sheet:
    """A table as read from a file, before parsing: header, columns and row numbers."""

    source: str  # name for messages
    header: list[str]
    columns: list[pd.Series]  # one per header cell: text, or typed by the fast CSV reader
    numbers: np.ndarray  # spreadsheet row number of each data row
    decimal: str | None  # the file's decimal mark; None: decided by the cells (tab files)
    unsaved: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> formula
    # (row, col) -> text cell of a workbook that reads differently in German and English
    ambiguous: dict[tuple[int, int], str] = field(default_factory=dict)
    text: Callable[[int], pd.Series] | None = None  # a typed column's cells as text, again


def text_columns(header: list[str], rows: list[list[str]]) -> list[pd.Series]:
    """The columns of padded text rows, one Series per header cell."""
    if not rows:
        return [pd.Series([], dtype=STR_DTYPE) for _ in header]
    return [pd.Series(column, dtype=STR_DTYPE) for column in zip(*rows, strict=True)]
