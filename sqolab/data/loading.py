"""Read and validate lead, campaign and orchard tables.

Accepted inputs: CSV files and Excel workbooks (.xlsx), given as a path, bytes or an open file
(binary, or text for CSV). Old binary Excel files (.xls) are rejected with a hint to save them as
.xlsx or CSV.

One generic pipeline serves all three tables: read the bytes, decode them and split the CSV (or
turn the workbook's cells into the same text, see below), name the columns, parse every cell by
the column's kind (see ``sqolab.data.schema``), check the
constraints with pandera, and turn every failure into a :class:`~sqolab.data.schema.Problem`.
All problems of a file are collected and raised together as one
:class:`~sqolab.data.schema.LeadDataError`; bad content never raises anything else.

Parsing rules (all tables):

* Encoding: UTF-8 (with or without byte-order mark), UTF-16 with byte-order mark, otherwise
  Windows-1252 (what German Excel writes for "CSV (Trennzeichen-getrennt)").
* Delimiter: comma, semicolon or tab, whichever occurs most often in the header line outside
  quotes. Rows that consist only of delimiters or spaces are skipped; extra *empty* fields at
  the end of a row are ignored, a short row is padded with empty cells.
* Header names match a schema column after lowercasing, stripping and turning runs of spaces
  and hyphens into one underscore ("Lead ID" -> lead_id). Other columns are kept, after the
  schema columns, as text. Missing required columns are reported as one problem that
  lists them, the columns matching no schema column, and a suggested mapping of confident
  matches only: known CRM and German names (Firma -> company, Lead Source -> source) or
  nearly the same name (difflib ratio >= 0.8, ignoring case, units in brackets, spaces,
  hyphens and underscores). Problems in a column renamed by a mapping name the user's header.
* Numbers: semicolon files use the German convention: ``,`` is the decimal mark and ``.``
  separates groups of three digits (``1234,5``, ``12.500,00``, ``12.500`` = 12500). Comma
  files use the English one (``1234.5``, ``12,500.00``). Tab files use the German convention
  if some number cell only makes sense with a decimal comma (``2,5``) and none only with a
  decimal point, the English one otherwise. A cell that cannot be read with the file's
  convention is read with the other one, so ``12.5`` in a semicolon file is twelve and a
  half and ``1234,5`` in a comma file is 1234.5; a cell that fits the file's convention is
  always read with it (``1.234`` in a semicolon file is 1234). Spaces are ignored, money
  columns (unit EUR) may carry ``€`` or ``EUR`` before or after the number. Whole-number
  columns accept ``12``, ``12.0`` and ``12,0`` but reject ``12.5``.
* Unknown values: an empty cell means unknown where the column is nullable. In nullable number
  and date columns ``n/a``, ``NA``, ``nan``, ``null``, ``unknown`` and ``-`` (any case) also
  mean unknown; in ``authority`` and ``need`` empty cells and these words become ``unknown``.
  Spreadsheet error values such as ``#N/A`` or ``#DIV/0!`` are always errors.
* Categories are case-, space- and hyphen-insensitive: "Decision Maker" -> decision_maker,
  " WON " -> won.
* Dates: ``2025-03-01`` (ISO) or ``01.03.2025`` / ``01.03.25`` (German), optionally followed
  by a time ``14:30`` or ``14:30:00``; years 1900 to 2199.

Workbooks (.xlsx, read with openpyxl, which is imported only for workbooks):

* Sheet: a sheet named like the table ("Leads" or "lead" for leads, "Campaigns" for campaigns,
  "Orchard" for the orchard; case, spaces and hyphens do not matter), otherwise the first
  worksheet. Messages name the sheet.
* The first non-empty row is the header, as in CSV files. Every cell is turned into the text a
  CSV export would hold and then parsed by exactly the rules above: numbers as ``12`` (whole
  numbers without ``.0``) or ``12.5``, so number cells are exact and numbers typed as text
  follow the comma-file convention (decimal point); dates as ``2025-03-01``, with
  `` 14:30:00`` only if the cell has a time; booleans as ``TRUE``/``FALSE``; empty cells as
  empty text. Error cells such as ``#N/A`` are errors, as in CSV files.
* Formulas: the result saved with the workbook is read. A formula without a saved result
  (workbooks written by scripts and never opened in Excel) is reported as a problem.
* A damaged workbook, or a zip file that is no workbook, raises :class:`LeadDataError`.

Row numbers in messages are spreadsheet rows: the header is row 1, the first data row is row 2
(blank lines count, as they do when the file is opened in a spreadsheet); in workbooks they are
the sheet's row numbers, counted from its first row.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import difflib
import functools
import io
import json
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from sqolab.data.schema import (
    AUTHORITY_DTYPE,
    CAMPAIGN_COLUMNS,
    LEAD_COLUMNS,
    NEED_DTYPE,
    ORCHARD_COLUMNS,
    OUTCOME_DTYPE,
    SOURCE_DTYPE,
    UNKNOWN,
    Column,
    LeadDataError,
    Problem,
)

__all__ = [
    "read_campaigns",
    "read_leads",
    "read_orchard",
    "validate_leads",
]

PathOrBuffer = str | os.PathLike[str] | bytes | bytearray | IO[str] | IO[bytes]

STR_DTYPE = pd.StringDtype(na_value=np.nan)  # pandas' default "str" dtype
SELLS_DTYPE = pd.CategoricalDtype(("yes", "no"))
MAX_SHOWN = 5  # offending rows shown per problem
MISSING_WORDS = ("", "n/a", "na", "nan", "null", "unknown", "-")
EXCEL_ERROR = r"#(?:N/A|DIV/0!|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!)"
CURRENCY = r"(?i)^(?:€|eur)\s*|\s*(?:€|eur)$"
DATE_RE = (
    r"(?:(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})"
    r"|(?P<d2>\d{1,2})\.(?P<m2>\d{1,2})\.(?P<y2>\d{4}|\d{2}))"
    r"(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?)?"
)
YEARS = (1900, 2200)  # plausible years; also keeps dates inside datetime64[ns]
EMPTY_FIX = "export the data again; the file needs a header row and one row per record."
WHOLE_LIMIT = 2.0**53  # largest whole number a float64 (and the parser) holds exactly
XLSX_MAGIC = b"PK\x03\x04"  # a zip archive: .xlsx (and other Office Open XML files)
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # an OLE compound file: old binary .xls


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
class _Context:
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


# --------------------------------------------------------------------------------------------
# Reading bytes and splitting the CSV


def _read_source(path_or_buffer: PathOrBuffer) -> tuple[bytes | str, str]:
    """The raw content (bytes, or text from a text handle) of the input, and a name for messages."""
    if isinstance(path_or_buffer, bytes | bytearray | memoryview):
        return bytes(path_or_buffer), "the given data"
    if isinstance(path_or_buffer, str | os.PathLike):
        path = Path(path_or_buffer)
        if isinstance(path_or_buffer, str) and "\n" in path_or_buffer:
            raise FileNotFoundError(
                "Expected a file path but got text with line breaks. "
                "To read CSV text, wrap it: io.StringIO(text)."
            )
        if path.is_dir():
            raise IsADirectoryError(f"{path} is a folder, not a CSV file or workbook.")
        if not path.is_file():
            raise FileNotFoundError(
                f"No file at {path} (absolute: {path.resolve()}). Check the name and folder."
            )
        return path.read_bytes(), path.name
    if hasattr(path_or_buffer, "read"):
        name = str(getattr(path_or_buffer, "name", "") or "the given file object")
        try:
            data = path_or_buffer.read()
        except UnicodeDecodeError:  # a text file opened with the wrong encoding
            data = _reread_bytes(path_or_buffer, name)
        return (data if isinstance(data, str) else bytes(data)), name
    raise TypeError(
        f"Expected a file path, bytes or an open file, not {type(path_or_buffer).__name__}."
    )


def _reread_bytes(handle: IO[str], source: str) -> bytes:
    """The raw bytes behind a text file whose encoding did not fit, if they can be re-read."""
    try:
        handle.buffer.seek(0)  # type: ignore[attr-defined]
        return handle.buffer.read()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        raise LeadDataError(
            Problem(
                None,
                "The file was opened with an encoding that does not fit its bytes.",
                "pass the path, or open the file in binary mode: open(path, 'rb').",
            ),
            source,
        ) from None


def _decode(data: bytes, source: str) -> str:
    """Decode UTF-8 (BOM or not), UTF-16 with BOM, or Windows-1252."""
    if data.startswith(XLS_MAGIC):
        raise LeadDataError(
            Problem(
                None,
                "This is an old binary Excel workbook (.xls), which cannot be read.",
                "open it in Excel, save as .xlsx or CSV (File > Save As > 'Excel Workbook' or "
                "'CSV UTF-8 (comma delimited)') and read that file.",
            ),
            source,
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            return _check_text(data.decode(encoding), source)
        except UnicodeDecodeError:
            continue
    raise LeadDataError(
        Problem(
            None,
            "The file's bytes are neither UTF-8 nor Windows-1252 text; "
            "it may be a binary file or damaged.",
            "save the data as CSV (UTF-8) from your spreadsheet or CRM and read that file.",
        ),
        source,
    )


def _check_text(text: str, source: str) -> str:
    """Reject empty and binary-looking text; drop a byte-order mark."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise LeadDataError(
            Problem(
                None,
                "The file is empty.",
                EMPTY_FIX,
            ),
            source,
        )
    controls = len(re.findall(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", text))
    if "\x00" in text or controls > max(2, len(text) // 100):
        raise LeadDataError(
            Problem(
                None,
                "The file contains binary data, not text.",
                "save the data as CSV (UTF-8) from your spreadsheet or CRM and read that file.",
            ),
            source,
        )
    return text


def _sniff_delimiter(text: str) -> str:
    """The delimiter that occurs most often in the header line, ignoring quoted parts."""
    counts = dict.fromkeys(";\t,", 0)
    quoted = False
    for char in text[:65536]:  # the header line only (scans characters, not data rows)
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: counts[d])  # ties: semicolon, then tab, then comma
    return best if counts[best] else ","


def _split_rows(
    text: str, delimiter: str, source: str
) -> tuple[list[str], list[list[str]], np.ndarray]:
    """Header, padded data rows and their spreadsheet row numbers; structural errors raise."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    lines: list[int] = []  # file line each record starts on
    start = 1
    try:
        for record in reader:  # tokenising: the csv module hands out one record at a time
            records.append(record)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        what = "is followed by more text in the same cell"
        if "expected after" not in str(error):  # end of data, or a huge cell: never closed
            what = "is never closed"
        raise LeadDataError(
            Problem(
                None,
                f'The row starting at line {start} of the file has a quote (") that {what}.',
                "put quotes around whole cells only, and write a quote inside a quoted cell "
                'twice ("").',
            ),
            source,
        ) from None
    header, data_numbers = _layout(records, source)
    width = len(header)
    ragged = [n for n in data_numbers if any(c.strip() for c in records[n - 1][width:])]
    if ragged:
        shown = ", ".join(
            f"row {n} (line {lines[n - 1]}) has {len(records[n - 1])}" for n in ragged[:MAX_SHOWN]
        )
        raise LeadDataError(
            Problem(
                None,
                f"{len(ragged)} row(s) have more fields than the header's {width}: {shown}.",
                f"put quotes around cells that contain the delimiter {delimiter!r} "
                '(e.g. "Müller, Söhne") or remove the extra delimiters.',
                tuple(ragged[:MAX_SHOWN]),
                tuple(delimiter.join(records[n - 1][width:]) for n in ragged[:MAX_SHOWN]),
            ),
            source,
        )
    rows = [(records[n - 1] + [""] * width)[:width] for n in data_numbers]
    return header, rows, np.asarray(data_numbers)


def _layout(records: list[list[str]], source: str) -> tuple[list[str], list[int]]:
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


def _column_letter(position: int) -> str:
    """Spreadsheet letter of a 0-based column position (0 -> A, 26 -> AA)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --------------------------------------------------------------------------------------------
# Reading workbooks (.xlsx): cells become the text a CSV export would hold


@dataclass
class _Sheet:
    """A table as read from a file, before parsing: header, padded text rows and row numbers."""

    source: str  # name for messages
    header: list[str]
    rows: list[list[str]]
    numbers: np.ndarray  # spreadsheet row number of each data row
    decimal: str | None  # the file's decimal mark; None: decided by the cells (tab files)
    unsaved: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> formula


def _read_csv(data: bytes | str, source: str) -> _Sheet:
    text = _check_text(data, source) if isinstance(data, str) else _decode(data, source)
    delimiter = _sniff_delimiter(text)
    header, rows, numbers = _split_rows(text, delimiter, source)
    return _Sheet(source, header, rows, numbers, {";": ",", ",": "."}.get(delimiter))


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
    return next((i for i, t in enumerate(titles) if _normalise_name(t) in wanted), 0)


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


def _read_workbook(data: bytes, source: str, table: Table) -> _Sheet:
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
    header, numbers = _layout(records, source)
    position = {n: i for i, n in enumerate(numbers)}
    rows = [records[n - 1] for n in numbers]
    flagged: dict[tuple[int, int], str] = {}
    for (number, c), formula in unsaved.items():
        if number in position:  # a formula in the header row stays its label
            rows[position[number]][c] = ""
            flagged[position[number], c] = formula
    return _Sheet(source, header, rows, np.asarray(numbers), ".", flagged)


# --------------------------------------------------------------------------------------------
# Column names


# Common CRM export and German header names of the schema columns, for suggested mappings.
# Compared after _match_key (no case, units in brackets, spaces, hyphens or underscores).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "lead_id": ("Lead Nr", "Lead Nummer", "Lead Number"),
    "company": ("Firma", "Firmenname", "Unternehmen", "Company", "Company Name", "Account Name"),
    "industry": ("Branche", "Industry"),
    "country": ("Land", "Country"),
    "contact_title": ("Position", "Title", "Job Title", "Jobtitel", "Titel"),
    "employees": (
        "Mitarbeiter",
        "Mitarbeiterzahl",
        "Anzahl Mitarbeiter",
        "Employees",
        "Number of Employees",
        "NumberOfEmployees",
    ),
    "source": ("Quelle", "Lead Quelle", "Leadquelle", "Lead Source", "LeadSource"),
    "campaign": ("Kampagne", "Campaign", "Campaign Name"),
    "created_on": ("Erstellt am", "Erstelldatum", "Created Date", "CreatedDate", "Created On"),
    "budget_eur": ("Budget",),
    "authority": ("Entscheider", "Authority"),
    "need": ("Bedarf", "Need"),
    "timeline_months": ("Zeitrahmen", "Timeline"),
    "engagement_score": ("Engagement",),
    "fit_score": ("Fit",),
    "competitors": ("Wettbewerber", "Competitors"),
    "deal_value_eur": ("Auftragswert", "Amount", "Deal Value", "Deal Size"),
    "sales_hours": ("Vertriebsstunden", "Sales Hours"),
    "outcome": ("Ergebnis", "Outcome"),
    "channel": ("Kanal", "Channel"),
    "spend_eur": ("Ausgaben", "Kosten", "Spend"),
}
CLOSE_RATIO = 0.8  # difflib ratio of match keys above which a name counts as a confident match
MAX_LISTED = 20  # unmatched file columns listed in the missing-columns problem


def _normalise_name(label: object) -> str:
    """Header name as compared with the schema: lowercase, stripped, _ for spaces/hyphens."""
    return re.sub(r"[\s\-]+", "_", str(label).strip().lower())


def _match_key(label: object) -> str:
    """A name as compared for suggestions: lowercase, without units in brackets ("(EUR)"),
    spaces, hyphens and underscores ("Budget (EUR)" -> "budget", "lead_id" -> "leadid")."""
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", "", str(label).lower())
    return re.sub(r"[\s\-_]+", "", text)


SYNONYM_KEYS: dict[str, str] = {
    _match_key(word): name for name, words in SYNONYMS.items() for word in words
}


def _match_score(label: object, name: str) -> float:
    """How surely the file's column ``label`` holds the schema column ``name``; 0: not sure.

    2 for a known synonym, 1.5 for the same key (e.g. "Budget EUR"), else the difflib ratio
    of the keys if it reaches CLOSE_RATIO.
    """
    key, target = _match_key(label), _match_key(name)
    if not key:
        return 0.0
    if SYNONYM_KEYS.get(key) == name:
        return 2.0
    if key == target:
        return 1.5
    ratio = difflib.SequenceMatcher(None, key, target).ratio()
    return ratio if ratio >= CLOSE_RATIO else 0.0


def _suggest_names(labels: list[Any], names: list[str]) -> dict[Any, str]:
    """Confident renames {file column: schema column}: pairs that are each other's only best
    match, so no file column is suggested twice and no schema column gets two file columns."""
    scores = {(i, n): _match_score(label, n) for i, label in enumerate(labels) for n in names}
    scores = {pair: score for pair, score in scores.items() if score}

    def unique_best(pairs: list[tuple[tuple[int, str], float]]) -> tuple[int, str] | None:
        best = max((score for _, score in pairs), default=0.0)
        top = [pair for pair, score in pairs if score == best]
        return top[0] if len(top) == 1 else None

    suggested: dict[Any, str] = {}
    for i, label in enumerate(labels):
        pair = unique_best([(p, v) for p, v in scores.items() if p[0] == i])
        if pair and unique_best([(p, v) for p, v in scores.items() if p[1] == pair[1]]) == pair:
            suggested[label] = pair[1]
    return suggested


def _literal(renames: dict[Any, str]) -> str:
    """A dict literal as the user would type it: {"Firma": "company"}."""

    def quote(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)

    return "{" + ", ".join(f"{quote(k)}: {quote(v)}" for k, v in renames.items()) + "}"


@dataclass
class _Names:
    """The result of naming a table's columns."""

    names: list[Any]  # new name per position: a schema column or the label as it was
    problems: list[Problem]
    skip: set[int]  # positions not to read (duplicate names)
    mapped: dict[Any, str]  # the mapping's entries that were applied: label -> schema column
    unresolved: set[str]  # schema columns the mapping names with a key the file does not have


def _name_columns(labels: list[Any], table: Table, mapping: dict[str, str] | None) -> _Names:
    """New names for the labels (mapping, then normalisation), problems, positions to skip."""
    problems: list[Problem] = []
    skip: set[int] = set()
    mapped: dict[Any, str] = {}
    unresolved: set[str] = set()
    names = list(labels)
    by_normal = {_normalise_name(label): i for i, label in enumerate(labels)}
    for source, target in (mapping or {}).items():
        if target not in table.by_name:
            close = difflib.get_close_matches(_normalise_name(target), list(table.by_name), 1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            problems.append(
                Problem(
                    str(target),
                    f"mapping sends '{source}' to '{target}', "
                    f"which is not a column of the {table.name} table.{hint}",
                    f"map to one of: {', '.join(table.by_name)}.",
                )
            )
            continue
        position = labels.index(source) if source in labels else None
        if position is None:
            position = by_normal.get(_normalise_name(source))
        if position is None:
            keys = {_match_key(label): label for label in labels}
            close = difflib.get_close_matches(_match_key(source), list(keys), 1, CLOSE_RATIO)
            hint = f" Did you mean '{keys[close[0]]}'?" if close else ""
            problems.append(
                Problem(
                    target,
                    f"mapping names the column '{source}', but the file has no such column.{hint} "
                    f"Available columns: {', '.join(map(str, labels))}.",
                    "spell the mapping's key exactly like the column in the file's header.",
                )
            )
            unresolved.add(target)
            continue
        names[position] = target
        mapped[labels[position]] = target
    renamed = {labels.index(s) for s in (mapping or {}) if s in labels}
    for i, label in enumerate(labels):
        if i not in renamed and _normalise_name(label) in table.by_name:
            names[i] = _normalise_name(label)
    # Duplicate names are found here, not by pandera: a DataFrame with two columns of one
    # name cannot be validated column by column.
    positions: dict[Any, list[int]] = {}
    for i, name in enumerate(names):
        positions.setdefault(name, []).append(i)
    for name, where in positions.items():
        if len(where) > 1:
            skip.update(where)
            shown = ", ".join(f"{_column_letter(i)} ('{labels[i]}')" for i in where)
            problems.append(
                Problem(
                    str(name),
                    f"The column appears {len(where)} times: spreadsheet columns {shown}.",
                    "delete or rename the extra column(s) so that each name appears once "
                    "(check the mapping too).",
                )
            )
    return _Names(names, problems, skip, mapped, unresolved)


def _missing_columns(table: Table, named: _Names, ctx: _Context) -> None:
    """One problem for all absent required columns: which are missing, which columns of the
    file match none, and one suggested rename of confident matches only.

    Columns that the mapping names with a key the file lacks are already reported.
    """
    names = named.names
    missing = [
        c.name
        for c in table.columns
        if c.required and c.name not in names and c.name not in named.unresolved
    ]
    if not missing:
        return
    unmatched = list(dict.fromkeys(n for n in names if n not in table.by_name))
    absent = [c.name for c in table.columns if c.name not in names]  # optional ones too
    suggested = _suggest_names(unmatched, absent)
    if len(missing) == 1:
        message = "Required column is missing."
    else:
        message = f"{len(missing)} required columns are missing: {', '.join(missing)}."
    if unmatched:
        shown = ", ".join(map(str, unmatched[:MAX_LISTED]))
        more = f" and {len(unmatched) - MAX_LISTED} more" if len(unmatched) > MAX_LISTED else ""
        message += f" Columns that match no {table.name} column: {shown}{more}."
    else:
        message += f" Every column present matches a {table.name} column."
    guessed = set(suggested.values())
    unsure = [name for name in missing if name not in guessed]
    if suggested and unsure:
        message += f" No column looks like: {', '.join(unsure)}."
    suggestion, fix = ctx.rename_hint({**named.mapped, **suggested} if suggested else {})
    if suggestion:
        message += f" Suggested from the names (check it): {suggestion}."
    ctx.problems.append(Problem(missing[0] if len(missing) == 1 else None, message, fix))


# --------------------------------------------------------------------------------------------
# Parsing cells by kind. Each parser returns the typed values, NaN where unknown or rejected.


def _map_unique(s: pd.Series, func: Callable[[pd.Index], pd.Index]) -> pd.Series:
    """Apply a vectorised index function to the distinct values only (fast for repeats)."""
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts) in a DataFrame: compare their text
        codes, uniques = pd.factorize(s.astype(str).where(s.notna()), use_na_sentinel=True)
    mapped = np.asarray(func(pd.Index(uniques, dtype=object).astype(str)), dtype=object)
    out = np.append(mapped, np.nan).astype(object)[codes]  # code -1 picks the trailing NaN
    return pd.Series(out, dtype=object)


def _as_text(s: pd.Series) -> pd.Series:
    """Cells as stripped text with NaN for missing cells."""
    return _map_unique(s, lambda u: u.str.strip()).astype(STR_DTYPE)


def _is_missing_word(text: pd.Series) -> np.ndarray:
    return (text.isna() | text.str.lower().isin(MISSING_WORDS)).to_numpy(bool)


def _parse_str(s: pd.Series, column: Column, ctx: _Context) -> pd.Series:
    text = _as_text(s)
    return text.mask(text == "")


def _number_pattern(mark: str) -> str:
    sep = re.escape("," if mark == "." else ".")
    mark = re.escape(mark)
    exponent = r"(?:[eE][+-]?\d+)?"
    return (
        rf"[+-]?(?:\d+|\d{{1,3}}(?:{sep}\d{{3}})+)(?:{mark}\d*)?{exponent}|[+-]?{mark}\d+{exponent}"
    )


def _number_text(s: pd.Series, column: Column) -> pd.Series:
    """Number cells as text without spaces and (in money columns) without € or EUR."""

    def clean(text: pd.Index) -> pd.Index:
        text = text.str.strip()
        if column.unit == "EUR":
            text = text.str.replace(CURRENCY, "", regex=True)
        return text.str.replace(r"\s+", "", regex=True)

    return _map_unique(s, clean).astype(STR_DTYPE)


def _valid_numbers(text: pd.Series) -> dict[str, np.ndarray]:
    """Per decimal mark ("." or ","), which cells are valid numbers when read with it."""
    return {m: text.str.fullmatch(_number_pattern(m)).fillna(False).to_numpy(bool) for m in ".,"}


def _file_decimal(cells: list[pd.Series], columns: list[Column], default: str | None) -> str:
    """The file's decimal mark. Without a default (tab files): "," if some number cell reads
    only with a decimal comma (2,5 or 1.234,5) and none only with a decimal point."""
    if default is not None:
        return default
    only = {".": False, ",": False}
    for s, column in zip(cells, columns, strict=True):
        if column.kind in ("int", "float") and not pd.api.types.is_numeric_dtype(s.dtype):
            valid = _valid_numbers(_number_text(s, column))
            only["."] |= bool((valid["."] & ~valid[","]).any())
            only[","] |= bool((valid[","] & ~valid["."]).any())
    return "," if only[","] and not only["."] else "."


def _parse_number(s: pd.Series, column: Column, ctx: _Context) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        values = s.astype("float64").reset_index(drop=True)
        infinite = np.isinf(values.to_numpy())
        ctx.report(column.name, infinite, "Values that are not finite", _range_fix(column))
        ctx.bad[column.name] = infinite
        return values.mask(infinite)
    text = _number_text(s, column)
    missing = _is_missing_word(text)
    valid = _valid_numbers(text)
    mark, other = (ctx.decimal, "." if ctx.decimal == "," else ",")
    # The file's decimal mark where the cell reads with it (its other sign separating groups
    # of three digits), otherwise the other mark: 12.5 in a German file is twelve and a half.
    use_other = valid[other] & ~valid[mark]
    ok = (valid[mark] | valid[other]) & ~missing
    cleaned = text.where(ok, "")
    as_mark = cleaned.str.replace(other, "", regex=False).str.replace(mark, ".", regex=False)
    as_other = cleaned.str.replace(mark, "", regex=False).str.replace(other, ".", regex=False)
    cleaned = as_mark.where(~use_other, as_other)
    values = pd.to_numeric(cleaned.mask(~ok), errors="coerce").astype("float64")
    finite = np.isfinite(values.fillna(0).to_numpy())
    values = values.where(finite)
    excel = text.str.fullmatch(EXCEL_ERROR, case=False).fillna(False).to_numpy(bool)
    unknown = " Leave the cell empty if unknown." if column.nullable else ""
    ctx.report(
        column.name,
        excel,
        "Spreadsheet error values (a formula failed)",
        f"fix the formula in the spreadsheet or type the value.{unknown}",
    )
    rejected = (~ok & ~missing & ~excel) | ~finite
    example = "12500, 12500.50 or, in semicolon files, 12.500,50"
    ctx.report(
        column.name,
        rejected,
        "Values that are not numbers",
        f"write a plain number such as {example}"
        + (" (€ or EUR may stand before or after it)." if column.unit == "EUR" else ".")
        + unknown,
    )
    ctx.bad[column.name] = ctx.bad.get(column.name, False) | excel | rejected
    return values


def _parse_date(s: pd.Series, column: Column, ctx: _Context) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        values = s.reset_index(drop=True)
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_localize(None)
    else:
        text = _as_text(s)
        parts = text.str.extract(f"^{DATE_RE}$").apply(pd.to_numeric)
        year = parts["y1"].fillna(parts["y2"])
        frame = pd.DataFrame(
            {
                "year": year.where(year >= 100, year + 2000),  # 01.03.25 -> 2025
                "month": parts["m1"].fillna(parts["m2"]),
                "day": parts["d1"].fillna(parts["d2"]),
                "hour": parts["hour"].fillna(0),
                "minute": parts["minute"].fillna(0),
                "second": parts["second"].fillna(0),
            }
        )
        values = pd.to_datetime(frame, errors="coerce")
        unparsed = (values.isna().to_numpy() & ~_is_missing_word(text)).astype(bool)
        ctx.report(
            column.name,
            unparsed,
            "Values that are not valid dates",
            "use a date like 2025-03-01 or 01.03.2025 (a time like 14:30 may follow)."
            + (" Leave the cell empty if unknown." if column.nullable else ""),
        )
        ctx.bad[column.name] = unparsed
    year = values.dt.year
    odd = ((year < YEARS[0]) | (year >= YEARS[1])).to_numpy(bool)
    ctx.report(
        column.name,
        odd,
        f"Dates before {YEARS[0]} or after {YEARS[1] - 1}",
        "check the year (typing error?).",
    )
    ctx.bad[column.name] = ctx.bad.get(column.name, False) | odd
    return values.mask(odd).astype("datetime64[ns]")


def _parse_category(s: pd.Series, column: Column, ctx: _Context) -> pd.Series:
    if s.dtype == _category_dtype(column, ctx.table):
        return s.reset_index(drop=True)  # already canonical: nothing to normalise
    fill = UNKNOWN if UNKNOWN in column.categories else np.nan

    def normalise(labels: pd.Index) -> pd.Index:
        labels = labels.str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)
        return labels.where(~labels.isin(MISSING_WORDS if fill == UNKNOWN else ("",)), fill)

    normal = _map_unique(s, normalise)
    return (normal if fill != UNKNOWN else normal.fillna(UNKNOWN)).astype("category")


