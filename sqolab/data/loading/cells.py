"""Parsing cells by the column's kind (text, numbers, dates, categories) into typed values."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sqolab.data.loading.tables import STR_DTYPE, Context, Table
from sqolab.data.schema import UNKNOWN, Column

MISSING_WORDS = ("", "n/a", "na", "nan", "null", "unknown", "-")
EXCEL_ERROR = r"#(?:N/A|DIV/0!|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!)"
CURRENCY = r"(?i)^(?:€|eur)\s*|\s*(?:€|eur)$"
DATE_RE = (
    r"(?:(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})"
    r"|(?P<d2>\d{1,2})\.(?P<m2>\d{1,2})\.(?P<y2>\d{4}|\d{2}))"
    r"(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?)?"
)
# A number typed as text that reads differently in German and English: 12.500 is twelve
# thousand five hundred in German and twelve and a half in English.
AMBIGUOUS_NUMBER = re.compile(r"\s*(?:€|EUR)?\s*[+-]?\d{1,3}[.,]\d{3}\s*(?:€|EUR)?\s*", re.I)
YEARS = (1900, 2200)  # plausible years; also keeps dates inside datetime64[ns]
TWO_DIGIT_PIVOT = 30  # two-digit years below this are 20xx, the others 19xx (as in Excel)


def _factorize(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """The code of each cell (-1 where missing) and the distinct cells as text: parsers work
    on the distinct cells only (fast for repeats) and spread the results with the codes."""
    if isinstance(s.dtype, pd.CategoricalDtype):  # the reader found the distinct cells
        categories = pd.Index(s.cat.categories, dtype=object).astype(str)
        return s.cat.codes.to_numpy(), pd.Series(categories, dtype=STR_DTYPE)
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts) in a DataFrame: compare their text
        codes, uniques = pd.factorize(s.astype(str).where(s.notna()), use_na_sentinel=True)
    return codes, pd.Series(pd.Index(uniques, dtype=object).astype(str), dtype=STR_DTYPE)


def _spread(values: Any, codes: np.ndarray, missing: Any) -> np.ndarray:
    """Per cell, the value of its distinct cell; ``missing`` where the cell is missing."""
    return np.append(np.asarray(values), np.asarray([missing], dtype=np.asarray(values).dtype))[
        codes
    ]


def _map_unique(s: pd.Series, func: Callable[[pd.Index], pd.Index]) -> pd.Series:
    """Apply a vectorised index function to the distinct values only (fast for repeats)."""
    codes, uniques = _factorize(s)
    mapped = np.asarray(func(pd.Index(uniques, dtype=object)), dtype=object)
    return pd.Series(_spread(mapped, codes, np.nan), dtype=object)


def _as_text(s: pd.Series) -> pd.Series:
    """Cells as stripped text with NaN for missing cells."""
    return _map_unique(s, _strip).astype(STR_DTYPE)


def has_space(joined: str) -> bool:
    """Does the text hold any whitespace? (Faster than a regular expression on long text: the
    first word is the whole text exactly when there is none.)"""
    words = joined.split(None, 1)
    return not words or len(words[0]) != len(joined)


def _strip(text: pd.Index) -> pd.Index:
    """The text without spaces around it (one search over all cells first: most have none)."""
    joined = "\x00".join(map(str, text.tolist()))
    if not has_space(joined):
        return text
    return text.str.strip() if re.search(r"(?:^|\x00)\s|\s(?:\x00|$)", joined) else text


def _is_missing_word(text: pd.Series) -> np.ndarray:
    return (text.isna() | text.str.lower().isin(MISSING_WORDS)).to_numpy(bool)


def _parse_str(s: pd.Series, column: Column, ctx: Context) -> pd.Series:
    def text(cells: pd.Index) -> pd.Index:
        stripped = _strip(cells)
        return stripped.where(stripped != "", np.nan)

    if column.unique and isinstance(s.dtype, pd.StringDtype):  # distinct anyway: no factorizing
        return pd.Series(text(pd.Index(s, dtype=object)), dtype=STR_DTYPE)
    return _map_unique(s, text).astype(STR_DTYPE)


def _number_pattern(mark: str) -> str:
    sep = re.escape("," if mark == "." else ".")
    mark = re.escape(mark)
    exponent = r"(?:[eE][+-]?\d+)?"
    return (
        rf"[+-]?(?:\d+|\d{{1,3}}(?:{sep}\d{{3}})+)(?:{mark}\d*)?{exponent}|[+-]?{mark}\d+{exponent}"
    )


def _number_text(text: pd.Series, column: Column) -> pd.Series:
    """Number cells (text) without spaces and (in money columns) without € or EUR."""
    text = text.str.strip()
    if column.unit == "EUR":
        text = text.str.replace(CURRENCY, "", regex=True)
    return text.str.replace(r"\s+", "", regex=True)


def _valid_numbers(text: pd.Series) -> dict[str, np.ndarray]:
    """Per decimal mark ("." or ","), which cells are valid numbers when read with it."""
    return {m: text.str.fullmatch(_number_pattern(m)).fillna(False).to_numpy(bool) for m in ".,"}


def file_decimal(cells: list[pd.Series], columns: list[Column], default: str | None) -> str:
    """The file's decimal mark. Without a default (tab files): "," if some number cell reads
    only with a decimal comma (2,5 or 1.234,5) and none only with a decimal point."""
    if default is not None:
        return default
    only = {".": False, ",": False}
    for s, column in zip(cells, columns, strict=True):
        if column.kind in ("int", "float") and not pd.api.types.is_numeric_dtype(s.dtype):
            valid = _valid_numbers(_number_text(_factorize(s)[1], column))
            only["."] |= bool((valid["."] & ~valid[","]).any())
            only[","] |= bool((valid[","] & ~valid["."]).any())
    return "," if only[","] and not only["."] else "."


def _parse_number(s: pd.Series, column: Column, ctx: Context) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        values = s.astype("float64").reset_index(drop=True)
        infinite = np.isinf(values.to_numpy())
        ctx.report(column.name, infinite, "Values that are not finite", range_fix(column))
        ctx.bad[column.name] = infinite
        return values.mask(infinite)
    codes, uniques = _factorize(s)
    values, excel, rejected = _read_numbers(_number_text(uniques, column), ctx.decimal)
    values = pd.Series(_spread(values, codes, np.nan), dtype="float64")
    excel, rejected = _spread(excel, codes, False), _spread(rejected, codes, False)
    unknown = " Leave the cell empty if unknown." if column.nullable else ""
    ctx.report(
        column.name,
        excel,
        "Spreadsheet error values (a formula failed)",
        f"fix the formula in the spreadsheet or type the value.{unknown}",
    )
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


def _read_numbers(text: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The numbers in cleaned number cells (NaN where none), which cells are spreadsheet
    errors and which are rejected (neither a number nor a word for unknown)."""
    missing = _is_missing_word(text)
    valid = _valid_numbers(text)
    mark, other = (decimal, "." if decimal == "," else ",")
    # The file's decimal mark where the cell reads with it (its other sign separating groups
    # of three digits), otherwise the other mark: 12.5 in a German file is twelve and a half.
    use_other = valid[other] & ~valid[mark]
    ok = (valid[mark] | valid[other]) & ~missing
    cleaned = text.where(ok, "")
    as_mark = cleaned.str.replace(other, "", regex=False).str.replace(mark, ".", regex=False)
    as_other = cleaned.str.replace(mark, "", regex=False).str.replace(other, ".", regex=False)
    cleaned = as_mark.where(~use_other, as_other)
    values = pd.to_numeric(cleaned.mask(~ok), errors="coerce").astype("float64").to_numpy()
    finite = np.isfinite(np.nan_to_num(values, nan=0.0))
    values = np.where(finite, values, np.nan)
    excel = text.str.fullmatch(EXCEL_ERROR, case=False).fillna(False).to_numpy(bool)
    rejected = (~ok & ~missing & ~excel) | ~finite
    return values, excel, rejected


