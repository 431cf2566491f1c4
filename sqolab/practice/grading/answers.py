"""Answers out of the learner's kernel as plain data; judged by the grader, not by the kernel.

A learner's kernel runs the learner's code, so anything the kernel *reports about itself* can be
forged (a notebook can replace the checker). The grader therefore asks the kernel only for the
learner's answers, as plain data (:func:`emit`, run in the kernel after the learner's cells), and
judges them itself with the course's questions (:func:`judge`), in its own process. Forging the
data only changes the answers, which is what a learner may do anyway.

The encoding (:func:`encode`) keeps what the questions compare: numbers, text, lists, dicts,
tables (``DataFrame``/``Series`` with dtypes), arrays, criteria, a chart's bars and axis labels,
and for a question on a function the function's results on the question's cases. Anything else
arrives as "an object of type X". The decoder (:func:`decode`) builds only these kinds of values;
nothing from the kernel is ever imported, unpickled or run in the grader.
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sqolab.practice.checks import BLANK, Function, Question, Status, assigns, is_blank

MIME = "application/x-sqolab-answers"
"""The display type of the kernel's answer report (one display per notebook)."""

MAX_DEPTH = 24
REPORT_DEPTH = 4 * MAX_DEPTH + 8
"""JSON nesting of a whole report: each level of an answer takes at most four."""
MAX_TEXT = 100_000
MAX_ITEMS = 200_000
NOT_ANSWERED = "not answered"
"""Outcome of a question whose variable the notebook never sets."""

DATACLASSES = {"sqolab.engine.criteria.Criteria"}
"""The only classes the decoder builds from a kernel's report (by module and name)."""


class _Budget:
    """Counts encoded items, so a huge answer cannot exhaust the kernel's report."""

    def __init__(self) -> None:
        self.left = MAX_ITEMS

    def spend(self, n: int = 1) -> None:
        self.left -= n
        if self.left < 0:
            raise OverflowError("the answer is too large to grade")


def _opaque(value: object, why: str = "") -> dict[str, Any]:
    name = type(value).__name__
    return {"$": "object", "type": name[:80], "why": why[:200]}


def encode(value: object, depth: int = 0, budget: _Budget | None = None) -> Any:
    """``value`` as JSON-able plain data the grader can decode (runs in the learner's kernel)."""
    budget = budget or _Budget()
    budget.spend()
    if depth > MAX_DEPTH:
        raise OverflowError("the answer is nested too deeply to grade")
    if is_blank(value):
        return {"$": "blank"}
    if value is None or isinstance(value, bool | np.bool_):
        return None if value is None else bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else {"$": "float", "v": repr(number)}
    if isinstance(value, str):
        return str.__str__(value)[:MAX_TEXT]
    if isinstance(value, pd.DataFrame):
        budget.spend(value.size)
        return {
            "$": "frame",
            "columns": [encode(c, depth + 1, budget) for c in value.columns],
            "data": [
                encode(value.iloc[:, i].tolist(), depth + 1, budget) for i in range(value.shape[1])
            ],
            "dtypes": [str(d) for d in value.dtypes],
            "index": _encode_index(value.index, depth, budget),
        }
    if isinstance(value, pd.Series):
        budget.spend(value.size)
        return {
            "$": "series",
            "name": encode(value.name, depth + 1, budget),
            "data": encode(value.tolist(), depth + 1, budget),
            "dtype": str(value.dtype),
            "index": _encode_index(value.index, depth, budget),
        }
    if isinstance(value, np.ndarray):
        budget.spend(value.size)
        return {
            "$": "array",
            "v": encode(value.tolist(), depth + 1, budget),
            "dtype": str(value.dtype),
        }
    if isinstance(value, list):
        return [encode(v, depth + 1, budget) for v in value]
    if isinstance(value, tuple | set | frozenset):
        kind = "tuple" if isinstance(value, tuple) else "set"
        return {"$": kind, "v": [encode(v, depth + 1, budget) for v in value]}
    if isinstance(value, dict):
        items = [
            [encode(k, depth + 1, budget), encode(v, depth + 1, budget)] for k, v in value.items()
        ]
        return {"$": "dict", "v": items}
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    if dataclasses.is_dataclass(value) and kind in DATACLASSES:
        fields = {
            f.name: encode(getattr(value, f.name), depth + 1, budget)
            for f in dataclasses.fields(value)
        }
        return {"$": "dataclass", "type": kind, "fields": fields}
    axes = _axes_of(value)
    if axes is not None:
        return _encode_axes(axes)
    return _opaque(value)