PARSERS: dict[str, Callable[[pd.Series, Column, _Context], pd.Series]] = {
    "str": _parse_str,
    "int": _parse_number,
    "float": _parse_number,
    "date": _parse_date,
    "category": _parse_category,
}


# --------------------------------------------------------------------------------------------
# Constraint checks (pandera) and their translation into problems


def _fmt(number: float) -> str:
    return f"{number:g}"


def _range_fix(column: Column) -> str:
    """What a valid value of a number column looks like, e.g. 'a whole number between 0 and 100'."""
    what = "a whole number" if column.kind == "int" else "a number"
    low, high = column.minimum, column.maximum
    if low is not None and high is not None:
        text = f"{what} between {_fmt(low)} and {_fmt(high)}"
    elif low is not None and column.exclusive_minimum:
        text = f"{what} greater than {_fmt(low)}"
    elif low is not None:
        text = f"{what} of {_fmt(low)} or more" if low == 0 else f"{what} of at least {_fmt(low)}"
    elif high is not None:
        text = f"{what} of at most {_fmt(high)}"
    else:
        text = what
    unit = f" ({column.unit})" if column.unit else ""
    unknown = ", or leave the cell empty if unknown" if column.nullable else ""
    return f"use {text}{unit}{unknown}."


def _allowed_fix(column: Column) -> str:
    levels = sorted(c for c in column.categories if c != UNKNOWN)
    if UNKNOWN in column.categories:
        return f"use one of: {', '.join([*levels, UNKNOWN])} (empty cells count as unknown)."
    return f"use one of: {', '.join(levels)} (case and spaces do not matter)."


