"""Reports for the marketing-alignment and competition lessons."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from sqolab.data.schema import LeadDataError, Problem
from sqolab.engine.outcomes import require_outcome, won_mask
from sqolab.engine.selection import as_selection


def _rate(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, NaN where the denominator is 0."""
    denominator = denominator.astype(float)
    return numerator / denominator.where(denominator > 0)


def campaign_report(
    leads: pd.DataFrame, campaigns: pd.DataFrame, is_sqo: pd.Series | np.ndarray
) -> pd.DataFrame:
    """Per campaign: leads, SQOs, won, cost per lead, cost per SQO and won revenue.

    One row per campaign of the ``campaigns`` table (campaign, channel, spend_eur), cheapest per SQO
    first, with ``rank_per_lead`` and ``rank_per_sqo`` (1 = cheapest) so the two rankings can be
    compared. ``won`` counts SQOs won and ``won_revenue_eur`` their value; both need the simulated
    ``outcome`` column and are left out when it is absent. Costs of campaigns without leads or
    SQOs are NaN. Leads whose campaign is missing from the table raise LeadDataError.
    """
    sqo = as_selection(leads, is_sqo)
    for column in ("campaign", "channel", "spend_eur"):
        if column not in campaigns.columns:
            raise LeadDataError(
                Problem(
                    column,
                    "is missing from the campaigns table.",
                    "give the campaigns table the columns campaign, channel, spend_eur.",
                )
            )
    names = leads["campaign"].astype("string")
    known = set(campaigns["campaign"].astype("string"))
    unknown = names[names.notna() & ~names.isin(known)]
    if len(unknown):
        rows = tuple(int(i) for i in np.flatnonzero(names.notna() & ~names.isin(known))[:5] + 2)
        raise LeadDataError(
            Problem(
                "campaign",
                f"{unknown.nunique()} campaign name(s) of the leads are not in the campaigns "
                f"table: {', '.join(sorted(unknown.unique())[:5])}.",
                "add these campaigns with their spend to the campaigns table, or correct the "
                "spelling in the leads.",
                rows=rows,
                values=tuple(str(v) for v in unknown.iloc[:5]),
            )
        )
    frame = pd.DataFrame({"campaign": names.to_numpy(), "sqo": sqo}, index=leads.index)
    has_outcome = "outcome" in leads.columns
    if has_outcome:
        won = (leads["outcome"] == "won").to_numpy() & sqo
        frame["won"] = won
        frame["won_revenue_eur"] = np.where(won, leads["deal_value_eur"].to_numpy(dtype=float), 0)
    counts = frame.groupby("campaign", observed=True).agg(
        leads=("sqo", "size"),
        sqos=("sqo", "sum"),
        **(
            {"won": ("won", "sum"), "won_revenue_eur": ("won_revenue_eur", "sum")}
            if has_outcome
            else {}
        ),
    )
    table = campaigns[["campaign", "channel", "spend_eur"]].copy()
    table["campaign"] = table["campaign"].astype("string")
    report = table.merge(counts, left_on="campaign", right_index=True, how="left")
    count_columns = ["leads", "sqos", *(["won"] if has_outcome else [])]
    report[count_columns] = report[count_columns].fillna(0).astype(np.int64)
    if has_outcome:
        report["won_revenue_eur"] = report["won_revenue_eur"].fillna(0.0)
    report["cost_per_lead_eur"] = _rate(report["spend_eur"], report["leads"])
    report["cost_per_sqo_eur"] = _rate(report["spend_eur"], report["sqos"])
    report["rank_per_lead"] = report["cost_per_lead_eur"].rank(method="min").astype("Int64")
    report["rank_per_sqo"] = report["cost_per_sqo_eur"].rank(method="min").astype("Int64")
    report = report.sort_values(["cost_per_sqo_eur", "cost_per_lead_eur"], na_position="last")
    return report.reset_index(drop=True)


