"""Running the learner's code and reading the learner's objects, without trusting either.

A learner's function or answer object is untrusted: it may loop forever, raise in any special
method, overrule ``==``, or look up the caller's frames for the expected value. So the checker

- runs learner code (their functions, and every special method of their objects it needs) in a
  thread of its own with a time limit (:data:`TIME_LIMIT_S`), so that no frame of the checker is
  above it and an endless loop is stopped and explained (:func:`run_learner_code`);
- hands learner functions copies of its arguments, never an object the checker relies on
  (:func:`copy_for_learner`);
- compares only plain values it made itself (:func:`plain`): builtin numbers, strings, lists,
  dicts, fresh DataFrames; an iterator is read to at most :data:`MAX_ITEMS` items;
- blames the learner's object kindly, never the course, when one of its methods raises
  (:func:`convert`).
"""

from __future__ import annotations

import copy
import ctypes
import dataclasses
import decimal
import fractions
import itertools
import threading
import traceback
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from sqolab.practice.cells import LearnerError, is_learner_frame
from sqolab.practice.feedback import BLANK

TIME_LIMIT_S = 10.0
"""How long one call of learner code may run (the course's functions take milliseconds)."""
STOP_WAIT_S = 0.5
"""How long a runaway call is given to end once it has been told to stop."""
MAX_ITEMS = 10_000
"""The most items read from a learner's list, dict or iterator."""
MAX_CELLS = 2_000_000
"""The most cells read from a learner's table or array."""
MAX_DEPTH = 20
"""The deepest nesting of lists and dicts read from a learner's answer."""
MAX_TEXT = 200
"""The longest description of a learner's object shown in a message."""


class TimeLimit(LearnerError):
    """Learner code did not finish within :data:`TIME_LIMIT_S`."""

    def details(self) -> str:
        """Nothing below the message (there is no traceback of a loop that was stopped)."""
        return ""


class TooLong(LearnerError):
    """A learner's list or iterator has more than :data:`MAX_ITEMS` items (or nests too deep)."""

    def details(self) -> str:
        """Nothing below the message (the answer raised nothing)."""
        return ""


class _Stop(BaseException):
    """Raised inside runaway learner code to end it (not an Exception: ``except Exception``
    in their loop does not catch it)."""


def _seconds() -> str:
    return f"{TIME_LIMIT_S:g} second" + ("" if TIME_LIMIT_S == 1 else "s")


def _stop(thread: threading.Thread) -> None:
    """Raise :class:`_Stop` inside ``thread`` (it takes effect at its next Python instruction)."""
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(thread.ident), ctypes.py_object(_Stop)
        )


