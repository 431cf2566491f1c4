"""Every practice question without code: a form per question, judged by the same checker.

A form is built from the question's spec (a number box, options to choose, items to tick or put in
order, a dropdown per term, a text box, criteria controls, a grid of numbers, a chart to set up). It
builds the same answer object the Python track would and judges it with the same
:meth:`~sqolab.practice.questions.Question.evaluate`: the same four outcomes, the same specific
feedback, the same progress file. ``practice_form("benefits")`` shows a whole chapter.
"""

from __future__ import annotations

import html
import math
import re
import zlib
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sqolab.data.contexts import PROFILES
from sqolab.data.schema import AUTHORITY_LEVELS, NEED_LEVELS
from sqolab.engine.criteria import CRITERIA_NAMES, CRITERION_FIELDS, FRAMEWORKS, Criteria, preset
from sqolab.engine.scoring import DEFAULT_WEIGHTS
from sqolab.figures.discovery import figure_png
from sqolab.figures.style import ROLE
from sqolab.figures.tables import report_table
from sqolab.practice.checks import (
    Bars,
    Choice,
    Exercise,
    Frame,
    Function,
    Items,
    Judged,
    Mapping,
    Number,
    Text,
)
from sqolab.practice.feedback import BLANK, Feedback
from sqolab.practice.progress_store import record

_STYLE = {"description_width": "initial"}  # labels take the width their words need: never cut
_WIDE = widgets.Layout(width="100%", max_width="900px")
CHOOSE = "(choose)"
"""What an untouched dropdown shows."""
FORM_CSS = (
    "<style>.sqolab-form {border: 1px solid #999; border-radius: 6px; padding: 8px 12px;"
    " margin: 10px 0;} .sqolab-form h4 {margin: 4px 0;}"
    " .sqolab-form .widget-label {white-space: normal;}</style>"
)


class FormError(ValueError):
    """An entry the form cannot read (e.g. letters in a number box): said in plain words."""


# --------------------------------------------------------------------------------------------------
# Entries: one per spec kind. ``widget`` is shown; ``answer()`` gives what the code track would.
# --------------------------------------------------------------------------------------------------


def read_number(text: str, what: str = "the number") -> Any:
    """A typed number as a float; "" is blank.

    A point is a decimal point (0.25, 1.5) unless it groups thousands before a decimal comma or
    in twos or more (1.234,5 or 1.234.567); a comma is a decimal comma (0,25) unless it groups
    thousands (1,234.5 or 1,234,567). ``1,234`` alone could be either and is asked about, never
    guessed. ``12 %`` is 0.12; spaces, ``€`` and ``EUR`` are ignored.
    """
    raw = text.strip().replace("€", "").replace("EUR", "").replace("\u00a0", "").replace(" ", "")
    if not raw:
        return BLANK
    percent = raw.endswith("%")
    raw = raw.rstrip("%")
    if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+,\d*|[+-]?\d{1,3}(\.\d{3}){2,}", raw):  # 1.234,5
        raw = raw.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+\.\d*|[+-]?\d{1,3}(,\d{3}){2,}", raw):  # 1,234.5
        raw = raw.replace(",", "")
    elif re.fullmatch(r"[+-]?\d{1,3},\d{3}", raw):
        raise FormError(
            f"{text.strip()!r} could mean {raw.replace(',', '')} or {raw.replace(',', '.')}: "
            "type it without the comma, or with a decimal point, e.g. 1234 or 1.234."
        )
    elif "." not in raw:
        raw = raw.replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        raise FormError(
            f"{text.strip()!r} is not a number: type {what} with digits, e.g. 1234.5 or 0.25."
        ) from None
    if not math.isfinite(value):
        raise FormError(f"Type {what} as a finite number, e.g. 1234.5.")
    return value / 100 if percent else value


class Entry:
    """The input part of a form."""

    widget: widgets.Widget

    def answer(self) -> Any:
        """The answer as the code track would give it (BLANK while untouched)."""
        raise NotImplementedError


class NumberEntry(Entry):
    def __init__(self, spec: Number) -> None:
        self.whole = spec.whole
        self.box = widgets.Text(
            description="Your answer:",
            placeholder="a number, e.g. 1234.5 (12% for a share)",
            style=_STYLE,
            layout=widgets.Layout(width="420px"),
        )
        self.widget = self.box

    def answer(self) -> Any:
        value = read_number(self.box.value)
        if value is BLANK or not self.whole:
            return value
        return int(value) if float(value).is_integer() else value


