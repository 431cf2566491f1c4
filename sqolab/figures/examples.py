"""Tables and figures of the chapter of examples: the startup, the consultancy, the digital
marketing agency and the farmer's orchard (book/04_examples.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sqolab.engine.criteria import (
    CRITERIA_NAMES,
    CRITERION_COLUMNS,
    Criteria,
    criteria_met,
    qualify,
)
from sqolab.engine.formatting import show_value
from sqolab.engine.missed import COLUMN_TITLES
from sqolab.engine.outcomes import evaluate
from sqolab.engine.policies import rule
from sqolab.engine.tradeoffs import best_threshold, tradeoff_curve
from sqolab.figures.style import ROLE, label, new_figure, percent_axis

OUTCOME_LABELS: dict[str, str] = {
    "won": "won",
    "lost_competitor": "lost to a competitor",
    "no_decision": "no decision",
}
ROLES: tuple[str, ...] = ("clear SQO", "near miss", "unknown budget")
"""The three example leads of each context, in the order the book walks through them."""


# --------------------------------------------------------------------------------------------------
# The three business contexts
# --------------------------------------------------------------------------------------------------


def context_facts(leads: pd.DataFrame, criteria: Criteria) -> dict[str, float | str]:
    """The figures the book quotes for a context: sample, sources, deals, the preset's result."""
    is_sqo = qualify(leads, criteria)
    sqo = evaluate(leads, is_sqo)
    everyone = evaluate(leads, pd.Series(True, index=leads.index))
    sources = leads["source"].astype(str).value_counts(normalize=True)
    return {
        "n_leads": len(leads),
        "top_source": str(sources.index[0]).replace("_", " "),
        "top_source_share": float(sources.iloc[0]),
        "median_deal_eur": float(leads["deal_value_eur"].median()),
        "median_timeline_months": float(leads["timeline_months"].median()),
        "unknown_budget_share": float(leads["budget_eur"].isna().mean()),
        "n_sqo": sqo.n_sqo,
        "sqo_share": sqo.n_sqo / len(leads) if len(leads) else np.nan,
        "win_rate_sqo": sqo.win_rate,
        "win_rate_all": everyone.win_rate,
        "capture_rate": sqo.capture_rate,
        "revenue_won_eur": sqo.revenue_won_eur,
        "revenue_missed_eur": sqo.revenue_missed_eur,
        "revenue_per_hour_sqo": sqo.revenue_per_hour_eur,
        "revenue_per_hour_all": everyone.revenue_per_hour_eur,
    }


def outcome_mix(leads: pd.DataFrame, is_sqo: pd.Series) -> pd.DataFrame:
    """Counts of each outcome (if pursued) among the SQOs and among the other leads."""
    sqo = is_sqo.to_numpy(dtype=bool)
    outcome = leads["outcome"].astype(str).to_numpy()
    rows = {
        group: [int((mask & (outcome == o)).sum()) for o in OUTCOME_LABELS]
        for group, mask in (("SQOs", sqo), ("other leads", ~sqo))
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(OUTCOME_LABELS))


def outcome_mix_figure(mix: pd.DataFrame, title: str = "") -> Figure:
    """Stacked horizontal bars: the share of each outcome among SQOs and among the other leads."""
    fig, ax = new_figure(8, 2.6)
    shares = mix.div(mix.sum(axis=1), axis=0)
    y = np.arange(len(mix))
    left = np.zeros(len(mix))
    hatches = {"won": "", "lost_competitor": "//", "no_decision": ".."}
    for outcome, name in OUTCOME_LABELS.items():
        bars = ax.barh(
            y,
            shares[outcome],
            left=left,
            height=0.6,
            color=ROLE[outcome],
            hatch=hatches[outcome],
            edgecolor="white",
            label=name,
        )
        ax.bar_label(
            bars,
            labels=[f"{v:.0%}" if v >= 0.06 else "" for v in shares[outcome]],
            label_type="center",
            fontsize=9,
            color="black",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.85},
        )
        left += shares[outcome].to_numpy()
    ax.set_yticks(y, [f"{g} ({n:,})" for g, n in zip(mix.index, mix.sum(axis=1), strict=True)])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    percent_axis(ax, "x")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.32), ncols=3)
    label(ax, "share of the group's leads, if pursued [%]", "group", title or None, category="y")
    return fig


