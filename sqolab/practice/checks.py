"""The exercise checker: questions declared as data, checked at once with kind, specific feedback.

A :class:`Question` names the learner variable (or function) it checks, how to judge it (a
:class:`Spec`), escalating hints, the solution and a message for each known misconception. Learners
use it through an :class:`Exercise`: ``q1.check()``, ``q1.hint()`` (each call a further hint) and
``q1.solution()``; multi-part questions are a :class:`MultiPart` (``q3.a.check()``).

A check has one of four outcomes (:class:`Status`): correct; incorrect with a specific message; not
attempted (the starter placeholder :data:`BLANK`, spelt ``____`` in the notebooks, is untouched);
error in the learner's own code (our message first, then a short traceback of their frames only).
In learner mode a check never raises, never shows the expected value in an incorrect message, and
escapes every piece of learner text in its HTML. Set ``SQOLAB_CHECKS_STRICT=1`` to let a bug in the
checker itself raise (the tests do).

Every check is recorded in a local JSON file (``~/.sqolab/progress.json``, or the path in
``SQOLAB_PROGRESS``), shown by :func:`progress`; nothing leaves the machine. When
``SQOLAB_RESULTS`` names a file, each outcome is also appended to it as a JSON line: the
instructors' grading helper (:mod:`sqolab.practice.grading`) reads it.
"""

from __future__ import annotations

import html
import json
import linecache
import math
import numbers
import os
import re
import sys
import sysconfig
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------------------------------
# The placeholder
# --------------------------------------------------------------------------------------------------


class _Blank:
    """The starter placeholder ``____``: a learner has not answered while a value is this object."""

    _instance: _Blank | None = None

    def __new__(cls) -> _Blank:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"

    def __bool__(self) -> bool:
        return False


BLANK = _Blank()
"""The placeholder of an unanswered question (the notebooks import it as ``____``)."""
____ = BLANK


def is_blank(value: object) -> bool:
    """True for the placeholder (also a tuple/list/dict of nothing but placeholders)."""
    if value is BLANK:
        return True
    if isinstance(value, tuple | list) and value:
        return all(v is BLANK for v in value)
    if isinstance(value, dict) and value:
        return all(v is BLANK for v in value.values())
    return False


# --------------------------------------------------------------------------------------------------
# Outcomes and their display
# --------------------------------------------------------------------------------------------------


class Status(StrEnum):
    """The four outcomes of a check."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not attempted"
    ERROR = "error"


# icon, label, border colour (Okabe-Ito), background: the label and icon carry the meaning too.
_LOOK: dict[str, tuple[str, str, str, str]] = {
    Status.CORRECT: ("✔", "Correct", "#009E73", "#E8F6F1"),
    Status.INCORRECT: ("✘", "Not yet", "#D55E00", "#FCEFE6"),
    Status.NOT_ATTEMPTED: ("✎", "Not attempted", "#0072B2", "#E8F1F8"),
    Status.ERROR: ("⚠", "Error in your code", "#CC79A7", "#F9EEF4"),
    "hint": ("💡", "Hint", "#E69F00", "#FDF5E4"),
    "solution": ("📖", "Solution", "#555555", "#F3F3F3"),
    "info": ("ℹ", "Note", "#56B4E9", "#EEF7FC"),
}


def _inline_html(text: str) -> str:
    """Escape ``text`` and turn `backticks` into <code> and blank lines into paragraphs."""
    escaped = html.escape(text)
    escaped = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", escaped)
    paragraphs = [p.replace("\n", "<br>") for p in escaped.split("\n\n")]
    return "".join(f'<p style="margin:0.3em 0">{p}</p>' for p in paragraphs)


@dataclass(frozen=True)
class Feedback:
    """Something shown to the learner: a styled HTML box with a plain-text fallback.

    ``message`` is plain text (`backticks` become code); ``code`` and ``details`` are shown in a
    monospace block. All of it is escaped: learner text never becomes markup.
    """

    kind: str  # a Status value, or "hint", "solution", "info"
    title: str
    message: str
    code: str = ""
    details: str = ""

    def text(self) -> str:
        """The plain-text version."""
        icon, label, _, _ = _LOOK[self.kind]
        lines = [f"{icon} {label}: {self.title}".rstrip(": "), self.message]
        if self.code:
            lines.append(self.code)
        if self.details:
            lines.append(self.details)
        return "\n".join(line for line in lines if line)

    def html(self) -> str:
        """The HTML version (styled, accessible: icon and words, not colour alone)."""
        icon, label, border, background = _LOOK[self.kind]
        pre = (
            '<pre style="margin:0.4em 0;padding:0.4em;background:#fff;border:1px solid #ddd;'
            'white-space:pre-wrap;overflow-x:auto;color:#222">'
        )
        blocks = [
            f'<div style="font-weight:bold;color:#222"><span aria-hidden="true">{icon}</span> '
            f"{html.escape(label)}"
            + (f": {html.escape(self.title)}" if self.title else "")
            + "</div>",
            _inline_html(self.message) if self.message else "",
            f"{pre}{html.escape(self.code)}</pre>" if self.code else "",
            f"{pre}{html.escape(self.details)}</pre>" if self.details else "",
        ]
        return (
            f'<div class="sqolab-feedback sqolab-{html.escape(self.kind).replace(" ", "-")}" '
            f'role="status" style="border-left:6px solid {border};background:{background};'
            f'color:#222;padding:0.5em 0.8em;margin:0.4em 0;border-radius:4px">'
            + "".join(blocks)
            + "</div>"
        )

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": self.html()}

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Result(Feedback):
    """The outcome of one check of one question."""

    question: str = ""

    @property
    def status(self) -> Status:
        """The outcome (correct, incorrect, not attempted, error)."""
        return Status(self.kind)

    @property
    def correct(self) -> bool:
        """True when the answer is correct."""
        return self.kind == Status.CORRECT


def show(item: object) -> None:
    """Display in a notebook (HTML with a text fallback); print plain text anywhere else."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython ships with the course
        shell = None
    if shell is not None and getattr(shell, "kernel", None) is not None:
        from IPython.display import display

        display(item)
    else:
        print(str(item))


