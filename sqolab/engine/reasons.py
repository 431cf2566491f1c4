"""Why a lead was turned away: reason codes per lead and per campaign (marketing's feedback loop).

A lead that is not an SQO gets the reason code of the first criterion it fails on a known value, in
the order a discovery call usually settles them: need, authority, budget, timeline, fit, engagement;
a lead that fails only on unknown values gets ``unconfirmed`` (unknown is not no). The codes
are those of :data:`sqolab.engine.discovery.REASON_CODES` (engagement, which a call does not test,
becomes ``not_now``: the buyer is not active yet). Counted per campaign, they tell marketing *why* a
campaign's leads are rejected, not only how many.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sqolab.engine.criteria import CRITERION_COLUMNS, Criteria, criteria_met, qualify
from sqolab.engine.discovery import REASON_CODES

REASON_OF_CRITERION: dict[str, str] = {
    "need": "no_need",
    "authority": "no_authority",
    "budget": "no_budget",
    "timeline": "not_now",
    "fit": "poor_fit",
    "engagement": "not_now",
}
"""The reason code a failed criterion gives, in the order they are checked."""


def _unknown(leads: pd.DataFrame, name: str) -> np.ndarray:
    """True where the lead's value for criterion ``name`` is unknown."""
    column = CRITERION_COLUMNS[name]
    if name in ("authority", "need"):
        return (leads[column].astype("string") == "unknown").fillna(True).to_numpy(dtype=bool)
    return leads[column].isna().to_numpy()


def rejection_reasons(leads: pd.DataFrame, criteria: Criteria) -> pd.Series:
    """Per lead, the reason code it was turned away for (``<NA>`` for SQOs).

    A Categorical Series on the leads' index named ``reason``, with the categories of
    :data:`~sqolab.engine.discovery.REASON_CODES`.
    """
    met = criteria_met(leads, criteria)
    rejected = ~qualify(leads, criteria).to_numpy()
    codes = np.full(len(leads), None, dtype=object)
    unconfirmed = np.zeros(len(leads), dtype=bool)
    for name, reason in reversed(REASON_OF_CRITERION.items()):  # the first failed one wins
        if name not in met.columns:
            continue
        failed = ~met[name].to_numpy() & rejected
        unknown = _unknown(leads, name)
        codes[failed & ~unknown] = reason
        unconfirmed |= failed & unknown
    codes[unconfirmed & (codes == None)] = "unconfirmed"  # noqa: E711 (elementwise)
    return pd.Series(
        pd.Categorical(codes, categories=list(REASON_CODES)), index=leads.index, name="reason"
    )


def reasons_by_campaign(leads: pd.DataFrame, criteria: Criteria) -> pd.DataFrame:
    """Rejected leads per campaign and reason code (columns), with the total and top reason."""
    if "campaign" not in leads.columns:
        raise ValueError("The leads have no campaign column; reasons by campaign need one.")
    reasons = rejection_reasons(leads, criteria)
    table = pd.crosstab(leads["campaign"].astype("string"), reasons, dropna=True)
    table = table.reindex(columns=[c for c in REASON_CODES if c in table.columns], fill_value=0)
    table = table.loc[:, table.sum() > 0]
    table.insert(0, "rejected", table.sum(axis=1))
    used = table.drop(columns="rejected")
    table["top reason"] = used.idxmax(axis=1).where(table["rejected"] > 0)
    table.index.name = "campaign"
    table.columns.name = None
    return table.sort_values("rejected", ascending=False, kind="stable")


def nurture_candidates(leads: pd.DataFrame, criteria: Criteria, cycle_months: float) -> pd.Series:
    """Rejected leads with a real need but no decision soon: candidates to nurture, not discard.

    True for leads that ``criteria`` turn away whose need is latent or confirmed and whose
    timeline is unknown or longer than twice the sales cycle (``cycle_months``).
    """
    rejected = ~qualify(leads, criteria)
    need = leads["need"].astype("string").isin(["latent", "confirmed"]).fillna(False)
    months = leads["timeline_months"]
    later = months.isna() | (months > 2 * cycle_months)
    return (rejected & need & later).rename("nurture")
