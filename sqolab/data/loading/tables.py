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
    raw: dict[str, pd.Series] = field(default_factory=dict)  # cells as they appeared
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
        raw = self.raw[column].iloc[first]
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


def layout(records: list[list[str]], source: str) -> tuple[list[str], list[int]]:
    """The header (first non-blank record) and the spreadsheet row numbers of the data rows.

    ``records`` hold every row of the sheet from its first row on, blank ones included, so
    record ``n - 1`` is spreadsheet row ``n``. A file without header or data rows raises.
    """
    blank = [not any(cell.strip() for cell in record) for record in records]
    numbers = [i + 1 for i in range(len(records)) if not blank[i]]  # spreadsheet rows
    if not numbers:
        raise LeadDataError(
            Problem(None, "The file has no header row, only empty cells.", EMPTY_FIX), source
        )
    if len(numbers) == 1:
        raise LeadDataError(
            Problem(
                None,
                "The file has a header row but no data rows.",
                "export the data again, including the rows.",
            ),
            source,
        )
    return records[numbers[0] - 1], numbers[1:]


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
    """A table as read from a file, before parsing: header, padded text rows and row numbers."""

    source: str  # name for messages
    header: list[str]
    rows: list[list[str]]
    numbers: np.ndarray  # spreadsheet row number of each data row
    decimal: str | None  # the file's decimal mark; None: decided by the cells (tab files)
    unsaved: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> formula
