"""The exercise checker as learners use it: ``q1.check()``, ``q1.hint()``, ``q1.solution()``.

A :class:`~sqolab.practice.questions.Question` names the learner variable (or function) it checks,
how to judge it (a :class:`~sqolab.practice.specs.Spec`), escalating hints, the solution and a
message for each known misconception. Learners use it through an :class:`Exercise`; multi-part
questions are a :class:`MultiPart` (``q3.a.check()``). The notebooks import ``____`` and
:func:`progress` from here; the exercise modules import the specs and question types from here too.

A check has one of four outcomes: correct; incorrect with a specific message; not attempted;
error in the learner's own code (our message first, then a short traceback of their frames only).
In learner mode a check never raises, never shows the expected value in an incorrect message, and
escapes every piece of learner text in its HTML. The pieces live in their own modules:
:mod:`~sqolab.practice.feedback` (placeholder, outcomes, display), :mod:`~sqolab.practice.specs`
(answer specs), :mod:`~sqolab.practice.questions`, :mod:`~sqolab.practice.cells` (reading the
learner's cell) and :mod:`~sqolab.practice.progress_store` (the local progress file).
"""

from __future__ import annotations

from typing import Any

from sqolab.practice.cells import (
    LearnerError,
    NotAttempted,
    assigns,
    is_learner_frame,
    learner_namespace,
    short_traceback,
)
from sqolab.practice.feedback import BLANK, Feedback, Result, Status, ____, is_blank, show
from sqolab.practice.progress_store import (
    REGISTRY,
    ProgressReport,
    display_path,
    load_progress,
    note_solution_viewed,
    progress,
    progress_path,
    progress_table,
    record,
    register,
    update_progress,
)
from sqolab.practice.questions import Misconception, Question
from sqolab.practice.specs import (
    Bars,
    Choice,
    Frame,
    Function,
    Items,
    Judged,
    Mapping,
    Number,
    Spec,
    Text,
    close,
    describe_value,
)

__all__ = [
    "BLANK",
    "REGISTRY",
    "Bars",
    "Choice",
    "Exercise",
    "Feedback",
    "Frame",
    "Function",
    "Items",
    "Judged",
    "LearnerError",
    "Mapping",
    "Misconception",
    "MultiPart",
    "NotAttempted",
    "Number",
    "ProgressReport",
    "Question",
    "Result",
    "Spec",
    "Status",
    "Text",
    "____",
    "assigns",
    "close",
    "describe_value",
    "display_path",
    "is_blank",
    "is_learner_frame",
    "load_progress",
    "progress",
    "progress_path",
    "progress_table",
    "record",
    "register",
    "short_traceback",
    "show",
]


class Exercise:
    """A question as the learner uses it: ``check()``, ``hint()``, ``solution()``."""

    def __init__(self, question: Question) -> None:
        self.question = question
        self._hints_shown = 0
        register(question.id, question.task)

    def __repr__(self) -> str:
        return f"<question {self.question.label}: {self.question.task}>"

    def evaluate(self, answer: Any = BLANK, namespace: dict[str, Any] | None = None) -> Result:
        """The outcome for ``answer``, or for the learner variable in ``namespace`` (no display)."""
        if namespace is not None:
            return self.question.evaluate_in(namespace)
        return self.question.evaluate(answer)

    def check(self) -> None:
        """Check the learner's answer (found in the notebook) and show the outcome."""
        result = self.question.evaluate_in(learner_namespace())
        record(result)
        show(result)

    def hint(self) -> None:
        """Show the next hint (each call one more)."""
        show(self.next_hint())

    def next_hint(self) -> Feedback:
        """The next hint (each call one more), recorded in the progress file."""
        hints = self.question.hints
        if not hints:
            return Feedback("hint", self.question.label, "No hint for this one: try it!")
        n = min(self._hints_shown, len(hints) - 1)
        self._hints_shown = min(self._hints_shown + 1, len(hints))
        message = hints[n]
        if n == len(hints) - 1 and len(hints) > 1:
            message += f"\n\n(That was the last hint: `{self.question.label}.solution()` shows it.)"
        update_progress(self.question.id, hints=self._hints_shown)
        return Feedback("hint", f"{self.question.label}, hint {n + 1} of {len(hints)}", message)

    def solution(self) -> None:
        """Show the solution (recorded as viewed in the local progress file)."""
        show(self.solution_feedback())

    def solution_feedback(self) -> Feedback:
        """The solution, recorded as viewed in the local progress file."""
        note_solution_viewed(self.question.id)
        return Feedback(
            "solution",
            self.question.label,
            self.question.explanation if isinstance(self.question.spec, Text) else "",
            code=self.question.solution,
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
        namespace = learner_namespace()
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
