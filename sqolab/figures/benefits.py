"""Figures and tables of chapter 2 (Benefits): efficiency, marketing alignment, forecasts."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from sqolab.data.contexts import PROFILES
from sqolab.data.samples import load_sample
from sqolab.data.schema import CONTEXTS
from sqolab.engine.criteria import preset, qualify
from sqolab.engine.forecasts import PIPELINES, forecast_error, forecast_summary
from sqolab.engine.outcomes import evaluate
from sqolab.figures.style import ROLE, label, new_figure, percent_axis

ALL_LEADS, SQOS_ONLY = PIPELINES  # "all leads", "SQOs only": the same names as the forecasts

# Hatches so that the two pipelines differ without colour.
_LOOK = {
    ALL_LEADS: {"color": ROLE["not_sqo"], "hatch": "//", "linestyle": "--"},
    SQOS_ONLY: {"color": ROLE["sqo"], "hatch": "", "linestyle": "-"},
}


def efficiency_table(contexts: Iterable[str] = CONTEXTS) -> pd.DataFrame:
    """Per context and pipeline: win rate and revenue per sales hour, all leads vs SQOs.

    SQOs are qualified with the context's own framework (``PROFILES[context].framework``);
    "all leads" works every lead. Columns: ``context, framework, pipeline, leads_worked, won,
    win_rate, hours_spent, revenue_won_eur, revenue_per_hour_eur``.
    """
    rows = []
    for context in contexts:
        leads = load_sample(context)
        fw = PROFILES[context].framework
        policies = {
            ALL_LEADS: np.ones(len(leads), dtype=bool),
            SQOS_ONLY: qualify(leads, preset(fw, context)).to_numpy(),
        }
        for pipeline, selected in policies.items():
            result = evaluate(leads, selected)
            rows.append(
                {
                    "context": context,
                    "framework": fw,
                    "pipeline": pipeline,
                    "leads_worked": result.n_worked,
                    "won": result.won,
                    "win_rate": result.win_rate,
                    "hours_spent": result.hours_spent,
                    "revenue_won_eur": result.revenue_won_eur,
                    "revenue_per_hour_eur": result.revenue_per_hour_eur,
                }
            )
    return pd.DataFrame(rows)


def _grouped_bars(ax: object, table: pd.DataFrame, column: str) -> None:
    """Bars of ``column`` per context, one bar per pipeline, labelled with their values."""
    contexts = list(dict.fromkeys(table["context"]))
    x = np.arange(len(contexts))
    width = 0.38
    for i, pipeline in enumerate(PIPELINES):
        part = table[table["pipeline"] == pipeline].set_index("context").reindex(contexts)
        look = _LOOK[pipeline]
        bars = ax.bar(
            x + (i - 0.5) * width,
            part[column].to_numpy(dtype=float),
            width,
            color=look["color"],
            hatch=look["hatch"],
            edgecolor="white",
            label=pipeline,
        )
        fmt = "{:.0%}" if column == "win_rate" else "{:,.0f}"
        ax.bar_label(bars, labels=[fmt.format(v) for v in part[column]], fontsize=8, padding=2)
    ax.set_xticks(x, contexts)


def efficiency_figure(table: pd.DataFrame) -> Figure:
    """Two panels: win rate and revenue per sales hour, all leads vs SQOs, per context."""
    fig, (left, right) = new_figure(9.0, 3.8, 1, 2)
    _grouped_bars(left, table, "win_rate")
    label(left, "context", "win rate [% of leads worked]", "Win rate", category="x")
    percent_axis(left)
    _grouped_bars(right, table, "revenue_per_hour_eur")
    label(
        right, "context", "revenue per sales hour [EUR/h]", "Revenue per sales hour", category="x"
    )
    right.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    left.legend(loc="upper left")
    for ax in (left, right):
        ax.margins(y=0.15)
    return fig


def cheapest_per_lead(report: pd.DataFrame) -> pd.Series:
    """The row of a :func:`~sqolab.engine.reports.campaign_report` with the lowest cost per lead."""
    return report.loc[report["cost_per_lead_eur"].idxmin()]


def campaign_figure(report: pd.DataFrame, context: str = "startup") -> Figure:
    """Cost per lead and cost per SQO of each campaign, in the order of cost per lead.

    The campaign that is cheapest per lead is drawn hatched and marked in both panels, so the
    reader sees where it lands on cost per SQO.
    """
    order = report.sort_values("cost_per_lead_eur", ascending=False).reset_index(drop=True)
    cheapest = cheapest_per_lead(report)["campaign"]
    y = np.arange(len(order))
    fig, (left, right) = new_figure(10.0, 0.42 * len(order) + 1.6, 1, 2, sharey=True)
    for ax, column, role, title, unit in (
        (left, "cost_per_lead_eur", "not_sqo", "Cost per lead", "spend per lead"),
        (right, "cost_per_sqo_eur", "sqo", "Cost per SQO", "spend per SQO"),
    ):
        is_cheapest = (order["campaign"] == cheapest).to_numpy()
        colours = np.where(is_cheapest, ROLE["accent"], ROLE[role]).tolist()
        hatches = ["xx" if c else "" for c in is_cheapest]
        values = order[column].to_numpy(dtype=float)
        bars = ax.barh(y, values, color=colours, hatch=hatches, edgecolor="white")
        rank = "rank_per_lead" if column == "cost_per_lead_eur" else "rank_per_sqo"
        ax.bar_label(
            bars,
            labels=[f"{v:,.0f} (#{r})" for v, r in zip(values, order[rank], strict=True)],
            fontsize=8,
            padding=2,
        )
        label(ax, f"{unit} [EUR]", "campaign", f"{title} (#1 = cheapest)", category="y")
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.margins(x=0.25)
    left.set_yticks(y, order["campaign"].tolist())
    right.set_ylabel("")
    fig.suptitle(f"Campaigns of the {context} sample: hatched = cheapest per lead", fontsize=11)
    return fig


SETTINGS = ("swinging mix", "steady mix", "few deals")
"""The settings of :func:`forecast_scenarios`, in order."""


def forecast_scenarios(
    leads: pd.DataFrame,
    is_sqo: pd.Series,
    few_deals: int = 150,
    steady_mix: float = 1000.0,
    n_quarters: int = 500,
) -> pd.DataFrame:
    """Forecast error with and without SQO gating in three settings (:data:`SETTINGS`).

    ``swinging mix`` is the default quarter simulation (the campaign mix changes from quarter to
    quarter); ``steady mix`` sets ``mix_concentration=steady_mix`` (almost the same mix every
    quarter); ``few deals`` keeps the swinging mix but draws only ``few_deals`` leads a quarter.
    One row per setting and pipeline: ``setting, pipeline, leads_per_quarter, mean_deals`` and the
    columns of :func:`~sqolab.engine.forecasts.forecast_summary`.
    """
    default_size = max(1, len(leads) // 4)
    kwargs = {
        "swinging mix": {"quarter_size": default_size},
        "steady mix": {"quarter_size": default_size, "mix_concentration": steady_mix},
        "few deals": {"quarter_size": few_deals},
    }
    frames = []
    for setting in SETTINGS:
        errors = forecast_error(leads, is_sqo, n_quarters=n_quarters, **kwargs[setting])
        summary = forecast_summary(errors).reset_index()
        summary.insert(0, "setting", setting)
        summary.insert(2, "leads_per_quarter", kwargs[setting]["quarter_size"])
        deals = errors.groupby("pipeline", sort=False)["n_deals"].mean()
        summary.insert(3, "mean_deals", summary["pipeline"].map(deals).to_numpy())
        frames.append(summary)
    return pd.concat(frames, ignore_index=True)


def forecast_error_figure(errors: pd.DataFrame, bins: int = 30) -> Figure:
    """Distribution of the forecast error per quarter, all leads vs SQOs only (step histograms)."""
    fig, ax = new_figure(7.5, 4.0)
    values = errors["error_pct"].dropna()
    low, high = np.percentile(values, [0.5, 99.5]) if len(values) else (-1.0, 1.0)
    edges = np.linspace(low, high, bins + 1)
    for pipeline in PIPELINES:
        part = errors.loc[errors["pipeline"] == pipeline, "error_pct"].dropna()
        if part.empty:
            continue
        look = _LOOK[pipeline]
        weights = np.full(len(part), 1 / len(part))
        ax.hist(
            part.clip(low, high),
            bins=edges,
            weights=weights,
            histtype="step",
            color=look["color"],
            linestyle=look["linestyle"],
            linewidth=2,
            label=pipeline,
        )
    ax.axvspan(-10, 10, color=ROLE["won"], alpha=0.12, label="within ±10%")
    ax.axvline(0, color=ROLE["current"], linewidth=1)
    label(
        ax,
        "forecast error [% of actual revenue]",
        "quarters [% of simulated quarters]",
        "Forecast error per quarter",
    )
    percent_axis(ax)
    ax.legend(loc="upper right")
    return fig
