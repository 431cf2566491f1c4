"""Parsing cells by the column's kind (text, numbers, dates, categories) into typed values."""

from __future__ import annotations

import re
from collections.abc import Callable

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
YEARS = (1900, 2200)  # plausible years; also keeps dates inside datetime64[ns]


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


def _parse_str(s: pd.Series, column: Column, ctx: Context) -> pd.Series:
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


def file_decimal(cells: list[pd.Series], columns: list[Column], default: str | None) -> str:
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


def _parse_number(s: pd.Series, column: Column, ctx: Context) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        values = s.astype("float64").reset_index(drop=True)
        infinite = np.isinf(values.to_numpy())
        ctx.report(column.name, infinite, "Values that are not finite", range_fix(column))
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


def _parse_date(s: pd.Series, column: Column, ctx: Context) -> pd.Series:
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
