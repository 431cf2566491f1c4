"""Validating parsed columns against the schema (pandera) and collecting every problem."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from sqolab.data.loading.cells import (
    PARSERS,
    allowed_fix,
    category_dtype,
    file_decimal,
    fmt,
    range_fix,
)
from sqolab.data.loading.names import literal, missing_columns, name_columns, names_fix
from sqolab.data.loading.tables import STR_DTYPE, Context, Table
from sqolab.data.schema import (
    Column,
    LeadDataError,
)

WHOLE_LIMIT = 2.0**53  # largest whole number a float64 (and the parser) holds exactly


def _checks(column: Column) -> list[tuple[pa.Check, str, str]]:
    """The pandera checks of a column, each with the problem message and fix it stands for."""
    fix = range_fix(column)
    checks: list[tuple[pa.Check, str, str]] = []
    if column.kind == "category":
        checks.append((pa.Check.isin(column.categories), "Values that are not allowed", ""))
    if column.minimum is not None and column.exclusive_minimum:
        check = pa.Check.gt(column.minimum)
        checks.append((check, f"Values that are not greater than {fmt(column.minimum)}", fix))
    elif column.minimum is not None:
        check = pa.Check.ge(column.minimum)
        checks.append((check, f"Values below the minimum of {fmt(column.minimum)}", fix))
    if column.maximum is not None:
        check = pa.Check.le(column.maximum)
        checks.append((check, f"Values above the maximum of {fmt(column.maximum)}", fix))
    if column.kind == "int":
        check = pa.Check(lambda s: (s % 1 == 0) & (s.abs() <= WHOLE_LIMIT), name="whole_number")
        checks.append((check, "Values that are not whole numbers", fix))
    return [(c, m, f or allowed_fix(column)) for c, m, f in checks]


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
            required=False,  # missing columns are reported by missing_columns, with hints
        )
    return pa.DataFrameSchema(columns), messages


def _constraint_problems(parsed: pd.DataFrame, table: Table, ctx: Context) -> None:
    """Run pandera lazily and turn its failure cases into problems (no pandera text leaks)."""
    schema, messages = _pandera_schema(table)
    try:
        schema.validate(parsed, lazy=True, inplace=True)  # no coercion: nothing is changed
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
                fix = allowed_fix(column)
            elif column.kind in ("int", "float"):
                fix = range_fix(column).replace(", or leave the cell empty if unknown", "")
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
        dtype = category_dtype(column, table)
        # astype() would keep the parsed order: unordered dtypes compare equal in any order
        return values.astype("category").cat.set_categories(dtype.categories, ordered=dtype.ordered)
    return values


def validate_table(
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
    ambiguous: dict[int, pd.Series] | None = None,
    text: Callable[[int], pd.Series] | None = None,
) -> pd.DataFrame:
    """Validate the columns ``cells`` (named ``labels``) as ``table``; raise all problems.

    ``unsaved`` holds, per column position, the formulas of workbook cells whose result was
    never saved (None elsewhere); these cells are empty in ``cells`` and reported.
    ``ambiguous`` holds, per column position, workbook text cells such as ``12.500`` that read
    differently in German and English (None elsewhere); they are reported in number columns.
    ``text(i)`` gives column ``i`` as text again, for messages about typed columns.
    """
    named = name_columns(labels, table, mapping)
    names, skip = named.names, named.skip
    known = [i for i, name in enumerate(names) if name in table.by_name and i not in skip]
    decimal = file_decimal(
        [cells[i] for i in known], [table.by_name[names[i]] for i in known], decimal
    )
    ctx = Context(rows=rows, decimal=decimal, table=table, rename_hint=rename_hint)
    ctx.headers = {name: str(label) for label, name in named.mapped.items() if label != name}
    ctx.problems.extend(named.problems)
    parsed: dict[str, pd.Series] = {}
    extras: dict[Any, pd.Series] = {}
    for i, (name, s) in enumerate(zip(names, cells, strict=True)):
        if i in skip:
            continue
        typed = pd.api.types.is_numeric_dtype(s.dtype)
        ctx.raw[name] = functools.partial(text, i) if text is not None and typed else s
        if name not in table.by_name:
            extra = s.reset_index(drop=True)
            extras[name] = extra.mask(extra.str.strip() == "") if text_extras else extra
        else:
            column = table.by_name[name]
            parsed[name] = PARSERS[column.kind](s, column, ctx).reset_index(drop=True)
        if unsaved and i in unsaved:
            _report_unsaved(ctx, name, unsaved[i])
        if ambiguous and i in ambiguous and name in parsed and table.by_name[name].kind in NUMBER:
            parsed[name] = _report_ambiguous(ctx, name, ambiguous[i], parsed[name])
    missing_columns(table, named, ctx)
    # copy=False: the columns are this function's own (pandas copies a dict's columns otherwise)
    frame = pd.DataFrame(parsed, index=pd.RangeIndex(len(rows)), copy=False)
    _constraint_problems(frame, table, ctx)
    if ctx.problems:
        order = {c.name: i for i, c in enumerate(table.columns)}
        ctx.problems.sort(key=lambda p: order.get(p.column or "", -1))
        raise LeadDataError(ctx.problems, source)
    result = {c.name: _finish(parsed[c.name], c, table) for c in table.columns if c.name in parsed}
    result.update(extras)
    return pd.DataFrame(result, index=pd.RangeIndex(len(rows)), copy=False)


NUMBER = ("int", "float")


def _report_ambiguous(ctx: Context, name: str, cells: pd.Series, values: pd.Series) -> pd.Series:
    """Report number cells typed as text that read differently in German and English."""
    mask = cells.notna().to_numpy(bool)
    ctx.report(
        name,
        mask,
        "Numbers stored as text that read differently in German and English (12.500 is "
        "twelve thousand five hundred in German, twelve and a half in English)",
        "store the cells as numbers, not text (in Excel: select them and use 'Convert to "
        "Number'), or write them without a thousands separator, e.g. 12500 or 12.5.",
    )
    ctx.bad[name] = ctx.bad.get(name, False) | mask
    return values.mask(mask)


def _report_unsaved(ctx: Context, name: Any, formulas: pd.Series) -> None:
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


def validate_frame(df: pd.DataFrame, table: Table, source: str | None) -> pd.DataFrame:
    """Validate a DataFrame whose columns carry schema names (cells typed or text)."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"Expected a pandas DataFrame, not {type(df).__name__}.")
    return validate_table(
        list(df.columns),
        [df.iloc[:, i] for i in range(df.shape[1])],
        table,
        source=source,
        rows=np.arange(len(df)) + 2,
        rename_hint=lambda renames: (
            f"df.rename(columns={literal(renames)})" if renames else "",
            "apply this rename, or rename the columns yourself; " + names_fix("frame")
            if renames
            else "rename the columns with df.rename(columns={...}); " + names_fix("frame"),
        ),
    )
