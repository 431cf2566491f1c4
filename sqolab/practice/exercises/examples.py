"""Practice for chapter 4, the examples: a consultancy under a capacity, and the orchard."""

from __future__ import annotations

from sqolab.data.samples import load_orchard
from sqolab.engine.criteria import Criteria, preset
from sqolab.practice.checks import Exercise, Mapping, Misconception, Number, Question, Text
from sqolab.practice.exercises._common import (
    capacity_judge,
    criteria_spec,
    leaves_hours,
    no_criteria,
)

CHAPTER = "examples"
CONSULTANCY_CAPACITY_HOURS = 12_000.0
"""Sales hours the consultancy's team has for the year in question 1."""
RIPENESS_THRESHOLD = 60
"""The farmer picks every fruit at least this ripe (question 3)."""
ANALOGY_TERMS = (
    "a ripe fruit",
    "picking a fruit that does not sell",
    "leaving a fruit that would sell on the tree",
    "the ripeness threshold",
    "the farmer's picking time",
)
SQO_TERMS = (
    "an SQO",
    "wasted sales hours",
    "a missed opportunity",
    "the qualification criteria",
    "the sales capacity",
)
_ANALOGY = dict(zip(ANALOGY_TERMS, SQO_TERMS, strict=True))


def _orchard_count(picked: bool, sells: str) -> int:
    orchard = load_orchard()
    is_picked = orchard["ripeness"] >= RIPENESS_THRESHOLD
    return int(((is_picked == picked) & (orchard["sells"] == sells)).sum())


q1 = Exercise(
    Question(
        id=f"{CHAPTER}.q1",
        var="consultancy_criteria",
        task=f"Criteria that win more revenue than the FAINT preset within "
        f"{CONSULTANCY_CAPACITY_HOURS:,.0f} sales hours (consultancy).",
        spec=criteria_spec(capacity_judge("consultancy", CONSULTANCY_CAPACITY_HOURS)),
        hints=(
            "With a capacity, the team works SQOs in order of arrival and stops when the hours "
            "run out: every hour spent on a weak SQO is an hour a strong later one cannot get.",
            "So be stricter than FAINT on what predicts a win (a confirmed need, a good fit), but "
            "not so strict that hours stay unused.",
            "Compare attempts with `evaluate(leads, qualify(leads, c), capacity_hours=...)`.",
        ),
        solution=(
            "consultancy_criteria = Criteria(\n"
            '    min_authority="influencer",\n'
            '    min_need="confirmed",\n'
            "    max_timeline_months=6,\n"
            "    min_fit=60,\n"
            "    unknown_meets=True,\n"
            ")"
        ),
        misconceptions=(
            Misconception(
                "With no criteria every lead is an SQO: the team works them in order of arrival "
                "and spends its hours on weak leads before the strong ones arrive.",
                Criteria,
                no_criteria,
            ),
            Misconception(
                "Your criteria are so strict that most of the capacity stays unused: hours nobody "
                "spends win nothing. Loosen them.",
                lambda: preset("MEDDIC", "consultancy"),
                leaves_hours("consultancy", CONSULTANCY_CAPACITY_HOURS),
            ),
        ),
    )
)

q2 = Exercise(
    Question(
        id=f"{CHAPTER}.q2",
        var="analogy",
        task="Match each term of the farmer's analogy to its meaning in sales.",
        spec=Mapping(ANALOGY_TERMS, SQO_TERMS),
        expected=lambda: dict(_ANALOGY),
        hints=(
            "The farmer's time is limited like a sales team's hours.",
            "Picking a fruit that does not sell costs time for nothing; leaving a good fruit "
            "loses a sale.",
        ),
        solution="analogy = {\n"
        + "".join(f'    "{k}": "{v}",\n' for k, v in _ANALOGY.items())
        + "}",
        misconceptions=(
            Misconception(
                "You swapped waste and misses: picking a fruit that does not sell wastes the "
                "farmer's time (like hours on a deal that is lost); leaving a fruit that would "
                "sell is a missed sale (a missed opportunity).",
                lambda: {
                    **_ANALOGY,
                    ANALOGY_TERMS[1]: SQO_TERMS[2],
                    ANALOGY_TERMS[2]: SQO_TERMS[1],
                },
            ),
            Misconception(
                "You swapped the threshold and the time: the ripeness threshold decides which "
                "fruit to pick (the criteria); the picking time limits how many (the capacity).",
                lambda: {
                    **_ANALOGY,
                    ANALOGY_TERMS[3]: SQO_TERMS[4],
                    ANALOGY_TERMS[4]: SQO_TERMS[3],
                },
            ),
        ),
    )
)

q3 = Exercise(
    Question(
        id=f"{CHAPTER}.q3",
        var="wasted_picks",
        task=f"With a ripeness threshold of {RIPENESS_THRESHOLD}, how many picked fruits do not "
        "sell?",
        spec=Number(whole=True, unit=" fruits"),
        expected=lambda: _orchard_count(True, "no"),
        hints=(
            f'Picked means `orchard["ripeness"] >= {RIPENESS_THRESHOLD}`.',
            'Combine it with `orchard["sells"] == "no"` and count.',
        ),
        solution=(
            f'picked = orchard["ripeness"] >= {RIPENESS_THRESHOLD}\n'
            'wasted_picks = int((picked & (orchard["sells"] == "no")).sum())'
        ),
        misconceptions=(
            Misconception(
                "Those are the fruits left on the tree that would have sold: the missed ones, not "
                "the wasted ones.",
                lambda: _orchard_count(False, "yes"),
            ),
            Misconception(
                "That counts every fruit that does not sell, picked or not. Only the picked ones "
                "cost picking time.",
                lambda: int((load_orchard()["sells"] == "no").sum()),
            ),
            Misconception(
                "That counts every picked fruit; keep only those that do not sell.",
                lambda: int((load_orchard()["ripeness"] >= RIPENESS_THRESHOLD).sum()),
            ),
        ),
    )
)

q4 = Exercise(
    Question(
        id=f"{CHAPTER}.q4",
        var="unknown_answer",
        task="Why does the consultancy's FAINT preset count an unknown budget as met while the "
        "startup's BANT preset does not?",
        spec=Text(
            min_words=25,
            key_ideas=(
                (
                    r"budget line|funds|no budget|not budget",
                    "consulting buyers often have no budget line yet",
                ),
                (r"few|large|big|value|size", "consulting deals are few and large"),
                (r"many|volume|small|fast|quick", "the startup has many small, fast deals"),
            ),
        ),
        solution=(
            'unknown_answer = """A consultancy sells large projects to buyers who often have the\n'
            "funds but no budget line yet: the budget is made during the sale, so an unknown\n"
            "budget is normal and a rule that rejects it would turn away good clients. The\n"
            "startup has many small, fast deals; a stated budget is a cheap filter that saves\n"
            'hours, and a lead without one can be nurtured until it has one."""'
        ),
        explanation=(
            "Model answer: consulting buyers often have the funds but no budget line: the budget "
            "is created once the need is clear, so 'unknown' is normal early on and FAINT "
            "qualifies in rather than out. The deals are few and large, so turning away one good "
            "client costs a lot. The startup has many small, fast deals: a stated budget is a "
            "cheap filter that protects scarce sales hours, and leads without one can go back to "
            "marketing for nurturing."
        ),
    )
)

QUESTIONS = (q1, q2, q3, q4)