def _checks(column: Column) -> list[tuple[pa.Check, str, str]]:
    """The pandera checks of a column, each with the problem message and fix it stands for."""
    fix = _range_fix(column)
    checks: list[tuple[pa.Check, str, str]] = []
    if column.kind == "category":
        checks.append((pa.Check.isin(column.categories), "Values that are not allowed", ""))
    if column.minimum is not None and column.exclusive_minimum:
        check = pa.Check.gt(column.minimum)
        checks.append((check, f"Values that are not greater than {_fmt(column.minimum)}", fix))
    elif column.minimum is not None:
        check = pa.Check.ge(column.minimum)
        checks.append((check, f"Values below the minimum of {_fmt(column.minimum)}", fix))
    if column.maximum is not None:
        check = pa.Check.le(column.maximum)
        checks.append((check, f"Values above the maximum of {_fmt(column.maximum)}", fix))
    if column.kind == "int":
        check = pa.Check(lambda s: (s % 1 == 0) & (s.abs() <= WHOLE_LIMIT), name="whole_number")
        checks.append((check, "Values that are not whole numbers", fix))
    return [(c, m, f or _allowed_fix(column)) for c, m, f in checks]


@functools.cache
def _pandera_schema(
    table: Table,
) -> tuple[pa.DataFrameSchema, dict[tuple[str, int], tuple[str, str]]]:
    """The pandera schema of a table and, per (column, check number), message and fix."""
    columns = {}
    messages: dict[tuple[str, int], tuple[str, str]] = {}
    for column in table.columns:
        checks = _checks(column)
        for number, (_, message, fix) in enumerate(checks):
            messages[column.name, number] = (message, fix)
        columns[column.name] = pa.Column(
            None,
            [c for c, _, _ in checks],
            nullable=column.nullable,
            unique=column.unique,
            required=False,  # missing columns are reported by _missing_columns, with hints
        )
    return pa.DataFrameSchema(columns), messages


