"""A transparent lead score from 0 to 100: weighted parts, each scored 0..1.

========== ======= ====================================================================
part       weight  part score (0..1)
========== ======= ====================================================================
fit          25    fit_score / 100
engagement   25    engagement_score / 100
budget       10    min(1, budget_eur / deal_value_eur); unknown 0.5
authority    15    user 0.2, influencer 0.6, decision_maker 1.0; unknown 0.3
need         15    none 0, latent 0.5, confirmed 1.0; unknown 0.3
timeline     10    1 up to 3 months, falling linearly to 0 at 12 months; unknown 0.4
========== ======= ====================================================================

``lead_score = sum(weight x part) / sum(weights) x 100``: weights are rescaled to sum to 100, so
``{"fit": 1, "need": 1}`` means half fit, half need. The constants below are what the book shows.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from sqolab.data.schema import AUTHORITY_DTYPE, NEED_DTYPE
from sqolab.engine.columns import category_codes, float_column

DEFAULT_WEIGHTS: dict[str, float] = {
    "fit": 25.0,
    "engagement": 25.0,
    "budget": 10.0,
    "authority": 15.0,
    "need": 15.0,
    "timeline": 10.0,
}
"""Points out of 100 per part."""

AUTHORITY_PARTS: dict[str, float] = {
    "unknown": 0.3,
    "user": 0.2,
    "influencer": 0.6,
    "decision_maker": 1.0,
}
NEED_PARTS: dict[str, float] = {"unknown": 0.3, "none": 0.0, "latent": 0.5, "confirmed": 1.0}
BUDGET_UNKNOWN_PART = 0.5
TIMELINE_FULL_MONTHS = 3.0  # part 1 up to here ...
TIMELINE_ZERO_MONTHS = 12.0  # ... falling linearly to 0 here
TIMELINE_UNKNOWN_PART = 0.4


def _level_table(parts: dict[str, float], dtype: pd.CategoricalDtype) -> np.ndarray:
    """Part score by category code, plus a last slot so that code -1 (missing) = unknown."""
    values = [parts[c] for c in dtype.categories]
    return np.array([*values, parts["unknown"]], dtype=np.float64)


_AUTHORITY_TABLE = _level_table(AUTHORITY_PARTS, AUTHORITY_DTYPE)
_NEED_TABLE = _level_table(NEED_PARTS, NEED_DTYPE)


def _check_weights(weights: dict[str, float] | None) -> dict[str, float]:
    if weights is None:
        weights = DEFAULT_WEIGHTS
    if not isinstance(weights, dict):
        raise ValueError(f"weights must be a dict of part -> weight, got {type(weights).__name__}.")
    unknown = [k for k in weights if k not in DEFAULT_WEIGHTS]
    if unknown:
        raise ValueError(
            f"Unknown weight keys {unknown}; use some of: {', '.join(DEFAULT_WEIGHTS)}."
        )
    clean = {}
    for key, value in weights.items():
        if (
            not isinstance(value, numbers.Real)
            or isinstance(value, bool | np.bool_)
            or math.isnan(value)
            or math.isinf(value)
        ):
            raise ValueError(f"Weight of {key!r} must be a finite number, got {value!r}.")
        if value < 0:
            raise ValueError(f"Weight of {key!r} must be >= 0, got {value!r}.")
        clean[key] = float(value)
    total = sum(clean.values())
    if total <= 0:
        raise ValueError("At least one weight must be > 0 (all weights are zero).")
    return {k: 100.0 * clean.get(k, 0.0) / total for k in DEFAULT_WEIGHTS}


def lead_score(leads: pd.DataFrame, weights: dict[str, float] | None = None) -> pd.Series:
    """Score each lead 0..100 (float Series ``lead_score`` on the leads' index).

    ``weights`` maps some of the parts to weights (missing parts get 0); they are rescaled to sum
    to 100. Only the columns of parts with a weight > 0 are read.
    """
    w = _check_weights(weights)
    what = "lead_score"
    total = np.zeros(len(leads), dtype=np.float64)
    if w["fit"]:
        total += w["fit"] / 100.0 * float_column(leads, "fit_score", what)
    if w["engagement"]:
        total += w["engagement"] / 100.0 * float_column(leads, "engagement_score", what)
    if w["budget"]:
        budget = float_column(leads, "budget_eur", what)
        deal = float_column(leads, "deal_value_eur", what)
        with np.errstate(divide="ignore", invalid="ignore"):
            part = np.minimum(1.0, budget / deal)
        total += w["budget"] * np.where(np.isnan(part), BUDGET_UNKNOWN_PART, part)
    if w["authority"]:
        codes = category_codes(leads, "authority", AUTHORITY_DTYPE, what)
        total += w["authority"] * _AUTHORITY_TABLE[codes]
    if w["need"]:
        codes = category_codes(leads, "need", NEED_DTYPE, what)
        total += w["need"] * _NEED_TABLE[codes]
    if w["timeline"]:
        months = float_column(leads, "timeline_months", what)
        span = TIMELINE_ZERO_MONTHS - TIMELINE_FULL_MONTHS
        part = np.clip((TIMELINE_ZERO_MONTHS - months) / span, 0.0, 1.0)
        total += w["timeline"] * np.where(np.isnan(months), TIMELINE_UNKNOWN_PART, part)
    np.clip(total, 0.0, 100.0, out=total)  # guards rounding just above 100
    return pd.Series(total, index=leads.index, name="lead_score", copy=False)
