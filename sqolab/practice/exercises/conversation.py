"""Practice for chapter 6, From criteria to conversation: tag a call, code a rejection."""

from __future__ import annotations

import json
from functools import cache

import pandas as pd

from sqolab.engine.calls import rule_checks, rule_says_sqo
from sqolab.engine.criteria import Criteria, preset
from sqolab.engine.discovery import REASON_CODES
from sqolab.engine.reasons import rejection_reasons
from sqolab.engine.transcripts import NOTHING, TAGS, Excerpt, tagging_excerpt
from sqolab.practice.checks import Choice, Exercise, Mapping, Misconception, Question
from sqolab.practice.exercises._common import sample

CHAPTER = "conversation"
CONTEXT = "startup"
EXCERPT_SEED = 7
"""The seed of the call excerpt the learner tags (any seed gives a clear excerpt)."""


@cache
def excerpt() -> Excerpt:
    """The call excerpt of question 1 (the same for every learner)."""
    return tagging_excerpt(sample(CONTEXT), CONTEXT, seed=EXCERPT_SEED)


LINES: tuple[str, ...] = excerpt().texts
"""The buyer's lines of question 1, in the order shown."""


def _quoted(text: str) -> str:
    """A Python string literal in double quotes (as ruff formats the solution notebooks)."""
    return json.dumps(text, ensure_ascii=False)


def _tags() -> dict[str, str]:
    return dict(excerpt().tags)


def _line_tagged(tag: str) -> str:
    return next(text for text, right in _tags().items() if right == tag)


def _mistagged(line_tag: str, wrong: str) -> dict[str, str]:
    """The right tags except the line that reveals ``line_tag``, tagged ``wrong``."""
    return {**_tags(), _line_tagged(line_tag): wrong}


def _small_talk_tagged(answer: object) -> bool:
    """Did the learner give the small-talk line a criterion?"""
    if not isinstance(answer, dict):
        return False
    given = answer.get(_line_tagged(NOTHING))
    return isinstance(given, str) and given in TAGS and given != NOTHING


q1 = Exercise(
    Question(
        id=f"{CHAPTER}.q1",
        var="tags",
        task=(
            "Tag each line the buyer said on a discovery call with the criterion it reveals "
            "(budget, authority, need, timeline, competition), or 'nothing (small talk)'."
        ),
        spec=Mapping(LINES, TAGS),
        expected=_tags,
        hints=(
            "Ask of each line: after hearing it, which field of the handoff note could you fill?",
            "Who decides or signs is authority, even when the word 'budget' is in the line; how "
            "much money is set aside is budget; when they want it in place is timeline.",
            "A line about the company's size or history fills no field: it builds rapport.",
        ),
        solution="tags = {\n"
        + "".join(f"    {_quoted(text)}: {_quoted(tag)},\n" for text, tag in excerpt().tags.items())
        + "}",
        misconceptions=(
            Misconception(
                "The line about the company's history and size fills no field of the handoff "
                "note: it is small talk that builds rapport, not a criterion. Tag it "
                f"'{NOTHING}'.",
                lambda: _mistagged(NOTHING, "need"),
                matches=_small_talk_tagged,
            ),
            Misconception(
                "Who makes the call or signs is authority, even when the buyer says 'my budget': "
                "the line tells you who decides, not how much money there is.",
                lambda: _mistagged("authority", "budget"),
            ),
            Misconception(
                "How urgently something hurts is need, not timeline: a need can be real with no "
                "date, and a date can exist for a weak need.",
                lambda: _mistagged("need", "timeline"),
            ),
        ),
        explanation=(
            "Each line settles one field of the handoff note; rapport lines settle none. Tagging "
            "as you listen shows which criteria are still open before the call ends."
        ),
    )
)


def bant() -> Criteria:
    """The startup's BANT preset (questions 2 and 3)."""
    return preset("BANT", CONTEXT)


VERDICTS: tuple[str, str] = ("SQO", "not an SQO")
"""The answers of question 3."""


def _verdict() -> str:
    excerpt_ = excerpt()
    return VERDICTS[0] if rule_says_sqo(excerpt_.case, bant(), excerpt_.known()) else VERDICTS[1]