def competition_effect(
    leads: pd.DataFrame, is_sqo: pd.Series | np.ndarray | None = None, max_competitors: int = 5
) -> pd.DataFrame:
    """Win rate by number of competitors (row ``max_competitors`` means that many or more).

    Columns: ``leads, won, win_rate, share_of_leads, mean_fit`` and, given ``is_sqo``, also
    ``sqos, sqo_won, sqo_win_rate, share_of_sqos``: the share of SQOs facing that many competitors,
    which shows that strict criteria select contested deals.
    """
    require_outcome(leads, "competition_effect")
    if max_competitors < 1:
        raise ValueError(f"max_competitors must be at least 1, got {max_competitors}.")
    competitors = np.minimum(leads["competitors"].to_numpy(dtype=np.int64), max_competitors)
    won = (leads["outcome"] == "won").to_numpy()
    bins = max_competitors + 1
    n = np.bincount(competitors, minlength=bins)
    table = pd.DataFrame(
        {
            "leads": n,
            "won": np.bincount(competitors, weights=won, minlength=bins).astype(np.int64),
        },
        index=pd.Index(np.arange(bins), name="competitors"),
    )
    table["win_rate"] = _rate(table["won"], table["leads"])
    table["share_of_leads"] = table["leads"] / len(leads) if len(leads) else np.nan
    fit_sum = np.bincount(competitors, weights=leads["fit_score"].to_numpy(float), minlength=bins)
    table["mean_fit"] = _rate(pd.Series(fit_sum, index=table.index), table["leads"])
    if is_sqo is not None:
        sqo = as_selection(leads, is_sqo)
        table["sqos"] = np.bincount(competitors, weights=sqo, minlength=bins).astype(np.int64)
        table["sqo_won"] = np.bincount(competitors, weights=sqo & won, minlength=bins).astype(
            np.int64
        )
        table["sqo_win_rate"] = _rate(table["sqo_won"], table["sqos"])
        n_sqo = int(sqo.sum())
        table["share_of_sqos"] = table["sqos"] / n_sqo if n_sqo else np.nan
    return table


FIT_BANDS: tuple[float, ...] = (0, 40, 50, 60, 70, 101)
"""Edges of the fit-score bands of :func:`competitors_by_fit` (last edge exclusive)."""

CONTESTED = 2
"""A deal is *contested* when at least this many competing vendors fight for it."""


def competitors_by_fit(leads: pd.DataFrame, bands: tuple[float, ...] = FIT_BANDS) -> pd.DataFrame:
    """Per fit-score band: leads, mean competitors, share with 2+ competitors, win rate."""
    fit = leads["fit_score"].to_numpy(dtype=float)
    band = np.digitize(fit, bands[1:-1])
    names = [f"{lo:g}-{hi - 1:g}" for lo, hi in pairwise(bands)]
    frame = pd.DataFrame(
        {
            "band": pd.Categorical.from_codes(band, names),
            "competitors": leads["competitors"].to_numpy(dtype=float),
            "contested": leads["competitors"].to_numpy() >= CONTESTED,
            "won": won_mask(leads),
        }
    )
    table = frame.groupby("band", observed=False).agg(
        leads=("won", "size"),
        mean_competitors=("competitors", "mean"),
        share_contested=("contested", "mean"),
        win_rate=("won", "mean"),
    )
    table.index.name = "fit band"
    return table


def contest_summary(leads: pd.DataFrame, is_sqo: pd.Series | np.ndarray) -> dict[str, float]:
    """Mean competitors and share of contested deals (2+ competitors), for all leads and SQOs."""
    sqo = as_selection(leads, is_sqo)
    competitors = leads["competitors"].to_numpy(dtype=float)
    contested = competitors >= CONTESTED
    return {
        "mean_competitors_all": float(competitors.mean()),
        "mean_competitors_sqo": float(competitors[sqo].mean()) if sqo.any() else np.nan,
        "contested_all": float(contested.mean()),
        "contested_sqo": float(contested[sqo].mean()) if sqo.any() else np.nan,
    }
