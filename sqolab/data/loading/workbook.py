"""Reading .xlsx workbooks: cells become the text a CSV export would hold."""

from __future__ import annotations

import datetime
import io
import re
import warnings
import zipfile
from typing import IO, Any

import numpy as np

from sqolab.data.loading.cells import AMBIGUOUS_NUMBER
from sqolab.data.loading.names import normalise_name
from sqolab.data.loading.tables import (
    EMPTY_FIX,
    Sheet,
    Table,
    check_bounds,
    column_letter,
    layout,
    text_columns,
)
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
PREFIXED = re.compile(rb"<\w+:(row|c)[\s>/]")  # rows and cells with a namespace prefix


def _scan_sheets(data: bytes, source: str) -> dict[str, bool]:
    """Whether each worksheet's XML holds a formula, keyed by its path in the archive.

    Every worksheet is scanned once, streaming with bounded memory, and a sheet beyond the
    bounds is refused before openpyxl (which reads every sheet to size it) touches any.
    """
    formulas: dict[str, bool] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as stream:
                    rows, cells, formulas[name] = _scan(stream)
                check_bounds(rows, 1, source, " in a sheet of the workbook", cells=cells)
    return formulas


def _scan(stream: IO[bytes]) -> tuple[int, int, bool]:
    """Rows and cells of a sheet's XML and whether it has formulas."""
    rows = cells = 0
    formulas = False
    carry = b""
    while chunk := stream.read(1 << 20):
        buffer = carry + chunk
        cut = buffer.rfind(b"<")  # tags before the last "<" are complete
        done, carry = buffer[:cut], buffer[cut:]
        rows += done.count(b"<row ") + done.count(b"<row>")
        cells += done.count(b"<c ") + done.count(b"<c>")
        for tag in PREFIXED.findall(done):
            rows, cells = (rows + 1, cells) if tag == b"row" else (rows, cells + 1)
        formulas = formulas or bool(FORMULA_TAG.search(done))
    rows += carry.count(b"<row")
    return rows, cells, formulas or bool(FORMULA_TAG.search(carry))