# --------------------------------------------------------------------------------------------------
# Learner errors and short tracebacks
# --------------------------------------------------------------------------------------------------

_LIBRARY_DIRS = tuple(
    str(Path(p).resolve())
    for p in {
        str(Path(__file__).resolve().parents[1]),  # sqolab itself
        *(sysconfig.get_paths().get(k, "") for k in ("stdlib", "platstdlib", "purelib", "platlib")),
        sys.prefix,
        sys.base_prefix,
    }
    if p
)


def is_learner_frame(filename: str) -> bool:
    """True for a frame of the learner's code (a notebook cell, their own file), not a library's."""
    if filename.startswith("<ipython-input") or "ipykernel_" in filename:
        return True
    if filename.startswith("<"):
        return filename in ("<string>", "<stdin>")
    try:
        resolved = str(Path(filename).resolve())
    except OSError:  # pragma: no cover - odd file names
        return True
    return not any(resolved.startswith(d) for d in _LIBRARY_DIRS)


def short_traceback(error: BaseException, limit: int = 5) -> str:
    """The exception with only the learner's frames (at most ``limit``, innermost last)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if is_learner_frame(f.filename)]
    lines = []
    for frame in frames[-limit:]:
        in_cell = "ipykernel_" in frame.filename or frame.filename.startswith("<ipython-input")
        where = "your code" if in_cell else Path(frame.filename).name
        lines.append(f"  {where}, line {frame.lineno}, in {frame.name}")
        if frame.line:
            lines.append(f"    {frame.line.strip()}")
    head = ["Traceback (your code only):"] if lines else []
    summary = [
        re.sub(r'File "(<ipython-input-[^"]*>|[^"]*ipykernel_[^"]*)"', "your code", line)
        for line in traceback.format_exception_only(error)
    ]
    return "\n".join([*head, *lines, *summary]).rstrip()


class LearnerError(Exception):
    """The learner's code raised while we checked it (e.g. their function when called)."""

    def __init__(self, message: str, error: BaseException) -> None:
        super().__init__(message)
        self.message = message
        self.error = error


class NotAttempted(Exception):
    """The answer still holds the placeholder somewhere (e.g. a function returns ``____``)."""


def _last_error_assigning(name: str) -> BaseException | None:
    """The last error, when it came from learner code that assigns ``name`` (outside IPython)."""
    error = getattr(sys, "last_value", None)
    if error is None or error.__traceback__ is None:
        return None
    pattern = re.compile(rf"(^|[\s,(]){re.escape(name)}\s*(,[^=\n]*)?=(?!=)|def\s+{name}\b", re.M)
    for frame in traceback.extract_tb(error.__traceback__):
        if is_learner_frame(frame.filename):
            source = "".join(linecache.getlines(frame.filename))
            if pattern.search(source):
                return error
    return None


def assigns(source: str, name: str) -> bool:
    """True when a line of ``source`` assigns ``name`` (plain, augmented, annotated, tuple, def)."""
    n = re.escape(name)
    pattern = (
        rf"^[ \t]*(?:def[ \t]+{n}\b"
        rf"|[(\[]?[ \t]*(?:\*?[\w.\[\]'\"]+[ \t]*,[ \t]*)*\*?{n}\b[ \t]*[)\]]?[ \t]*"
        rf"(?:,[^=\n]*)?(?::[^=\n]*)?(?://|\*\*|>>|<<|[-+*/%&|^@])?=(?!=))"
    )
    return re.search(pattern, source, re.M) is not None


_UNKNOWN = object()
"""Returned by :func:`_cell_error_assigning` when the IPython history cannot tell."""

_CELL_NAME = re.compile(r"^<ipython-input-(\d+)-")


def _shell() -> Any:
    """The running IPython shell, or None (plain Python)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the course
        return None
    return get_ipython()


def _recorded_errors(shell: Any) -> dict[int, dict[str, Any]] | None:
    """IPython >= 9 keeps every failing cell's error by execution count; None before that."""
    recorded = getattr(getattr(shell, "history_manager", None), "exceptions", None)
    return recorded if isinstance(recorded, dict) else None


