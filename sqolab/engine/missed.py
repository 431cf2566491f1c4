"""Missed opportunities: the winners a policy turns away, and the criteria that cut them.

Only simulated data knows how a disqualified lead would have ended (its ``outcome``), which is what
lets these tables count missed opportunities. A *missed winner* (excluded winner) is a lead that
would have been won if pursued but is not an SQO.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sqolab.engine.criteria import CRITERION_COLUMNS, Criteria, criteria_met, qualify
from sqolab.engine.formatting import show_value
from sqolab.engine.outcomes import won_mask
from sqolab.engine.selection import as_selection

COLUMN_TITLES: dict[str, str] = {
    "budget": "budget [EUR]",
    "authority": "authority",
    "need": "need",
    "timeline": "timeline [months]",
    "engagement": "engagement [points]",
    "fit": "fit [points]",
}
"""Column titles (with units) of the per-lead tables, by criterion."""


def excluded_mask(leads: pd.DataFrame, is_sqo: pd.Series | np.ndarray) -> np.ndarray:
    """True for the leads that would have been won but are not SQOs."""
    return won_mask(leads) & ~as_selection(leads, is_sqo)


def largest_deals_first(leads: pd.DataFrame) -> np.ndarray:
    """Row positions of the leads, largest deal first (ties: lead id, then row order)."""
    deal = leads["deal_value_eur"].to_numpy(dtype=float)
    ids = leads["lead_id"].astype(str).to_numpy()
    return np.lexsort((ids, -deal))


def largest_excluded(order: np.ndarray, excluded: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` positions of ``order`` (:func:`largest_deals_first`) that are excluded."""
    return order[excluded[order]][:n]


def failed_criteria(met: pd.DataFrame, rows: np.ndarray | None = None) -> list[str]:
    """Per lead (``rows``: positions; all by default), the criteria it fails, comma-separated."""
    names = np.array(met.columns, dtype=object)
    failed = ~met.to_numpy()
    if rows is not None:
        failed = failed[rows]
    return [", ".join(names[row]) for row in failed]


def excluded_winners(leads: pd.DataFrame, criteria: Criteria, n: int = 5) -> pd.DataFrame:
    """The ``n`` largest deals that would have been won but are not SQOs, and what cut each.

    One row per lead (index: lead id, largest deal first): company, deal value, the values of the
    applied criteria (``unknown`` where missing) and ``cut by``, the criteria the lead fails.
    """
    met = criteria_met(leads, criteria)
    excluded = excluded_mask(leads, qualify(leads, criteria))
    positions = largest_excluded(largest_deals_first(leads), excluded, n)
    rows = leads.iloc[positions]
    table = pd.DataFrame(
        {
            "lead": rows["lead_id"].astype(str),
            "company": rows["company"].astype(str),
            "deal value [EUR]": [f"{v:,.0f}" for v in rows["deal_value_eur"]],
        },
        index=rows.index,
    )
    for name in criteria.applied:
        column = rows[CRITERION_COLUMNS[name]]
        table[COLUMN_TITLES[name]] = [show_value(v) for v in column.astype(object)]
    table["cut by"] = failed_criteria(met, positions)
    return table.set_index("lead")


def cut_counts(
    leads: pd.DataFrame,
    criteria: Criteria,
    *,
    met: pd.DataFrame | None = None,
    is_sqo: pd.Series | np.ndarray | None = None,
) -> pd.DataFrame:
    """Per applied criterion: the excluded winners that fail it, fail only it, and their revenue.

    ``met`` (:func:`criteria_met`) and ``is_sqo`` (:func:`qualify`) of ``criteria`` may be passed
    when already computed (the labs do, to stay fast).
    """
    met = criteria_met(leads, criteria) if met is None else met
    excluded = excluded_mask(leads, qualify(leads, criteria) if is_sqo is None else is_sqo)
    failed = ~met.to_numpy()[excluded]
    deal = leads["deal_value_eur"].to_numpy(dtype=float)[excluded]
    only = failed & (failed.sum(axis=1) == 1)[:, None]
    return pd.DataFrame(
        {
            "excluded_winners": failed.sum(axis=0).astype(np.int64),
            "only_this_criterion": only.sum(axis=0).astype(np.int64),
            "revenue_eur": (failed * deal[:, None]).sum(axis=0),
        },
        index=pd.Index(met.columns, name="criterion"),
    )