def _sheet_rows(book: Any, sheet: Any, source: str) -> list[tuple[int, list[Any]]]:
    """The non-empty rows of a sheet: (row number, values from column A to the last value)."""
    try:  # openpyxl internals (3.1): the parser yields only the cells the file holds
        from openpyxl.worksheet._reader import WorkSheetParser

        stream = sheet._get_source()
        parser = WorkSheetParser(
            stream,
            sheet._shared_strings,
            data_only=book.data_only,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        parsed = ((n, [(c["column"], c["value"]) for c in cells]) for n, cells in parser.parse())
    except (AttributeError, ImportError):  # other versions: the public, padded rows
        stream = None
        sheet.reset_dimensions()  # the stored size is sometimes wrong; read all rows
        parsed = (
            (n, list(enumerate(row, 1)))
            for n, row in enumerate(sheet.iter_rows(values_only=True), 1)
        )
    rows: list[tuple[int, list[Any]]] = []
    cells = 0
    try:
        for number, row in parsed:
            used = [(c, v) for c, v in row if v is not None and v != ""]
            if not used:
                continue
            last = used[-1][0]
            where = f" (a value in cell {column_letter(last - 1)}{number})"
            cells += last
            check_bounds(number, last, source, where, cells=cells)
            values: list[Any] = [None] * last
            for column, value in used:
                values[column - 1] = value
            rows.append((number, values))
    finally:
        if stream is not None:
            stream.close()
    return rows


def _sheet_values(
    data: bytes, table: Table, source: str, *, data_only: bool
) -> tuple[str | None, list[str], list[tuple[int, list[Any]]], str]:
    """Title, the titles of all sheets, the non-empty rows and the path in the archive of the
    sheet to read. The title is None if the workbook has no worksheet."""
    try:
        import openpyxl  # lazy: only workbooks need it, CSV reading stays fast
    except ImportError:
        raise LeadDataError(
            Problem(
                None,
                "Reading an Excel workbook (.xlsx) needs the package openpyxl, which is not "
                "installed here.",
                'install it with pip install "sqolab[xlsx]" (or pip install openpyxl), or save '
                "the sheet from Excel as 'CSV UTF-8 (comma delimited)' and read that file.",
            ),
            source,
        ) from None

    with warnings.catch_warnings():  # openpyxl warns about unsupported extensions, styles etc.
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
        try:
            sheets = book.worksheets  # without chart sheets
            if not sheets:
                return None, [], [], ""
            titles = [s.title for s in sheets]
            sheet = sheets[_pick_sheet(titles, table)]
            named = f"{source} (sheet '{sheet.title}')"
            path = str(getattr(sheet, "_worksheet_path", "")).lstrip("/")
            return sheet.title, titles, _sheet_rows(book, sheet, named), path
        finally:
            book.close()


def read_workbook(data: bytes, source: str, table: Table) -> Sheet:
    """Read the table's sheet of an .xlsx workbook (see the module docstring)."""
    try:
        scanned = _scan_sheets(data, source)
        title, titles, values, path = _sheet_values(data, table, source, data_only=True)
        formulas: dict[int, list[Any]] = {}
        if scanned.get(path, True):
            # A formula whose result was never saved (e.g. written by a script) reads as
            # empty; the sheet read with formulas tells these cells apart from empty ones.
            formulas = dict(_sheet_values(data, table, source, data_only=False)[2])
    except LeadDataError:
        raise
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
    named = f"{source} (sheet '{title}')"
    records: dict[int, list[str]] = {}
    unsaved: dict[tuple[int, int], str] = {}
    ambiguous: dict[tuple[int, int], str] = {}
    for number, row in values:
        texts = records[number] = [_cell_text(v) for v in row]
        for c, value in enumerate(row):
            if isinstance(value, str) and AMBIGUOUS_NUMBER.fullmatch(value):
                ambiguous[number, c] = value
    for number, row in formulas.items():  # formulas whose result is missing
        for c, formula in enumerate(row):
            texts = records.setdefault(number, [])
            if formula is not None and (c >= len(texts) or not texts[c].strip()):
                texts.extend([""] * (c + 1 - len(texts)))
                texts[c] = unsaved[number, c] = _cell_text(formula)
    filled = sorted(n for n, texts in records.items() if any(t.strip() for t in texts))
    if len(filled) < 2 and len(titles) > 1 and _pick_sheet(titles, table) == 0:
        _no_data_on_first_sheet(titles, table, source, filled)
    first, numbers = layout(filled, named)
    width = max((len(records[n]) for n in filled), default=0)
    header = (records[first] + [""] * width)[:width]
    rows = [(records[n] + [""] * width)[:width] for n in numbers]
    position = {n: i for i, n in enumerate(numbers)}
    flagged = {(position[n], c): f for (n, c), f in unsaved.items() if n in position}
    for row, c in flagged:  # a formula in the header row stays its label
        rows[row][c] = ""
    return Sheet(
        named,
        header,
        text_columns(header, rows),
        np.asarray(numbers),
        ".",
        flagged,
        {(position[n], c): t for (n, c), t in ambiguous.items() if n in position},
    )


def _no_data_on_first_sheet(titles: list[str], table: Table, source: str, filled: list) -> None:
    """Raise for a first sheet without data when the workbook has other sheets."""
    wanted = f"{table.name.title()}s"
    found = "only one filled row" if filled else "no cells"
    others = ", ".join(f"'{t}'" for t in titles[1:])
    raise LeadDataError(
        Problem(
            None,
            f"The first sheet, '{titles[0]}', has {found}, so no data rows; no sheet is named "
            f"'{wanted}'. The workbook's other sheets: {others}.",
            f"rename the sheet that holds the data to '{wanted}' (or move it to the front), "
            "then read the file again.",
        ),
        source,
    )