def _parse_date(s: pd.Series, column: Column, ctx: Context) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        values = s.reset_index(drop=True)
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_localize(None)
    else:
        codes, uniques = _factorize(s)
        text = uniques.str.strip()
        dates = _read_dates(text)
        values = pd.Series(_spread(dates, codes, np.datetime64("NaT", "ns")))
        unparsed = _spread(np.isnat(dates) & ~_is_missing_word(text), codes, False)
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


def _read_dates(text: pd.Series) -> np.ndarray:
    """The dates (datetime64[ns], NaT where none) in date cells (text).

    Two-digit years follow Excel's and LibreOffice's rule: 00 to 29 are 2000 to 2029, 30 to
    99 are 1930 to 1999 (01.03.25 is 2025-03-01, 01.03.99 is 1999-03-01).
    """
    raw = text.str.extract(f"^{DATE_RE}$")
    parts = raw.apply(pd.to_numeric)
    two_digits = (raw["y2"].str.len() == 2).to_numpy(bool)
    year = parts["y1"].fillna(parts["y2"])
    century = np.where(year < TWO_DIGIT_PIVOT, 2000, 1900)
    frame = pd.DataFrame(
        {
            "year": year.where(~two_digits, year + century),
            "month": parts["m1"].fillna(parts["m2"]),
            "day": parts["d1"].fillna(parts["d2"]),
            "hour": parts["hour"].fillna(0),
            "minute": parts["minute"].fillna(0),
            "second": parts["second"].fillna(0),
        }
    )
    if frame.empty:
        return np.array([], dtype="datetime64[ns]")
    return pd.to_datetime(frame, errors="coerce").to_numpy("datetime64[ns]")


