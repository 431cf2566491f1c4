"""The no-code track: every practice question answered through its form, wrongly and rightly.

Each form is filled the way a learner fills it (widget values, button presses), never by handing
the checker an answer object; the outcome must be what the code track's checker says.
"""

from __future__ import annotations

import importlib
import json

import numpy as np
import pandas as pd
import pytest

import sqolab
from sqolab.engine.criteria import CRITERIA_NAMES, CRITERION_FIELDS, Criteria
from sqolab.practice.checks import Bars, Frame, Function, Judged, Status, Text
from sqolab.practice.exercises import CHAPTERS, exercises
from sqolab.practice.forms import (
    CHOOSE,
    CasesEntry,
    ChartEntry,
    ChoiceEntry,
    CriteriaEntry,
    FormError,
    GridEntry,
    MappingEntry,
    NumberEntry,
    OrderEntry,
    PlanEntry,
    TextEntry,
    TickEntry,
    practice_form,
    question_form,
    read_number,
)

ALL = [(chapter, exercise) for chapter in CHAPTERS for exercise in exercises(chapter)]
IDS = [exercise.question.id for _, exercise in ALL]


@pytest.fixture(autouse=True)
def _progress(tmp_path, monkeypatch):
    monkeypatch.setenv("SQOLAB_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.setenv("SQOLAB_CHECKS_STRICT", "1")


def right_answer(chapter: str, exercise) -> object:
    """What a learner who knows the answer gives (the question's own reference or solution)."""
    question = exercise.question
    if isinstance(question.spec, Judged):  # judged against targets: the published solution
        module = importlib.import_module(f"sqolab.practice.exercises.{chapter}")
        namespace = {**{n: getattr(sqolab, n) for n in sqolab.__all__}, **vars(module)}
        exec(question.solution, namespace)
        return namespace[question.var]
    if isinstance(question.spec, Text):
        return "A considered answer: " + " ".join(
            ["because the outcomes of real leads decide"] * 12
        )
    return question._reference()


def fill(form, answer) -> None:
    """Set the form's controls to ``answer``, as a learner would with mouse and keyboard."""
    entry, question = form.entry, form.exercise.question
    if isinstance(entry, NumberEntry):
        entry.box.value = f"{answer}"
    elif isinstance(entry, ChoiceEntry):
        entry.buttons.value = answer
    elif isinstance(entry, TickEntry):
        for box in entry.boxes:
            box.value = box.description in answer
    elif isinstance(entry, OrderEntry):
        for target, item in enumerate(answer):  # move each item up to its place
            while entry.order.index(item) > target:
                entry.rows.children[entry.order.index(item)].children[1].click()
    elif isinstance(entry, MappingEntry):
        for key, menu in entry.menus.items():
            menu.value = answer.get(key, CHOOSE)
    elif isinstance(entry, TextEntry):
        entry.box.value = answer
    elif isinstance(entry, CriteriaEntry):
        entry.use["fit"].value = not entry.use["fit"].value  # a learner touches the controls
        set_criteria(entry, answer)
    elif isinstance(entry, PlanEntry):
        entry.context.value = answer["context"]
        set_criteria(entry.criteria, answer["criteria"])
        entry.priority.value = answer.get("priority_weights") is not None
    elif isinstance(entry, GridEntry):
        rows = answer.set_index(answer[entry.spec.key].astype(str))
        for (i, column), box in entry.boxes.items():
            box.value = str(float(rows.loc[str(entry.facts.loc[i, entry.spec.key]), column]))
    elif isinstance(entry, CasesEntry):
        cases = question.spec.cases()
        for box, (_, args) in zip(entry.boxes, cases, strict=True):
            box.value = repr(float(answer(*args)))
    elif isinstance(entry, ChartEntry):
        entry.height.value = answer
        entry.xlabel.value = "competitors [count]"
        entry.ylabel.value = "win rate [share]"
    else:  # pragma: no cover
        raise AssertionError(type(entry))


def set_criteria(entry: CriteriaEntry, criteria: Criteria) -> None:
    for name in CRITERIA_NAMES:
        value = getattr(criteria, CRITERION_FIELDS[name])
        entry.use[name].value = value is not None
        if value is not None:
            entry.value[name].value = value
    entry.k.value = -1 if criteria.min_met is None else criteria.min_met
    entry.unknown.value = bool(criteria.unknown_meets)


def chart_choice(entry: ChartEntry, question) -> tuple:
    """The height option whose bars are the expected ones (found by trying each, as a learner)."""
    want = np.asarray(question._reference(), dtype=float)
    for _, value in entry.height.options:
        if value is None:
            continue
        top, bottom = value
        heights = entry.facts[top].to_numpy(dtype=float)
        if bottom is not None:
            heights = heights / entry.facts[bottom].to_numpy(dtype=float)
        if np.allclose(heights, want, rtol=1e-2):
            return value
    raise AssertionError("no option draws the expected bars")


def wrong_answer(form, right):
    """A tempting wrong answer: the first misconception's, else a plausible slip."""
    question = form.exercise.question
    entry = form.entry
    if isinstance(entry, ChartEntry):
        return next(v for _, v in entry.height.options if v is not None and v != right)
    if isinstance(entry, CasesEntry):
        return lambda *args: 2 * float(right(*args)) + 1
    if question.misconceptions and not isinstance(entry, GridEntry | TickEntry | OrderEntry):
        return question.misconceptions[0].wrong()
    if isinstance(entry, NumberEntry):
        return 2 * float(right) + 1
    if isinstance(entry, ChoiceEntry):
        return next(o for o in entry.buttons.options if o != right)
    if isinstance(entry, TickEntry):
        return list(right)[:-1] or [o for o in entry.buttons.options if o not in right][:1]
    if isinstance(entry, OrderEntry):
        return list(right)[::-1]
    if isinstance(entry, MappingEntry):
        keys = list(right)
        return {**right, keys[0]: right[keys[1]], keys[1]: right[keys[0]]}
    if isinstance(entry, TextEntry):
        return "Too short."
    if isinstance(entry, GridEntry):
        return right.assign(**{entry.open[-1]: right[entry.open[-1]] * 2 + 1})
    if isinstance(entry, CriteriaEntry):
        return Criteria(min_budget_eur=200_000, min_fit=100, min_engagement=100)
    if isinstance(entry, PlanEntry):
        return {**right, "criteria": Criteria(min_fit=100, min_engagement=100)}
    raise AssertionError(type(entry))  # pragma: no cover


@pytest.mark.parametrize(("chapter", "exercise"), ALL, ids=IDS)
def test_every_question_is_answered_without_code_wrongly_then_rightly(chapter, exercise):
    form = question_form(exercise)
    question = exercise.question
    untouched = form.check().status  # an order as shown is an answer; other blanks are not
    assert untouched is (
        Status.INCORRECT if isinstance(form.entry, OrderEntry) else Status.NOT_ATTEMPTED
    )

    right = right_answer(chapter, exercise)
    if isinstance(form.entry, ChartEntry):
        right = chart_choice(form.entry, question)
    wrong = wrong_answer(form, right)
    fill(form, wrong)
    result = form.check()
    assert result.status is Status.INCORRECT, (question.id, result.message)
    assert "Traceback" not in form.feedback.value
    if isinstance(question.spec, Frame | Function | Bars):
        assert question.facts is not None

    fill(form, right)
    result = form.check()
    assert result.status is Status.CORRECT, (question.id, result.message)
    assert "correct" in form.feedback.value.lower() or "well done" in form.feedback.value.lower()


def test_the_progress_file_records_form_answers_like_code_answers(tmp_path):
    chapter, exercise = next((c, e) for c, e in ALL if isinstance(e.question.spec, Judged) is False)
    form = question_form(exercise)
    fill(form, right_answer(chapter, exercise))
    form.check()
    saved = json.loads((tmp_path / "progress.json").read_text())
    assert exercise.question.id in json.dumps(saved)


def test_hint_and_solution_buttons_show_and_record(tmp_path):
    _, exercise = ALL[0]
    form = question_form(exercise)
    form.hint_button.click()
    assert "hint 1 of" in form.feedback.value
    form.hint_button.click()
    assert "hint 2 of" in form.feedback.value
    form.solution_button.click()
    assert html_code(exercise.question.solution.splitlines()[0]) in form.feedback.value
    progress = json.loads((tmp_path / "progress.json").read_text())
    assert "solution" in json.dumps(progress)


def html_code(text: str) -> str:
    import html

    return html.escape(text)


@pytest.mark.parametrize(
    ("typed", "value"),
    [("1234.5", 1234.5), ("1,234.5", 1234.5), ("1.234,5", 1234.5), ("0,25", 0.25),
     ("0.177", 0.177), ("1.234.567", 1234567.0), ("1,234,567", 1234567.0), ("12 %", 0.12),
     ("€ 18000", 18000.0), ("-2,5", -2.5), ("", None)],
)  # fmt: skip
def test_numbers_are_read_as_people_type_them(typed, value):
    got = read_number(typed)
    assert (got is sqolab.practice.feedback.BLANK) if value is None else got == pytest.approx(value)


def test_a_number_that_could_be_read_two_ways_is_asked_about():
    with pytest.raises(FormError, match=r"could mean 18000 or 18\.000"):
        read_number("18,000")


def test_letters_in_a_number_box_get_a_plain_message_not_a_verdict():
    exercise = next(e for _, e in ALL if isinstance(e.question.spec, type(None)) is False)
    form = next(question_form(e) for _, e in ALL if isinstance(question_form(e).entry, NumberEntry))
    form.entry.box.value = "about twelve"
    outcome = form.check()
    assert "is not a number" in form.feedback.value and outcome.kind == "hint"
    assert exercise is not None


def test_a_criteria_form_that_makes_no_criteria_says_why():
    form = next(
        question_form(e) for _, e in ALL if isinstance(question_form(e).entry, CriteriaEntry)
    )
    form.entry.use["fit"].value = True
    form.entry.k.value = 3  # more than the one applied criterion
    form.check()
    assert "min_met=3" in form.feedback.value


@pytest.mark.parametrize("chapter", list(CHAPTERS))
def test_each_chapter_form_holds_every_question(chapter):
    box = practice_form(chapter)
    assert [f.exercise for f in box.forms] == exercises(chapter)
    assert "No code needed" in box.children[0].value
    snapshot = box._repr_mimebundle_()["text/html"]  # what the website shows without a kernel
    assert snapshot.count("<li>") == len(box.forms) and "need a running kernel" in snapshot


def test_an_unknown_chapter_is_named():
    with pytest.raises(ValueError, match="Unknown chapter 'nope'"):
        practice_form("nope")


def test_the_grid_gives_the_facts_columns_and_asks_for_the_rest():
    form = next(question_form(e) for _, e in ALL if isinstance(question_form(e).entry, GridEntry))
    facts = form.exercise.question.facts()
    assert set(form.entry.open) == set(form.exercise.question.spec.columns) - set(facts.columns)
    assert isinstance(facts, pd.DataFrame) and len(form.entry.boxes) == len(facts) * len(
        form.entry.open
    )