def _constraint_problems(parsed: pd.DataFrame, table: Table, ctx: _Context) -> None:
    """Run pandera lazily and turn its failure cases into problems (no pandera text leaks)."""
    schema, messages = _pandera_schema(table)
    try:
        schema.validate(parsed, lazy=True)
        return
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    cases = cases[cases["index"].notna() & cases["column"].isin(list(parsed.columns))]
    for (name, check, number), group in cases.groupby(
        ["column", "check", "check_number"], dropna=False, sort=False
    ):
        column = table.by_name[name]
        positions = np.unique(group["index"].astype("int64").to_numpy())
        bad = ctx.bad.get(name)
        if bad is not None and np.ndim(bad):
            positions = positions[~bad[positions]]  # already reported by the parser
        if check == "not_nullable":
            message = "Empty or unknown cells, but the column is required"
            if column.kind == "category":
                fix = _allowed_fix(column)
            elif column.kind in ("int", "float"):
                fix = _range_fix(column).replace(", or leave the cell empty if unknown", "")
            else:
                fix = f"fill in the {name} of every {table.noun}."
        elif check == "field_uniqueness":  # empty cells are reported as empty, not as twins
            positions = positions[parsed[name].iloc[positions].notna().to_numpy()]
            message = "Values that appear more than once"
            fix = f"give each {table.noun} its own {name}."
        else:
            message, fix = messages[name, int(number)]
        if positions.size:
            ctx.problems.append(ctx.problem(name, positions, message, fix))