class ChoiceEntry(Entry):
    def __init__(self, options: tuple[str, ...]) -> None:
        self.buttons = widgets.RadioButtons(
            options=list(options),
            value=None,
            description="Your answer:",
            style=_STYLE,
            layout=_WIDE,
        )
        self.widget = self.buttons

    def answer(self) -> Any:
        return BLANK if self.buttons.value is None else self.buttons.value


class TickEntry(Entry):
    def __init__(self, spec: Items) -> None:
        self.boxes = [
            widgets.Checkbox(value=False, description=o, indent=False, layout=_WIDE)
            for o in spec.options
        ]
        self.widget = widgets.VBox([widgets.Label("Tick every one that applies:"), *self.boxes])

    def answer(self) -> Any:
        picked = [box.description for box in self.boxes if box.value]
        return picked or BLANK


class OrderEntry(Entry):
    """Items put in order with a pair of buttons per row (mouse or Tab + Enter)."""

    def __init__(self, spec: Items, start: list[str]) -> None:
        self.order = list(start)
        self.rows = widgets.VBox()
        self.widget = widgets.VBox(
            [
                widgets.Label("Put them in order, first at the top (↑ and ↓ move an item):"),
                self.rows,
            ]
        )
        self._draw()

    def _draw(self) -> None:
        rows = []
        for i, item in enumerate(self.order):
            up = widgets.Button(
                description="↑",
                tooltip=f"Move {item} up",
                layout=widgets.Layout(width="44px"),
                disabled=i == 0,
            )
            down = widgets.Button(
                description="↓",
                tooltip=f"Move {item} down",
                layout=widgets.Layout(width="44px"),
                disabled=i == len(self.order) - 1,
            )
            up.on_click(lambda _, i=i: self.move(i, -1))
            down.on_click(lambda _, i=i: self.move(i, +1))
            rows.append(widgets.HBox([widgets.Label(f"{i + 1}. {item}"), up, down]))
        self.rows.children = rows

    def move(self, position: int, step: int) -> None:
        """Move the item at ``position`` one place up (-1) or down (+1)."""
        other = position + step
        if 0 <= other < len(self.order):
            self.order[position], self.order[other] = self.order[other], self.order[position]
            self._draw()

    def answer(self) -> Any:
        return list(self.order)  # the order as shown is an answer too


class MappingEntry(Entry):
    def __init__(self, spec: Mapping) -> None:
        self.menus = {
            key: widgets.Dropdown(
                options=[CHOOSE, *spec.options],
                value=CHOOSE,
                description=key,
                style=_STYLE,
                layout=_WIDE,
            )
            for key in spec.keys
        }
        self.widget = widgets.VBox(list(self.menus.values()))

    def answer(self) -> Any:
        chosen = {k: m.value for k, m in self.menus.items() if m.value != CHOOSE}
        if not chosen:
            return BLANK
        return {k: chosen.get(k, BLANK) for k in self.menus}


class TextEntry(Entry):
    def __init__(self, spec: Text) -> None:
        self.box = widgets.Textarea(
            placeholder=f"Two or three sentences (at least {spec.min_words} words).",
            layout=widgets.Layout(width="100%", max_width="900px", height="120px"),
        )
        self.widget = widgets.VBox([widgets.Label("Your answer:"), self.box])

    def answer(self) -> Any:
        return self.box.value if self.box.value.strip() else BLANK


