"""Answer specs: how an answer is judged, with a message that never gives the answer away.

A :class:`Spec` turns the learner's answer into plain values it compares (:meth:`Spec.prepare`,
the only step that touches the learner's objects, through :mod:`sqolab.practice.learner_code`) and
says what is wrong with them (:meth:`Spec.problem`), or None when they match.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sqolab.practice.cells import LearnerError, NotAttempted
from sqolab.practice.feedback import BLANK, is_blank
from sqolab.practice.learner_code import (
    Foreign,
    TimeLimit,
    convert,
    copy_for_learner,
    plain,
    plain_answer,
    run_learner_code,
)


def describe_value(value: object, limit: int = 60) -> str:
    """A short description of a (plain) learner value for messages (type and a clipped repr)."""
    if isinstance(value, Foreign):
        return f"{value.text} ({value.type_name})"
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
        """The learner's answer as plain values :meth:`problem` compares (default: plain)."""
        return plain_answer(answer)


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
        return self.spelt(plain_answer(answer))

    def spelt(self, answer: Any) -> Any:
        """A plain answer spelt as in ``options`` (unknown text unchanged)."""
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
        answer = plain_answer(answer)
        if isinstance(answer, str):
            answer = [answer]
        if isinstance(answer, Iterable) and not isinstance(answer, dict):
            return [Choice(self.options).spelt(a) for a in answer]
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
        answer = plain_answer(answer)
        if isinstance(answer, dict):
            return {k: Choice(self.options).spelt(v) for k, v in answer.items()}
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
class Chart:
    """What a bar chart shows, read from the learner's Axes: bar heights and axis labels."""

    heights: tuple[float, ...]
    xlabel: str
    ylabel: str


def _chart(answer: Any) -> Any:
    """A :class:`Chart` from an Axes or Figure (its first Axes); other answers as plain values."""
    from matplotlib.axes import Axes
    from matplotlib.figure import FigureBase
    from matplotlib.patches import Rectangle

    if isinstance(answer, FigureBase) and answer.axes:
        answer = answer.axes[0]
    if not isinstance(answer, Axes):
        return plain(answer)
    bars = sorted((p for p in answer.patches if isinstance(p, Rectangle)), key=lambda p: p.get_x())
    heights = tuple(float.__float__(float(b.get_height())) for b in bars)
    return Chart(heights, str.__str__(answer.get_xlabel()), str.__str__(answer.get_ylabel()))


@dataclass(frozen=True)
class Bars(Spec):
    """A bar chart on a matplotlib Axes: bar count and heights (tolerant), labelled axes."""

    rel: float = 1e-2

    def prepare(self, answer: Any) -> Any:
        """The chart the Axes shows (a Figure: its first Axes) as a :class:`Chart`."""
        return convert(_chart, answer)

    @staticmethod
    def heights(ax: Any) -> np.ndarray:
        """The heights of the bars on ``ax`` (an Axes or a :class:`Chart`), left to right."""
        chart = ax if isinstance(ax, Chart) else _chart(ax)
        return np.array(chart.heights if isinstance(chart, Chart) else [], dtype=float)

    def shows(self, ax: Any, values: Any) -> bool:
        """True when the bars of ``ax`` have the heights ``values`` (labels not considered)."""
        heights, want = self.heights(ax), np.asarray(values, dtype=float)
        return len(heights) == len(want) and bool(np.allclose(heights, want, rtol=self.rel))

    def problem(self, answer: Any, expected: Any) -> str | None:
        """Compare the bar heights in x order with ``expected`` and check the axis labels."""
        if not isinstance(answer, Chart | Foreign):  # an Axes not yet prepared
            answer = self.prepare(answer)
        if not isinstance(answer, Chart):
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
        for axis, text in (("x", answer.xlabel), ("y", answer.ylabel)):
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
class Calls:
    """What a learner function returned for each case, in order (plain values), up to the first
    case where it raised, ran out of time or returned the placeholder (``stop``)."""

    returned: tuple[Any, ...]
    stop: LearnerError | NotAttempted | None = None


@dataclass(frozen=True)
class Function(Spec):
    """A learner function, called on a few cases and compared with the reference function.

    The learner function gets copies of each case's arguments and runs in a thread of its own
    (:func:`~sqolab.practice.learner_code.run_learner_code`), before and apart from the reference:
    it can neither change what the checker uses nor find the expected value in a caller's frame.
    """

    cases: Callable[[], Sequence[tuple[str, tuple[Any, ...]]]]  # (description, args)
    result: Spec = field(default_factory=Number)

    def prepare(self, answer: Any) -> Any:
        """Call the learner function on every case: a :class:`Calls` (other answers: plain)."""
        if not callable(answer):
            return plain_answer(answer)
        returned: list[Any] = []
        for description, args in self.cases():
            try:
                got = run_learner_code(answer, *(copy_for_learner(a) for a in args))
            except TimeLimit as error:
                stop = f"Your function, called with {description}, {error.message}"
                return Calls(tuple(returned), TimeLimit(stop, error.error))
            except (Exception, SystemExit) as error:
                message = (
                    f"Your function raised {type(error).__name__} when called with {description}."
                )
                return Calls(tuple(returned), LearnerError(message, error))
            if got is BLANK:
                return Calls(tuple(returned), NotAttempted())
            try:
                value = self.result.prepare(got)
            except LearnerError as error:
                return Calls(tuple(returned), error)
            if is_blank(value):
                return Calls(tuple(returned), NotAttempted())
            returned.append(value)
        return Calls(tuple(returned))

    def problem(self, answer: Any, expected: Any) -> str | None:
        """Compare each case's result with the reference's; the first case that differs is named."""
        if not isinstance(answer, Calls):
            return f"Expected a function, got {describe_value(answer)}."
        for i, (description, args) in enumerate(self.cases()):
            if i == len(answer.returned):
                if answer.stop is not None:
                    raise answer.stop
                break
            issue = self.result.problem(answer.returned[i], expected(*args))
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