def _cell_of(error: BaseException, inputs: Sequence[str], raw: Sequence[str]) -> int | None:
    """The execution count of the cell that raised ``error`` (from its frames' file names)."""
    names = [f.filename for f in traceback.extract_tb(error.__traceback__)]
    if isinstance(error, SyntaxError) and error.filename:
        names.append(error.filename)
    for filename in names:
        match = _CELL_NAME.match(filename)
        if match:
            return int(match.group(1))
        if "ipykernel_" in filename:  # ipykernel names a cell's file by a hash of its source
            source = "".join(linecache.getlines(filename)).strip()
            for number in range(len(inputs) - 1, 0, -1):
                texts = (inputs[number], raw[number] if number < len(raw) else "")
                if source and any(str(t).strip() == source for t in texts):
                    return number
            return None
    return None


def _cell_error_assigning(name: str) -> object:
    """Whether the latest cell that assigns ``name`` raised, from IPython's input history.

    Returns (the error in one line, a short traceback) when it did, None when it ran without an
    error (a later successful run wins over an earlier failure), and :data:`_UNKNOWN` outside
    IPython or when no cell in the history assigns ``name``.
    """
    shell = _shell()
    history = getattr(shell, "history_manager", None)
    if shell is None or history is None:
        return _UNKNOWN
    inputs = list(shell.user_ns.get("_ih") or getattr(history, "input_hist_parsed", []) or [])
    raw = list(getattr(history, "input_hist_raw", []) or [])
    latest = next((n for n in range(len(inputs) - 1, 0, -1) if assigns(inputs[n], name)), None)
    if latest is None:
        return _UNKNOWN
    error = getattr(sys, "last_value", None)
    error_cell = _cell_of(error, inputs, raw) if error is not None else None
    recorded = _recorded_errors(shell)
    if recorded is not None:
        if latest not in recorded:
            return None
        if error is not None and error_cell == latest and max(recorded) == latest:
            return _one_line(error), short_traceback(error)
        stored = recorded[latest]
        return f"{stored.get('ename', 'an error')}: {stored.get('evalue', '')}".rstrip(": "), ""
    if error is not None and error_cell == latest:
        return _one_line(error), short_traceback(error)
    return None


def _one_line(error: BaseException) -> str:
    """``NameError: name 'x' is not defined`` (the last line of the exception's summary)."""
    return traceback.format_exception_only(error)[-1].strip()


# --------------------------------------------------------------------------------------------------
# Specs: how an answer is judged
# --------------------------------------------------------------------------------------------------


def describe_value(value: object, limit: int = 60) -> str:
    """A short description of a learner value for messages (type and a clipped repr)."""
    if isinstance(value, pd.DataFrame):
        return f"a DataFrame with {len(value)} rows and columns {list(value.columns)[:8]}"
    if isinstance(value, pd.Series):
        return f"a Series of {len(value)} values"
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{text} ({type(value).__name__})"


def _as_number(value: object) -> float | None:
    """A plain float for numbers (also numpy scalars and 1-element arrays), else None."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, np.ndarray | pd.Series) and value.size == 1:
        return _as_number(value.reshape(-1)[0] if isinstance(value, np.ndarray) else value.iloc[0])
    return None


def close(a: float, b: float, rel: float = 1e-3, abs_: float = 1e-9) -> bool:
    """Tolerant float comparison (NaN equals NaN)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


class Spec:
    """How to judge an answer: :meth:`problem` returns None when it matches, else what is wrong."""

    def problem(self, answer: Any, expected: Any) -> str | None:
        """None when ``answer`` matches ``expected``, else a message that does not reveal it."""
        raise NotImplementedError

    def prepare(self, answer: Any) -> Any:
        """The learner's answer in the form :meth:`problem` compares (default: unchanged)."""
        return answer


@dataclass(frozen=True)
class Number(Spec):
    """A single number, compared with a relative tolerance (``whole=True``: a count)."""

    rel: float = 1e-3
    abs: float = 1e-9
    whole: bool = False
    unit: str = ""

    def problem(self, answer: Any, expected: Any) -> str | None:
        """Compare as numbers; say too high / too low, never the expected value."""
        value = _as_number(answer)
        if value is None:
            if isinstance(answer, pd.Series | pd.DataFrame | np.ndarray):
                return (
                    f"Expected a single number, got {describe_value(answer)}. Reduce it to one "
                    "number, e.g. with `.sum()`, `.mean()` or `len(...)`."
                )
            return f"Expected a single number, got {describe_value(answer)}."
        target = float(expected)
        if close(value, target, self.rel, self.abs):
            return None
        if math.isnan(value):
            return "Your answer is NaN (not a number): did you divide by an empty selection?"
        direction = "too high" if value > target else "too low"
        shown = f"{value:,.0f}" if self.whole else f"{value:,.4g}"
        return f"Your answer, {shown}{self.unit}, is {direction}."


def _norm(text: object) -> str:
    return re.sub(r"[\s_\-/&]+", "", str(text)).casefold()


