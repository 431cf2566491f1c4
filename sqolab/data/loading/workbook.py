"""Reading .xlsx workbooks: cells become the text a CSV export would hold."""

from __future__ import annotations

import datetime
import io
import re
import warnings
from typing import Any

import numpy as np

from sqolab.data.loading.names import normalise_name
from sqolab.data.loading.tables import EMPTY_FIX, Sheet, Table, layout
from sqolab.data.schema import (
    LeadDataError,
    Problem,
)


def _cell_text(value: object) -> str:
    """A workbook cell as text: 12 (not 12.0), 12.5, 2025-03-01, 2025-03-01 14:30:00, TRUE."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel shows them
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)  # repr: shortest exact
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(getattr(value, "text", value))  # array formulas carry their text in .text


def _pick_sheet(titles: list[str], table: Table) -> int:
    """The sheet named like the table ("Leads", "lead", "Campaigns", ...), else the first."""
    wanted = {table.name, f"{table.name}s"}
    return next((i for i, t in enumerate(titles) if normalise_name(t) in wanted), 0)


FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")  # a formula element in a sheet's XML


def _has_formulas(book: Any, sheet: Any) -> bool:
    """Whether the sheet's XML holds a formula (a fast scan, to skip the formula pass)."""
    try:  # openpyxl internals (3.1): the open archive and the sheet's path in it
        xml = book._archive.read(sheet._worksheet_path)
    except AttributeError:  # other openpyxl versions: assume formulas, look at every cell
        return True
    return bool(FORMULA_TAG.search(xml))


def _sheet_values(
    data: bytes, table: Table, *, data_only: bool
) -> tuple[str | None, list[tuple], bool]:
    """Title, cell values (by row, from row 1 and column A) and whether it has formulas, of
    the sheet to read. The title is None if the workbook has no worksheet."""
    import openpyxl  # lazy: only workbooks need it, CSV reading stays fast

    with warnings.catch_warnings():  # openpyxl warns about unsupported extensions, styles etc.
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
        try:
            sheets = book.worksheets  # without chart sheets
            if not sheets:
                return None, [], False
            sheet = sheets[_pick_sheet([s.title for s in sheets], table)]
            sheet.reset_dimensions()  # the stored size is sometimes wrong; read all rows
            values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
            return sheet.title, values, _has_formulas(book, sheet)
        finally:
            book.close()


def read_workbook(data: bytes, source: str, table: Table) -> Sheet:
    """Read the table's sheet of an .xlsx workbook (see the module docstring)."""
    try:
        title, values, has_formulas = _sheet_values(data, table, data_only=True)
        formulas: list[tuple] = []
        if has_formulas:
            # A formula whose result was never saved (e.g. written by a script) reads as
            # empty; the sheet read with formulas tells these cells apart from empty ones.
            _, formulas, _ = _sheet_values(data, table, data_only=False)
    except Exception:  # damaged files make zipfile, openpyxl and the XML parser raise anything
        raise LeadDataError(
            Problem(
                None,
                "The file starts like an Excel workbook (.xlsx) but cannot be read as one; "
                "it may be damaged, incomplete or another kind of zip archive.",
                "open it in Excel and save it again (as .xlsx or CSV), or export the data again.",
            ),
            source,
        ) from None
    if title is None:
        raise LeadDataError(Problem(None, "The workbook has no worksheet.", EMPTY_FIX), source)
    source = f"{source} (sheet '{title}')"
    records = [[_cell_text(v) for v in row] for row in values]
    unsaved: dict[tuple[int, int], str] = {}
    for r, (row, formula_row) in enumerate(zip(values, formulas, strict=False)):
        for c, (value, formula) in enumerate(zip(row, formula_row, strict=False)):
            if value is None and formula is not None:
                records[r][c] = unsaved[r + 1, c] = _cell_text(formula)
    width = max((i + 1 for r in records for i, cell in enumerate(r) if cell.strip()), default=0)
    records = [(r + [""] * width)[:width] for r in records]
    header, numbers = layout(records, source)
    position = {n: i for i, n in enumerate(numbers)}
    rows = [records[n - 1] for n in numbers]
    flagged: dict[tuple[int, int], str] = {}
    for (number, c), formula in unsaved.items():
        if number in position:  # a formula in the header row stays its label
            rows[position[number]][c] = ""
            flagged[position[number], c] = formula
    return Sheet(source, header, rows, np.asarray(numbers), ".", flagged)
