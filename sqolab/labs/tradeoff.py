"""Lab 2: one strictness control (score threshold) and sales capacity: gains and costs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sqolab.data.schema import CONTEXTS
from sqolab.engine.formatting import fmt_eur, fmt_int, fmt_pct
from sqolab.engine.outcomes import evaluate
from sqolab.engine.scoring import lead_score
from sqolab.engine.tradeoffs import best_threshold, tradeoff_curve
from sqolab.figures.style import ROLE, label, percent_axis, styled
from sqolab.labs.base import Lab
from sqolab.labs.common import CONTEXT_OPTIONS, TIPS, nice_step
from sqolab.labs.controls import dropdown, slider

PLOT_POINTS = 400  # the curves are drawn through at most this many thresholds
ALL_WORKED = "your threshold, all SQOs worked"
WITHIN_CAPACITY = "your threshold, within capacity"


class _Pipeline:
    """One context's leads with their score and trade-off curve, computed once."""

    def __init__(self, leads: pd.DataFrame) -> None:
        self.leads = leads
        self.score = lead_score(leads)
        self.curve = tradeoff_curve(leads, self.score)
        self.total_hours = float(self.curve["hours_spent"].iloc[-1]) if len(self.curve) else 0.0
        self.total_revenue = (
            float(self.curve["revenue_won_eur"].iloc[-1]) if len(self.curve) else 0.0
        )
        self.thresholds_up = self.curve["threshold"].to_numpy()[::-1]  # ascending
        rows = len(self.curve)
        self.plot_rows = np.unique(np.linspace(0, rows - 1, min(rows, PLOT_POINTS)).astype(int))

    def row_at(self, threshold: float) -> pd.Series | None:
        """The curve row of the policy "score >= threshold" (None when no lead qualifies)."""
        qualifying = len(self.thresholds_up) - np.searchsorted(self.thresholds_up, threshold)
        return None if qualifying == 0 else self.curve.iloc[qualifying - 1]