def _parse_category(s: pd.Series, column: Column, ctx: Context) -> pd.Series:
    if s.dtype == category_dtype(column, ctx.table):
        return s.reset_index(drop=True)  # already canonical: nothing to normalise
    fill = UNKNOWN if UNKNOWN in column.categories else np.nan

    def normalise(labels: pd.Index) -> pd.Index:
        labels = labels.str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)
        return labels.where(~labels.isin(MISSING_WORDS if fill == UNKNOWN else ("",)), fill)

    normal = _map_unique(s, normalise)
    return (normal if fill != UNKNOWN else normal.fillna(UNKNOWN)).astype("category")


PARSERS: dict[str, Callable[[pd.Series, Column, Context], pd.Series]] = {
    "str": _parse_str,
    "int": _parse_number,
    "float": _parse_number,
    "date": _parse_date,
    "category": _parse_category,
}


def fmt(number: float) -> str:
    return f"{number:g}"


def range_fix(column: Column) -> str:
    """What a valid value of a number column looks like, e.g. 'a whole number between 0 and 100'."""
    what = "a whole number" if column.kind == "int" else "a number"
    low, high = column.minimum, column.maximum
    if low is not None and high is not None:
        text = f"{what} between {fmt(low)} and {fmt(high)}"
    elif low is not None and column.exclusive_minimum:
        text = f"{what} greater than {fmt(low)}"
    elif low is not None:
        text = f"{what} of {fmt(low)} or more" if low == 0 else f"{what} of at least {fmt(low)}"
    elif high is not None:
        text = f"{what} of at most {fmt(high)}"
    else:
        text = what
    unit = f" ({column.unit})" if column.unit else ""
    unknown = ", or leave the cell empty if unknown" if column.nullable else ""
    return f"use {text}{unit}{unknown}."


def allowed_fix(column: Column) -> str:
    levels = sorted(c for c in column.categories if c != UNKNOWN)
    if UNKNOWN in column.categories:
        return f"use one of: {', '.join([*levels, UNKNOWN])} (empty cells count as unknown)."
    return f"use one of: {', '.join(levels)} (case and spaces do not matter)."


def category_dtype(column: Column, table: Table) -> pd.CategoricalDtype:
    return table.dtypes.get(column.name, pd.CategoricalDtype(column.categories))