def pick_example_leads(leads: pd.DataFrame, criteria: Criteria, score: pd.Series) -> dict[str, str]:
    """Three lead ids for the walk-through, chosen deterministically (highest score first):

    * ``clear SQO``: meets every applied criterion;
    * ``near miss``: not an SQO, one criterion short of the rule, every applied value known;
    * ``unknown budget``: budget unknown and would be won if pursued.
    """
    met = criteria_met(leads, criteria).to_numpy()
    n_met = met.sum(axis=1)
    known = np.ones(len(leads), dtype=bool)
    for name in criteria.applied:
        values = leads[CRITERION_COLUMNS[name]]
        known &= (values.notna() & (values.astype(object) != "unknown")).to_numpy()
    sqo = qualify(leads, criteria).to_numpy()
    candidates = {
        "clear SQO": sqo & met.all(axis=1),
        "near miss": ~sqo & (n_met == criteria.required_met - 1) & known,
        "unknown budget": leads["budget_eur"].isna().to_numpy()
        & (leads["outcome"] == "won").to_numpy(),
    }
    order = np.lexsort((leads["lead_id"].astype(str).to_numpy(), -score.to_numpy()))
    picks: dict[str, str] = {}
    for role in ROLES:
        for row in order:
            lead_id = str(leads["lead_id"].iloc[row])
            if candidates[role][row] and lead_id not in picks.values():
                picks[role] = lead_id
                break
        else:
            raise ValueError(f"no lead fits the role {role!r} under {criteria.describe()}")
    return picks


def pick_facts(
    leads: pd.DataFrame, criteria: Criteria, picks: dict[str, str]
) -> dict[str, dict[str, object]]:
    """Per picked lead: id, failed criteria (comma-separated, "none"), SQO or not, outcome if
    pursued, deal value and competitors, for the prose of the walk-through."""
    met = criteria_met(leads, criteria)
    is_sqo = qualify(leads, criteria)
    ids = leads["lead_id"].astype(str)
    facts: dict[str, dict[str, object]] = {}
    for role, lead_id in picks.items():
        index = _index_of(ids, lead_id)
        lead = leads.loc[index]
        failed = [name for name in met.columns if not met.at[index, name]]
        facts[role] = {
            "lead_id": lead_id,
            "failed": ", ".join(failed) if failed else "none",
            "is_sqo": bool(is_sqo.at[index]),
            "outcome": OUTCOME_LABELS[str(lead["outcome"])],
            "deal_value_eur": float(lead["deal_value_eur"]),
            "competitors": int(lead["competitors"]),
        }
    return facts


def _index_of(ids: pd.Series, lead_id: str) -> object:
    """The index label of the one lead with ``lead_id``; ValueError if absent or not unique."""
    matches = np.flatnonzero(ids.to_numpy() == lead_id)
    if len(matches) != 1:
        raise ValueError(f"lead {lead_id!r} is not in the leads (or not unique)")
    return ids.index[matches[0]]


def walkthrough_table(
    leads: pd.DataFrame, criteria: Criteria, picks: dict[str, str], score: pd.Series
) -> pd.DataFrame:
    """One column per picked lead: its values, each criterion met or not, decision and outcome."""
    met = criteria_met(leads, criteria)
    is_sqo = qualify(leads, criteria)
    rows: dict[str, dict[str, str]] = {}
    ids = leads["lead_id"].astype(str)
    for role, lead_id in picks.items():
        index = _index_of(ids, lead_id)
        lead = leads.loc[index]
        cells = {"company": str(lead["company"]), "source": show_value(lead["source"])}
        for name in CRITERIA_NAMES:
            value = show_value(lead[CRITERION_COLUMNS[name]])
            if name in criteria.applied:
                verdict = "met" if met.at[index, name] else "not met"
                cells[rule(criteria, name)] = f"{value}: {verdict}"
            else:
                cells[f"{COLUMN_TITLES[name]} (not a criterion)"] = value
        count = int(met.loc[index].sum())
        cells["criteria met"] = (
            f"{count} of {len(criteria.applied)} (needs {criteria.required_met})"
        )
        cells["lead score [points]"] = f"{score.at[index]:.1f}"
        cells["decision"] = "SQO" if is_sqo.at[index] else "not an SQO"
        cells["if pursued (simulated)"] = OUTCOME_LABELS[str(lead["outcome"])]
        cells["deal value [EUR]"] = show_value(lead["deal_value_eur"])
        cells["competitors [vendors]"] = show_value(lead["competitors"])
        rows[f"{role} ({lead_id})"] = cells
    table = pd.DataFrame(rows)
    table.index.name = "lead"
    return table


