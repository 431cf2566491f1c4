"""Figures of the chapter on the drawbacks: missed opportunities, over-reliance on criteria,
increased competition (book/03_drawbacks.md).

The tables they draw are computed by the engine (:mod:`sqolab.engine.policies`,
:mod:`sqolab.engine.missed`, :mod:`sqolab.engine.reports`) on a simulated sample: only simulated
data knows how a disqualified lead would have ended, which is what lets them count missed
opportunities.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sqolab.figures.style import ROLE, euro_axis, label, new_figure, percent_axis

POLICY_DISPLAY: dict[str, tuple[str, str]] = {
    "n_sqo": ("SQOs", "{:,.0f}"),
    "won": ("won", "{:,.0f}"),
    "win_rate": ("win rate", "{:.1%}"),
    "capture_rate": ("capture rate", "{:.1%}"),
    "revenue_won_eur": ("revenue won [EUR]", "{:,.0f}"),
    "revenue_missed_eur": ("revenue missed [EUR]", "{:,.0f}"),
    "hours_spent": ("sales hours [h]", "{:,.0f}"),
    "wasted_hours": ("hours on deals not won [h]", "{:,.0f}"),
    "revenue_per_hour_eur": ("revenue per hour [EUR/h]", "{:,.0f}"),
}
"""Column title (with unit) and number format of the policy tables as the book shows them."""


# --------------------------------------------------------------------------------------------------
# Missed opportunities
# --------------------------------------------------------------------------------------------------


def missed_figure(curve: pd.DataFrame, marker: float | None = None, title: str = "") -> Figure:
    """Win rate, capture rate (left) and revenue won/missed (right) along a lead-score threshold.

    ``marker`` draws a dotted vertical line at one threshold (e.g. the one matching a preset).
    """
    fig, (rates, money) = new_figure(10, 4, 1, 2)
    x = curve["threshold"].to_numpy()
    rates.plot(x, curve["capture_rate"], color=ROLE["won"], label="capture rate (won / winnable)")
    rates.plot(x, curve["win_rate"], color=ROLE["sqo"], linestyle="--", label="win rate of SQOs")
    money.plot(x, curve["revenue_won_eur"], color=ROLE["won"], label="revenue won")
    money.plot(
        x, curve["revenue_missed_eur"], color=ROLE["missed"], linestyle="--", label="revenue missed"
    )
    for ax in (rates, money):
        if marker is not None:
            ax.axvline(marker, color=ROLE["current"], linestyle=":", linewidth=1.5)
        ax.legend(loc="center left")
    label(
        rates, "lead-score threshold [points]", "share [%]", "Stricter: higher win rate, fewer wins"
    )
    label(money, "lead-score threshold [points]", "revenue [EUR]", "Stricter: more revenue missed")
    rates.set_ylim(0, 1)
    percent_axis(rates)
    euro_axis(money)
    if title:
        fig.suptitle(title)
    return fig


def cut_figure(counts: pd.DataFrame, title: str = "Which criterion cuts the winners?") -> Figure:
    """Horizontal bars: excluded winners failing each criterion, and those failing only it."""
    fig, ax = new_figure(7, 3.6)
    names = list(counts.index)
    y = np.arange(len(names))
    total = ax.barh(
        y - 0.2, counts["excluded_winners"], height=0.4, color=ROLE["missed"], label="fails it"
    )
    only = ax.barh(
        y + 0.2,
        counts["only_this_criterion"],
        height=0.4,
        color="white",
        edgecolor=ROLE["missed"],
        hatch="//",
        label="fails only it",
    )
    for bars in (total, only):
        ax.bar_label(bars, padding=2, fontsize=9)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    label(ax, "excluded winners [leads]", "criterion", title, category="y")
    return fig


# --------------------------------------------------------------------------------------------------
# Over-reliance on criteria
# --------------------------------------------------------------------------------------------------


def policy_figure(table: pd.DataFrame, title: str = "") -> Figure:
    """Win rate and capture rate (left) and revenue per sales hour (right) of each policy."""
    fig, (rates, money) = new_figure(10, 3.8, 1, 2, sharey=True)
    names = list(table.index)
    y = np.arange(len(names))
    win = rates.barh(y - 0.2, table["win_rate"], height=0.4, color=ROLE["sqo"], label="win rate")
    capture = rates.barh(
        y + 0.2,
        table["capture_rate"],
        height=0.4,
        color=ROLE["won"],
        hatch="..",
        edgecolor="white",
        label="capture rate",
    )
    for bars in (win, capture):
        rates.bar_label(bars, labels=[f"{v:.0%}" for v in bars.datavalues], padding=2, fontsize=9)
    per_hour = money.barh(y, table["revenue_per_hour_eur"], height=0.5, color=ROLE["accent"])
    money.bar_label(
        per_hour, labels=[f"{v:,.0f}" for v in per_hour.datavalues], padding=2, fontsize=9
    )
    rates.set_yticks(y, names)
    rates.invert_yaxis()
    rates.set_xlim(0, 1.15)
    percent_axis(rates, "x")
    rates.legend(loc="lower right")
    money.set_xlim(0, float(table["revenue_per_hour_eur"].max()) * 1.25)
    label(rates, "share [%]", "policy", "Win rate and capture rate", category="y")
    label(money, "revenue per sales hour [EUR/h]", "policy", "Revenue per hour", category="y")
    money.set_ylabel("")
    if title:
        fig.suptitle(title)
    return fig


def unknown_figure(tables: dict[str, pd.DataFrame], title: str = "") -> Figure:
    """One panel per criterion: win rate of leads that meet it, fail it, or are unknown."""
    fig, axes = new_figure(4.2 * len(tables), 3.6, 1, len(tables), sharey=True, squeeze=False)
    colours = {"meets": ROLE["sqo"], "fails": ROLE["not_sqo"], "unknown": ROLE["accent"]}
    hatches = {"meets": "", "fails": "xx", "unknown": ".."}
    for ax, (name, table) in zip(axes[0], tables.items(), strict=True):
        x = np.arange(len(table))
        bars = ax.bar(
            x,
            table["win_rate"],
            color=[colours[s] for s in table.index],
            hatch=[hatches[s] for s in table.index],
            edgecolor="white",
        )
        ax.bar_label(
            bars,
            labels=[
                f"{r:.0%}\n({n:,} leads)"
                for r, n in zip(table["win_rate"], table["leads"], strict=True)
            ],
            padding=2,
            fontsize=9,
        )
        ax.set_xticks(x, list(table.index))
        ax.set_ylim(0, max(0.05, float(table["win_rate"].max()) * 1.45))
        percent_axis(ax)
        label(ax, f"{name} criterion", "win rate if pursued [%]", name.capitalize(), category="x")
    for ax in axes[0][1:]:
        ax.set_ylabel("")
    if title:
        fig.suptitle(title)
    return fig


# --------------------------------------------------------------------------------------------------
# Increased competition
# --------------------------------------------------------------------------------------------------


def competition_figure(by_fit: pd.DataFrame, effect: pd.DataFrame, title: str = "") -> Figure:
    """Left: mean competitors per fit band. Right: win rate by number of competitors (all, SQOs).

    ``effect`` is :func:`~sqolab.engine.reports.competition_effect` with ``is_sqo``.
    """
    fig, (left, right) = new_figure(10, 3.8, 1, 2)
    x = np.arange(len(by_fit))
    bars = left.bar(x, by_fit["mean_competitors"], color=ROLE["lost_competitor"])
    left.bar_label(bars, labels=[f"{v:.2f}" for v in bars.datavalues], padding=2, fontsize=9)
    left.set_xticks(x, list(by_fit.index))
    left.set_ylim(0, float(by_fit["mean_competitors"].max()) * 1.2)
    label(left, "fit score [points]", "competitors per deal [vendors]", "Better fit, more rivals")
    n = effect.index.to_numpy()
    ticks = [str(v) for v in n[:-1]] + [f"{n[-1]}+"]
    right.plot(n, effect["win_rate"], color=ROLE["not_sqo"], marker="o", label="all leads")
    right.plot(
        n, effect["sqo_win_rate"], color=ROLE["sqo"], marker="s", linestyle="--", label="SQOs"
    )
    right.set_xticks(n, ticks)
    top = float(np.nanmax(effect[["win_rate", "sqo_win_rate"]].to_numpy()))
    right.set_ylim(0, min(1.0, top * 1.3))
    percent_axis(right)
    right.legend(loc="upper right")
    label(right, "competitors [vendors]", "win rate if pursued [%]", "More rivals, fewer wins")
    if title:
        fig.suptitle(title)
    return fig