class TradeoffLab(Lab):
    """Strictness (score threshold) against sales capacity, on the whole trade-off curve."""

    title = "Lab 2: The strictness trade-off"

    def __init__(self, leads: pd.DataFrame | None = None, context: str = "startup") -> None:
        super().__init__()
        self.use_leads(leads, context)
        for ctx in CONTEXTS if leads is None else ():  # every curve now, not on a change
            self.per_context(ctx, self._make_pipeline)
        c = self.control
        self.context = c("context", dropdown("Context", TIPS["context"], CONTEXT_OPTIONS, context))
        self.context.disabled = leads is not None
        if leads is None:
            self.add_world_control()
        self.threshold = c(
            "threshold", slider("score threshold [points]", TIPS["threshold"], 0, 100, 1, 60)
        )
        pipe = self.pipeline
        cap_max, cap_step = self._capacity_range(pipe)
        self.capacity = c(
            "capacity",
            slider(
                "sales capacity [hours]",
                TIPS["capacity"],
                0,
                cap_max,
                cap_step,
                round(0.25 * cap_max / cap_step) * cap_step,
            ),
        )
        self.plot = self.add_figure(9.0, 3.4, 1, 2)
        with styled():
            self._build_plot()
        self._show_curves()
        self._fitted: _Pipeline | None = pipe
        self.children = [
            self.header(
                "Each lead has a score from 0 to 100 points. A lead is an SQO when its score "
                "reaches the threshold: move it to be stricter or looser. The sales capacity is "
                "the hours your team has; SQOs are worked best score first until they run out."
            ),
            self.context,
            *self.world_controls(),
            self.threshold,
            self.capacity,
            self.reset_button,
            self.message,
            self.headline,
            self.plot.canvas,
        ]
        self.refresh()

    # -- data ---------------------------------------------------------------------------------

    @property
    def pipeline(self) -> _Pipeline:
        """The current context's leads, score and curve (computed on first use)."""
        return self.per_context(self.context.value, self._make_pipeline)

    def _make_pipeline(self, context: str) -> _Pipeline:
        return _Pipeline(self.leads_of(context))

    @property
    def leads(self) -> pd.DataFrame:
        """The leads currently shown."""
        return self.pipeline.leads

    @staticmethod
    def _capacity_range(pipe: _Pipeline) -> tuple[float, float]:
        step = nice_step(pipe.total_hours / 200)
        return float(np.ceil(pipe.total_hours / step) * step) or step, step

    def adapt(self) -> None:
        """A new pipeline (context or world, also after Reset): the capacity slider spans its
        hours, at the same share of the range, and its curves are drawn."""
        pipe = self.pipeline
        if pipe is self._fitted:
            return
        cap_max, step = self._capacity_range(pipe)
        share = self.capacity.value / max(self.capacity.max, 1)
        self.capacity.max = max(self.capacity.max, cap_max)
        self.capacity.step = step
        self.capacity.value = round(share * cap_max / step) * step
        self.capacity.max = cap_max
        self._fitted = pipe
        self._show_curves()

    # -- views --------------------------------------------------------------------------------

    def _build_plot(self) -> None:
        ax_rate, ax_rev = self.plot.axes
        (self.win_line,) = ax_rate.plot([], [], color=ROLE["sqo"], label="win rate")
        (self.capture_line,) = ax_rate.plot(
            [], [], color=ROLE["won"], linestyle="--", label="capture rate"
        )
        ax_rate.set_xlim(0, 100)
        ax_rate.set_ylim(0, 1.02)
        percent_axis(ax_rate)
        label(ax_rate, "score threshold [points]", "rate [%]", "Win rate vs capture rate")
        self.now_line = ax_rate.axvline(60, color=ROLE["current"], linewidth=1.5)
        self.best_line = ax_rate.axvline(
            60, color=ROLE["accent"], linestyle=":", linewidth=2, label="best under capacity"
        )
        # One artist per kind of point, each with two points: on the win and the capture curve.
        (self.all_dots,) = ax_rate.plot(
            [], [], "o", color=ROLE["current"], markersize=7, label=ALL_WORKED, linestyle="none"
        )
        (self.cap_dots,) = ax_rate.plot(
            [],
            [],
            "X",
            color=ROLE["wasted"],
            markeredgecolor="white",
            markersize=10,
            label=WITHIN_CAPACITY,
            linestyle="none",
        )
        ax_rate.legend(loc="center left", fontsize=7.5)

        (self.rev_line,) = ax_rev.plot([], [], color=ROLE["sqo"], label="all SQOs worked")
        ax_rev.set_xlim(0, 1.02)
        ax_rev.set_ylim(0, 1.02)
        percent_axis(ax_rev, "x")
        percent_axis(ax_rev)
        self.cap_line = ax_rev.axvline(
            0, color=ROLE["wasted"], linestyle="--", linewidth=1.5, label="capacity"
        )
        (self.now_dot,) = ax_rev.plot(
            [], [], "o", color=ROLE["current"], markersize=8, label=ALL_WORKED
        )
        (self.worked_dot,) = ax_rev.plot(
            [],
            [],
            "X",
            color=ROLE["wasted"],
            markeredgecolor="white",
            markersize=10,
            label=WITHIN_CAPACITY,
        )
        (self.best_dot,) = ax_rev.plot(
            [],
            [],
            "*",
            color=ROLE["accent"],
            markerfacecolor="none",
            markeredgewidth=2,
            markersize=20,
            label="best under capacity",
        )
        label(
            ax_rev,
            "sales hours spent [% of the hours all leads need]",
            "revenue won [% of winnable]",
            "Revenue vs effort",
        )
        ax_rev.legend(loc="lower right", fontsize=8)
        self.plot.dynamic(
            self.win_line,
            self.capture_line,
            self.rev_line,
            self.now_line,
            self.best_line,
            self.all_dots,
            self.cap_dots,
            self.cap_line,
            self.now_dot,
            self.worked_dot,
            self.best_dot,  # last, larger and hollow: the marks under it stay visible
        )

    def _show_curves(self) -> None:
        """Draw the current context's curves (the axes are shares, the same for every context)."""
        pipe = self.pipeline
        rows = pipe.curve.iloc[pipe.plot_rows]
        self.win_line.set_data(rows["threshold"], rows["win_rate"])
        self.capture_line.set_data(rows["threshold"], rows["capture_rate"])
        self.rev_line.set_data(*self._shares(rows["hours_spent"], rows["revenue_won_eur"]))

    def _shares(self, hours: object, revenue: object) -> tuple[np.ndarray, np.ndarray]:
        """Hours and revenue as shares of all hours and of all winnable revenue."""
        pipe = self.pipeline
        return (
            np.asarray(hours, dtype=float) / (pipe.total_hours or 1.0),
            np.asarray(revenue, dtype=float) / (pipe.total_revenue or 1.0),
        )

    def update(self) -> None:
        """Evaluate the threshold under the capacity and move the markers."""
        pipe = self.pipeline
        t = float(self.threshold.value)
        cap = float(self.capacity.value)
        is_sqo = pipe.score.to_numpy() >= t
        out = evaluate(pipe.leads, is_sqo, capacity_hours=cap, priority=pipe.score)
        row = pipe.row_at(t)
        best = best_threshold(pipe.curve, cap)
        binds = out.n_worked < out.n_sqo  # the hours run out before the SQOs do
        self.capacity_binds = binds
        within = " within capacity" if binds else ""

        self.show_numbers(
            [
                ("n_sqo", "SQOs", f"{out.n_sqo:,} of {out.n_leads:,}"),
                ("n_worked", "worked within capacity", fmt_int(out.n_worked)),
                ("win_rate", f"win rate{within}", fmt_pct(out.win_rate)),
                ("capture_rate", f"capture rate{within}", fmt_pct(out.capture_rate)),
                ("revenue_missed", "missed revenue", fmt_eur(out.revenue_missed_eur)),
                ("wasted_hours", "wasted hours", fmt_int(out.wasted_hours)),
                ("revenue_per_hour", "revenue per hour", fmt_eur(out.revenue_per_hour_eur)),
                (
                    "best_threshold",
                    "best threshold under capacity",
                    "none fits" if best is None else f"{best['threshold']:.1f} points",
                ),
            ],
            note=self._capacity_note(out, row, cap),
        )
        self.now_line.set_xdata([t, t])
        if row is None:
            self.all_dots.set_data([], [])
            self.now_dot.set_data([], [])
        else:
            self.all_dots.set_data([t, t], [row["win_rate"], row["capture_rate"]])
            self.now_dot.set_data(*self._shares([row["hours_spent"]], [row["revenue_won_eur"]]))
        if binds:
            self.cap_dots.set_data([t, t], [out.win_rate, out.capture_rate])
            self.worked_dot.set_data(*self._shares([out.hours_spent], [out.revenue_won_eur]))
        else:  # every SQO is worked: the within-capacity point is the curve's point
            self.cap_dots.set_data([], [])
            self.worked_dot.set_data([], [])
        cap_share = self._shares([cap], [0.0])[0][0]
        self.cap_line.set_xdata([cap_share, cap_share])
        if best is None:
            self.best_line.set_visible(False)
            self.best_dot.set_data([], [])
        else:
            self.best_line.set_visible(True)
            self.best_line.set_xdata([best["threshold"]] * 2)
            self.best_dot.set_data(*self._shares([best["hours_spent"]], [best["revenue_won_eur"]]))
        best_text = (
            "no threshold fits the capacity"
            if best is None
            else f"the best threshold under the capacity is {best['threshold']:.1f} points, "
            f"winning {fmt_eur(best['revenue_won_eur'])}"
        )
        if binds and row is not None:
            rates = (
                f"if all SQOs were worked the win rate would be {fmt_pct(row['win_rate'])} and "
                f"the capture rate {fmt_pct(row['capture_rate'])} (black dots); within capacity "
                f"they are {fmt_pct(out.win_rate)} and {fmt_pct(out.capture_rate)} (crosses)"
            )
        else:
            rates = (
                f"the win rate is {fmt_pct(out.win_rate)} and the capture rate "
                f"{fmt_pct(out.capture_rate)}"
            )
        self.plot.alt = (
            f"Left: win rate and capture rate against the score threshold; at {t:g} points "
            f"{rates}. Right: revenue won against sales hours; with "
            f"{cap:,.0f} hours of capacity {out.n_worked:,} of {out.n_sqo:,} SQOs are worked, "
            f"winning {fmt_eur(out.revenue_won_eur)}; {best_text}."
        )

    @staticmethod
    def _capacity_note(out: Any, row: pd.Series | None, cap: float) -> str:
        """Say whether the sales capacity binds, and what that means for the numbers."""
        if out.n_sqo == 0:
            return (
                '<p class="sqolab-capacity" data-binds="no">No lead reaches this threshold, so '
                "there are no SQOs to work: lower the threshold.</p>"
            )
        if out.n_worked >= out.n_sqo:
            return (
                '<p class="sqolab-capacity" data-binds="no">Capacity is enough: all '
                f"{out.n_sqo:,} SQOs can be worked in {cap:,.0f} hours.</p>"
            )
        all_rates = (
            ""
            if row is None
            else f" If all were worked: win rate {fmt_pct(row['win_rate'])}, capture rate "
            f"{fmt_pct(row['capture_rate'])} (black dots on the chart)."
        )
        return (
            '<p class="sqolab-capacity sqolab-binds" data-binds="yes"><b>Capacity binds:</b> '
            f"{out.n_worked:,} of {out.n_sqo:,} SQOs can be worked in {cap:,.0f} hours; the rest "
            "wait. The numbers below are within capacity (crosses on the chart), so a small "
            f"change of the threshold may not move them.{all_rates} Raise the threshold to pick "
            "fewer, better SQOs, or add hours.</p>"
        )


def tradeoff_lab(leads: pd.DataFrame | None = None, context: str = "startup") -> TradeoffLab:
    """Lab 2 on the context's sample (or your own leads)."""
    return TradeoffLab(leads, context)
