"""The capstone: a qualification policy for a context and a capacity, scored on held-out data.

The learner's plan is scored on a "next quarter" sample generated at check time with a seed used
nowhere else, so it cannot be tuned to the scoring leads: only a policy that generalises does well.
The score is the revenue won within the quarter's capacity (and the revenue missed), compared with
the context's own preset on the same leads.
"""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd

from sqolab.data.contexts import PROFILES
from sqolab.data.generator import generate_leads
from sqolab.data.schema import CONTEXTS
from sqolab.engine.criteria import Criteria, preset, qualify
from sqolab.engine.cup import DEFAULT_CAPACITY_HOURS
from sqolab.engine.outcomes import Outcome, evaluate
from sqolab.engine.scoring import lead_score
from sqolab.practice.checks import (
    BLANK,
    Exercise,
    Judged,
    LearnerError,
    Misconception,
    NotAttempted,
    Question,
    Text,
)
from sqolab.practice.exercises._common import context_preset, eur, pct

CHAPTER = "capstone"
CAPACITY_HOURS: dict[str, float] = DEFAULT_CAPACITY_HOURS
"""Sales hours the team has in the next quarter, per context (the Qualification Cup's too)."""
_HELD_OUT_SEED = 730_129  # used nowhere else: the learner never sees these leads