def run_learner_code(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` in a thread of its own, within :data:`TIME_LIMIT_S`.

    The learner's code finds no frame of the checker above its own (only this module's small
    runner, which holds the function, its arguments and the result). Its exception is raised
    again here; when it runs out of time it is stopped and :class:`TimeLimit` is raised.
    """
    box: dict[str, Any] = {}

    def runner() -> None:
        try:
            box["value"] = function(*args)
        except BaseException as error:  # every learner error is reported
            box["error"] = error

    thread = threading.Thread(target=runner, name="sqolab-learner-code", daemon=True)
    thread.start()
    try:
        thread.join(TIME_LIMIT_S)
    except BaseException:  # e.g. the learner interrupts the kernel: stop their code too
        _stop(thread)
        raise
    if thread.is_alive():
        _stop(thread)
        thread.join(STOP_WAIT_S)
        still = (
            " It is still running in the background (a loop that catches every error, e.g. with "
            "a bare `except:`, or one inside a library call cannot be stopped from here): "
            "restart the kernel to stop it (menu Kernel, then Restart Kernel)."
            if thread.is_alive()
            else ""
        )
        raise TimeLimit(
            f"did not finish within {_seconds()}, so it was stopped. Is there an endless loop "
            "(a `while` whose condition never becomes false, or an iterator that never ends)?"
            + still,
            TimeoutError(f"stopped after {_seconds()}"),
        )
    error = box.get("error")
    if isinstance(error, _Stop):  # pragma: no cover - only after a time limit
        raise TimeLimit(f"did not finish within {_seconds()}.", TimeoutError())
    if error is not None:
        raise error
    return box.get("value")


def copy_for_learner(value: Any) -> Any:
    """A copy of ``value`` for learner code: nothing it does to it reaches the checker."""
    if isinstance(value, pd.DataFrame | pd.Series | np.ndarray):
        return value.copy()
    return copy.deepcopy(value)


# --------------------------------------------------------------------------------------------------
# Plain values
# --------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Foreign:
    """A learner object of a kind the checker does not compare: its type name and its repr."""

    type_name: str
    text: str

    def __repr__(self) -> str:
        return self.text


def _items(values: Iterable[Any], depth: int) -> list[Any]:
    """At most :data:`MAX_ITEMS` plain items of ``values`` (more raises :class:`TooLong`)."""
    taken = list(itertools.islice(iter(values), MAX_ITEMS + 1))
    if len(taken) > MAX_ITEMS:
        raise TooLong(
            f"Your answer has more than {MAX_ITEMS:,} items: is it an iterator that never ends "
            "(like `itertools.count()`)? Answer with a list of the items asked for.",
            ValueError(f"more than {MAX_ITEMS:,} items"),
        )
    return [plain(v, depth + 1) for v in taken]


def _cells(values: Iterable[Any], depth: int) -> list[Any]:
    """Every cell of a table's column (or an array) as a plain value (tables are bounded)."""
    return [plain(v, depth + 1) for v in values]


def _holds_objects(dtype: Any) -> bool:
    """True for dtypes whose cells are Python objects (object, and str with Python storage)."""
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


def _labels(index: pd.Index, depth: int) -> pd.Index:
    """Row or column labels, with their names, as plain values (typed labels copied as they are)."""
    names = [None if n is None else plain(n, depth + 1) for n in index.names]
    if isinstance(index, pd.MultiIndex) or not _holds_objects(index.dtype):
        labels = index.copy()
    else:
        labels = pd.Index(_cells(index.to_numpy(), depth), dtype=index.dtype)
    labels.names = names
    return labels


def _column(values: pd.Series, depth: int) -> pd.Series:
    """A column (or Series) with plain cells, same dtype, a fresh default index."""
    if not _holds_objects(values.dtype):
        return values.reset_index(drop=True)
    return pd.Series(_cells(values.to_numpy(), depth), dtype=values.dtype, name=None)


def _plain_table(value: pd.DataFrame | pd.Series | np.ndarray, depth: int) -> Any:
    """A fresh DataFrame, Series or array (base class), with plain cells and labels."""
    if value.size > MAX_CELLS:
        raise TooLong(
            f"Your table has {value.size:,} cells, more than the {MAX_CELLS:,} this check "
            "reads: answer with the rows asked for.",
            ValueError(f"{value.size:,} cells"),
        )
    if isinstance(value, np.ndarray):
        array = np.array(value, copy=True, subok=False)
        if pd.api.types.is_object_dtype(array.dtype):
            flat = np.empty(array.size, dtype=object)
            for i, cell in enumerate(_cells(array.ravel(), depth)):
                flat[i] = cell
            array = flat.reshape(array.shape)
        return array
    if isinstance(value, pd.Series):
        series = pd.Series(value).copy()
        plain_series = _column(series, depth).set_axis(_labels(series.index, depth))
        return plain_series.rename(None if series.name is None else plain(series.name, depth + 1))
    frame = pd.DataFrame(value).copy()
    columns = {i: _column(frame.iloc[:, i], depth) for i in range(frame.shape[1])}
    result = pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))
    result.columns = _labels(frame.columns, depth)
    result.index = _labels(frame.index, depth)
    return result


def _rebuilt(value: Any, depth: int) -> Any:
    """A course dataclass (e.g. ``Criteria``), rebuilt from plain field values; else None."""
    for cls in type(value).__mro__:
        if dataclasses.is_dataclass(cls) and cls.__module__.startswith("sqolab."):
            fields = {
                f.name: plain(object.__getattribute__(value, f.name), depth + 1)
                for f in dataclasses.fields(cls)
                if f.init
            }
            return cls(**fields)
    return None


def _described(value: Any) -> Foreign:
    """A learner object described by its type name and (clipped) repr."""
    text = repr(value)
    if not isinstance(text, str):
        raise TypeError(f"__repr__ returned {type(text).__name__}, not a string")
    text = str.__str__(text)
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 3] + "..."
    return Foreign(type(value).__name__, text)


def plain(value: Any, depth: int = 0) -> Any:
    """``value`` as plain values the checker made itself (no learner method survives in them).

    Builtin numbers, strings, lists, tuples, sets and dicts (subclasses become the builtin type,
    read without calling their own methods), numpy scalars as Python scalars, fresh copies of
    DataFrames, Series and arrays, course dataclasses rebuilt from plain fields, iterators read
    into a list; functions stay as they are (they are called through :func:`run_learner_code`);
    anything else becomes a :class:`Foreign` description. Runs learner code: call it through
    :func:`convert`.
    """
    if depth > MAX_DEPTH:
        raise TooLong(
            "Your answer nests lists or dicts too deeply to read.", ValueError("too deep")
        )
    if value is None or value is BLANK or type(value) is bool:
        return value
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        return value.item()
    if isinstance(value, int):  # read as the builtin: their own methods are not called
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, str):
        return str.__str__(value)
    if type(value) in (fractions.Fraction, decimal.Decimal):
        return float(value)
    if isinstance(value, pd.DataFrame | pd.Series | np.ndarray):
        return _plain_table(value, depth)
    if isinstance(value, dict):
        pairs = _items(dict.items(value), depth)
        return {k: v for k, v in pairs}
    if isinstance(value, tuple):
        return tuple(_items(tuple.__iter__(value), depth))
    if isinstance(value, list):
        return _items(list.__iter__(value), depth)
    if isinstance(value, frozenset):
        return set(_items(frozenset.__iter__(value), depth))
    if isinstance(value, set):
        return set(_items(set.__iter__(value), depth))
    if isinstance(value, type) or callable(value):
        return value
    rebuilt = _rebuilt(value, depth) if dataclasses.is_dataclass(value) else None
    if rebuilt is not None:
        return rebuilt
    if isinstance(value, Iterable):
        return _items(value, depth)
    return _described(value)


def _culprit(value: Any, error: BaseException) -> str:
    """Whose method raised, e.g. "is a `Weird` object, and its `__repr__` method"."""
    frames = [
        (frame, name)
        for frame, _ in traceback.walk_tb(error.__traceback__)
        if is_learner_frame(frame.f_code.co_filename)
        for name in [frame.f_code.co_name]
    ]
    if frames:
        frame, name = frames[-1]
        if name.startswith("__") and name.endswith("__"):
            owner = frame.f_locals.get("self", value)
            where = "is" if owner is value else "holds"
            return f"{where} a `{type(owner).__name__}` object, and its `{name}` method"
    return f"is a `{type(value).__name__}` object, and reading it"


def convert(function: Callable[[Any], Any], value: Any) -> Any:
    """``function(value)`` for a learner's object, as learner code (see :func:`run_learner_code`).

    When one of the object's own methods raises, a :class:`LearnerError` says so kindly: the
    problem is in their object, not in the check.
    """
    try:
        return run_learner_code(function, value)
    except TimeLimit as error:
        raise TimeLimit(f"Reading your answer {error.message}", error.error) from None
    except LearnerError:
        raise
    except (Exception, SystemExit) as error:
        raise LearnerError(
            f"Your answer {_culprit(value, error)} raised "
            f"{type(error).__name__}. The problem is in that object, not in the check: answer "
            "with a plain value (a number, a string, a list or a dict) instead.",
            error,
        ) from error


def plain_answer(value: Any) -> Any:
    """The learner's answer as plain values (:func:`plain`), run safely (:func:`convert`)."""
    return convert(plain, value)
