"""Practice for chapter 5, choosing criteria for a context and a sales capacity."""

from __future__ import annotations

import pandas as pd

from sqolab.engine.criteria import Criteria, preset
from sqolab.engine.scoring import lead_score
from sqolab.engine.tradeoffs import best_threshold, tradeoff_curve
from sqolab.practice.checks import Exercise, Misconception, Number, Question, Text
from sqolab.practice.exercises._common import (
    capacity_judge,
    criteria_spec,
    leaves_hours,
    no_criteria,
    sample,
)

CHAPTER = "choosing"
STARTUP_CAPACITY_HOURS = 6_000.0
"""Sales hours of the startup's team for the year (question 1)."""
AGENCY_CAPACITY_HOURS = 12_000.0
"""Sales hours of the agency's team for the year (question 2)."""
AGENCY_FACTOR = 1.2
"""Question 2 asks for this multiple of the preset's revenue."""


def _curve() -> pd.DataFrame:
    leads = sample("startup")
    return tradeoff_curve(leads, lead_score(leads))


def _best() -> float:
    return float(best_threshold(_curve(), STARTUP_CAPACITY_HOURS)["threshold"])


def _threshold_of_max(column: str) -> float:
    curve = _curve()
    return float(curve.loc[curve[column].idxmax(), "threshold"])


q1 = Exercise(
    Question(
        id=f"{CHAPTER}.q1",
        var="threshold",
        task=f"The lead-score threshold that wins the most revenue within "
        f"{STARTUP_CAPACITY_HOURS:,.0f} hours (startup, all SQOs worked).",
        spec=Number(),
        expected=_best,
        hints=(
            "`tradeoff_curve(leads, lead_score(leads))` evaluates every threshold at once.",
            "Keep the rows whose `hours_spent` fit the capacity, then take the one with the most "
            "`revenue_won_eur`; or let `best_threshold(curve, capacity)` do it.",
        ),
        solution=(
            "curve = tradeoff_curve(leads, lead_score(leads))\n"
            f'threshold = best_threshold(curve, {STARTUP_CAPACITY_HOURS:g})["threshold"]'
        ),
        misconceptions=(
            Misconception(
                "That threshold has the highest win rate, but it selects so few leads that most "
                "of the hours stay unused. Maximise revenue within the capacity.",
                lambda: _threshold_of_max("win_rate"),
            ),
            Misconception(
                "That is the loosest threshold: every lead is an SQO, which needs far more hours "
                "than the team has. Only thresholds whose hours fit the capacity count.",
                lambda: float(_curve()["threshold"].min()),
            ),
            Misconception(
                "That threshold earns the most per hour, but leaves hours unused: with a fixed "
                "capacity the goal is the most revenue in total.",
                lambda: _threshold_of_max("revenue_per_hour_eur"),
            ),
        ),
    )
)

q2 = Exercise(
    Question(
        id=f"{CHAPTER}.q2",
        var="agency_criteria",
        task=f"Agency criteria that win at least {AGENCY_FACTOR:.0%} of the GPCTBA/C&I preset's "
        f"revenue within {AGENCY_CAPACITY_HOURS:,.0f} hours.",
        spec=criteria_spec(capacity_judge("agency", AGENCY_CAPACITY_HOURS, AGENCY_FACTOR)),
        hints=(
            "The preset lets many leads through; with a capacity the team runs out of hours "
            "before the year ends. Which criteria best separate winners from the rest?",
            "Try a confirmed need plus a fit and an engagement threshold, all required.",
            "Check attempts with `evaluate(leads, qualify(leads, c), capacity_hours=...)`.",
        ),
        solution='agency_criteria = Criteria(min_need="confirmed", min_engagement=40, min_fit=60)',
        misconceptions=(
            Misconception(
                "That is the preset itself: it wins exactly the preset's revenue. The target is "
                "more than that.",
                lambda: preset("GPCTBA/C&I", "agency"),
                lambda answer: (
                    isinstance(answer, Criteria) and answer == preset("GPCTBA/C&I", "agency")
                ),
            ),
            Misconception(
                "With no criteria every lead is an SQO and the team works them in order of "
                "arrival: the hours go to weak leads.",
                Criteria,
                no_criteria,
            ),
            Misconception(
                "Your criteria are so strict that most of the capacity stays unused: loosen them.",
                lambda: preset("MEDDIC", "agency"),
                leaves_hours("agency", AGENCY_CAPACITY_HOURS),
            ),
        ),
    )
)

q3 = Exercise(
    Question(
        id=f"{CHAPTER}.q3",
        var="policy_answer",
        task="A sales team doubles its capacity. How should its criteria change, and why?",
        spec=Text(
            min_words=25,
            key_ideas=(
                (r"loosen|less strict|relax|lower", "loosen the criteria"),
                (r"miss|capture|winnable", "fewer missed opportunities"),
                (r"win rate|per hour|efficien|waste", "a lower win rate per hour is acceptable"),
            ),
        ),
        solution=(
            'policy_answer = """With twice the hours the team can work more leads, so it should\n'
            "loosen its criteria until the extra hours are used: the next leads in line have a\n"
            "lower chance to win, so the win rate and revenue per hour fall, but fewer winnable\n"
            "deals are missed and total revenue grows. Strictness should follow capacity, not\n"
            'stay fixed."""'
        ),
        explanation=(
            "Model answer: with more hours the binding constraint is no longer time, so the team "
            "should loosen its criteria until the extra hours are used. The added leads are "
            "weaker, so the win rate and revenue per hour fall, but fewer winnable deals are "
            "missed and total revenue rises. The right strictness depends on the capacity: a "
            "policy is chosen for a context and a team, not once for all."
        ),
    )
)

QUESTIONS = (q1, q2, q3)