@functools.cache
def _next_quarter(context: str) -> pd.DataFrame:
    """The held-out next-quarter leads of ``context`` (a quarter of the sample's size)."""
    return generate_leads(context, PROFILES[context].n_leads // 4, seed=_HELD_OUT_SEED)


def _parts(plan: dict[str, Any]) -> tuple[str, Criteria, dict[str, float] | None]:
    """The plan's context, criteria and priority weights, or the problem with them."""
    missing = [key for key in ("context", "criteria") if key not in plan]
    if missing:
        raise ValueError(f"Your plan lacks the key(s) {', '.join(map(repr, missing))}.")
    criteria = plan["criteria"]
    if criteria is BLANK:
        raise NotAttempted
    context = plan.get("context")
    if context not in CONTEXTS:
        raise ValueError(f"`context` must be one of {', '.join(map(repr, CONTEXTS))}.")
    if not isinstance(criteria, Criteria):
        raise ValueError("`criteria` must be a `Criteria(...)` object.")
    weights = plan.get("priority_weights")
    if weights is BLANK:
        weights = None
    if weights is not None and not isinstance(weights, dict):
        raise ValueError("`priority_weights` must be None or a dict of lead-score weights.")
    return context, criteria, weights


def score(plan: dict[str, Any]) -> tuple[Outcome, Outcome]:
    """The plan's and the preset's outcomes on the held-out next quarter, within capacity."""
    context, criteria, weights = _parts(plan)
    leads = _next_quarter(context)
    capacity = CAPACITY_HOURS[context]
    priority = None
    if weights is not None:
        try:
            priority = lead_score(leads, weights)
        except (ValueError, KeyError, TypeError) as error:
            raise LearnerError(
                "Your `priority_weights` could not be used by `lead_score`.", error
            ) from error
    mine = evaluate(leads, qualify(leads, criteria), capacity_hours=capacity, priority=priority)
    base = evaluate(leads, qualify(leads, context_preset(context)), capacity_hours=capacity)
    return mine, base


def _report(mine: Outcome, base: Outcome) -> str:
    return (
        f"Next quarter, within {mine.capacity_hours:,.0f} hours, your policy wins "
        f"{eur(mine.revenue_won_eur)} from {mine.won} deals (win rate {pct(mine.win_rate)}) and "
        f"misses {eur(mine.revenue_missed_eur)}; it works {mine.hours_spent:,.0f} hours, "
        f"{mine.wasted_hours:,.0f} of them on deals that are not won.\n\nThe context's preset "
        f"wins {eur(base.revenue_won_eur)} (win rate {pct(base.win_rate)}) and misses "
        f"{eur(base.revenue_missed_eur)}."
    )


def _judge(plan: Any) -> str | None:
    try:
        mine, base = score(plan)
    except ValueError as error:
        return str(error)
    if mine.revenue_won_eur >= base.revenue_won_eur:
        return None
    return (
        _report(mine, base)
        + "\n\nYour policy wins less than the preset on leads it has not seen. Aim for what "
        "predicts a win in your context, and use the whole capacity."
    )


def _feedback(plan: dict[str, Any]) -> str:
    mine, base = score(plan)
    ratio = mine.revenue_won_eur / base.revenue_won_eur if base.revenue_won_eur else float("nan")
    return (
        f"Your policy beats the preset on the held-out quarter ({ratio:.2f} x its revenue).\n\n"
        + _report(mine, base)
        + "\n\nNow defend it in writing below."
    )


def _wins_less_with(criteria: Criteria) -> Any:
    return {"context": "agency", "criteria": criteria, "priority_weights": None}


def _no_criteria(plan: Any) -> bool:
    return (
        isinstance(plan, dict)
        and isinstance(plan.get("criteria"), Criteria)
        and plan["criteria"].required_met == 0
        and plan.get("priority_weights") is None
    )


def _idle(plan: Any) -> bool:
    try:
        mine, _ = score(plan)
    except (ValueError, NotAttempted, LearnerError):
        return False
    return mine.hours_spent < 0.7 * CAPACITY_HOURS[plan["context"]]


q1 = Exercise(
    Question(
        id=f"{CHAPTER}.q1",
        var="plan",
        task="Your qualification policy: context, criteria and (optional) priority weights.",
        spec=Judged(_judge, dict, "a dict with `context`, `criteria` and `priority_weights`"),
        feedback=_feedback,
        hints=(
            "Explore on the context's sample first: `evaluate(leads, qualify(leads, c), "
            "capacity_hours=...)` with the capacity of a year (4 x the quarter's).",
            "A policy that merely fits this sample may not generalise: prefer a few clear "
            "criteria with round thresholds.",
            "With a capacity, the order matters: `priority_weights` (a dict for `lead_score`, "
            "e.g. `DEFAULT_WEIGHTS`) lets the team work the best SQOs first.",
        ),
        solution=(
            "plan = {\n"
            '    "context": "agency",\n'
            '    "criteria": Criteria(min_need="latent", min_fit=50, min_engagement=40),\n'
            '    "priority_weights": DEFAULT_WEIGHTS,\n'
            "}"
        ),
        misconceptions=(
            Misconception(
                "With no criteria and no priority every lead is an SQO, worked in order of "
                "arrival: the hours run out on weak leads. Qualify, or set priority weights.",
                lambda: _wins_less_with(Criteria()),
                _no_criteria,
            ),
            Misconception(
                "Your criteria are so strict that much of the quarter's capacity stays unused, "
                "and unused hours win nothing. Loosen them.",
                lambda: _wins_less_with(preset("MEDDIC", "agency")),
                _idle,
            ),
        ),
    )
)

q2 = Exercise(
    Question(
        id=f"{CHAPTER}.q2",
        var="defence",
        task="Defend your policy in writing: the context, the capacity, the trade-offs.",
        spec=Text(
            min_words=60,
            key_ideas=(
                (r"capacity|hours", "the capacity decides how strict to be"),
                (r"miss", "the opportunities it misses, and why that is acceptable"),
                (r"win rate|waste", "the win rate and wasted hours"),
                (r"unknown|budget|timeline", "how unknown budgets and timelines are handled"),
                (r"competit", "competition for the best-qualified leads"),
                (r"review|monitor|next quarter|revisit|adjust", "when to review the policy"),
            ),
        ),
        solution=(
            'defence = """For the agency, with 3,000 hours next quarter, I qualify on a latent\n'
            "or confirmed need, a fit of at least 50 and an engagement of at least 40, and let\n"
            "the lead score decide the order. Need, fit and engagement are known for every lead,\n"
            "so I do not turn away buyers whose budget or timeline is still unknown. The\n"
            "criteria keep enough SQOs to fill the capacity; the score makes sure the hours go\n"
            "to the most promising ones first, so fewer hours are wasted on deals that are lost.\n"
            "I accept missing the weak leads that would have been won: with a fixed capacity,\n"
            "working them would take hours from stronger ones. The best-qualified leads attract\n"
            "competitors, so I expect a lower win rate there and will review the policy each\n"
            'quarter against won, lost and missed deals."""'
        ),
        explanation=(
            "Model answer (agency, 3,000 hours): qualify on need, fit and engagement, which are "
            "known for every lead, so buyers with an unknown budget or timeline are not turned "
            "away; let the lead score order the SQOs, so the scarce hours go to the most "
            "promising first and fewer are wasted on lost deals. The criteria are loose enough to "
            "fill the capacity, strict enough not to drown it. The policy accepts missing weak "
            "winners, because with fixed hours working them would cost stronger deals. The "
            "best-qualified leads attract competitors, so their win rate is lower than their "
            "quality suggests: differentiate there. Review each quarter against won, lost and "
            "missed deals, and loosen the criteria if the capacity grows."
        ),
    )
)

QUESTIONS = (q1, q2)