@dataclass(frozen=True)
class Choice(Spec):
    """One of a set of named options (case, spaces, dashes and underscores ignored)."""

    options: tuple[str, ...] | Callable[[], tuple[str, ...]]

    def names(self) -> tuple[str, ...]:
        """The options (computed on first use when given as a function, e.g. from the data)."""
        return tuple(self.options() if callable(self.options) else self.options)

    def prepare(self, answer: Any) -> Any:
        """The option the learner named, spelt as in ``options`` (unknown text unchanged)."""
        if isinstance(answer, str):
            for option in self.names():
                if _norm(option) == _norm(answer):
                    return option
        return answer

    def problem(self, answer: Any, expected: Any) -> str | None:
        """Correct when the learner named the expected option."""
        if not isinstance(answer, str):
            return f"Answer with one of the options as a string, got {describe_value(answer)}."
        if answer not in self.names():
            listed = ", ".join(f"`{o}`" for o in self.names())
            return f"{describe_value(answer)} is not one of the options: {listed}."
        return None if answer == expected else f"`{answer}` is not the best answer here."


@dataclass(frozen=True)
class Items(Spec):
    """A list of named items: as a set (``ordered=False``) or in order.

    For a set, a wrong answer names the learner's items that do not belong (with ``why_not(item)``
    when given: why that item is not one of them) and says how many of the ``expected`` items the
    learner listed, e.g. "You listed 1 of the 2 criteria this lead fails." (``noun`` completes it,
    ``missing_hint`` follows it), never which ones are missing.
    """

    options: tuple[str, ...]
    ordered: bool = False
    noun: str = "items asked for"
    missing_hint: str = ""
    why_not: Callable[[str], str] | None = None

    def prepare(self, answer: Any) -> Any:
        """Item names spelt as in ``options`` (a single string becomes a one-item list)."""
        if isinstance(answer, str):
            answer = [answer]
        if isinstance(answer, Iterable) and not isinstance(answer, dict):
            return [Choice(self.options).prepare(a) for a in answer]
        return answer

    def problem(self, answer: Any, expected: Any) -> str | None:
        """Say which items are unknown, surplus or missing (by count), or out of order."""
        if not isinstance(answer, list):
            return f"Answer with a list of names, got {describe_value(answer)}."
        unknown = [a for a in answer if a not in self.options]
        if unknown:
            listed = ", ".join(f"`{o}`" for o in self.options)
            return f"{describe_value(unknown[0])} is not one of: {listed}."
        if len(set(answer)) != len(answer):
            return "Your list names an item more than once."
        expected = list(expected)
        if self.ordered:
            if sorted(answer) != sorted(expected):
                return f"Your list has {len(answer)} items; use each of the options once."
            wrong = [i + 1 for i, (a, e) in enumerate(zip(answer, expected, strict=True)) if a != e]
            if not wrong:
                return None
            return f"The order is not right yet: {len(wrong)} positions are wrong."
        extra = [a for a in answer if a not in expected]
        listed = [a for a in answer if a in expected]
        if not extra and len(listed) == len(expected):
            return None
        parts = []
        if extra:
            if self.why_not is not None:
                parts.extend(self.why_not(item) for item in extra)
            else:
                names = " and ".join(f"`{item}`" for item in extra)
                verb = "does" if len(extra) == 1 else "do"
                parts.append(f"{names} {verb} not belong in this list.")
        if len(listed) < len(expected):
            parts.append(f"You listed {len(listed)} of the {len(expected)} {self.noun}.")
            if self.missing_hint:
                parts.append(self.missing_hint)
        return " ".join(parts)


@dataclass(frozen=True)
class Mapping(Spec):
    """A dict from given keys to options (e.g. analogy terms to SQO terms)."""

    keys: tuple[str, ...]
    options: tuple[str, ...]

    def prepare(self, answer: Any) -> Any:
        """Values spelt as in ``options``."""
        if isinstance(answer, dict):
            return {k: Choice(self.options).prepare(v) for k, v in answer.items()}
        return answer

    def problem(self, answer: Any, expected: Any) -> str | None:
        """Say which keys are missing or matched wrongly, not what they should be."""
        if not isinstance(answer, dict):
            return f"Answer with a dict {{term: meaning}}, got {describe_value(answer)}."
        missing = [k for k in self.keys if k not in answer or answer[k] is BLANK]
        if missing:
            return f"Give a meaning for every term; missing: {', '.join(map(repr, missing))}."
        unknown = [v for v in answer.values() if v not in self.options]
        if unknown:
            return f"{describe_value(unknown[0])} is not one of the meanings offered."
        wrong = [k for k in self.keys if answer[k] != expected[k]]
        if not wrong:
            return None
        return f"{len(wrong)} of {len(self.keys)} matches are wrong, e.g. {wrong[0]!r}."


