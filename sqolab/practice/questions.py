"""Questions declared as data: the variable checked, its spec, hints, solution, misconceptions.

:meth:`Question.evaluate` judges an answer and :meth:`Question.evaluate_in` the learner variable
in a notebook namespace; neither raises in learner mode. Set ``SQOLAB_CHECKS_STRICT=1`` to let a
bug in the checker itself raise (the tests do).
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sqolab.practice.cells import (
    UNKNOWN,
    LearnerError,
    NotAttempted,
    cell_error_assigning,
    last_error_assigning,
    short_traceback,
)
from sqolab.practice.feedback import BLANK, Result, Status, is_blank
from sqolab.practice.progress_store import note_attempt, note_solution_viewed
from sqolab.practice.specs import Spec, Text


class ShownAnswer:
    """``question.expected``: calling it gives the expected value and counts as viewing the
    solution (recorded in the progress file, as ``solution()`` is). The checker itself uses the
    question's unrecorded reference."""

    __slots__ = ("_compute", "_question")

    def __init__(self, question: str, compute: Callable[[], Any]) -> None:
        self._question = question
        self._compute = compute

    def __call__(self) -> Any:
        note_solution_viewed(self._question, implicit=True)
        return self._compute()

    def __repr__(self) -> str:
        return f"<the expected answer of {self._question} (calling it counts as a solution view)>"


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
    facts: Callable[[], pd.DataFrame] | None = None  # what the no-code form shows to work from

    def __post_init__(self) -> None:
        compute = self.expected
        if isinstance(compute, ShownAnswer):  # dataclasses.replace of a question
            compute = compute._compute
        object.__setattr__(self, "_reference", compute)
        object.__setattr__(self, "expected", ShownAnswer(self.id, compute))

    def evaluate(self, answer: Any) -> Result:
        """Judge an answer (never raises in learner mode); each judged answer is counted."""
        result = self._judged(answer)
        if result.status is not Status.NOT_ATTEMPTED:
            note_attempt(self.id)
        return result

    def _judged(self, answer: Any) -> Result:
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
        failed = cell_error_assigning(self.var)
        if failed is not UNKNOWN:
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
            error = last_error_assigning(self.var)
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
            error = last_error_assigning(self.var)
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
        """Plain values first (the only step that runs learner code), then the reference."""
        if answer is BLANK:
            return self._not_attempted()
        try:
            answer = self.spec.prepare(answer)
            if is_blank(answer):
                return self._not_attempted()
            issue = self.spec.problem(answer, self._reference())
            if issue is None:
                return self._correct(answer)
            for misconception in self.misconceptions:
                if self._matches(misconception, answer):
                    return self._result(Status.INCORRECT, misconception.message)
            return self._result(Status.INCORRECT, issue)
        except NotAttempted:
            return self._not_attempted()
        except LearnerError as error:
            return self._result(Status.ERROR, error.message, details=error.details())

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