def _encode_index(index: pd.Index, depth: int, budget: _Budget) -> Any:
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return None
    return {
        "name": encode(index.name, depth + 1, budget),
        "v": encode(index.tolist(), depth + 1, budget),
    }


def _axes_of(value: object) -> Any:
    """The matplotlib Axes of ``value`` (an Axes, or a Figure's first), else None."""
    try:
        from matplotlib.axes import Axes
        from matplotlib.figure import FigureBase
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        return None
    if isinstance(value, FigureBase):
        return value.axes[0] if value.axes else None
    return value if isinstance(value, Axes) else None


def _encode_axes(ax: Any) -> dict[str, Any]:
    from matplotlib.patches import Rectangle

    bars = [
        [float(p.get_x()), float(p.get_width()), float(p.get_height())]
        for p in ax.patches[:10_000]
        if isinstance(p, Rectangle)
    ]
    return {
        "$": "axes",
        "bars": bars,
        "xlabel": str(ax.get_xlabel())[:500],
        "ylabel": str(ax.get_ylabel())[:500],
    }


def encode_calls(
    function: Callable[..., Any], cases: Sequence[tuple[str, tuple[Any, ...]]]
) -> dict[str, Any]:
    """A learner function's results on the question's cases (each a value or the error raised)."""
    calls = []
    for _description, args in cases:
        try:
            calls.append({"value": encode(function(*args))})
        except Exception as error:  # the learner's function raised: the grader reports it
            calls.append({"raised": type(error).__name__[:80], "message": str(error)[:300]})
    return {"$": "function", "calls": calls}


def collect(question_ids: Sequence[str], namespace: dict[str, Any]) -> dict[str, Any]:
    """Each question's variable from ``namespace``, encoded (variables not defined are left out)."""
    from sqolab.practice.exercises import question

    answers: dict[str, Any] = {}
    for question_id in question_ids:
        q = question(question_id)
        if q.var not in namespace or q.var in answers:
            continue
        value = namespace[q.var]
        try:
            if isinstance(q.spec, Function) and callable(value) and not is_blank(value):
                answers[q.var] = encode_calls(value, q.spec.cases())
            else:
                answers[q.var] = encode(value)
        except Exception as error:  # a learner object that refuses to be read
            answers[q.var] = _opaque(value, f"{type(error).__name__}: {error}")
    return answers


def emit(question_ids: Sequence[str]) -> None:
    """Display the learner's answers as :data:`MIME` (the grader runs this in the kernel)."""
    from IPython import get_ipython
    from IPython.display import display

    shell = get_ipython()
    namespace = shell.user_ns if shell is not None else {}
    display({MIME: json.dumps(collect(question_ids, namespace), allow_nan=False)}, raw=True)


# --------------------------------------------------------------------------------------------------
# In the grader: decode and judge
# --------------------------------------------------------------------------------------------------


class Opaque:
    """An answer the kernel could not send as data (shown as "an object of type X")."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


class _Raised(Exception):
    """Stands for an error a learner function raised in the kernel (renamed to its type)."""


class BadReport(ValueError):
    """A kernel's answer report that is not what :func:`encode` writes."""


def decode(data: Any, depth: int = 0) -> Any:
    """Plain data from :func:`encode` back into values the questions compare (never runs code)."""
    if depth > 2 * MAX_DEPTH + 4:  # tuples and sets take two levels each
        raise BadReport("nested too deeply")
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, list):
        return [decode(v, depth + 1) for v in data]
    if not isinstance(data, dict):
        raise BadReport(f"unexpected {type(data).__name__}")
    kind = data.get("$")
    if kind == "blank":
        return BLANK
    if kind == "float":
        return float(str(data.get("v")) if data.get("v") in ("nan", "inf", "-inf") else "nan")
    if kind == "tuple":
        return tuple(decode(data.get("v", []), depth + 1))
    if kind == "set":
        return {_hashable(v) for v in decode(data.get("v", []), depth + 1)}
    if kind == "dict":
        return {_hashable(decode(k, depth + 1)): decode(v, depth + 1) for k, v in data.get("v", [])}
    if kind == "array":
        values = decode(data.get("v", []), depth + 1)
        return np.array(values, dtype=_dtype(data.get("dtype")))
    if kind == "series":
        series = pd.Series(
            decode(data.get("data", []), depth + 1),
            name=_hashable(decode(data.get("name"), depth + 1)),
        )
        series = _with_dtype(series, data.get("dtype"))
        return _with_index(series, data.get("index"), depth)
    if kind == "frame":
        columns = [_hashable(decode(c, depth + 1)) for c in data.get("columns", [])]
        values = data.get("data", [])
        dtypes = data.get("dtypes", [])
        if not (len(columns) == len(values) == len(dtypes)):
            raise BadReport("a table whose columns do not match")
        frame = pd.DataFrame(
            {
                i: _with_dtype(pd.Series(decode(v, depth + 1)), d)
                for i, (v, d) in enumerate(zip(values, dtypes, strict=True))
            }
        )
        frame.columns = columns
        return _with_index(frame, data.get("index"), depth)
    if kind == "dataclass":
        if data.get("type") not in DATACLASSES:
            return Opaque(str(data.get("type"))[:80])
        from sqolab.engine.criteria import Criteria

        fields = {str(k): decode(v, depth + 1) for k, v in dict(data.get("fields", {})).items()}
        try:
            return Criteria(**fields)
        except (TypeError, ValueError):
            return Opaque("Criteria")
    if kind == "axes":
        return _axes(data)
    if kind == "function":
        return _replay([c for c in data.get("calls", []) if isinstance(c, dict)], depth)
    if kind == "object":
        return Opaque(str(data.get("type", "unknown"))[:80])
    raise BadReport(f"unknown kind {str(kind)[:40]!r}")


