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

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from sqolab.data.loading.csvfile import read_csv
from sqolab.data.loading.fastcsv import read_csv_fast
from sqolab.data.loading.names import literal, names_fix, suggest_names
from sqolab.data.loading.sources import XLSX_MAGIC, PathOrBuffer, read_source
from sqolab.data.loading.tables import CAMPAIGNS, LEADS, ORCHARD, Table, column_letter
from sqolab.data.loading.validation import validate_frame, validate_table
from sqolab.data.loading.workbook import read_workbook
from sqolab.data.schema import LeadDataError, Problem

__all__ = [
    "CAMPAIGNS",
    "LEADS",
    "ORCHARD",
    "LeadDataError",
    "PathOrBuffer",
    "Problem",
    "Table",
    "read_campaigns",
    "read_leads",
    "read_orchard",
    "read_table",
    "suggest_names",
    "validate_frame",
    "validate_leads",
]


def read_table(
    path_or_buffer: PathOrBuffer,
    table: Table,
    mapping: dict[str, str] | None = None,
    rename_hint: Callable[[dict[Any, str]], tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Read a CSV file or an .xlsx workbook and validate it as ``table``."""
    if mapping is not None and not isinstance(mapping, Mapping):
        raise TypeError(
            "mapping must be a dict from the file's column names to "
            f"{table.name} columns, such as mapping={{'Lead ID': 'lead_id'}}; "
            f"got {type(mapping).__name__} {mapping!r}."
        )
    data, source = read_source(path_or_buffer)
    if isinstance(data, bytes) and data.startswith(XLSX_MAGIC):
        sheet = read_workbook(data, source, table)
    else:
        sheet = read_csv_fast(data, source, table, mapping) or read_csv(data, source)
    labels: list[Any] = [label.strip() for label in sheet.header]
    keep = [i for i, label in enumerate(labels) if label or _has_values(sheet.columns[i])]
    nameless = [i for i in keep if not labels[i]]
    if nameless:
        raise LeadDataError(
            [
                Problem(
                    None,
                    f"Spreadsheet column {column_letter(i)} has values but no name in the "
                    "header row.",
                    "give the column a name in the header row, or delete it.",
                )
                for i in nameless
            ],
            sheet.source,
        )
    text = sheet.text
    return validate_table(
        [labels[i] for i in keep],
        [sheet.columns[i] for i in keep],
        table,
        source=sheet.source,
        rows=sheet.numbers,
        decimal=sheet.decimal,
        mapping=mapping,
        rename_hint=rename_hint
        or (
            lambda renames: (
                ", ".join(f"'{k}' to '{v}'" for k, v in renames.items()),
                "rename the headers in the file; " + names_fix(),
            )
        ),
        text_extras=True,
        unsaved=_by_column(sheet.unsaved, keep, len(sheet.numbers)),
        ambiguous=_by_column(sheet.ambiguous, keep, len(sheet.numbers)),
        text=None if text is None else lambda j: text(keep[j]),
    )


def _has_values(column: pd.Series) -> bool:
    """Whether a column has a cell that is not empty or spaces."""
    filled = column.dropna()
    return bool(len(filled)) and bool((filled.astype(str).str.strip() != "").any())


def _by_column(cells: dict[tuple[int, int], str], keep: list[int], rows: int) -> dict:
    """Cells {(row, column): text} as one Series per kept column position (None elsewhere)."""
    columns: dict[int, pd.Series] = {}
    for (row, column), value in cells.items():
        if column in keep:
            where = keep.index(column)
            columns.setdefault(where, pd.Series([None] * rows, dtype=object))
            columns[where].iloc[row] = value
    return columns


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
            return f"mapping={literal(renames)}", how + names_fix()
        how = (
            'pass mapping={"<your column>": "<lead column>"} to read_leads, or rename the headers; '
        )
        return "", how + names_fix()

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