class CriteriaEntry(Entry):
    """Criteria set with a tick and a control per criterion, k of n and unknown-counts-as-met."""

    def __init__(self) -> None:
        self.use: dict[str, widgets.Checkbox] = {}
        self.value: dict[str, widgets.Widget] = {}
        rows = []
        self.start = widgets.Dropdown(
            options=[CHOOSE, *FRAMEWORKS],
            value=CHOOSE,
            style=_STYLE,
            description="Start from a framework (startup's thresholds):",
        )
        self.start.observe(self._load, names="value")
        for name in CRITERIA_NAMES:
            self.use[name] = widgets.Checkbox(
                value=False, description=f"apply {name}", indent=False
            )
            self.value[name] = _criterion_control(name)
            rows.append(widgets.HBox([self.use[name], self.value[name]]))
        self.k = widgets.Dropdown(
            options=[("all applied criteria", -1)] + [(str(k), k) for k in range(7)],
            value=-1,
            description="Criteria a lead must meet:",
            style=_STYLE,
        )
        self.unknown = widgets.Checkbox(
            value=False, description="an unknown value counts as met", indent=False
        )
        self.touched = False
        for control in [*self.use.values(), *self.value.values(), self.k, self.unknown]:
            control.observe(self._touch, names="value")
        self.widget = widgets.VBox([self.start, *rows, self.k, self.unknown])

    def _touch(self, _: Any = None) -> None:
        self.touched = True

    def _load(self, change: dict[str, Any]) -> None:
        if change["new"] == CHOOSE:
            return
        criteria = preset(change["new"], "startup")
        for name in CRITERIA_NAMES:
            value = getattr(criteria, CRITERION_FIELDS[name])
            self.use[name].value = value is not None
            if value is not None:
                self.value[name].value = value
        self.k.value = -1 if criteria.min_met is None else criteria.min_met
        self.unknown.value = bool(criteria.unknown_meets)
        self.touched = True

    def criteria(self) -> Criteria:
        """The criteria the controls show; FormError with the reason if they do not make any."""
        fields: dict[str, Any] = {
            CRITERION_FIELDS[n]: self.value[n].value for n in CRITERIA_NAMES if self.use[n].value
        }
        k = self.k.value
        try:
            return Criteria(
                **fields, min_met=None if k == -1 else k, unknown_meets=self.unknown.value
            )
        except ValueError as error:
            raise FormError(f"These settings do not make criteria: {error}") from None

    def answer(self) -> Any:
        return self.criteria() if self.touched else BLANK


def _criterion_control(name: str) -> widgets.Widget:
    """The threshold control of one criterion."""
    common: dict[str, Any] = {"style": _STYLE, "continuous_update": False}
    if name == "budget":
        return widgets.IntSlider(
            value=10_000,
            min=0,
            max=200_000,
            step=2_500,
            description="minimum budget [EUR]",
            layout=_WIDE,
            **common,
        )
    if name == "timeline":
        return widgets.FloatSlider(
            value=6,
            min=0.5,
            max=24,
            step=0.5,
            description="longest timeline [months]",
            layout=_WIDE,
            **common,
        )
    if name in ("authority", "need"):
        levels = AUTHORITY_LEVELS if name == "authority" else NEED_LEVELS
        return widgets.Dropdown(
            options=list(levels), value=levels[1], description=f"minimum {name}", style=_STYLE
        )
    return widgets.IntSlider(
        value=50,
        min=0,
        max=100,
        step=5,
        description=f"minimum {name} score [points]",
        layout=_WIDE,
        **common,
    )


class PlanEntry(Entry):
    """The capstone's policy: a context, criteria and, optionally, priority by lead score."""

    def __init__(self) -> None:
        self.context = widgets.Dropdown(
            options=[CHOOSE, *PROFILES], value=CHOOSE, description="Business:", style=_STYLE
        )
        self.criteria = CriteriaEntry()
        self.priority = widgets.Checkbox(
            value=False,
            indent=False,
            layout=_WIDE,
            description="work the SQOs with the best lead score first (default weights)",
        )
        self.widget = widgets.VBox([self.context, self.criteria.widget, self.priority])

    def answer(self) -> Any:
        if self.context.value == CHOOSE and not self.criteria.touched:
            return BLANK
        if self.context.value == CHOOSE:
            raise FormError("Choose the business your policy is for.")
        return {
            "context": self.context.value,
            "criteria": self.criteria.criteria(),
            "priority_weights": dict(DEFAULT_WEIGHTS) if self.priority.value else None,
        }


class GridEntry(Entry):
    """A table to complete: the columns the facts give are filled in, the others are boxes."""

    def __init__(self, spec: Frame, facts: pd.DataFrame) -> None:
        self.spec, self.facts = spec, facts.reset_index(drop=True)
        self.open = [c for c in spec.columns if c not in self.facts.columns]
        self.boxes = {
            (i, c): widgets.Text(
                placeholder=c.replace("_", " "),
                layout=widgets.Layout(width="150px"),
                description=f"{self.facts.loc[i, spec.key]}: {c.replace('_', ' ')}",
                style={"description_width": "0px"},
            )
            for i in range(len(self.facts))
            for c in self.open
        }
        header = [widgets.Label(spec.key, layout=widgets.Layout(width="260px"))] + [
            widgets.Label(c.replace("_", " "), layout=widgets.Layout(width="150px"))
            for c in self.open
        ]
        rows = [widgets.HBox(header)]
        for i in range(len(self.facts)):
            name = widgets.Label(
                str(self.facts.loc[i, spec.key]), layout=widgets.Layout(width="260px")
            )
            rows.append(widgets.HBox([name, *(self.boxes[i, c] for c in self.open)]))
        self.widget = widgets.VBox(rows)

    def answer(self) -> Any:
        values = {key: read_number(box.value, f"the {key[1]}") for key, box in self.boxes.items()}
        if all(v is BLANK for v in values.values()):
            return BLANK
        empty = [
            f"{self.facts.loc[i, self.spec.key]} ({c})"
            for (i, c), v in values.items()
            if v is BLANK
        ]
        if empty:
            raise FormError(f"Fill in every box; still empty: {', '.join(empty[:3])}.")
        frame = self.facts.copy()
        for column in self.open:
            frame[column] = [values[i, column] for i in range(len(frame))]
        return frame