@dataclass(frozen=True)
class Frame(Spec):
    """A DataFrame: the columns that matter, their kinds, the row count and values (tolerant)."""

    columns: tuple[str, ...]
    key: str  # the column that identifies a row (rows are matched on it, in any order)
    rel: float = 1e-3

    def problem(self, answer: Any, expected: Any) -> str | None:
        """Check columns, row count, keys, dtypes and values, and name the first thing wrong."""
        if not isinstance(answer, pd.DataFrame):
            return f"Expected a DataFrame, got {describe_value(answer)}."
        frame = answer.reset_index() if self.key not in answer.columns else answer
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            return (
                f"Your table lacks the column(s) {', '.join(f'`{c}`' for c in missing)} "
                f"(it has {', '.join(f'`{c}`' for c in list(frame.columns)[:10])})."
            )
        if len(frame) != len(expected):
            return f"Your table has {len(frame)} rows; there should be one per {self.key}."
        mine = frame.set_index(frame[self.key].astype(str))
        theirs = expected.set_index(expected[self.key].astype(str))
        if set(mine.index) != set(theirs.index):
            return f"Your `{self.key}` values are not the ones in the data."
        mine = mine.loc[theirs.index]
        for column in self.columns:
            if column == self.key:
                continue
            want, got = theirs[column], mine[column]
            if pd.api.types.is_numeric_dtype(want) and not pd.api.types.is_numeric_dtype(got):
                return f"Column `{column}` should hold numbers, but its dtype is {got.dtype}."
            if pd.api.types.is_numeric_dtype(want):
                a = got.to_numpy(dtype=float)
                b = want.to_numpy(dtype=float)
                same = np.isclose(a, b, rtol=self.rel, atol=1e-9) | (np.isnan(a) & np.isnan(b))
                if not same.all():
                    row = theirs.index[int(np.argmin(same))]
                    return (
                        f"Column `{column}` is off for {int((~same).sum())} row(s), e.g. for "
                        f"{row!r}, where you have {a[int(np.argmin(same))]:,.4g}."
                    )
            elif not (got.astype(str).to_numpy() == want.astype(str).to_numpy()).all():
                return f"Column `{column}` does not match the data."
        return None


@dataclass(frozen=True)
class Bars(Spec):
    """A bar chart on a matplotlib Axes: bar count and heights (tolerant), labelled axes."""

    rel: float = 1e-2

    def prepare(self, answer: Any) -> Any:
        """Accept a Figure too (its first Axes)."""
        from matplotlib.figure import FigureBase

        if isinstance(answer, FigureBase) and answer.axes:
            return answer.axes[0]
        return answer

    @staticmethod
    def heights(ax: Any) -> np.ndarray:
        """The heights of the bars on ``ax``, left to right."""
        from matplotlib.patches import Rectangle

        patches = getattr(ax, "patches", [])
        bars = sorted((p for p in patches if isinstance(p, Rectangle)), key=lambda p: p.get_x())
        return np.array([b.get_height() for b in bars], dtype=float)

    def shows(self, ax: Any, values: Any) -> bool:
        """True when the bars of ``ax`` have the heights ``values`` (labels not considered)."""
        heights, want = self.heights(ax), np.asarray(values, dtype=float)
        return len(heights) == len(want) and bool(np.allclose(heights, want, rtol=self.rel))

    def problem(self, answer: Any, expected: Any) -> str | None:
        """Compare the bar heights in x order with ``expected`` and check the axis labels."""
        if not hasattr(answer, "patches") or not hasattr(answer, "get_xlabel"):
            return f"Expected the matplotlib Axes of your chart, got {describe_value(answer)}."
        heights = self.heights(answer)
        want = np.asarray(expected, dtype=float)
        if not len(heights):
            return "Your axes have no bars yet: draw them with `ax.bar(x, heights)`."
        if len(heights) != len(want):
            return f"Your chart has {len(heights)} bars; it needs one per group in the data."
        if not np.allclose(heights, want, rtol=self.rel, atol=1e-9):
            bad = int(np.argmax(~np.isclose(heights, want, rtol=self.rel, atol=1e-9)))
            return (
                f"The bar heights do not match the data: bar {bad + 1} from the left has "
                f"height {heights[bad]:,.4g}."
            )
        for axis, text in (("x", answer.get_xlabel()), ("y", answer.get_ylabel())):
            if not text.strip():
                return f"Label the {axis} axis, with its unit in brackets (e.g. `label(ax, ...)`)."
            if "[" not in text:
                return f"Say the unit of the {axis} axis in brackets, e.g. `win rate [share]`."
        return None


@dataclass(frozen=True)
class Text(Spec):
    """A written answer: judged complete when long enough; the model answer is then shown."""

    min_words: int = 25
    key_ideas: tuple[tuple[str, str], ...] = ()  # (regex, idea) the model answer covers

    def problem(self, answer: Any, expected: Any) -> str | None:
        """Ask for a string of at least ``min_words`` words."""
        if not isinstance(answer, str):
            return f"Write your answer as a string in quotes, got {describe_value(answer)}."
        words = len(answer.split())
        if words < self.min_words:
            return (
                f"Your answer has {words} words; take at least {self.min_words} to explain "
                "your reasoning (two or three sentences)."
            )
        return None

    def uncovered(self, answer: str) -> list[str]:
        """The key ideas the answer does not seem to mention (a prompt to compare, not a grade)."""
        return [idea for pattern, idea in self.key_ideas if not re.search(pattern, answer, re.I)]