def _finish(values: pd.Series, column: Column, table: Table) -> pd.Series:
    """Cast parsed, validated values to the column's canonical dtype."""
    if column.kind == "int":
        return values.astype("int64")
    if column.kind == "float":
        return values.astype("float64")
    if column.kind == "str":
        return values.astype(STR_DTYPE)
    if column.kind == "category":
        dtype = _category_dtype(column, table)
        # astype() would keep the parsed order: unordered dtypes compare equal in any order
        return values.astype("category").cat.set_categories(dtype.categories, ordered=dtype.ordered)
    return values


def _category_dtype(column: Column, table: Table) -> pd.CategoricalDtype:
    return table.dtypes.get(column.name, pd.CategoricalDtype(column.categories))


# --------------------------------------------------------------------------------------------
# The generic table validator


def _validate_table(
    labels: list[Any],
    cells: list[pd.Series],
    table: Table,
    *,
    source: str | None,
    rows: np.ndarray,
    decimal: str | None = ".",
    mapping: dict[str, str] | None = None,
    rename_hint: Callable[[dict[Any, str]], tuple[str, str]],
    text_extras: bool = False,
    unsaved: dict[int, pd.Series] | None = None,
) -> pd.DataFrame:
    """Validate the columns ``cells`` (named ``labels``) as ``table``; raise all problems.

    ``unsaved`` holds, per column position, the formulas of workbook cells whose result was
    never saved (None elsewhere); these cells are empty in ``cells`` and reported.
    """
    named = _name_columns(labels, table, mapping)
    names, skip = named.names, named.skip
    known = [i for i, name in enumerate(names) if name in table.by_name and i not in skip]
    decimal = _file_decimal(
        [cells[i] for i in known], [table.by_name[names[i]] for i in known], decimal
    )
    ctx = _Context(rows=rows, decimal=decimal, table=table, rename_hint=rename_hint)
    ctx.headers = {name: str(label) for label, name in named.mapped.items() if label != name}
    ctx.problems.extend(named.problems)
    parsed: dict[str, pd.Series] = {}
    extras: dict[Any, pd.Series] = {}
    for i, (name, s) in enumerate(zip(names, cells, strict=True)):
        if i in skip:
            continue
        ctx.raw[name] = s
        if name not in table.by_name:
            extra = s.reset_index(drop=True)
            extras[name] = extra.mask(extra.str.strip() == "") if text_extras else extra
        else:
            column = table.by_name[name]
            parsed[name] = PARSERS[column.kind](s, column, ctx).reset_index(drop=True)
        if unsaved and i in unsaved:
            _report_unsaved(ctx, name, unsaved[i])
    _missing_columns(table, named, ctx)
    frame = pd.DataFrame(parsed, index=pd.RangeIndex(len(rows)))
    _constraint_problems(frame, table, ctx)
    if ctx.problems:
        order = {c.name: i for i, c in enumerate(table.columns)}
        ctx.problems.sort(key=lambda p: order.get(p.column or "", -1))
        raise LeadDataError(ctx.problems, source)
    result = {c.name: _finish(parsed[c.name], c, table) for c in table.columns if c.name in parsed}
    result.update(extras)
    return pd.DataFrame(result, index=pd.RangeIndex(len(rows)))