class CasesEntry(Entry):
    """A learner function without code: the result for each case, typed from the facts."""

    def __init__(self, spec: Function, facts: pd.DataFrame) -> None:
        self.cases = [description for description, _ in spec.cases()]
        self.boxes = [
            widgets.Text(description=f"Result for {d}:", style=_STYLE, layout=_WIDE)
            for d in self.cases
        ]
        self.widget = widgets.VBox(self.boxes)

    def answer(self) -> Any:
        values = [read_number(box.value, "the result") for box in self.boxes]
        if all(v is BLANK for v in values):
            return BLANK
        if any(v is BLANK for v in values):
            raise FormError("Type a result for every case.")
        return _Answers(values)


class _Answers:
    """A callable that gives the typed results case by case, in the order the checker asks."""

    def __init__(self, values: list[float]) -> None:
        self.values = values
        self.calls = 0

    def __call__(self, *args: Any) -> float:
        value = self.values[min(self.calls, len(self.values) - 1)]
        self.calls += 1
        return value


class ChartEntry(Entry):
    """A bar chart set up with the mouse: what the bars show and the axis labels."""

    def __init__(self, spec: Bars, facts: pd.DataFrame) -> None:
        self.facts = facts
        group, *measures = list(facts.columns)
        self.group = group
        options = [(m, (m, None)) for m in measures]
        options += [(f"{a} / {b}", (a, b)) for a in measures for b in measures if a != b]
        self.height = widgets.Dropdown(
            options=[(CHOOSE, None), *options],
            value=None,
            style=_STYLE,
            description=f"Bar height for each {group} value:",
        )
        self.xlabel = widgets.Text(
            value="",
            description="x-axis label:",
            style=_STYLE,
            layout=_WIDE,
            placeholder=f"what the axis shows [unit], e.g. {group} [count]",
        )
        self.ylabel = widgets.Text(
            value="",
            description="y-axis label:",
            style=_STYLE,
            layout=_WIDE,
            placeholder="what the bars show [unit], e.g. share [share]",
        )
        self.picture = widgets.HTML()
        self.widget = widgets.VBox([self.height, self.xlabel, self.ylabel, self.picture])

    def answer(self) -> Any:
        if self.height.value is None:
            return BLANK
        top, bottom = self.height.value
        heights = self.facts[top].to_numpy(dtype=float)
        if bottom is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                heights = heights / self.facts[bottom].to_numpy(dtype=float)
        figure = Figure(figsize=(6, 3.2), layout="constrained")
        ax = figure.add_subplot()
        ax.bar(self.facts[self.group].to_numpy(), heights, color=ROLE["won"])
        ax.set_xlabel(self.xlabel.value)
        ax.set_ylabel(self.ylabel.value)
        alt = f"Your bar chart: {', '.join(f'{h:.3g}' for h in heights)}"
        self.picture.value = (
            f'<img src="data:image/png;base64,{figure_png(figure)}" alt="{html.escape(alt)}">'
        )
        return ax


def _entry(exercise: Exercise, start_order: Callable[[Items], list[str]]) -> Entry:
    """The entry for a question's spec."""
    question = exercise.question
    spec = question.spec
    if isinstance(spec, Number):
        return NumberEntry(spec)
    if isinstance(spec, Choice):
        return ChoiceEntry(spec.names())
    if isinstance(spec, Items):
        return OrderEntry(spec, start_order(spec)) if spec.ordered else TickEntry(spec)
    if isinstance(spec, Mapping):
        return MappingEntry(spec)
    if isinstance(spec, Text):
        return TextEntry(spec)
    if isinstance(spec, Judged) and spec.kind is Criteria:
        return CriteriaEntry()
    if isinstance(spec, Judged) and spec.kind is dict:
        return PlanEntry()
    if question.facts is not None and isinstance(spec, Frame):
        return GridEntry(spec, question.facts())
    if question.facts is not None and isinstance(spec, Function):
        return CasesEntry(spec, question.facts())
    if question.facts is not None and isinstance(spec, Bars):
        return ChartEntry(spec, question.facts())
    raise TypeError(f"{question.id}: no form for a {type(spec).__name__} answer without facts.")


