"""The value of nurturing turned-away leads instead of dropping them, measured next quarter."""

from __future__ import annotations

import pandas as pd

from sqolab.data.contexts import profile
from sqolab.data.nurture import next_quarter
from sqolab.engine.criteria import Criteria
from sqolab.engine.reasons import nurture_candidates


def nurture_value(
    leads: pd.DataFrame, criteria: Criteria, context: str, seed: int = 0
) -> pd.DataFrame:
    """Next quarter's result of nurturing the nurture candidates that ``criteria`` turn away,
    against dropping them (see :func:`sqolab.engine.reasons.nurture_candidates`).

    One row per choice ("nurture", "drop"): candidates, leads that come back, of those won if
    worked, and their revenue (EUR). Both rows use the same seed, so they differ only by the choice.
    """
    candidates = nurture_candidates(leads, criteria, profile(context).cycle_months)
    pool = leads[candidates]
    rows = []
    for choice, care in (("nurture", True), ("drop", False)):
        back = next_quarter(pool, context, pd.Series(care, index=pool.index), seed=seed)
        won = back["outcome"] == "won"
        rows.append(
            {
                "choice": choice,
                "candidates": len(pool),
                "come back": len(back),
                "won next quarter": int(won.sum()),
                "revenue next quarter (EUR)": float(back.loc[won, "deal_value_eur"].sum()),
            }
        )
    return pd.DataFrame(rows).set_index("choice")
