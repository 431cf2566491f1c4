"""End-of-chapter quizzes: concept questions with feedback for every answer, defined as data.

Each chapter's quiz is a JSON file in ``sqolab/practice/quizzes/`` (``{"title", "questions": [{"id",
"question", "options": [{"text", "correct", "feedback"}]}]}``). :func:`show_quiz` renders it as
plain HTML and CSS: each option is a radio button, and choosing it reveals that option's feedback
through the CSS ``:checked`` selector. No JavaScript and nothing loaded from elsewhere, so the
same output works in JupyterLab, Voilà and the static book. A text fallback lists the questions,
then the answers with their feedback.
"""

from __future__ import annotations

import functools
import html
import itertools
import json
import random
from dataclasses import dataclass
from importlib import resources

QUIZ_DIR = "quizzes"
QUIZ_IDS: tuple[str, ...] = (
    "what_is_an_sqo",
    "benefits",
    "drawbacks",
    "examples",
    "choosing",
    "conversation",
)
"""The chapters that have a quiz, in course order."""
LETTERS = "abcdefgh"


@dataclass(frozen=True)
class Option:
    """One answer and the feedback it gets."""

    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class QuizQuestion:
    """One concept question."""

    id: str
    question: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Quiz:
    """A chapter's quiz."""

    chapter: str
    title: str
    questions: tuple[QuizQuestion, ...]


def _parse(chapter: str, data: dict) -> Quiz:
    """Build a Quiz from its JSON data, checking the structure (ValueError names the problem)."""
    where = f"quiz {chapter!r}"
    if not isinstance(data.get("title"), str) or not isinstance(data.get("questions"), list):
        raise ValueError(f"{where}: needs a 'title' and a list of 'questions'.")
    questions = []
    seen = set()
    for number, item in enumerate(data["questions"], start=1):
        qid = item.get("id")
        if not isinstance(qid, str) or not qid or qid in seen:
            raise ValueError(f"{where}, question {number}: needs a unique 'id'.")
        seen.add(qid)
        options = tuple(
            Option(str(o["text"]), bool(o.get("correct", False)), str(o.get("feedback", "")))
            for o in item.get("options", [])
        )
        if not 2 <= len(options) <= len(LETTERS):
            raise ValueError(f"{where}, question {qid!r}: needs 2 to {len(LETTERS)} options.")
        if sum(o.correct for o in options) != 1:
            raise ValueError(f"{where}, question {qid!r}: exactly one option must be correct.")
        if any(not o.feedback.strip() for o in options):
            raise ValueError(f"{where}, question {qid!r}: every option needs feedback.")
        questions.append(QuizQuestion(qid, str(item["question"]), options))
    return Quiz(chapter, data["title"], tuple(questions))


@functools.cache
def load_quiz(chapter: str) -> Quiz:
    """The quiz of ``chapter`` (one of :data:`QUIZ_IDS`)."""
    if chapter not in QUIZ_IDS:
        raise ValueError(f"No quiz {chapter!r}. Quizzes: {', '.join(QUIZ_IDS)}.")
    text = (
        resources.files("sqolab.practice").joinpath(QUIZ_DIR, f"{chapter}.json").read_text("utf-8")
    )
    return _parse(chapter, json.loads(text))


def shown_options(chapter: str, question: QuizQuestion) -> list[Option]:
    """The options in the order shown: a fixed shuffle per question, so the right answer moves."""
    options = list(question.options)
    random.Random(f"{chapter}.{question.id}").shuffle(options)
    return options


# The style is scoped to .sqolab-quiz. Feedback is hidden until its option is checked; a
# renderer that drops <style> shows every feedback at once, which still reads correctly.
STYLE = """
.sqolab-quiz{border:1px solid #c8c8c8;border-radius:6px;padding:.6em 1em;margin:1em 0;
  background:#fbfbfb;color:#222;font-size:0.95em;line-height:1.4}
.sqolab-quiz h3.sqolab-quiz-title{font-size:1.1em;margin:.2em 0 .6em 0;color:#222}
.sqolab-quiz fieldset{border:0;border-top:1px solid #e0e0e0;margin:0;padding:.6em 0}
.sqolab-quiz legend{font-weight:bold;padding:0;margin-bottom:.3em;color:#222}
.sqolab-quiz .sqolab-quiz-option{margin:.25em 0}
.sqolab-quiz input[type=radio]{margin:0 .45em 0 0;vertical-align:middle;accent-color:#0072B2}
.sqolab-quiz label{cursor:pointer;color:#222}
.sqolab-quiz input[type=radio]:focus-visible+label{outline:2px solid #0072B2;outline-offset:2px}
.sqolab-quiz .sqolab-quiz-feedback{display:none;margin:.3em 0 .5em 1.8em;padding:.35em .7em;
  border-radius:4px;color:#222}
.sqolab-quiz input[type=radio]:checked+label+.sqolab-quiz-feedback{display:block}
.sqolab-quiz .sqolab-quiz-right{border-left:5px solid #009E73;background:#E8F6F1}
.sqolab-quiz .sqolab-quiz-wrong{border-left:5px solid #D55E00;background:#FCEFE6}
"""

