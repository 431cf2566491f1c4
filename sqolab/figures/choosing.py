"""Tables and figures of the decision guide: weigh the benefits against the drawbacks for a
context and a sales capacity (book/05_choosing.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sqolab.engine.criteria import Criteria, qualify
from sqolab.engine.forecasts import forecast_error, forecast_summary
from sqolab.engine.outcomes import evaluate
from sqolab.engine.reports import contest_summary
from sqolab.engine.tradeoffs import best_threshold, tradeoff_curve
from sqolab.figures.style import ROLE, euro_axis, label, new_figure

CAPACITY_SHARES: tuple[float, ...] = (0.1, 0.2, 0.4)
"""Capacities of the guide, as shares of the hours it would take to work every lead."""

GUIDE_DISPLAY: dict[str, tuple[str, str]] = {
    "capacity_hours": ("capacity [h]", "{:,.0f}"),
    "threshold": ("best score threshold [points]", "{:.1f}"),
    "score_sqos": ("SQOs by score", "{:,.0f}"),
    "score_revenue_eur": ("revenue, score [EUR]", "{:,.0f}"),
    "score_capture_rate": ("capture rate, score", "{:.0%}"),
    "preset_sqos": ("preset SQOs", "{:,.0f}"),
    "preset_worked": ("preset SQOs worked", "{:,.0f}"),
    "preset_revenue_eur": ("revenue, preset [EUR]", "{:,.0f}"),
    "preset_capture_rate": ("capture rate, preset", "{:.0%}"),
}
"""Column title (with unit) and format of the capacity guide as the book shows it."""


def capacity_levels(
    leads: pd.DataFrame, shares: tuple[float, ...] = CAPACITY_SHARES
) -> list[float]:
    """Sales capacities [h]: shares of the hours needed to work every lead, rounded to 100 h."""
    total = float(leads["sales_hours"].sum())
    return [float(max(100.0, round(total * s, -2))) for s in shares]


def capacity_guide(
    leads: pd.DataFrame, criteria: Criteria, capacities: list[float], score: pd.Series
) -> pd.DataFrame:
    """Per capacity: the best lead-score threshold (most revenue that fits) vs the preset.

    The score policy works every lead with ``score >= threshold`` (they fit in the capacity by
    construction). The preset's SQOs are worked in order of arrival until the hours run out, as a
    team without a ranking would.
    """
    curve = tradeoff_curve(leads, score)
    is_sqo = qualify(leads, criteria)
    rows = []
    for capacity in capacities:
        best = best_threshold(curve, capacity)
        preset = evaluate(leads, is_sqo, capacity_hours=capacity)
        rows.append(
            {
                "capacity_hours": float(capacity),
                "threshold": np.nan if best is None else float(best["threshold"]),
                "score_sqos": 0 if best is None else int(best["n_sqo"]),
                "score_revenue_eur": 0.0 if best is None else float(best["revenue_won_eur"]),
                "score_capture_rate": 0.0 if best is None else float(best["capture_rate"]),
                "score_hours": 0.0 if best is None else float(best["hours_spent"]),
                "preset_sqos": preset.n_sqo,
                "preset_worked": preset.n_worked,
                "preset_revenue_eur": preset.revenue_won_eur,
                "preset_capture_rate": preset.capture_rate,
                "preset_hours": preset.hours_spent,
            }
        )
    return pd.DataFrame(rows)


def capacity_figure(guides: dict[str, pd.DataFrame]) -> Figure:
    """One panel per context: revenue won vs sales capacity, best score threshold vs preset."""
    fig, axes = new_figure(4.0 * len(guides), 3.6, 1, len(guides), squeeze=False)
    for ax, (title, guide) in zip(axes[0], guides.items(), strict=True):
        x = guide["capacity_hours"].to_numpy()
        ax.plot(x, guide["score_revenue_eur"], color=ROLE["sqo"], marker="o", label="best score")
        ax.plot(
            x,
            guide["preset_revenue_eur"],
            color=ROLE["current"],
            marker="s",
            linestyle="--",
            label="framework preset",
        )
        ax.set_xlim(0, None)
        ax.set_ylim(0, None)
        euro_axis(ax)
        euro_axis(ax, "x")
        label(ax, "sales capacity [h]", "revenue won [EUR]", title)
        ax.legend(loc="lower right")
    for ax in axes[0][1:]:
        ax.set_ylabel("")
    return fig


SCORECARD_ROWS: dict[str, tuple[str, str]] = {
    "win_rate": ("win rate", "{:.1%}"),
    "revenue_per_hour_eur": ("revenue per sales hour [EUR/h]", "{:,.0f}"),
    "hours_spent": ("sales hours needed [h]", "{:,.0f}"),
    "forecast_error_pct": ("mean forecast error [%]", "{:.1f}"),
    "capture_rate": ("capture rate (winnable deals won)", "{:.1%}"),
    "revenue_missed_eur": ("revenue missed [EUR]", "{:,.0f}"),
    "mean_competitors": ("competitors per deal [vendors]", "{:.2f}"),
}
LESSONS: dict[str, str] = {
    "win_rate": "benefit: efficiency",
    "revenue_per_hour_eur": "benefit: efficiency",
    "forecast_error_pct": "benefit: forecasts",
    "capture_rate": "drawback: missed opportunities",
    "revenue_missed_eur": "drawback: missed opportunities",
    "hours_spent": "benefit: efficiency",
    "mean_competitors": "drawback: competition",
}


def scorecard_values(
    leads: pd.DataFrame, criteria: Criteria, n_quarters: int = 500
) -> pd.DataFrame:
    """The benefits and drawbacks of a policy in numbers: its SQOs vs working every lead.

    Columns ``SQOs only`` and ``every lead``; rows as in :data:`SCORECARD_ROWS`.
    """
    is_sqo = qualify(leads, criteria)
    everyone = pd.Series(True, index=leads.index, name="is_sqo")
    errors = forecast_summary(forecast_error(leads, is_sqo, n_quarters=n_quarters))
    contest = contest_summary(leads, is_sqo)
    columns = {}
    for name, selection, pipeline, key in (
        ("SQOs only", is_sqo, "SQOs only", "sqo"),
        ("every lead", everyone, "all leads", "all"),
    ):
        outcome = evaluate(leads, selection)
        columns[name] = {
            "win_rate": outcome.win_rate,
            "revenue_per_hour_eur": outcome.revenue_per_hour_eur,
            "forecast_error_pct": float(errors.loc[pipeline, "mean_abs_error_pct"]),
            "capture_rate": outcome.capture_rate,
            "revenue_missed_eur": outcome.revenue_missed_eur,
            "hours_spent": outcome.hours_spent,
            "mean_competitors": contest[f"mean_competitors_{key}"],
        }
    return pd.DataFrame(columns).loc[list(SCORECARD_ROWS)]


def scorecard(values: pd.DataFrame) -> pd.DataFrame:
    """:func:`scorecard_values` as the book shows it: formatted, with the lesson of each row."""
    rows = {}
    for key, (title, fmt) in SCORECARD_ROWS.items():
        rows[title] = {"lesson": LESSONS[key]} | {
            column: fmt.format(values.at[key, column]) for column in values.columns
        }
    table = pd.DataFrame(rows).T
    table.index.name = "measure"
    return table