def _verdict_reasons() -> str:
    """What the buyer said, criterion by criterion, and whether BANT's rule sees it met."""
    excerpt_ = excerpt()
    known = excerpt_.known()
    checks = rule_checks(excerpt_.case, bant(), known)
    parts = [
        f'{name} {"met" if ok else "not met"} ("{known[name].answer}")'
        for name, ok in checks.items()
    ]
    return "; ".join(parts)


def _verdict_message() -> str:
    if _verdict() == VERDICTS[0]:
        return (
            "On what the buyer said, every BANT criterion of the startup preset is met: "
            f"{_verdict_reasons()}. The rule makes it an SQO; whether the deal is won is another "
            "matter (Lab 7's reveal shows it)."
        )
    return (
        "On what the buyer said, BANT's rule is not satisfied: "
        f"{_verdict_reasons()}. An SQO needs every criterion met."
    )


q2 = Exercise(
    Question(
        id=f"{CHAPTER}.q2",
        var="verdict",
        task=(
            "On what the buyer said in question 1's call, does the startup's BANT preset make "
            "the lead an SQO?"
        ),
        spec=Choice(VERDICTS),
        expected=_verdict,
        hints=(
            "Take the four BANT lines of the call and compare each with the preset's limits "
            "(printed above the question).",
            "A need the buyer can live with for now is a latent need, not no need.",
        ),
        solution=f"verdict = {_quoted(_verdict())}",
        misconceptions=(
            Misconception(
                _verdict_message(),
                lambda: VERDICTS[1] if _verdict() == VERDICTS[0] else VERDICTS[0],
            ),
        ),
        explanation=(
            "The rule judges what the call revealed, not the truth: an SQO can still end in no "
            "decision, which is why the handoff note says how sure you are."
        ),
    )
)


@cache
def unconfirmed_lead() -> str:
    """A startup lead BANT turns away only because its budget is unknown."""
    leads = sample(CONTEXT)
    reasons = rejection_reasons(leads, bant())
    candidates = leads[(reasons == "unconfirmed") & leads["budget_eur"].isna()]
    candidates = candidates[candidates["timeline_months"].notna()]
    candidates = candidates[candidates["authority"].astype("string") != "unknown"]
    candidates = candidates[candidates["need"].astype("string") != "unknown"]
    return str(candidates["lead_id"].iloc[0])


def lead_row() -> pd.DataFrame:
    """The row of question 2's lead (budget, authority, need, timeline)."""
    leads = sample(CONTEXT)
    columns = ["lead_id", "budget_eur", "authority", "need", "timeline_months", "outcome"]
    return leads.loc[leads["lead_id"] == unconfirmed_lead(), columns].reset_index(drop=True)


def _reason() -> str:
    leads = sample(CONTEXT)
    reasons = rejection_reasons(leads, bant())
    return str(reasons[leads["lead_id"] == unconfirmed_lead()].iloc[0])


q3 = Exercise(
    Question(
        id=f"{CHAPTER}.q3",
        var="reason",
        task=(
            "BANT turns the lead shown away. Which reason code goes into the CRM, so that "
            "marketing learns the right thing from it?"
        ),
        spec=Choice(tuple(REASON_CODES)),
        expected=_reason,
        hints=(
            "Look at which of the lead's BANT values fails, and whether it is known.",
            "Unknown is not no: a value nobody asked about is not a value that is too low.",
        ),
        solution='reason = "unconfirmed"',
        misconceptions=(
            Misconception(
                "Its budget is not too small, it is unknown: nobody has asked yet. Coding it "
                "'no_budget' tells marketing that the campaign brings buyers without money, "
                "which nobody has found out.",
                lambda: "no_budget",
            ),
            Misconception(
                "'not_now' is for a real need with no decision in the sales cycle; this lead's "
                "timeline is known and within BANT's limit.",
                lambda: "not_now",
            ),
        ),
        explanation=(
            "A lead that fails only on unknown values is 'unconfirmed': ask before you "
            "disqualify, and let marketing see how many leads arrive unqualified, not unfit."
        ),
    )
)

QUESTIONS = (q1, q2, q3)

__all__ = [
    "LINES", "QUESTIONS", "REASON_CODES", "TAGS", "VERDICTS", "bant", "lead_row", "q1", "q2", "q3",
]  # fmt: skip
