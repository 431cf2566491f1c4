"""Qualification policies side by side: the same leads under several rules, evaluated alike.

A *policy* is a name and a boolean ``is_sqo`` per lead. These tables answer the drawbacks
chapter's questions: what each added criterion costs, how a rigid gate compares with a flexible
k-of-n rule, "unknown counts as met" and a lead score at the same workload, and how leads that meet,
fail or have an unknown value for one criterion end.
"""

from __future__ import annotations

import pandas as pd

from sqolab.engine.criteria import (
    CRITERION_COLUMNS,
    CRITERION_FIELDS,
    Criteria,
    criteria_met,
    qualify,
)
from sqolab.engine.outcomes import evaluate, won_mask
from sqolab.engine.tradeoffs import tradeoff_curve

POLICY_COLUMNS: tuple[str, ...] = (
    "n_sqo",
    "won",
    "win_rate",
    "capture_rate",
    "revenue_won_eur",
    "revenue_missed_eur",
    "hours_spent",
    "wasted_hours",
    "revenue_per_hour_eur",
)
"""The :class:`~sqolab.engine.outcomes.Outcome` figures the policy tables show."""

STATUSES: tuple[str, ...] = ("meets", "fails", "unknown")


def rule(criteria: Criteria, name: str) -> str:
    """The plain-English rule of one applied criterion, e.g. ``budget >= 7,500 EUR``."""
    if name not in criteria.applied:
        raise ValueError(f"{name!r} is not applied in {criteria.describe()}.")
    field = CRITERION_FIELDS[name]
    return Criteria(**{field: getattr(criteria, field)}).describe().split(" (", 1)[0]


def _outcome_row(leads: pd.DataFrame, is_sqo: pd.Series) -> dict[str, float]:
    figures = evaluate(leads, is_sqo).to_dict()
    return {c: figures[c] for c in POLICY_COLUMNS}


def compare_policies(leads: pd.DataFrame, policies: dict[str, pd.Series]) -> pd.DataFrame:
    """One row per policy (name -> boolean is_sqo): SQOs, won, rates, revenue and hours."""
    rows = {name: _outcome_row(leads, is_sqo) for name, is_sqo in policies.items()}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(POLICY_COLUMNS))
    table.index.name = "policy"
    return table


def tightening_table(leads: pd.DataFrame, criteria: Criteria) -> pd.DataFrame:
    """Add the criteria one at a time (in their fixed order) and evaluate each step.

    Row 0 has no criteria (every lead is an SQO). A k-of-n rule keeps its number of allowed misses
    at every step, so the last row is ``criteria`` itself.
    """
    applied = criteria.applied
    misses = len(applied) - criteria.required_met
    policies = {"no criteria (every lead)": qualify(leads, Criteria())}
    for i, name in enumerate(applied, start=1):
        fields = {CRITERION_FIELDS[n]: getattr(criteria, CRITERION_FIELDS[n]) for n in applied[:i]}
        step = Criteria(
            **fields,
            min_met=None if misses == 0 else max(0, i - misses),
            unknown_meets=criteria.unknown_meets,
        )
        policies[f"+ {rule(criteria, name)}"] = qualify(leads, step)
    return compare_policies(leads, policies)


def matching_threshold(curve: pd.DataFrame, n_sqo: int) -> float:
    """The strictest threshold of a trade-off curve that makes at least ``n_sqo`` leads SQOs."""
    reached = curve["n_sqo"].to_numpy() >= n_sqo
    if not reached.any():
        raise ValueError(
            f"no threshold makes {n_sqo} SQOs; the curve ends at {curve['n_sqo'].max()}"
        )
    return float(curve["threshold"].to_numpy()[reached.argmax()])


def flexible_policies(
    leads: pd.DataFrame, criteria: Criteria, score: pd.Series
) -> dict[str, pd.Series]:
    """The same criteria as a rigid gate, a k-of-n rule, with unknown counted as met, and a score.

    The score policy takes the threshold that makes as many SQOs as the rigid gate, so the two are
    compared at the same workload.
    """
    n = len(criteria.applied)
    if n < 2:
        raise ValueError("flexible_policies needs at least two applied criteria.")
    rigid = criteria.replace(min_met=None, unknown_meets=False)
    policies = {
        f"all {n} criteria (rigid)": qualify(leads, rigid),
        f"any {n - 1} of {n} criteria": qualify(leads, rigid.replace(min_met=n - 1)),
        f"all {n}, unknown counts as met": qualify(leads, rigid.replace(unknown_meets=True)),
    }
    rigid_count = int(policies[f"all {n} criteria (rigid)"].sum())
    threshold = matching_threshold(tradeoff_curve(leads, score), rigid_count)
    policies[f"lead score >= {threshold:.1f}"] = (score >= threshold).rename("is_sqo")
    return policies


def status_table(leads: pd.DataFrame, criteria: Criteria, name: str) -> pd.DataFrame:
    """Leads that meet, fail, or have an unknown value for one criterion: counts and win rates."""
    met = criteria_met(leads, criteria.replace(unknown_meets=False))[name].to_numpy()
    values = leads[CRITERION_COLUMNS[name]]
    unknown = (values.isna() | (values.astype(object) == "unknown")).to_numpy()
    won = won_mask(leads)
    masks = dict(zip(STATUSES, (met, ~met & ~unknown, unknown), strict=True))
    table = pd.DataFrame(
        {
            "leads": [int(m.sum()) for m in masks.values()],
            "won": [int((m & won).sum()) for m in masks.values()],
        },
        index=pd.Index(list(masks), name=name),
    )
    table["share_of_leads"] = table["leads"] / max(len(leads), 1)
    table["win_rate"] = table["won"] / table["leads"].where(table["leads"] > 0)
    return table
