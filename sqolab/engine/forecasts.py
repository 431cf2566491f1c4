"""Stage-weighted revenue forecasts with and without SQO gating (the forecasting benefit).

A stage-weighted forecast is the sum over the pipeline of deal value x stage probability. Without
gating, every lead that reached sales sits in the pipeline at the historical win rate of all leads;
with gating, only SQOs do, at the historical win rate of SQOs. Quarters differ in their lead mix
(campaigns start and stop, a cheap campaign floods the funnel), and a pipeline that mixes good and
poor leads converts at a rate that swings with that mix. Gating keeps the pipeline's quality
steadier, which is why SQO-based forecasts miss by less.

Quarters are simulated by resampling the leads: each quarter draws its campaign mix from a Dirichlet
distribution centred on the sample's mix, then draws its leads from those campaigns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sqolab.engine.outcomes import require_outcome
from sqolab.engine.selection import as_selection

PIPELINES = ("all leads", "SQOs only")


def _campaign_groups(leads: pd.DataFrame) -> np.ndarray:
    """Integer group per lead: its campaign (a missing campaign is a group of its own)."""
    if "campaign" not in leads.columns:
        return np.zeros(len(leads), dtype=np.int64)
    names = leads["campaign"].astype("string").fillna("(none)")
    return pd.factorize(names)[0]


def _quarter_draws(
    groups: np.ndarray, n_quarters: int, size: int, mix_concentration: float, seed: int
) -> np.ndarray:
    """Row positions of the leads of each simulated quarter, shape (n_quarters, size)."""
    rng = np.random.default_rng(seed)
    order = np.argsort(groups, kind="stable")
    counts = np.bincount(groups)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    share = counts / counts.sum()
    weights = rng.dirichlet(mix_concentration * share, size=n_quarters)  # (Q, G)
    cum = np.cumsum(weights, axis=1)
    cum[:, -1] = 1.0
    # One searchsorted for all quarters: offset quarter q's cumulative weights and draws by q.
    offset = np.arange(n_quarters)[:, None]
    u = rng.random((n_quarters, size)) + offset
    flat = np.searchsorted((cum + offset).ravel(), u.ravel(), side="right").reshape(u.shape)
    group = np.minimum(flat - offset * len(counts), len(counts) - 1)
    within = (rng.random((n_quarters, size)) * counts[group]).astype(np.int64)
    return order[starts[group] + within]


def forecast_error(
    leads: pd.DataFrame,
    is_sqo: pd.Series | np.ndarray,
    n_quarters: int = 500,
    quarter_size: int | None = None,
    mix_concentration: float = 5.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Forecast error per simulated quarter for the pipeline of all leads and of SQOs only.

    Returns one row per quarter and pipeline: ``quarter, pipeline, n_deals, forecast_eur,
    actual_eur, error_pct`` where ``error_pct = 100 * (forecast - actual) / actual`` (NaN when
    nothing was won). ``quarter_size`` defaults to a quarter of the leads; a smaller
    ``mix_concentration`` makes quarters differ more in their campaign mix.
    """
    require_outcome(leads, "forecast_error")
    sqo = as_selection(leads, is_sqo)
    if n_quarters < 1:
        raise ValueError(f"n_quarters must be at least 1, got {n_quarters}.")
    if mix_concentration <= 0:
        raise ValueError(f"mix_concentration must be > 0, got {mix_concentration}.")
    if len(leads) == 0:
        raise ValueError("forecast_error needs at least one lead.")
    size = max(1, len(leads) // 4) if quarter_size is None else int(quarter_size)
    if size < 1:
        raise ValueError(f"quarter_size must be at least 1, got {quarter_size}.")

    value = leads["deal_value_eur"].to_numpy(dtype=float)
    won = (leads["outcome"] == "won").to_numpy()
    won_value = np.where(won, value, 0.0)
    draws = _quarter_draws(_campaign_groups(leads), n_quarters, size, mix_concentration, seed)

    frames = []
    for name, member in zip(PIPELINES, (np.ones(len(leads), dtype=bool), sqo), strict=True):
        in_pipe = member[draws]
        total = value.sum(where=member)
        # Stage probability: the historical value-weighted win rate of this pipeline's leads.
        probability = won_value.sum(where=member) / total if total > 0 else np.nan
        forecast = probability * np.where(in_pipe, value[draws], 0.0).sum(axis=1)
        actual = np.where(in_pipe, won_value[draws], 0.0).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            error = np.where(actual > 0, 100 * (forecast - actual) / actual, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "quarter": np.arange(1, n_quarters + 1),
                    "pipeline": name,
                    "n_deals": in_pipe.sum(axis=1),
                    "forecast_eur": forecast,
                    "actual_eur": actual,
                    "error_pct": error,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def forecast_summary(errors: pd.DataFrame) -> pd.DataFrame:
    """Per pipeline: mean absolute error, the 10th/90th percentile error, and share within 10%."""
    grouped = errors.groupby("pipeline", sort=False)["error_pct"]
    summary = pd.DataFrame(
        {
            "mean_abs_error_pct": grouped.apply(lambda e: e.abs().mean()),
            "p10_error_pct": grouped.quantile(0.1),
            "p90_error_pct": grouped.quantile(0.9),
            "share_within_10pct": grouped.apply(lambda e: (e.abs() <= 10).mean()),
            "quarters": grouped.size(),
        }
    )
    return summary.reindex([p for p in PIPELINES if p in summary.index])
