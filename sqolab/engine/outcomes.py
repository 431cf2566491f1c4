"""What a qualification policy yields: deals won and missed, hours spent and wasted.

Only simulated data can be evaluated: the ``outcome`` column says what *would* happen if sales
pursued a lead (``won``, ``lost_competitor``, ``no_decision``), for every lead, SQO or not. A lead
is *winnable* when its outcome is ``won``.

Capacity rule
-------------
Without a capacity every SQO is worked. With ``capacity_hours`` the team works the SQOs one after
another in a fixed order:

* by ``priority`` descending when a priority (e.g. a lead score) is given; leads with a NaN priority
  come last; ties keep the original row order;
* otherwise in order of arrival: ``created_on`` ascending, leads without a date (NaT) last, ties in
  the original row order.

The team **stops at the first SQO that does not fit** in the hours left: it does not skip ahead to
cherry-pick smaller later SQOs (a first-come, first-served queue, as in a real sales period). So the
worked SQOs are always a prefix of that order, and ``hours_spent <= capacity_hours``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from sqolab.data.schema import OUTCOME_DTYPE, LeadDataError, Problem
from sqolab.engine.columns import category_codes, float_column, is_number, lead_column
from sqolab.engine.formatting import fmt_eur, fmt_pct, prose_html
from sqolab.engine.selection import aligned_values, as_selection

WON, LOST_COMPETITOR, NO_DECISION = 0, 1, 2  # codes of OUTCOME_DTYPE


def require_outcome(leads: pd.DataFrame, what: str) -> None:
    """Raise LeadDataError unless ``leads`` has the simulated ``outcome`` column ``what`` needs."""
    if "outcome" not in leads.columns:
        raise LeadDataError(
            Problem(
                "outcome",
                f"{what} needs simulated outcomes: the 'outcome' column says what would happen if "
                "sales pursued each lead, SQO or not. A real CRM export has no such column: it "
                "only knows the result of the leads that were actually worked.",
                "use a simulated sample (e.g. load_sample), or add an 'outcome' column with one of "
                f"{', '.join(OUTCOME_DTYPE.categories)} for every lead (from the won/lost status "
                "of closed opportunities, e.g. 'Stage' = Closed Won / Closed Lost and the "
                "loss reason).",
            )
        )


def outcome_codes(leads: pd.DataFrame, what: str) -> np.ndarray:
    """Outcome codes (0 = won, 1 = lost_competitor, 2 = no_decision); LeadDataError if absent."""
    require_outcome(leads, what)
    codes = category_codes(leads, "outcome", OUTCOME_DTYPE, what)
    if len(codes) and codes.min() < 0:
        raise LeadDataError(
            Problem(
                "outcome",
                f"{int((codes < 0).sum())} leads have no outcome, but {what} needs one per lead.",
                f"fill in one of {', '.join(OUTCOME_DTYPE.categories)}.",
            )
        )
    return codes


def won_mask(leads: pd.DataFrame) -> np.ndarray:
    """True for the leads that would be won if pursued (simulated ``outcome`` is ``won``)."""
    return (leads["outcome"] == "won").to_numpy(dtype=bool)


def _nan_div(a: float, b: float) -> float:
    return a / b if b else math.nan


@dataclass(frozen=True)
class Outcome:
    """What a policy yields on a pipeline. Rates of empty selections are NaN."""

    n_leads: int
    n_sqo: int
    n_worked: int  # SQOs worked (= n_sqo without a capacity)
    won: int  # worked and won
    lost_competitor: int  # worked and lost to a competitor
    no_decision: int  # worked, the buyer did not decide
    winnable: int  # leads that would be won if pursued (SQO or not)
    missed: int  # winnable leads not won: not SQO, or SQO not worked for lack of capacity
    win_rate: float  # won / n_worked
    capture_rate: float  # won / winnable
    revenue_won_eur: float
    revenue_missed_eur: float
    hours_spent: float  # on the worked SQOs
    wasted_hours: float  # on worked SQOs that were not won
    revenue_per_hour_eur: float  # revenue_won_eur / hours_spent
    capacity_hours: float | None = None

    def to_dict(self) -> dict[str, float | int | None]:
        """The figures as a plain dict (e.g. a table row)."""
        return asdict(self)

    def _repr_html_(self) -> str:
        return prose_html(self.summary())

    def summary(self) -> str:
        """A few plain-text lines for the course views."""

        cap = (
            "no capacity limit"
            if self.capacity_hours is None
            else f"capacity {self.capacity_hours:,.0f} hours"
        )
        return "\n".join(
            [
                f"{self.n_leads:,} leads, {self.n_sqo:,} SQOs, {self.n_worked:,} worked ({cap}).",
                f"Won {self.won:,} (win rate {fmt_pct(self.win_rate)}); lost to a competitor "
                f"{self.lost_competitor:,}; no decision {self.no_decision:,}.",
                f"Captured {self.won:,} of {self.winnable:,} winnable deals "
                f"({fmt_pct(self.capture_rate)}); missed {self.missed:,} worth "
                f"{fmt_eur(self.revenue_missed_eur)}.",
                f"Revenue {fmt_eur(self.revenue_won_eur)} for {self.hours_spent:,.0f} hours "
                f"({fmt_eur(self.revenue_per_hour_eur)} per hour); {self.wasted_hours:,.0f} hours "
                "went to deals not won.",
            ]
        )


def _work_order(leads: pd.DataFrame, sqo_rows: np.ndarray, priority: object) -> np.ndarray:
    """Row positions of the SQOs in the order they are worked (see the module docstring)."""
    if priority is not None:
        p = aligned_values(leads, priority, "priority")
        try:
            p = p[sqo_rows].astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError("priority must be numeric (higher = worked first).") from None
        key = -p  # NaN stays NaN and sorts last
    else:
        dates = lead_column(leads, "created_on", "evaluate with a capacity and no priority")
        array = dates.array
        if not hasattr(array, "asi8"):
            array = pd.to_datetime(dates).array
        key = array.asi8[sqo_rows]
        key = np.where(key == np.iinfo(np.int64).min, np.iinfo(np.int64).max, key)  # NaT last
    return sqo_rows[np.argsort(key, kind="stable")]


def evaluate(
    leads: pd.DataFrame,
    is_sqo: pd.Series | np.ndarray,
    capacity_hours: float | None = None,
    priority: pd.Series | np.ndarray | None = None,
) -> Outcome:
    """Work the SQOs (all of them, or as many as ``capacity_hours`` allows) and count the results.

    ``is_sqo`` is a boolean Series on the leads' index (or a boolean array, one per lead). With a
    capacity, SQOs are worked by ``priority`` descending (else by ``created_on``) and the team stops
    at the first SQO that does not fit in the hours left; see the module docstring.
    """
    codes = outcome_codes(leads, "evaluate")
    sqo = as_selection(leads, is_sqo)
    if capacity_hours is not None:
        if not is_number(capacity_hours):
            raise ValueError(f"capacity_hours must be a number or None, got {capacity_hours!r}.")
        if not capacity_hours >= 0:  # also rejects NaN
            raise ValueError(f"capacity_hours must be >= 0, got {capacity_hours!r}.")
    deal = float_column(leads, "deal_value_eur", "evaluate")
    hours = float_column(leads, "sales_hours", "evaluate")
    winnable_mask = codes == WON
    n_sqo = int(np.count_nonzero(sqo))

    if capacity_hours is None:
        worked = sqo
        hours_spent = float(hours[worked].sum())
    else:
        order = _work_order(leads, np.flatnonzero(sqo), priority)
        spent = np.cumsum(hours[order])
        over = spent > capacity_hours
        n_fit = int(over.argmax()) if over.any() else len(order)
        worked = np.zeros(len(leads), dtype=bool)
        worked[order[:n_fit]] = True
        hours_spent = float(spent[n_fit - 1]) if n_fit else 0.0

    worked_won = worked & winnable_mask
    n_worked = int(np.count_nonzero(worked))
    won = int(np.count_nonzero(worked_won))
    lost = int(np.count_nonzero(worked & (codes == LOST_COMPETITOR)))
    winnable = int(np.count_nonzero(winnable_mask))
    revenue_won = float(deal[worked_won].sum())
    revenue_missed = float(deal[winnable_mask & ~worked].sum())
    wasted = float(hours[worked & ~winnable_mask].sum())
    return Outcome(
        n_leads=len(leads),
        n_sqo=n_sqo,
        n_worked=n_worked,
        won=won,
        lost_competitor=lost,
        no_decision=n_worked - won - lost,
        winnable=winnable,
        missed=winnable - won,
        win_rate=_nan_div(won, n_worked),
        capture_rate=_nan_div(won, winnable),
        revenue_won_eur=revenue_won,
        revenue_missed_eur=revenue_missed,
        hours_spent=hours_spent,
        wasted_hours=min(wasted, hours_spent),
        revenue_per_hour_eur=_nan_div(revenue_won, hours_spent),
        capacity_hours=None if capacity_hours is None else float(capacity_hours),
    )