# --------------------------------------------------------------------------------------------------
# The farmer's orchard
# --------------------------------------------------------------------------------------------------

ORCHARD_COLUMNS: dict[str, str] = {
    "threshold": "threshold",
    "n_sqo": "picked",
    "won": "sold",
    "win_rate": "sell_rate",
    "capture_rate": "share_of_ripe_picked",
    "revenue_won_eur": "revenue_eur",
    "hours_spent": "minutes",
    "wasted_hours": "wasted_minutes",
}
"""Trade-off curve columns (leads) -> orchard columns (fruit). Sales hours become minutes."""

ORCHARD_DISPLAY: dict[str, tuple[str, str]] = {
    "picked": ("fruit picked", "{:,.0f}"),
    "sold": ("picked and sold", "{:,.0f}"),
    "sell_rate": ("share sold", "{:.0%}"),
    "ripe_left": ("ripe, left on tree", "{:,.0f}"),
    "minutes": ("picking time [min]", "{:,.0f}"),
    "wasted_minutes": ("time on unsold fruit [min]", "{:,.0f}"),
    "revenue_eur": ("revenue [EUR]", "{:,.2f}"),
}
"""Column title (with unit) and format of the orchard table as the book shows it."""


def orchard_as_leads(orchard: pd.DataFrame) -> pd.DataFrame:
    """The fruit as leads: a fruit that sells is "won", its price the deal, minutes the effort."""
    return pd.DataFrame(
        {
            "outcome": np.where(orchard["sells"].astype(str) == "yes", "won", "no_decision"),
            "deal_value_eur": orchard["price_eur"].to_numpy(dtype=float),
            "sales_hours": orchard["pick_minutes"].to_numpy(dtype=float),  # minutes, here
        },
        index=orchard.index,
    )


def orchard_tradeoff(orchard: pd.DataFrame) -> pd.DataFrame:
    """Per ripeness threshold (highest first), picking every fruit at least that ripe.

    Columns: threshold, picked, sold, sell_rate, share_of_ripe_picked, revenue_eur, minutes,
    wasted_minutes (picking fruit that does not sell) and ripe_left (fruit that would sell, left on
    the tree: the missed opportunities). Computed with the engine's trade-off curve.
    """
    curve = tradeoff_curve(orchard_as_leads(orchard), orchard["ripeness"])
    table = curve[list(ORCHARD_COLUMNS)].rename(columns=ORCHARD_COLUMNS)
    table["ripe_left"] = int((orchard["sells"].astype(str) == "yes").sum()) - table["sold"]
    return table


def best_ripeness(curve: pd.DataFrame, minutes: float) -> pd.Series | None:
    """The orchard-curve row with the most revenue that fits in ``minutes`` of picking."""
    back = {v: k for k, v in ORCHARD_COLUMNS.items()}
    row = best_threshold(curve.rename(columns=back), minutes)
    return None if row is None else row.rename(ORCHARD_COLUMNS)


def orchard_figure(curve: pd.DataFrame, threshold: float | None = None) -> Figure:
    """Left: fruit sold and ripe fruit left on the tree; right: picking and wasted minutes; both
    along the ripeness threshold. ``threshold`` draws the farmer's choice as a dotted line."""
    fig, (fruit, time) = new_figure(10, 3.8, 1, 2)
    ordered = curve.sort_values("threshold")
    x = ordered["threshold"].to_numpy()
    fruit.plot(x, ordered["sold"], color=ROLE["won"], label="picked and sold")
    fruit.plot(
        x, ordered["ripe_left"], color=ROLE["missed"], linestyle="--", label="ripe, left on tree"
    )
    time.plot(x, ordered["minutes"], color=ROLE["sqo"], label="picking time")
    time.plot(
        x, ordered["wasted_minutes"], color=ROLE["wasted"], linestyle="--", label="time on unsold"
    )
    for ax in (fruit, time):
        if threshold is not None:
            ax.axvline(threshold, color=ROLE["current"], linestyle=":", linewidth=1.5)
        ax.legend(loc="upper right")
    label(fruit, "ripeness threshold [points]", "fruit [pieces]", "Fruit sold and fruit missed")
    label(time, "ripeness threshold [points]", "time [minutes]", "Time spent and time wasted")
    return fig
