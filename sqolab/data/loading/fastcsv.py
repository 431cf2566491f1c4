"""Reading regular CSV files fast: pandas' C parser reads and types the cells.

The fast reader handles the common case, a file whose every row has at most as many fields as
its header and whose quotes are well formed: text and category columns are read as text
(category columns and dates as pandas categories, so that every distinct cell is parsed once),
number columns are typed by pandas when every cell of the column is a plain number, and read
as text for the careful parsers otherwise. Anything else (rows longer than the header, a quote
followed by text, a file pandas cannot tokenise) returns None, and the careful reader in
``csvfile`` reads the file with its exact messages. Both readers give the same table.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from sqolab.data.loading.cells import MISSING_WORDS, has_space
from sqolab.data.loading.csvfile import footer_problem, footer_start, preamble
from sqolab.data.loading.names import name_columns
from sqolab.data.loading.sources import text_encoding
from sqolab.data.loading.tables import Sheet, Table, check_bounds, layout
from sqolab.data.schema import LeadDataError

HEAD = 1 << 16  # characters read to find the delimiter and the header
# Spellings of the words for unknown that pandas turns into NaN itself (others are parsed)
NA_WORDS = sorted({v for w in MISSING_WORDS for v in (w, w.upper(), w.title())})
NUMBER_DTYPES = ("int64", "float64")


def read_csv_fast(
    data: bytes | str, source: str, table: Table, mapping: dict[str, str] | None
) -> Sheet | None:
    """The sheet of a regular CSV file, read by pandas; None if the careful reader must read it."""
    if not isinstance(data, bytes):  # text from a text handle: small, read carefully
        return None
    encoding = text_encoding(data, source)
    if encoding == "utf-16":  # rare and small: the careful reader decodes it
        return None
    head = data[: HEAD * 4].decode(encoding, errors="replace").removeprefix("\ufeff")
    if b'"' in data and _odd_quote_pattern(head).search(data):
        return None
    opened: Any = functools.partial(io.BytesIO, data)
    lines = data.count(b"\n") + 1
    delimiter, skip = preamble(head)
    before = head[:skip].count("\n")  # a sep= line
    reader = csv.reader(io.StringIO(head[skip:], newline=""), delimiter=delimiter)
    header: list[str] | None = None
    header_row = 0  # spreadsheet row of the header (the records before it are blank)
    for record in reader:
        header_row += 1
        if any(cell.strip() for cell in record):
            header = record
            break
    if header is None or reader.line_num != header_row or header_row >= head[skip:].count("\n"):
        return None  # a header over several lines, or no data: the careful reader decides
    width = len(header)
    check_bounds(lines - before, width, source)
    names = name_columns([h.strip() for h in header], table, mapping).names
    kinds = [table.by_name[n].kind if n in table.by_name else "extra" for n in names]
    dtype = {
        i: "category" if kind in ("category", "date") else "str"
        for i, kind in enumerate(kinds)
        if kind not in ("int", "float")
    }
    for i, name in enumerate(names):
        if kinds[i] == "str" and not table.by_name[name].unique:
            dtype[i] = "category"  # few distinct names: parsed once each, stored once
    na = {i: NA_WORDS if kind in ("int", "float", "date") else [""] for i, kind in enumerate(kinds)}
    decimal = {";": ",", ",": "."}.get(delimiter)
    options: dict[str, Any] = {
        "sep": delimiter,
        "header": None,
        "names": list(range(width)),
        "skiprows": before + header_row,
        "skip_blank_lines": False,
        "keep_default_na": False,
        "index_col": False,
        "encoding": encoding,
        "decimal": decimal or ".",
        "engine": "c",
    }
    try:
        with warnings.catch_warnings():  # a row longer than the header: the careful reader
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(opened(), dtype=dtype, na_values=na, **options)
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError, UnicodeDecodeError):
        return None
    numbers = [i for i, kind in enumerate(kinds) if kind in ("int", "float")]
    untyped = [i for i in numbers if not _typed(frame[i])]
    if untyped and decimal is None:
        untyped = numbers  # tab files: the decimal mark is decided by all number cells
    reread = [i for i in untyped if not isinstance(frame[i].dtype, pd.StringDtype)]
    if reread:  # typed in part (booleans, infinity, huge integers): read as text
        text = _read_text(opened, options, reread, na=True)
        for i in reread:
            frame[i] = text[i]
    blank = _blank_rows(frame)
    kept = np.flatnonzero(~blank)
    rows = kept + header_row + 1
    layout([header_row, *rows.tolist()], source)  # raises when there are no data rows
    frame = frame.iloc[kept].reset_index(drop=True) if blank.any() else frame
    _refuse_footer(frame, rows, width, source)

    def as_text(i: int) -> pd.Series:
        """Column ``i`` as the file writes it (for messages about typed columns)."""
        return _read_text(opened, options, [i], na=False)[i].iloc[kept].reset_index(drop=True)

    columns = [frame[i] for i in range(width)]
    return Sheet(source, header, columns, rows, decimal, text=as_text)


def _odd_quote_pattern(head: str) -> re.Pattern[bytes]:
    """A quote with text right before and after it ("ab"c or a"b): the careful reader decides
    whether it is a quote inside a cell or a closing quote followed by text (an error)."""
    delimiter, _ = preamble(head)
    d = re.escape(delimiter.encode())
    return re.compile(rb"[^" + d + rb'\r\n"]"[^' + d + rb'\r\n"]')


def _typed(s: pd.Series) -> bool:
    """Whether pandas typed every cell of a number column as a finite number."""
    if str(s.dtype) not in NUMBER_DTYPES:
        return False
    return str(s.dtype) == "int64" or not np.isinf(s.to_numpy()).any()


def _read_text(
    opened: Any, options: dict[str, Any], columns: list[int], *, na: bool
) -> pd.DataFrame:
    """Some columns again, as text (``na``: with the words for unknown as NaN)."""
    na_values = {i: NA_WORDS if na else [""] for i in columns}
    dtype = {i: "str" for i in columns}
    try:
        return pd.read_csv(opened(), usecols=columns, dtype=dtype, na_values=na_values, **options)
    except pd.errors.ParserError:  # usecols fails on some short rows: read all columns
        return pd.read_csv(opened(), dtype="str", na_values=na_values, **options)


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is empty or spaces (skipped, as blank lines are)."""
    blank = np.ones(len(frame), bool)
    for i in frame.columns:  # most rows have a value in the first columns: few rows remain
        rows = np.flatnonzero(blank)
        if not rows.size:
            break
        cells = frame[i].iloc[rows]
        empty = cells.isna().to_numpy(bool).copy()
        if not pd.api.types.is_numeric_dtype(cells.dtype):
            empty[~empty] = _spaces_only(cells[~empty])
        blank[rows[~empty]] = False
    return blank


def _spaces_only(cells: pd.Series) -> np.ndarray:
    """Which text cells hold only spaces (category cells: decided once per category)."""
    if isinstance(cells.dtype, pd.CategoricalDtype):
        spaces = cells.cat.categories.astype(str).str.strip() == ""
        return np.asarray(spaces)[cells.cat.codes.to_numpy()]
    text = cells.tolist()
    try:
        joined = "\x00".join(text)
    except TypeError:  # not all cells are str
        text = [str(v) for v in text]
        joined = "\x00".join(text)
    if not has_space(joined) or not re.search(r"(?:^|\x00)\s+(?:\x00|$)", joined):
        return np.zeros(len(text), bool)  # one search over all cells: usually none
    return np.array([not v.strip() for v in text], bool)


def _refuse_footer(frame: pd.DataFrame, rows: np.ndarray, width: int, source: str) -> None:
    """Raise if the last rows look like a report footer (see ``csvfile.footer_start``)."""
    if len(frame) < 2:
        return
    filled = frame.notna().sum(axis=1).to_numpy()
    start = footer_start(filled, np.zeros(len(frame), bool), rows, width)
    if start is not None:
        cells = frame.iloc[start].dropna().astype(str).str.strip()
        raise LeadDataError(footer_problem(rows[start:].tolist(), " ".join(cells)), source)