def _hashable(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _dtype(name: Any) -> Any:
    text = str(name)
    return text if text in {"bool", "int64", "int32", "float64", "float32", "object"} else None


def _with_dtype(series: pd.Series, name: Any) -> pd.Series:
    """``series`` converted to the recorded dtype where that is a plain one."""
    text = str(name)
    try:
        if text.startswith("datetime64"):
            return pd.to_datetime(series)
        if text == "category":
            return series.astype("category")
        if text in {
            "bool",
            "int64",
            "int32",
            "float64",
            "float32",
            "Int64",
            "Float64",
            "boolean",
            "string",
        }:
            return series.astype(text)
    except (TypeError, ValueError):
        pass
    return series


def _with_index(value: Any, index: Any, depth: int) -> Any:
    if not isinstance(index, dict):
        return value
    labels = decode(index.get("v", []), depth + 1)
    if len(labels) != len(value):
        raise BadReport("an index of the wrong length")
    value.index = pd.Index(
        [_hashable(v) for v in labels], name=_hashable(decode(index.get("name"), depth + 1))
    )
    return value


def _axes(data: dict[str, Any]) -> Any:
    """A fresh matplotlib Axes with the reported bars and labels (no pyplot, no display)."""
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    for bar in data.get("bars", [])[:10_000]:
        x, width, height = (float(v) for v in bar)
        ax.bar([x], [height], width=width, align="edge")
    ax.set_xlabel(str(data.get("xlabel", "")))
    ax.set_ylabel(str(data.get("ylabel", "")))
    return ax


def _replay(calls: list[dict[str, Any]], depth: int) -> Callable[..., Any]:
    """A function that returns (or raises) what the learner's function did, call by call."""
    results = iter(calls)

    def replayed(*_args: Any) -> Any:
        call = next(results, None)
        if call is None:
            raise _named_error("NoResult", "the function was not run on this case")
        if "raised" in call:
            raise _named_error(str(call["raised"]), str(call.get("message", "")))
        return decode(call.get("value"), depth + 1)

    return replayed


def _named_error(name: str, message: str) -> Exception:
    clean = name if name.isidentifier() else "Exception"
    return type(clean, (_Raised,), {})(message)


@dataclass(frozen=True)
class CellRun:
    """One code cell after the run: its source, whether it ran, and the error it raised."""

    source: str
    ran: bool
    error: str = ""  # "NameError: name 'x' is not defined" when the cell raised


def judge(question: Question, answers: dict[str, Any], cells: Sequence[CellRun]) -> tuple[str, str]:
    """(outcome, message) of ``question`` from the learner's decoded answers and the cells' runs."""
    var = question.var
    setting = [c for c in cells if assigns(c.source, var)]
    if not setting:
        return NOT_ANSWERED, f"The notebook never sets `{var}`."
    last = setting[-1]
    if not last.ran:
        return str(
            Status.ERROR
        ), f"The cell that sets `{var}` did not run (the notebook stopped before it)."
    if last.error:
        return str(Status.ERROR), f"The cell that sets `{var}` raised {last.error}"
    if var not in answers:
        return str(Status.ERROR), f"`{var}` is not defined at the end of the notebook."
    try:
        answer = decode(answers[var])
    except (BadReport, TypeError, ValueError, OverflowError, StopIteration) as error:
        return str(Status.ERROR), f"`{var}` could not be read from the notebook ({error})."
    result = question.evaluate(answer)
    return str(result.status), result.message