def _report_unsaved(ctx: _Context, name: Any, formulas: pd.Series) -> None:
    """Report cells holding a formula without a saved result (the message shows the formula)."""
    mask = formulas.notna().to_numpy(bool)
    ctx.raw[name] = ctx.raw[name].reset_index(drop=True).where(~mask, formulas)
    ctx.report(
        name,
        mask,
        "Formulas without a saved result (the workbook was never calculated)",
        "open the workbook in Excel or LibreOffice, let it calculate, save it and read it again, "
        "or type the values instead of formulas.",
    )
    ctx.bad[name] = ctx.bad.get(name, False) | mask  # not reported again as empty cells


def _names_fix(what: str = "file") -> str:
    """The end of the missing-columns fix."""
    return f"columns the {what} does not have must be added."


def validate_frame(df: pd.DataFrame, table: Table, source: str | None) -> pd.DataFrame:
    """Validate a DataFrame whose columns carry schema names (cells typed or text)."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"Expected a pandas DataFrame, not {type(df).__name__}.")
    return _validate_table(
        list(df.columns),
        [df.iloc[:, i] for i in range(df.shape[1])],
        table,
        source=source,
        rows=np.arange(len(df)) + 2,
        rename_hint=lambda renames: (
            f"df.rename(columns={_literal(renames)})" if renames else "",
            "apply this rename, or rename the columns yourself; " + _names_fix("frame")
            if renames
            else "rename the columns with df.rename(columns={...}); " + _names_fix("frame"),
        ),
    )


def read_table(
    path_or_buffer: PathOrBuffer,
    table: Table,
    mapping: dict[str, str] | None = None,
    rename_hint: Callable[[dict[Any, str]], tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Read a CSV file or an .xlsx workbook and validate it as ``table``."""
    data, source = _read_source(path_or_buffer)
    if isinstance(data, bytes) and data.startswith(XLSX_MAGIC):
        sheet = _read_workbook(data, source, table)
    else:
        sheet = _read_csv(data, source)
    columns = list(zip(*sheet.rows, strict=True))
    labels: list[Any] = [label.strip() for label in sheet.header]
    unnamed = [i for i, label in enumerate(labels) if not label]
    keep = [i for i in range(len(labels)) if i not in unnamed or any(c.strip() for c in columns[i])]
    nameless = [i for i in keep if not labels[i]]
    if nameless:
        raise LeadDataError(
            [
                Problem(
                    None,
                    f"Spreadsheet column {_column_letter(i)} has values but no name in the "
                    "header row.",
                    "give the column a name in the header row, or delete it.",
                )
                for i in nameless
            ],
            sheet.source,
        )
    unsaved: dict[int, pd.Series] = {}
    for (row, column), formula in sheet.unsaved.items():
        if column in keep:
            where = keep.index(column)
            unsaved.setdefault(where, pd.Series([None] * len(sheet.rows), dtype=object))
            unsaved[where].iloc[row] = formula
    return _validate_table(
        [labels[i] for i in keep],
        [pd.Series(columns[i], dtype=STR_DTYPE) for i in keep],
        table,
        source=sheet.source,
        rows=sheet.numbers,
        decimal=sheet.decimal,
        mapping=mapping,
        rename_hint=rename_hint
        or (
            lambda renames: (
                ", ".join(f"'{k}' to '{v}'" for k, v in renames.items()),
                "rename the headers in the file; " + _names_fix(),
            )
        ),
        text_extras=True,
        unsaved=unsaved,
    )


