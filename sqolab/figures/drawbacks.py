"""Tables and figures of the chapter on the drawbacks: missed opportunities, over-reliance on
criteria, increased competition (book/03_drawbacks.md).

Every number comes from the engine on a simulated sample: only simulated data knows how a
disqualified lead would have ended, which is what lets these views count missed opportunities.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sqolab.engine.criteria import (
    CRITERION_COLUMNS,
    CRITERION_FIELDS,
    Criteria,
    criteria_met,
    qualify,
)
from sqolab.engine.outcomes import evaluate
from sqolab.engine.tradeoffs import tradeoff_curve
from sqolab.figures.style import ROLE, euro_axis, label, new_figure, percent_axis

POLICY_COLUMNS: tuple[str, ...] = (
    "n_sqo",
    "won",
    "win_rate",
    "capture_rate",
    "revenue_won_eur",
    "revenue_missed_eur",
    "hours_spent",
    "wasted_hours",
    "revenue_per_hour_eur",
)
"""The :class:`~sqolab.engine.outcomes.Outcome` figures the policy tables show."""

STATUSES: tuple[str, ...] = ("meets", "fails", "unknown")
FIT_BANDS: tuple[float, ...] = (0, 40, 50, 60, 70, 101)


def rule(criteria: Criteria, name: str) -> str:
    """The plain-English rule of one applied criterion, e.g. ``budget >= 7,500 EUR``."""
    if name not in criteria.applied:
        raise ValueError(f"{name!r} is not applied in {criteria.describe()}.")
    field = CRITERION_FIELDS[name]
    return Criteria(**{field: getattr(criteria, field)}).describe().split(" (", 1)[0]


def _outcome_row(leads: pd.DataFrame, is_sqo: pd.Series) -> dict[str, float]:
    figures = evaluate(leads, is_sqo).to_dict()
    return {c: figures[c] for c in POLICY_COLUMNS}


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


def display_table(table: pd.DataFrame, spec: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """The columns named in ``spec`` (column -> (title, format)) as formatted text; NaN as n/a."""
    shown = pd.DataFrame(index=table.index)
    for column, (title, fmt) in spec.items():
        shown[title] = [("n/a" if pd.isna(v) else fmt.format(v)) for v in table[column]]
    return shown


def compare_policies(leads: pd.DataFrame, policies: dict[str, pd.Series]) -> pd.DataFrame:
    """One row per policy (name -> boolean is_sqo): SQOs, won, rates, revenue and hours."""
    rows = {name: _outcome_row(leads, is_sqo) for name, is_sqo in policies.items()}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(POLICY_COLUMNS))
    table.index.name = "policy"
    return table


# --------------------------------------------------------------------------------------------------
# Missed opportunities
# --------------------------------------------------------------------------------------------------


def tightening_table(leads: pd.DataFrame, criteria: Criteria) -> pd.DataFrame:
    """Add the criteria one at a time (in their fixed order) and evaluate each step.

    Row 0 has no criteria (every lead is an SQO). A k-of-n rule keeps its number of allowed misses
    at every step, so the last row is ``criteria`` itself.
    """
    applied = criteria.applied
    misses = len(applied) - criteria.required_met
    policies = {"no criteria (every lead)": qualify(leads, Criteria())}
    for i, name in enumerate(applied, start=1):
        fields = {CRITERION_FIELDS[n]: getattr(criteria, CRITERION_FIELDS[n]) for n in applied[:i]}
        step = Criteria(
            **fields,
            min_met=None if misses == 0 else max(0, i - misses),
            unknown_meets=criteria.unknown_meets,
        )
        policies[f"+ {rule(criteria, name)}"] = qualify(leads, step)
    return compare_policies(leads, policies)


def matching_threshold(curve: pd.DataFrame, n_sqo: int) -> float:
    """The strictest threshold of a trade-off curve that makes at least ``n_sqo`` leads SQOs."""
    reached = curve["n_sqo"].to_numpy() >= n_sqo
    if not reached.any():
        raise ValueError(
            f"no threshold makes {n_sqo} SQOs; the curve ends at {curve['n_sqo'].max()}"
        )
    return float(curve["threshold"].to_numpy()[reached.argmax()])


def _failed(met: pd.DataFrame) -> pd.Series:
    """Per lead, the names of the criteria it fails, comma-separated ('' if none)."""
    names = np.array(met.columns, dtype=object)
    return pd.Series(
        [", ".join(names[~row]) for row in met.to_numpy()], index=met.index, dtype=object
    )


def show_value(value: object) -> str:
    """A cell of the lead tables: ``unknown`` for a missing value, thousands separators."""
    if pd.isna(value):
        return "unknown"
    if isinstance(value, float | int | np.number):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"
    return str(value).replace("_", " ")


COLUMN_TITLES: dict[str, str] = {
    "budget": "budget [EUR]",
    "authority": "authority",
    "need": "need",
    "timeline": "timeline [months]",
    "engagement": "engagement [points]",
    "fit": "fit [points]",
}
"""Column titles (with units) of the per-lead tables, by criterion."""


def excluded_winners(leads: pd.DataFrame, criteria: Criteria, n: int = 5) -> pd.DataFrame:
    """The ``n`` largest deals that would have been won but are not SQOs, and what cut each.

    One row per lead (index: lead id, largest deal first): company, deal value, the values of the
    applied criteria (``unknown`` where missing) and ``cut by``, the criteria the lead fails.
    """
    met = criteria_met(leads, criteria)
    excluded = (leads["outcome"] == "won").to_numpy() & ~qualify(leads, criteria).to_numpy()
    rows = leads[excluded].sort_values(["deal_value_eur", "lead_id"], ascending=[False, True])
    rows = rows.head(n)
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
    table["cut by"] = _failed(met.loc[rows.index])
    return table.set_index("lead")


def cut_counts(leads: pd.DataFrame, criteria: Criteria) -> pd.DataFrame:
    """Per applied criterion: the excluded winners that fail it, fail only it, and their revenue."""
    met = criteria_met(leads, criteria)
    excluded = (leads["outcome"] == "won").to_numpy() & ~qualify(leads, criteria).to_numpy()
    failed = ~met.to_numpy()[excluded]
    deal = leads["deal_value_eur"].to_numpy(dtype=float)[excluded]
    only = failed & (failed.sum(axis=1) == 1)[:, None]
    table = pd.DataFrame(
        {
            "excluded_winners": failed.sum(axis=0).astype(np.int64),
            "only_this_criterion": only.sum(axis=0).astype(np.int64),
            "revenue_eur": (failed * deal[:, None]).sum(axis=0),
        },
        index=pd.Index(met.columns, name="criterion"),
    )
    return table


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
    label(ax, "excluded winners [leads]", "criterion [name]", title)
    return fig


# --------------------------------------------------------------------------------------------------
# Over-reliance on criteria
# --------------------------------------------------------------------------------------------------


def flexible_policies(
    leads: pd.DataFrame, criteria: Criteria, score: pd.Series
) -> dict[str, pd.Series]:
    """The same criteria as a rigid gate, a k-of-n rule, with unknown counted as met, and a score.

    The score policy takes the threshold that makes as many SQOs as the rigid gate, so the two are
    compared at the same workload.
    """
    n = len(criteria.applied)
    if n < 2:
        raise ValueError("flexible_policies needs at least two applied criteria.")
    rigid = criteria.replace(min_met=None, unknown_meets=False)
    policies = {
        f"all {n} criteria (rigid)": qualify(leads, rigid),
        f"any {n - 1} of {n} criteria": qualify(leads, rigid.replace(min_met=n - 1)),
        f"all {n}, unknown counts as met": qualify(leads, rigid.replace(unknown_meets=True)),
    }
    rigid_count = int(policies[f"all {n} criteria (rigid)"].sum())
    threshold = matching_threshold(tradeoff_curve(leads, score), rigid_count)
    policies[f"lead score >= {threshold:.1f}"] = (score >= threshold).rename("is_sqo")
    return policies


def status_table(leads: pd.DataFrame, criteria: Criteria, name: str) -> pd.DataFrame:
    """Leads that meet, fail, or have an unknown value for one criterion: counts and win rates."""
    met = criteria_met(leads, criteria.replace(unknown_meets=False))[name].to_numpy()
    values = leads[CRITERION_COLUMNS[name]]
    unknown = (values.isna() | (values.astype(object) == "unknown")).to_numpy()
    won = (leads["outcome"] == "won").to_numpy()
    masks = {"meets": met, "fails": ~met & ~unknown, "unknown": unknown}
    table = pd.DataFrame(
        {
            "leads": [int(m.sum()) for m in masks.values()],
            "won": [int((m & won).sum()) for m in masks.values()],
        },
        index=pd.Index(list(masks), name=name),
    )
    table["share_of_leads"] = table["leads"] / max(len(leads), 1)
    table["win_rate"] = table["won"] / table["leads"].where(table["leads"] > 0)
    return table


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
    label(rates, "share [%]", "policy [name]", "Win rate and capture rate")
    label(money, "revenue per sales hour [EUR/h]", "policy [name]", "Revenue per hour")
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
        label(ax, f"{name} criterion [status]", "win rate if pursued [%]", f"{name.capitalize()}")
    for ax in axes[0][1:]:
        ax.set_ylabel("")
    if title:
        fig.suptitle(title)
    return fig


# --------------------------------------------------------------------------------------------------
# Increased competition
# --------------------------------------------------------------------------------------------------


def competitors_by_fit(leads: pd.DataFrame, bands: tuple[float, ...] = FIT_BANDS) -> pd.DataFrame:
    """Per fit-score band: leads, mean competitors, share with 2+ competitors, win rate."""
    fit = leads["fit_score"].to_numpy(dtype=float)
    band = np.digitize(fit, bands[1:-1])
    names = [f"{lo:g}-{hi - 1:g}" for lo, hi in pairwise(bands)]
    frame = pd.DataFrame(
        {
            "band": pd.Categorical.from_codes(band, names),
            "competitors": leads["competitors"].to_numpy(dtype=float),
            "contested": leads["competitors"].to_numpy() >= 2,
            "won": (leads["outcome"] == "won").to_numpy(),
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


def contest_summary(leads: pd.DataFrame, is_sqo: pd.Series) -> dict[str, float]:
    """Mean competitors and share of deals with 2+ competitors, for all leads and for SQOs."""
    sqo = is_sqo.to_numpy(dtype=bool)
    competitors = leads["competitors"].to_numpy(dtype=float)
    return {
        "mean_competitors_all": float(competitors.mean()),
        "mean_competitors_sqo": float(competitors[sqo].mean()) if sqo.any() else np.nan,
        "contested_all": float((competitors >= 2).mean()),
        "contested_sqo": float((competitors[sqo] >= 2).mean()) if sqo.any() else np.nan,
    }


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