@dataclass(frozen=True)
class Function(Spec):
    """A learner function, called on a few cases and compared with the reference function."""

    cases: Callable[[], Sequence[tuple[str, tuple[Any, ...]]]]  # (description, args)
    result: Spec = field(default_factory=Number)

    def problem(self, answer: Any, expected: Any) -> str | None:
        """Call both functions on each case; the first case that differs is named."""
        if not callable(answer):
            return f"Expected a function, got {describe_value(answer)}."
        for description, args in self.cases():
            want = expected(*args)
            try:
                got = answer(*args)
            except Exception as error:
                raise LearnerError(
                    f"Your function raised {type(error).__name__} when called with {description}.",
                    error,
                ) from error
            if is_blank(got):
                raise NotAttempted
            issue = self.result.problem(self.result.prepare(got), want)
            if issue:
                return f"With {description}: {issue}"
        return None


@dataclass(frozen=True)
class Judged(Spec):
    """An answer judged by a function of the answer alone (e.g. criteria against targets).

    ``judge(answer)`` returns None when the answer meets the goal, else what is missed, in words
    that point the way without giving a solution. ``expected`` is ignored.
    """

    judge: Callable[[Any], str | None]
    kind: type | tuple[type, ...] = object
    kind_hint: str = ""

    def problem(self, answer: Any, expected: Any) -> str | None:
        """Check the type, then ask ``judge``."""
        if not isinstance(answer, self.kind):
            return f"Expected {self.kind_hint or 'another kind of value'}, got " + describe_value(
                answer
            )
        return self.judge(answer)


# --------------------------------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Misconception:
    """A known wrong answer and the message it earns.

    ``wrong()`` builds an answer this misconception produces (the tests use it); by default an
    answer matches when the question's spec finds it equal to ``wrong()``. ``matches`` overrides
    that with a predicate on the learner's (prepared) answer.
    """

    message: str
    wrong: Callable[[], Any]
    matches: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class Question:
    """One question, declared as data."""

    id: str  # unique, e.g. "what_is_an_sqo.q1" or "benefits.q3.a"
    var: str  # the learner variable or function checked
    task: str  # one line: what to do
    spec: Spec
    solution: str  # code
    expected: Callable[[], Any] = lambda: None  # computed by the engine at check time
    hints: tuple[str, ...] = ()
    misconceptions: tuple[Misconception, ...] = ()
    explanation: str = ""  # shown with a correct answer (the why, or a model answer)
    feedback: Callable[[Any], str] | None = None  # extra words for a correct answer (e.g. a score)

    def evaluate(self, answer: Any) -> Result:
        """Judge an answer (never raises in learner mode)."""
        try:
            return self._evaluate(answer)
        except Exception as error:  # a bug of ours, not the learner's
            if os.environ.get("SQOLAB_CHECKS_STRICT"):
                raise
            return self._result(
                Status.ERROR,
                "The checker itself failed on this answer; this is our bug, not yours. Please "
                "report it, with your answer.",
                details="".join(traceback.format_exception_only(error)).strip(),
            )

    def evaluate_in(self, namespace: dict[str, Any]) -> Result:
        """Judge the learner variable ``var`` found in ``namespace`` (never raises).

        In IPython the input history decides first: when the latest cell that assigns ``var``
        raised, the outcome is an error even if an older value is still defined.
        """
        failed = _cell_error_assigning(self.var)
        if failed is not _UNKNOWN:
            if failed is not None:
                what, details = failed  # type: ignore[misc]
                message = (
                    f"The cell that sets `{self.var}` raised {what} — fix it and run it again."
                )
                if self.var in namespace and not is_blank(namespace[self.var]):
                    message += (
                        f" Until then `{self.var}` keeps its value from an earlier run, which is "
                        "not checked."
                    )
                return self._result(Status.ERROR, message, details=details)
            if self.var not in namespace:
                return self._result(
                    Status.ERROR,
                    f"`{self.var}` is not defined yet: run the cell that defines it, and the cells "
                    "above it, first.",
                )
            return self.evaluate(namespace[self.var])
        if self.var not in namespace:
            error = _last_error_assigning(self.var)
            message = (
                f"`{self.var}` is not defined yet: run the cell that defines it, and the cells "
                "above it, first."
            )
            if error is not None:
                message = (
                    f"`{self.var}` is not defined, because the cell that defines it stopped with "
                    f"{type(error).__name__}. Fix that cell and run it again."
                )
                return self._result(Status.ERROR, message, details=short_traceback(error))
            return self._result(Status.ERROR, message)
        answer = namespace[self.var]
        if is_blank(answer):
            error = _last_error_assigning(self.var)
            if error is not None:
                return self._result(
                    Status.ERROR,
                    f"The cell that sets `{self.var}` stopped with {type(error).__name__}, so "
                    f"`{self.var}` still holds the placeholder. Fix that cell and run it again.",
                    details=short_traceback(error),
                )
        return self.evaluate(answer)

    def _result(self, status: Status, message: str, code: str = "", details: str = "") -> Result:
        return Result(
            kind=status,
            title=self.label,
            message=message,
            code=code,
            details=details,
            question=self.id,
        )

    @property
    def label(self) -> str:
        """A short name for displays: ``q3.a`` from ``benefits.q3.a``."""
        return self.id.split(".", 1)[-1]

    def _evaluate(self, answer: Any) -> Result:
        if is_blank(answer):
            return self._not_attempted()
        try:
            answer = self.spec.prepare(answer)
            issue = self.spec.problem(answer, self.expected())
            if issue is None:
                return self._correct(answer)
            for misconception in self.misconceptions:
                if self._matches(misconception, answer):
                    return self._result(Status.INCORRECT, misconception.message)
            return self._result(Status.INCORRECT, issue)
        except NotAttempted:
            return self._not_attempted()
        except LearnerError as error:
            return self._result(Status.ERROR, error.message, details=short_traceback(error.error))

    def _matches(self, misconception: Misconception, answer: Any) -> bool:
        if misconception.matches is not None:
            try:
                return bool(misconception.matches(answer))
            except (TypeError, ValueError, KeyError, AttributeError):
                return False  # an answer of another kind: not this misconception
        try:
            return self.spec.problem(answer, misconception.wrong()) is None
        except (LearnerError, NotAttempted):
            return False

    def _correct(self, answer: Any) -> Result:
        message = "Well done."
        details = ""
        if self.feedback is not None:
            message = self.feedback(answer)
        if isinstance(self.spec, Text):
            uncovered = self.spec.uncovered(answer)
            message = "Thank you: your answer is recorded. Compare it with the model answer below."
            if uncovered:
                message += "\n\nIdeas the model answer covers that yours may not mention: " + (
                    "; ".join(uncovered) + "."
                )
        if self.explanation:
            details = self.explanation
        return self._result(Status.CORRECT, message, details=details)

    def _not_attempted(self) -> Result:
        return self._result(
            Status.NOT_ATTEMPTED,
            f"Replace the placeholder `____` in `{self.var}` with your answer, run the cell, then "
            "check again. Stuck? Call `.hint()`.",
        )