# --------------------------------------------------------------------------------------------
# Public functions


def validate_leads(df: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """Validate a lead table and return a new frame with canonical dtypes.

    ``df``'s columns carry schema names (header-style names such as "Lead ID" are accepted);
    cells may be text as read from a CSV file or already typed. Schema columns come first in
    schema order, other columns follow unchanged; the index is a fresh RangeIndex. The input is
    never modified. Bad content raises :class:`LeadDataError` listing every problem, with row
    numbers as in a spreadsheet (first data row = row 2).
    """
    return validate_frame(df, LEADS, source)


def read_leads(path_or_buffer: PathOrBuffer, mapping: dict[str, str] | None = None) -> pd.DataFrame:
    """Read and validate a lead table from a CSV file or an Excel workbook (.xlsx).

    ``path_or_buffer`` is a path, bytes or an open file (binary; text works for CSV). A
    workbook is recognised by its content, not its name; its sheet named "Leads" (or "lead",
    any case) is read, otherwise its first sheet, with the first non-empty row as the header.
    Cells are turned into text as a CSV export would hold them (``12``, ``12.5``,
    ``2025-03-01``) and then parsed like CSV cells; formulas count with their saved result.
    Old .xls files are rejected: save them as .xlsx or CSV.

    ``mapping`` renames the file's columns to schema columns, e.g.
    ``{"Engagement Score": "engagement_score"}``; header names that match a schema column
    after lowercasing and replacing spaces/hyphens by underscores need no mapping; when
    required columns are missing, the error suggests a mapping for the names it recognises.
    The ``outcome`` column may be absent. See the module docstring for the parsing rules:
    comma, semicolon or tab delimiters; UTF-8 or Windows-1252; decimal commas and German
    thousands separators in semicolon files; empty cells, "n/a", "NA", "unknown" and "-" as
    unknown in nullable number and date columns; ISO or German dates. Bad content (including
    a damaged workbook or a formula without a saved result) raises :class:`LeadDataError`,
    naming spreadsheet rows (header = row 1); a missing file raises
    :class:`FileNotFoundError`.
    """

    def hint(renames: dict[Any, str]) -> tuple[str, str]:
        if renames:
            how = "pass this mapping to read_leads, or rename the headers; "
            return f"mapping={_literal(renames)}", how + _names_fix()
        how = (
            'pass mapping={"<your column>": "<lead column>"} to read_leads, or rename the headers; '
        )
        return "", how + _names_fix()

    return read_table(path_or_buffer, LEADS, mapping, hint)


def read_campaigns(path_or_buffer: PathOrBuffer) -> pd.DataFrame:
    """Read and validate campaigns (campaign, channel, spend_eur) from CSV or .xlsx, as read_leads.

    In a workbook the sheet named "Campaigns" is read if there is one, otherwise the first.
    """
    return read_table(path_or_buffer, CAMPAIGNS)


def read_orchard(path_or_buffer: PathOrBuffer) -> pd.DataFrame:
    """Read and validate an orchard table (the fruit analogy) from CSV or .xlsx, as read_leads.

    In a workbook the sheet named "Orchard" is read if there is one, otherwise the first.
    """
    return read_table(path_or_buffer, ORCHARD)
