"""The next quarter of turned-away leads: who comes back, readier, and how the deal then ends.

The samples cover one year. A lead that sales did not work this year (nurtured or disqualified) may
come back next quarter. This module simulates that quarter for a chosen set of leads:

1. **Who returns.** A lead with a real need (latent or confirmed) returns with chance 35% when it
   was nurtured and 10% when it was dropped (some buyers come back by themselves); a lead without a
   known need returns with chance 3% either way.
2. **Readier.** A quarter has passed: a known timeline is 3 months shorter (at least half a month);
   an unknown timeline becomes known with chance 50% (nurtured) or 30%; an unknown budget is set
   with chance 50% (nurtured) or 30% (the deal value times ``exp(0.5 e - 0.15)``, like step 5 of the
   samples); a latent need becomes confirmed with chance 30% (nurtured) or 15%; nurture content
   adds 8 engagement points, silence costs 5.
3. **Meanwhile** other vendors found the buyer too: each returning lead gains ``Poisson(0.3)``
   competitors.
4. **The outcome** if worked next quarter is drawn again from the samples' win model (step 8 of the
   data dictionary) with the new values and a fresh hidden part.

Every chance above is a **course assumption**, not a published figure: no traceable study of
nurture return rates was found. ``tests/test_nurture.py`` checks each rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sqolab.data.contexts import profile
from sqolab.data.generator import WIN_MODEL, seen_logit
from sqolab.data.schema import AUTHORITY_DTYPE, CONTEXTS, NEED_DTYPE, OUTCOME_DTYPE
from sqolab.data.worlds import DEFAULT_WORLD, World

RETURN_CHANCE = {"nurtured": 0.35, "dropped": 0.10, "no need": 0.03}
"""Chance to come back next quarter (course assumptions)."""
REVEAL_CHANCE = {"nurtured": 0.5, "dropped": 0.3}
"""Chance that an unknown timeline or budget is known by next quarter."""
CONFIRM_CHANCE = {"nurtured": 0.3, "dropped": 0.15}
"""Chance that a latent need has become confirmed."""
ENGAGEMENT_SHIFT = {"nurtured": 8, "dropped": -5}
NEW_COMPETITORS = 0.3
QUARTER_MONTHS = 3.0


def next_quarter(
    leads: pd.DataFrame,
    context: str,
    nurtured: pd.Series | np.ndarray,
    seed: int = 0,
    world: World | None = None,
) -> pd.DataFrame:
    """The leads of ``leads`` that come back next quarter, with their new values and outcome.

    ``nurtured`` is True for the leads that were nurtured (False: dropped). Returns the returning
    rows (same columns, same index labels) plus ``nurtured`` (bool).
    """
    if context not in CONTEXTS:
        raise ValueError(f"Unknown context {context!r}; use one of {', '.join(CONTEXTS)}.")
    world = DEFAULT_WORLD if world is None else world
    care = np.asarray(nurtured, dtype=bool)
    if care.shape != (len(leads),):
        raise ValueError(f"nurtured must have one value per lead ({len(leads)}), got {care.shape}.")
    prof = profile(context)
    rng = np.random.default_rng([seed, CONTEXTS.index(context), 31])
    n = len(leads)

    need = leads["need"].astype(NEED_DTYPE).cat.codes.to_numpy().astype(np.int8)
    real_need = need >= 2  # latent or confirmed
    chance = np.where(
        real_need,
        np.where(care, RETURN_CHANCE["nurtured"], RETURN_CHANCE["dropped"]),
        RETURN_CHANCE["no need"],
    )
    back = rng.random(n) < chance

    def by_kind(table: dict[str, float]) -> np.ndarray:
        return np.where(care, table["nurtured"], table["dropped"])

    timeline = leads["timeline_months"].to_numpy(dtype=float).copy()
    known = ~np.isnan(timeline)
    timeline[known] = np.maximum(0.5, timeline[known] - QUARTER_MONTHS)
    appear = ~known & (rng.random(n) < by_kind(REVEAL_CHANCE))
    fresh = prof.cycle_months * np.exp(0.7 * rng.standard_normal(n))
    timeline[appear] = np.maximum(0.5, np.round(fresh[appear] * 2) / 2)

    deal = leads["deal_value_eur"].to_numpy(dtype=float)
    budget = leads["budget_eur"].to_numpy(dtype=float).copy()
    set_now = np.isnan(budget) & (rng.random(n) < by_kind(REVEAL_CHANCE))
    new_budget = np.round(deal * np.exp(0.5 * rng.standard_normal(n) - 0.15) / 500) * 500
    budget[set_now] = new_budget[set_now]

    confirm = (need == 2) & (rng.random(n) < by_kind(CONFIRM_CHANCE))
    need = np.where(confirm, 3, need).astype(np.int8)
    engagement = np.clip(
        leads["engagement_score"].to_numpy() + by_kind(ENGAGEMENT_SHIFT), 0, 100
    ).astype(np.int64)
    competitors = leads["competitors"].to_numpy() + rng.poisson(NEW_COMPETITORS, n)
    authority = leads["authority"].astype(AUTHORITY_DTYPE).cat.codes.to_numpy().astype(np.int8)
    referral = (leads["source"].astype("string") == "referral").fillna(False).to_numpy()
    fit = leads["fit_score"].to_numpy(dtype=float)

    m = WIN_MODEL
    logit = seen_logit(
        context, fit, engagement, authority, need, timeline, budget, deal, referral, competitors,
        world,
    ) + m.hidden * rng.standard_normal(n)  # fmt: skip
    won = rng.random(n) < 1 / (1 + np.exp(-logit))
    to_competitor = rng.random(n) < 1 - np.exp(-m.competitor_loss * competitors)
    outcome = np.where(won, 0, np.where(to_competitor, 1, 2)).astype(np.int8)

    out = leads.copy()
    out["timeline_months"] = timeline
    out["budget_eur"] = budget
    out["need"] = pd.Categorical.from_codes(need, dtype=NEED_DTYPE)
    out["engagement_score"] = engagement
    out["competitors"] = competitors.astype(np.int64)
    out["outcome"] = pd.Categorical.from_codes(outcome, dtype=OUTCOME_DTYPE)
    out["nurtured"] = care
    return out[back]
