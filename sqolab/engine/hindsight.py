"""Hindsight on a qualification policy, from real outcomes, and what real outcomes cannot show.

Works on any lead table, with only the columns it has: a criterion whose column is missing is
*unavailable* (with the reason) and left out, never a crash. Among leads whose outcome is known
(won or lost; open deals are left out), :func:`hindsight` counts the won deals and their revenue
the criteria would have turned away, and the win rate of leads that meet / do not meet each
criterion, with counts and a 95 % Wilson interval.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sqolab.engine.criteria import (
    CRITERION_COLUMNS,
    CRITERION_FIELDS,
    Criteria,
    criteria_met,
    qualify,
)

SELECTION_BIAS_NOTE = (
    "What your CRM cannot show: only leads that were worked have an outcome. A lead your team "
    "never worked has no 'won' or 'lost', so the cost of a strict rule (good leads turned away) "
    "is visible here, but the cost of a loose rule (hours spent on leads that were never going to "
    "buy, and the leads that were ignored instead) is not. The win rates below describe worked "
    "leads only. To measure the cost of a strict rule fairly, work a random sample of the leads "
    "the rule rejects (for example every 10th one) for a quarter and compare their win rate with "
    "that of the accepted leads. The chapter on drawbacks shows the full picture on simulated data."
)
"""The plain-words note on selection bias shown next to every hindsight figure."""


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval for a proportion (NaN, NaN when n is 0)."""
    if n == 0:
        return math.nan, math.nan
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def availability(leads: pd.DataFrame) -> dict[str, str]:
    """Per criterion, "" when available, otherwise the reason it is not."""
    reasons: dict[str, str] = {}
    for name, column in CRITERION_COLUMNS.items():
        if column not in leads.columns:
            reasons[name] = f"your data has no '{column}' column (map one in step 2)"
        elif leads[column].isna().all():
            reasons[name] = f"every '{column}' value is empty"
        else:
            reasons[name] = ""
    return reasons


def usable(leads: pd.DataFrame, criteria: Criteria) -> tuple[Criteria, list[str]]:
    """The criteria without those whose column is unavailable, and the names left out."""
    reasons = availability(leads)
    dropped = [n for n in criteria.applied if reasons[n]]
    changes = {CRITERION_FIELDS[n]: None for n in dropped}
    kept = dataclasses.replace(criteria, **changes)
    if kept.min_met is not None and kept.min_met > len(kept.applied):
        kept = dataclasses.replace(kept, min_met=None)
    return kept, dropped


@dataclass(frozen=True)
class Funnel:
    """The criteria played on the user's leads."""

    leads: int
    sqos: int
    failed: pd.Series  # per lead: the criteria it fails, comma-separated ("" = none)
    unavailable: tuple[str, ...]

    @property
    def share(self) -> float:
        """SQO share of all leads (NaN without leads)."""
        return self.sqos / self.leads if self.leads else math.nan


def funnel(leads: pd.DataFrame, criteria: Criteria) -> Funnel:
    """Leads, SQOs and the criteria each lead fails; unavailable criteria are left out."""
    kept, dropped = usable(leads, criteria)
    met = criteria_met(leads, kept)
    failed = met.apply(lambda row: ", ".join(n for n, ok in row.items() if not ok), axis=1)
    if met.empty:
        failed = pd.Series("", index=leads.index, dtype=object)
    return Funnel(len(leads), int(qualify(leads, kept).sum()), failed, tuple(dropped))


@dataclass(frozen=True)
class Rate:
    """Win rate of one group of decided leads, with the count behind it."""

    group: str
    leads: int
    won: int
    low: float
    high: float

    @property
    def rate(self) -> float:
        """Won / leads (NaN without leads)."""
        return self.won / self.leads if self.leads else math.nan


@dataclass(frozen=True)
class Hindsight:
    """What the criteria would have done to the decided leads."""

    decided: int
    open: int
    won: int
    turned_away_won: int
    turned_away_revenue: float
    rates: tuple[Rate, ...]
    unavailable: tuple[str, ...]
    reason: str = ""  # why no analysis is possible ("" when it is)
    note: str = SELECTION_BIAS_NOTE
    rejected: int = 0  # leads of the whole table (worked or not) the criteria reject
    sample: int = 0  # rejected leads to work at random to measure the cost of the rule
    sample_margin: float = math.nan  # +- of the sample's win rate (95 %, at the observed rate)


def hindsight(leads: pd.DataFrame, criteria: Criteria) -> Hindsight:
    """Turned-away wins and revenue, win rate by criterion met / not met (decided leads)."""
    kept, dropped = usable(leads, criteria)
    if "outcome" not in leads.columns:
        return Hindsight(
            0, len(leads), 0, 0, 0.0, (), tuple(dropped), "your data has no outcome column"
        )
    decided_mask = leads["outcome"].notna().to_numpy()
    decided = leads[decided_mask]
    if decided.empty:
        return Hindsight(
            0, len(leads), 0, 0, 0.0, (), tuple(dropped), "no lead has a won or lost outcome yet"
        )
    won = (decided["outcome"] == "won").to_numpy()
    sqo = qualify(decided, kept).to_numpy()
    value = (
        decided["deal_value_eur"].to_numpy(float)
        if "deal_value_eur" in decided
        else np.zeros(len(decided))
    )
    rates = [_rate("all decided leads", won)]
    for name, met in criteria_met(decided, kept).items():
        rates.append(_rate(f"{name} met", won[met.to_numpy()]))
        rates.append(_rate(f"{name} not met", won[~met.to_numpy()]))
    lost = won & ~sqo
    rejected = int((~qualify(leads, kept)).sum())
    sample, margin = sample_plan(rejected, float(won.mean()))
    return Hindsight(
        len(decided),
        int((~decided_mask).sum()),
        int(won.sum()),
        int(lost.sum()),
        float(np.nansum(value[lost])),
        tuple(rates),
        tuple(dropped),
        rejected=rejected,
        sample=sample,
        sample_margin=margin,
    )


def sample_plan(rejected: int, rate: float, share: float = 0.1) -> tuple[int, float]:
    """How many rejected leads to work at random (a ``share`` of them, at least 30 where there
    are), and the 95 % margin of their win rate at ``rate`` (normal approximation)."""
    n = min(rejected, max(30, math.ceil(share * rejected)))
    if n == 0:
        return 0, math.nan
    return n, 1.96 * math.sqrt(rate * (1 - rate) / n)


def _rate(group: str, won: np.ndarray) -> Rate:
    n, k = len(won), int(won.sum())
    return Rate(group, n, k, *wilson(k, n))


def rule_text(criteria: Criteria) -> str:
    """The criteria as a plain-text rule a CRM admin can set up."""
    parts = [criteria.describe()] if criteria.applied else ["every lead"]
    return "Mark a lead as SQO when: " + parts[0]
