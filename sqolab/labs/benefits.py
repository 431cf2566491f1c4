"""Lab 3: the benefits of SQOs: efficiency, marketing alignment and better forecasts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from sqolab.data.samples import shared_campaigns
from sqolab.data.schema import CONTEXTS
from sqolab.engine.forecasts import forecast_error, forecast_summary
from sqolab.engine.formatting import fmt_eur, fmt_pct
from sqolab.engine.outcomes import evaluate
from sqolab.engine.reports import campaign_report
from sqolab.engine.scoring import lead_score
from sqolab.figures.style import ROLE, label, percent_axis, styled
from sqolab.labs.base import Lab
from sqolab.labs.canvas import set_bar
from sqolab.labs.common import CONTEXT_OPTIONS, TIPS
from sqolab.labs.controls import dropdown, slider
from sqolab.labs.html import html_table

LEVELS = np.arange(0, 101, 5)  # strictness grid: forecasts and campaign reports are precomputed
QUARTERS = 200  # simulated quarters per strictness level
QUARTER_LEADS = 750  # leads per simulated quarter at most (the startup sample's quarter)
ERROR_BINS = np.arange(-100, 101, 10)  # forecast error histogram [%]; outliers go to the ends
RANK_OPTIONS = [("cost per SQO", "cost_per_sqo_eur"), ("cost per lead", "cost_per_lead_eur")]


def _eur_cell(value: object) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:,.0f}"


class _Pipeline:
    """One context's leads, score, campaigns, and per strictness level the reports."""

    def __init__(self, leads: pd.DataFrame, campaign_table: pd.DataFrame) -> None:
        self.leads = leads
        self.score = lead_score(leads).to_numpy()
        self.everyone = np.ones(len(leads), dtype=bool)
        self.all_leads = evaluate(leads, self.everyone)
        size = max(1, min(len(leads) // 4, QUARTER_LEADS))
        self.reports: dict[int, pd.DataFrame] = {}
        self.errors: dict[int, dict[str, np.ndarray]] = {}
        self.summaries: dict[int, pd.DataFrame] = {}
        for level in LEVELS:
            is_sqo = self.score >= level
            self.reports[int(level)] = campaign_report(leads, campaign_table, is_sqo)
            errors = forecast_error(leads, is_sqo, n_quarters=QUARTERS, quarter_size=size)
            self.summaries[int(level)] = forecast_summary(errors)
            self.errors[int(level)] = {
                name: group["error_pct"].to_numpy()
                for name, group in errors.groupby("pipeline", sort=False)
            }
        rates = [evaluate(leads, self.score >= v).revenue_per_hour_eur for v in LEVELS]
        self.per_hour_max = float(np.nanmax([0.0, *rates]))
        self.mae = {
            name: np.array([self.summaries[int(v)].loc[name, "mean_abs_error_pct"] for v in LEVELS])
            for name in ("all leads", "SQOs only")
        }


def _histogram(errors: np.ndarray) -> np.ndarray:
    """Share of quarters per error bin (outliers counted in the outer bins)."""
    finite = errors[np.isfinite(errors)]
    if len(finite) == 0:
        return np.zeros(len(ERROR_BINS) - 1)
    counts, _ = np.histogram(np.clip(finite, -99.9, 99.9), bins=ERROR_BINS)
    return counts / len(finite)


class BenefitsLab(Lab):
    """Efficiency, marketing alignment (campaigns re-ranked) and forecast error vs strictness."""

    title = "Lab 3: What SQOs bring"

    def __init__(
        self,
        leads: pd.DataFrame | None = None,
        context: str = "startup",
        campaign_table: pd.DataFrame | None = None,
    ) -> None:
        super().__init__()
        self.use_leads(leads, context)
        self._given_campaigns = campaign_table
        contexts = CONTEXTS if leads is None else (context,)
        for ctx in contexts:  # every context now, so that a change only looks up
            self.per_context(ctx, self._make_pipeline)
        c = self.control
        self.context = c("context", dropdown("Context", TIPS["context"], CONTEXT_OPTIONS, context))
        self.context.disabled = leads is not None
        self.threshold = c(
            "threshold",
            slider("score threshold [points]", TIPS["threshold"], 0, 100, 5, 60),
        )
        self.rank_by = c(
            "rank_by",
            dropdown(
                "Rank campaigns by",
                "Order the campaign table by what a campaign costs per lead (what marketing often "
                "reports) or per SQO (what sales can use). The ranks of both are shown.",
                RANK_OPTIONS,
                "cost_per_sqo_eur",
            ),
        )
        self.plot = self.add_figure(11.0, 3.3, 1, 3)
        with styled():
            self._build_plot()
        self.campaign_table = self.table("campaigns")
        self._show_curves()
        self.children = [
            self.header(
                "A lead is an SQO when its score reaches the threshold. See what that gains: "
                "sales hours go to deals that close (efficiency), campaigns are judged by the "
                "SQOs they bring instead of raw leads (marketing alignment), and the revenue "
                "forecast misses by less (forecasting)."
            ),
            self.context,
            self.threshold,
            self.reset_button,
            self.message,
            self.headline,
            self.plot.canvas,
            self.rank_by,
            self.campaign_table,
        ]
        self.refresh()

    def _make_pipeline(self, context: str) -> _Pipeline:
        table = (
            self._given_campaigns
            if self._given_campaigns is not None
            else shared_campaigns(context)
        )
        return _Pipeline(self.leads_of(context), table)

    @property
    def pipeline(self) -> _Pipeline:
        """The current context's precomputed pipeline."""
        return self.per_context(self.context.value, self._make_pipeline)

    @property
    def leads(self) -> pd.DataFrame:
        """The leads currently shown."""
        return self.pipeline.leads

    def _changed(self, change: dict[str, Any]) -> None:
        if self._holding:
            return
        if change["owner"] is self.context:
            self._show_curves()
        self.refresh()

    # -- views --------------------------------------------------------------------------------

    def _build_plot(self) -> None:
        ax_eff, ax_hist, ax_mae = self.plot.axes
        self.eff_bars = ax_eff.bar(
            [0, 1],
            [0, 0],
            color=[ROLE["not_sqo"], ROLE["sqo"]],
            hatch=["", "//"],
            edgecolor="white",
            width=0.6,
        )
        ax_eff.set_xticks([0, 1], ["all leads", "SQOs"])
        ax_eff.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
        label(ax_eff, "pipeline", "revenue per sales hour [EUR]", "Efficiency", category="x")
        self.eff_text = [
            ax_eff.text(i, 0, "", ha="center", va="bottom", fontsize=9) for i in (0, 1)
        ]

        zeros = np.zeros(len(ERROR_BINS) - 1)
        self.hist_all = ax_hist.stairs(
            zeros, ERROR_BINS, color=ROLE["not_sqo"], linestyle="--", linewidth=2, label="all leads"
        )
        self.hist_sqo = ax_hist.stairs(
            zeros, ERROR_BINS, color=ROLE["sqo"], linewidth=2, label="SQOs only"
        )
        ax_hist.set_xlim(-100, 100)
        ax_hist.set_ylim(0, 1)
        percent_axis(ax_hist)
        label(ax_hist, "forecast error [%]", "share of quarters [%]", "Forecast error")
        ax_hist.legend(loc="upper left", fontsize=8)

        (self.mae_all,) = ax_mae.plot([], [], color=ROLE["not_sqo"], linestyle="--", label="all")
        (self.mae_sqo,) = ax_mae.plot(
            [], [], color=ROLE["sqo"], marker="o", markersize=3, label="SQOs"
        )
        (self.mae_dot,) = ax_mae.plot([], [], "D", color=ROLE["current"], markersize=8)
        ax_mae.set_xlim(0, 100)
        label(ax_mae, "score threshold [points]", "mean absolute error [%]", "Error vs strictness")
        ax_mae.legend(loc="upper left", fontsize=8)
        self.plot.dynamic(
            self.eff_bars,
            self.eff_text,
            self.hist_all,
            self.hist_sqo,
            self.mae_all,
            self.mae_sqo,
            self.mae_dot,
        )
        # Fixed axes for every context: the largest value any context can show.
        mae = [m[np.isfinite(m)] for p in self.prepared() for m in p.mae.values()]
        top_mae = max((float(m.max()) for m in mae if len(m)), default=1.0)
        ax_mae.set_ylim(0, 1.1 * top_mae)
        per_hour = [p.per_hour_max for p in self.prepared()]
        ax_eff.set_ylim(0, 1.2 * max(per_hour, default=1.0))

    def _show_curves(self) -> None:
        pipe = self.pipeline
        self.mae_all.set_data(LEVELS, pipe.mae["all leads"])
        self.mae_sqo.set_data(LEVELS, pipe.mae["SQOs only"])

    def update(self) -> None:
        """Evaluate the threshold and show the precomputed reports of its strictness level."""
        pipe = self.pipeline
        level = int(self.threshold.value)
        if level not in pipe.reports:  # the slider moves in steps of 5; round to the grid
            level = int(LEVELS[np.abs(LEVELS - level).argmin()])
        is_sqo = pipe.score >= self.threshold.value
        sqo = evaluate(pipe.leads, is_sqo)
        every = pipe.all_leads
        report = pipe.reports[level]
        summary = pipe.summaries[level]

        for i, out in enumerate((every, sqo)):
            height = set_bar(self.eff_bars[i], out.revenue_per_hour_eur, vertical=True)
            self.eff_text[i].set_y(height)
            self.eff_text[i].set_text(f"win rate {fmt_pct(out.win_rate)}")
        self.hist_all.set_data(_histogram(pipe.errors[level]["all leads"]))
        self.hist_sqo.set_data(_histogram(pipe.errors[level]["SQOs only"]))
        mae_sqo = summary.loc["SQOs only", "mean_abs_error_pct"]
        mae_all = summary.loc["all leads", "mean_abs_error_pct"]
        self.mae_dot.set_data([level], [mae_sqo if np.isfinite(mae_sqo) else np.nan])

        cheapest_lead = report.sort_values("cost_per_lead_eur").iloc[0]["campaign"]
        cheapest_sqo = report.iloc[0]["campaign"] if sqo.n_sqo else "none (no SQOs)"
        self.show_numbers(
            [
                ("n_sqo", "SQOs", f"{sqo.n_sqo:,} of {sqo.n_leads:,}"),
                (
                    "win_rate",
                    "win rate SQOs / all",
                    f"{fmt_pct(sqo.win_rate)} / {fmt_pct(every.win_rate)}",
                ),
                (
                    "revenue_per_hour",
                    "revenue per hour SQOs / all",
                    f"{fmt_eur(sqo.revenue_per_hour_eur)} / {fmt_eur(every.revenue_per_hour_eur)}",
                ),
                ("cheapest_per_lead", "cheapest per lead", str(cheapest_lead)),
                ("cheapest_per_sqo", "cheapest per SQO", str(cheapest_sqo)),
                (
                    "forecast_error",
                    "mean forecast error SQOs / all",
                    f"{mae_sqo:.1f}% / {mae_all:.1f}%"
                    if np.isfinite(mae_sqo)
                    else f"n/a / {mae_all:.1f}%",
                ),
            ]
        )
        self._update_campaigns(report)
        self.plot.alt = (
            f"Efficiency: revenue per sales hour {fmt_eur(sqo.revenue_per_hour_eur)} for the "
            f"{sqo.n_sqo:,} SQOs "
            f"(score at least {self.threshold.value}) against {fmt_eur(every.revenue_per_hour_eur)}"
            f" for all leads. Forecast error over {QUARTERS} simulated quarters: mean absolute "
            f"error {mae_sqo:.1f}% with SQOs only against {mae_all:.1f}% with all leads. The right "
            "panel shows that error for every threshold."
        )

    def _update_campaigns(self, report: pd.DataFrame) -> None:
        key = self.rank_by.value
        table = report.sort_values([key, "campaign"], na_position="last")
        rows = []
        for _, r in table.iterrows():
            per_lead, per_sqo = r["rank_per_lead"], r["rank_per_sqo"]
            if pd.isna(per_sqo) or pd.isna(per_lead):
                move = "-"
            else:
                diff = int(per_lead) - int(per_sqo)
                move = "same" if diff == 0 else (f"▲ {diff}" if diff > 0 else f"▼ {-diff}")
            rows.append(
                [
                    r["campaign"],
                    r["channel"],
                    _eur_cell(r["spend_eur"]),
                    r["leads"],
                    r["sqos"],
                    _eur_cell(r["cost_per_lead_eur"]),
                    "-" if pd.isna(per_lead) else int(per_lead),
                    _eur_cell(r["cost_per_sqo_eur"]),
                    "-" if pd.isna(per_sqo) else int(per_sqo),
                    move,
                ]
            )
        header = [
            "campaign",
            "channel",
            "spend [EUR]",
            "leads",
            "SQOs",
            "per lead [EUR]",
            "rank per lead",
            "per SQO [EUR]",
            "rank per SQO",
            "per SQO vs per lead",
        ]
        label_ = dict((v, k) for k, v in RANK_OPTIONS)[key]
        self.campaign_table.value = html_table(
            rows, header, f"Campaigns ranked by {label_} (1 = cheapest; ▲ = ranks better per SQO)"
        )


def benefits_lab(leads: pd.DataFrame | None = None, context: str = "startup") -> BenefitsLab:
    """Lab 3 on the context's sample and campaigns (or your own leads of that context)."""
    return BenefitsLab(leads, context)
