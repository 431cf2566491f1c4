"""What the chapters' exercises share: the samples, and judging criteria against targets."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from sqolab.data.contexts import PROFILES
from sqolab.data.samples import shared_sample
from sqolab.engine.criteria import Criteria, preset, qualify
from sqolab.engine.formatting import fmt_eur as eur
from sqolab.engine.formatting import fmt_pct as pct
from sqolab.engine.outcomes import Outcome, evaluate
from sqolab.practice.checks import Judged


def sample(context: str) -> pd.DataFrame:
    """The sample pipeline of ``context``: the course's one cached copy (do not modify it).

    Only the checker's own code reads it; learner functions get copies (see
    :func:`sqolab.practice.learner_code.copy_for_learner`).
    """
    return shared_sample(context)


def context_preset(context: str) -> Criteria:
    """The preset of the framework the context typically uses (e.g. BANT for the startup)."""
    return preset(PROFILES[context].framework, context)


def outcome_of(criteria: Criteria, context: str, capacity_hours: float | None = None) -> Outcome:
    """Evaluate ``criteria`` on the context's sample (with a capacity: worked in arrival order)."""
    leads = sample(context)
    return evaluate(leads, qualify(leads, criteria), capacity_hours=capacity_hours)


def winnable_revenue(leads: pd.DataFrame) -> float:
    """Revenue of all leads that would be won if pursued."""
    return float(leads.loc[leads["outcome"] == "won", "deal_value_eur"].sum())


def revenue_and_win_rate(
    context: str, min_revenue_share: float, min_win_rate: float
) -> Callable[[Criteria], str | None]:
    """A judge: do the criteria keep a share of winnable revenue at a minimum win rate?"""

    def judge(criteria: Criteria) -> str | None:
        result = outcome_of(criteria, context)
        if result.n_sqo == 0:
            return "Your criteria select no lead at all: loosen them."
        share = result.revenue_won_eur / winnable_revenue(sample(context))
        low_share = share < min_revenue_share
        low_rate = result.win_rate < min_win_rate
        got = (
            f"Your criteria ({criteria.describe()}) keep {pct(share)} of winnable revenue at a "
            f"win rate of {pct(result.win_rate)}"
        )
        if low_share and low_rate:
            return (
                f"{got}; the targets are at least {pct(min_revenue_share)} and at least "
                f"{pct(min_win_rate)}. Both are missed: change which criteria you apply, not "
                "only how strict they are."
            )
        if low_share:
            return (
                f"{got}; the revenue target is at least {pct(min_revenue_share)}: loosen the "
                "strictest criterion, let unknown values count as met, or require fewer "
                "criteria with `min_met`."
            )
        if low_rate:
            return (
                f"{got}; the win-rate target is at least {pct(min_win_rate)}: tighten a "
                "criterion that separates winners from losers (need, fit or engagement), or "
                "drop one that lets weak leads through."
            )
        return None

    return judge


def capacity_judge(
    context: str, capacity_hours: float, factor: float = 1.0
) -> Callable[[Criteria], str | None]:
    """A judge: do the criteria win at least ``factor`` x the preset's revenue within capacity?"""

    def judge(criteria: Criteria) -> str | None:
        mine = outcome_of(criteria, context, capacity_hours)
        base = outcome_of(context_preset(context), context, capacity_hours)
        goal = factor * base.revenue_won_eur
        if mine.revenue_won_eur >= goal:
            return None
        what = "the preset's" if factor == 1 else f"{factor:.0%} of the preset's"
        return (
            f"Within {capacity_hours:,.0f} hours your criteria win {eur(mine.revenue_won_eur)} "
            f"({mine.won} deals, {mine.hours_spent:,.0f} hours worked); the target is "
            f"{what} {eur(base.revenue_won_eur)}"
            + (f", so at least {eur(goal)}" if factor != 1 else "")
            + ". Spend the hours on leads that are more likely to win."
        )

    return judge


def criteria_spec(judge: Callable[[Criteria], str | None]) -> Judged:
    """A spec for answers that are a Criteria object judged against targets."""
    return Judged(judge, Criteria, "a `Criteria(...)` object")


def no_criteria(criteria: object) -> bool:
    """True for criteria that make every lead an SQO."""
    return isinstance(criteria, Criteria) and criteria.required_met == 0


def leaves_hours(context: str, capacity_hours: float, share: float = 0.8) -> Callable:
    """A predicate: the criteria leave more than ``1 - share`` of the capacity unused."""

    def matches(criteria: object) -> bool:
        if not isinstance(criteria, Criteria):
            return False
        return outcome_of(criteria, context, capacity_hours).hours_spent < share * capacity_hours

    return matches