# --------------------------------------------------------------------------------------------------
# Progress and result records (local files only)
# --------------------------------------------------------------------------------------------------


def progress_path() -> Path:
    """Where progress is kept: ``$SQOLAB_PROGRESS`` or ``~/.sqolab/progress.json``."""
    custom = os.environ.get("SQOLAB_PROGRESS")
    return Path(custom) if custom else Path.home() / ".sqolab" / "progress.json"


def load_progress() -> dict[str, dict[str, Any]]:
    """The recorded progress: question id -> {"status", "solved", "time", "last_tried", ...}."""
    try:
        data = json.loads(progress_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def _update_progress(question: str, **changes: Any) -> None:
    """Merge ``changes`` into one question's entry; a file that cannot be written is skipped.

    Never downgrades: a solved question stays solved with its first solved time, and the hint
    count only grows.
    """
    data = load_progress()
    entry = dict(data[question]) if isinstance(data.get(question), dict) else {}
    if "hints" in changes:
        changes["hints"] = max(int(changes["hints"]), int(entry.get("hints", 0) or 0))
    entry.update(changes)
    data[question] = entry
    path = progress_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


def _record_progress(result: Result) -> None:
    """Keep a check's outcome without ever downgrading what was achieved.

    "Not attempted" is not written at all (running a blank notebook, e.g. to build the book,
    leaves progress as it was). Once solved, a question stays solved with its first solved time;
    later checks only update ``last_tried``.
    """
    status = result.status
    if status is Status.NOT_ATTEMPTED:
        return
    entry = load_progress().get(result.question)
    solved = isinstance(entry, dict) and bool(entry.get("solved"))
    now = _now()
    if solved:
        _update_progress(result.question, last_tried=now)
    elif status is Status.CORRECT:
        _update_progress(result.question, status=str(status), solved=True, time=now)
    else:
        _update_progress(result.question, status=str(status), time=now, last_tried=now)


def record(result: Result) -> None:
    """Keep a check's outcome: in the progress file and, for grading, in ``$SQOLAB_RESULTS``."""
    _record_progress(result)
    results = os.environ.get("SQOLAB_RESULTS")
    if results:
        line = {
            "question": result.question,
            "outcome": str(result.status),
            "message": result.message,
        }
        try:
            with open(results, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(line) + "\n")
        except OSError:
            pass


def display_path(path: Path) -> str:
    """``path`` for display: under the home directory as ``~/...``, never the absolute home."""
    try:
        return "~/" + path.expanduser().resolve().relative_to(Path.home().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return str(path)


REGISTRY: dict[str, Question] = {}
"""Every question declared so far, by id (the exercise modules register theirs)."""


def progress_table(questions: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per question: done ("solved", "tried", "not started"), best outcome, hints used.

    ``when`` is the first time the question was solved (else the latest check); ``last tried`` the
    latest check that did not solve it.
    """
    data = load_progress()
    ids = list(questions) if questions is not None else sorted(set(REGISTRY) | set(data))
    rows = []
    for qid in ids:
        entry = data.get(qid, {})
        entry = entry if isinstance(entry, dict) else {}
        solved = bool(entry.get("solved"))
        tried = solved or entry.get("status") in (Status.INCORRECT, Status.ERROR)
        rows.append(
            {
                "question": qid,
                "done": "✔ solved" if solved else ("✘ tried" if tried else "– not started"),
                "outcome": str(Status.CORRECT) if solved else entry.get("status", ""),
                "hints": int(entry.get("hints", 0) or 0),
                "solution viewed": "yes" if entry.get("solution_viewed") else "",
                "when": entry.get("time", ""),
                "last tried": entry.get("last_tried", ""),
            }
        )
    columns = ["question", "done", "outcome", "hints", "solution viewed", "when", "last tried"]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class ProgressReport:
    """The progress table, shown as HTML with a text fallback."""

    table: pd.DataFrame

    def text(self) -> str:
        """Plain-text summary and table."""
        solved = int(self.table["done"].str.startswith("✔").sum())
        head = (
            f"Progress: {solved} of {len(self.table)} questions solved (kept on this computer "
            f"only, in {display_path(progress_path())})."
        )
        return head + "\n" + self.table.to_string(index=False)

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        solved = int(self.table["done"].str.startswith("✔").sum())
        body = Feedback(
            "info",
            "your progress",
            f"{solved} of {len(self.table)} questions solved. Kept on this computer only, in "
            f"`{display_path(progress_path())}`.",
        ).html()
        return {"text/plain": self.text(), "text/html": body + self.table.to_html(index=False)}

    def __str__(self) -> str:
        return self.text()


def progress(chapter: str | None = None) -> ProgressReport:
    """Show which questions are done (all chapters, or one chapter id); local data only."""
    import sqolab.practice.exercises  # noqa: F401  (registers every chapter's questions)

    ids = [q for q in REGISTRY if chapter is None or q.startswith(f"{chapter}.")]
    return ProgressReport(progress_table(ids))


# --------------------------------------------------------------------------------------------------
# The learner API
# --------------------------------------------------------------------------------------------------


def _learner_namespace() -> dict[str, Any]:
    """The globals of the first calling frame outside sqolab (the notebook's namespace)."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if not (name == "sqolab" or name.startswith("sqolab.")):
            return frame.f_globals
        frame = frame.f_back
    return {}  # pragma: no cover - there is always a caller


class Exercise:
    """A question as the learner uses it: ``check()``, ``hint()``, ``solution()``."""

    def __init__(self, question: Question) -> None:
        self.question = question
        self._hints_shown = 0
        REGISTRY[question.id] = question

    def __repr__(self) -> str:
        return f"<question {self.question.label}: {self.question.task}>"

    def evaluate(self, answer: Any = BLANK, namespace: dict[str, Any] | None = None) -> Result:
        """The outcome for ``answer``, or for the learner variable in ``namespace`` (no display)."""
        if namespace is not None:
            return self.question.evaluate_in(namespace)
        return self.question.evaluate(answer)

    def check(self) -> None:
        """Check the learner's answer (found in the notebook) and show the outcome."""
        result = self.question.evaluate_in(_learner_namespace())
        record(result)
        show(result)

    def hint(self) -> None:
        """Show the next hint (each call one more)."""
        hints = self.question.hints
        if not hints:
            show(Feedback("hint", self.question.label, "No hint for this one: try it!"))
            return
        n = min(self._hints_shown, len(hints) - 1)
        self._hints_shown = min(self._hints_shown + 1, len(hints))
        message = hints[n]
        if n == len(hints) - 1 and len(hints) > 1:
            message += f"\n\n(That was the last hint: `{self.question.label}.solution()` shows it.)"
        _update_progress(self.question.id, hints=self._hints_shown)
        show(Feedback("hint", f"{self.question.label}, hint {n + 1} of {len(hints)}", message))

    def solution(self) -> None:
        """Show the solution (recorded as viewed in the local progress file)."""
        _update_progress(self.question.id, solution_viewed=True)
        show(
            Feedback(
                "solution",
                self.question.label,
                self.question.explanation if isinstance(self.question.spec, Text) else "",
                code=self.question.solution,
            )
        )


class MultiPart:
    """A question with parts ``a``, ``b``, ...: ``q3.a.check()``; ``q3.check()`` checks all."""

    def __init__(self, label: str, **parts: Exercise) -> None:
        self.label = label
        self.parts = parts
        for name, part in parts.items():
            setattr(self, name, part)

    def __repr__(self) -> str:
        names = ", ".join(f"{self.label}.{n}" for n in self.parts)
        return f"<question {self.label} with parts {names}>"

    def check(self) -> None:
        """Check every part."""
        namespace = _learner_namespace()
        for part in self.parts.values():
            result = part.question.evaluate_in(namespace)
            record(result)
            show(result)

    def hint(self) -> None:
        """Point to the parts' hints."""
        names = ", ".join(f"`{self.label}.{n}.hint()`" for n in self.parts)
        show(Feedback("hint", self.label, f"This question has parts: use {names}."))

    def solution(self) -> None:
        """Show the solution of every part."""
        for part in self.parts.values():
            part.solution()