def _scrambled(spec: Items, expected: list[str]) -> list[str]:
    """A fixed start order that is not the answer (nor simply the answer turned round)."""
    start = sorted(spec.options, key=lambda item: zlib.crc32(item.encode()))
    while start == list(expected) or start == list(expected)[::-1]:
        start = start[1:] + start[:1]
    return start


# --------------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------------


class QuestionForm:
    """One question: task, what to work from, the entry, Check / Hint / Solution, feedback."""

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        question = exercise.question
        self.entry = _entry(exercise, lambda spec: _scrambled(spec, question._reference()))
        self.check_button = widgets.Button(
            description="Check", button_style="primary", tooltip=f"Check {question.label}"
        )
        self.hint_button = widgets.Button(
            description="Hint", tooltip=f"A hint for {question.label}"
        )
        self.solution_button = widgets.Button(
            description="Show solution", tooltip=f"The solution of {question.label}"
        )
        self.feedback = widgets.HTML()
        self.check_button.on_click(lambda _: self.check())
        self.hint_button.on_click(lambda _: self._show(self.exercise.next_hint()))
        self.solution_button.on_click(lambda _: self._show(self.exercise.solution_feedback()))
        parts: list[widgets.Widget] = [
            widgets.HTML(
                f"<h4>{html.escape(question.label)}</h4><p>{html.escape(question.task)}</p>"
            )
        ]
        if question.facts is not None:
            table = report_table(question.facts()).to_html()
            parts.append(widgets.HTML(f"<p>Work from these figures:</p>{table}"))
        parts += [
            self.entry.widget,
            widgets.HBox([self.check_button, self.hint_button, self.solution_button]),
            self.feedback,
        ]
        self.widget = widgets.VBox(parts, layout=widgets.Layout(width="100%"))
        self.widget.add_class("sqolab-form")

    def _show(self, item: Feedback) -> None:
        self.feedback.value = item.html()

    def check(self) -> Feedback:
        """Judge what the form holds, record it and show the outcome (also returned)."""
        try:
            answer = self.entry.answer()
        except FormError as problem:
            note = Feedback("hint", self.exercise.question.label, str(problem))
            self._show(note)
            return note
        result = self.exercise.evaluate(answer)
        record(result)
        self._show(result)
        return result


def question_form(exercise: Exercise) -> QuestionForm:
    """The form of one question."""
    return QuestionForm(exercise)


class PracticeForms(widgets.VBox):
    """A chapter's forms; without a kernel (the website, print) a text snapshot lists them."""

    def __init__(self, chapter: str, forms: list[QuestionForm]) -> None:
        self.chapter = chapter
        self.forms = forms
        intro = widgets.HTML(
            FORM_CSS + "<p><b>No code needed:</b> answer each question below with the mouse and "
            "the keyboard, then press <i>Check</i>. <i>Hint</i> gives one hint per press; "
            "<i>Show solution</i> is recorded in your progress.</p>"
        )
        super().__init__([intro, *(form.widget for form in forms)])

    def snapshot_html(self) -> str:
        """The questions as a list, and where the forms work."""
        items = "".join(
            f"<li><b>{html.escape(f.exercise.question.label)}</b>: "
            f"{html.escape(f.exercise.question.task)}</li>"
            for f in self.forms
        )
        return (
            f"<div class='sqolab-snapshot'><p><b>No-code track</b> ({len(self.forms)} "
            f"questions):</p><ol>{items}</ol><p class='sqolab-note'>The forms need a running "
            "kernel: open this practice with the launch buttons (Binder, Colab) at the top of the "
            "page, locally in JupyterLab, or as a dashboard on the workshop's server.</p></div>"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/html"] = self.snapshot_html()
        return bundle


def practice_form(chapter: str) -> PracticeForms:
    """Every question of a chapter as a form, answered with the mouse and keyboard only."""
    from sqolab.practice.exercises import CHAPTERS, exercises

    if chapter not in CHAPTERS:
        raise ValueError(f"Unknown chapter {chapter!r}; use one of: {', '.join(CHAPTERS)}.")
    return PracticeForms(chapter, [QuestionForm(exercise) for exercise in exercises(chapter)])
