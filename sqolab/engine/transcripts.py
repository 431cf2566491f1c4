"""Call excerpts for tagging practice: which criterion does each line of the buyer reveal?

An excerpt is drawn from a discovery case (:func:`~sqolab.engine.discovery.draw_cases`): for each
criterion a call settles, the buyer's answer to one of its open questions, plus one line of small
talk that reveals none, in a shuffled order. Only answers that say where the criterion stands are
used (no evasive answer, no over-claim), so every line has one right tag. The same leads, context
and seed give the same excerpt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sqolab.engine.discovery import Case, Finding, answer, draw_cases
from sqolab.engine.questions import CALL_CRITERIA, QUESTIONS

NOTHING = "nothing (small talk)"
"""The tag of a line that reveals no criterion."""

TAGS: tuple[str, ...] = (*CALL_CRITERIA, NOTHING)
"""What a line can be tagged with: each criterion a call settles, or nothing."""

SMALL_TALK = "rapport_history"
"""The question whose answer is the excerpt's small talk."""


@dataclass(frozen=True)
class Line:
    """One line of the buyer, the question that drew it, and the criterion it reveals."""

    text: str
    question: str
    tag: str


@dataclass(frozen=True)
class Excerpt:
    """A shuffled excerpt of one case's call."""

    case: Case
    lines: tuple[Line, ...]

    @property
    def texts(self) -> tuple[str, ...]:
        """The buyer's lines, in the order shown."""
        return tuple(line.text for line in self.lines)

    @property
    def tags(self) -> dict[str, str]:
        """Each line's right tag, keyed by the line."""
        return {line.text: line.tag for line in self.lines}

    def known(self, language: str = "en") -> dict[str, Finding]:
        """What the excerpt tells the seller, per criterion (for the course rule's verdict)."""
        return {
            line.tag: answer(self.case, line.question, language)
            for line in self.lines
            if line.tag != NOTHING
        }


def _clear_lines(case: Case, rng: np.random.Generator, language: str) -> list[Line] | None:
    """One clear answer per criterion (from an open question) and the small talk, or None."""
    lines = []
    for criterion in CALL_CRITERIA:
        usable = []
        for q in QUESTIONS:
            if q.criterion != criterion or q.style != "open":
                continue
            found = answer(case, q.key, language)
            if found.reveals and not found.evasive and not found.overclaim:
                usable.append(Line(found.answer, q.key, criterion))
        if not usable:
            return None
        lines.append(usable[int(rng.integers(len(usable)))])
    lines.append(Line(answer(case, SMALL_TALK, language).answer, SMALL_TALK, NOTHING))
    if len({line.text for line in lines}) < len(lines):
        return None  # two questions drew the same words: the tags would clash
    return lines


def tagging_excerpt(
    leads: pd.DataFrame, context: str, seed: int = 0, language: str = "en"
) -> Excerpt:
    """An excerpt of a call with one clear line per criterion and one of small talk, shuffled."""
    rng = np.random.default_rng([seed, 31])
    for case in draw_cases(leads, context, n=20, seed=seed):
        lines = _clear_lines(case, rng, language)
        if lines is not None:
            order = rng.permutation(len(lines))
            return Excerpt(case, tuple(lines[i] for i in order))
    raise ValueError(  # pragma: no cover - every course sample has such cases
        f"No case of these {context} leads gives a clear answer for every criterion; "
        "try another seed."
    )