_counter = itertools.count(1)


def quiz_html(chapter: str, uid: str | None = None) -> str:
    """The chapter's quiz as a self-contained HTML fragment (see :func:`render_html`)."""
    return render_html(load_quiz(chapter), uid)


def render_html(quiz: Quiz, uid: str | None = None) -> str:
    """A quiz as a self-contained HTML fragment (``uid`` keeps inputs unique on a page)."""
    chapter = quiz.chapter
    uid = uid or f"sqolab-quiz-{chapter}-{next(_counter)}"
    e = html.escape
    parts = [
        f'<div class="sqolab-quiz" id="{e(uid)}" data-chapter="{e(chapter)}">',
        f"<style>{STYLE}</style>",
        f'<h3 class="sqolab-quiz-title">Quiz: {e(quiz.title)}</h3>',
        '<p style="margin:0 0 .4em 0">Choose an answer to see feedback on it; try the others '
        "too.</p>",
    ]
    for n, question in enumerate(quiz.questions, start=1):
        name = f"{uid}-{question.id}"
        parts.append(f'<fieldset data-question="{e(question.id)}">')
        parts.append(f"<legend>{n}. {e(question.question)}</legend>")
        for letter, option in zip(LETTERS, shown_options(chapter, question), strict=False):
            input_id = f"{name}-{letter}"
            verdict = "✔ Correct." if option.correct else "✘ Not quite."
            kind = "right" if option.correct else "wrong"
            parts.append(
                f'<div class="sqolab-quiz-option">'
                f'<input type="radio" name="{e(name)}" id="{e(input_id)}" value="{letter}">'
                f'<label for="{e(input_id)}">{e(option.text)}</label>'
                f'<div class="sqolab-quiz-feedback sqolab-quiz-{kind}" data-correct='
                f'"{str(option.correct).lower()}"><strong>{verdict}</strong> '
                f"{e(option.feedback)}</div></div>"
            )
        parts.append("</fieldset>")
    parts.append("</div>")
    return "\n".join(parts)


def quiz_text(chapter: str) -> str:
    """The chapter's quiz as plain text (see :func:`render_text`)."""
    return render_text(load_quiz(chapter))


def render_text(quiz: Quiz) -> str:
    """A quiz as plain text: the questions first, then the answers with their feedback."""
    chapter = quiz.chapter
    lines = [f"Quiz: {quiz.title}", ""]
    for n, question in enumerate(quiz.questions, start=1):
        lines.append(f"{n}. {question.question}")
        options = shown_options(chapter, question)
        lines.extend(f"   {letter}) {o.text}" for letter, o in zip(LETTERS, options, strict=False))
        lines.append("")
    lines.append("Answers and feedback:")
    for n, question in enumerate(quiz.questions, start=1):
        for letter, o in zip(LETTERS, shown_options(chapter, question), strict=False):
            mark = "correct" if o.correct else "not quite"
            lines.append(f"{n}{letter}) {mark}: {o.feedback}")
    return "\n".join(lines)


@dataclass(frozen=True)
class QuizView:
    """A displayable quiz: HTML in notebooks and the book, plain text elsewhere."""

    chapter: str

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        return {"text/plain": quiz_text(self.chapter), "text/html": quiz_html(self.chapter)}

    def __str__(self) -> str:
        return quiz_text(self.chapter)


def show_quiz(chapter: str) -> None:
    """Display the quiz of ``chapter`` (e.g. ``show_quiz("what_is_an_sqo")``)."""
    from sqolab.practice.checks import show

    load_quiz(chapter)  # an unknown chapter raises here, with the list of quizzes
    show(QuizView(chapter))
