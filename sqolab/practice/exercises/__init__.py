"""The exercises of each chapter, declared as data (one module per chapter, plus the capstone).

In a notebook: ``from sqolab.practice.exercises.benefits import q1, q2`` then ``q1.check()``,
``q1.hint()``, ``q1.solution()``. :data:`CHAPTERS` maps chapter ids to their modules and
:func:`questions` lists every question of a chapter (parts of multi-part questions included).
"""

from __future__ import annotations

from types import ModuleType

from sqolab.practice.checks import Exercise, MultiPart, Question
from sqolab.practice.exercises import (
    benefits,
    capstone,
    choosing,
    conversation,
    drawbacks,
    examples,
    what_is_an_sqo,
)

CHAPTERS: dict[str, ModuleType] = {
    "what_is_an_sqo": what_is_an_sqo,
    "benefits": benefits,
    "drawbacks": drawbacks,
    "examples": examples,
    "choosing": choosing,
    "conversation": conversation,
    "capstone": capstone,
}
"""Chapter id -> module with its questions (``QUESTIONS``)."""


def exercises(chapter: str) -> list[Exercise]:
    """The learner objects of a chapter, multi-part questions expanded into their parts."""
    found: list[Exercise] = []
    for item in CHAPTERS[chapter].QUESTIONS:
        found.extend(item.parts.values() if isinstance(item, MultiPart) else [item])
    return found


def questions(chapter: str) -> list[Question]:
    """The question data of a chapter, in order."""
    return [exercise.question for exercise in exercises(chapter)]


def question(question_id: str) -> Question:
    """The question with this id (e.g. ``"benefits.q1.a"``)."""
    chapter = question_id.split(".", 1)[0]
    for found in questions(chapter):
        if found.id == question_id:
            return found
    raise KeyError(f"no question {question_id!r}")
