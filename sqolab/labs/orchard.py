"""Lab 6: the farmer's orchard, the article's analogy, evaluated in exactly the SQO terms.

The fruit becomes a pipeline for the engine: ripeness is the lead score, a fruit that would sell is
a deal that would be won (price = deal value), picking minutes are sales hours. Picking "fruit at
least this ripe" is qualifying; the picking hours are the sales capacity (ripest first).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sqolab.data.samples import load_orchard
from sqolab.data.schema import OUTCOMES
from sqolab.engine.formatting import fmt_eur, fmt_int
from sqolab.engine.outcomes import evaluate
from sqolab.figures.style import ROLE, label, styled
from sqolab.labs.base import Lab
from sqolab.labs.canvas import share_axis, unit_bars
from sqolab.labs.controls import slider
from sqolab.labs.html import html_table

BINS = np.arange(0, 102, 2)
HARVEST = ["picked", "sold", "picked, not sold", "sellable, left"]


def orchard_pipeline(orchard: pd.DataFrame) -> pd.DataFrame:
    """The orchard as engine columns: sells -> outcome, price -> deal value, minutes -> hours."""
    outcome = np.where(orchard["sells"].astype(str).to_numpy() == "yes", "won", "no_decision")
    return pd.DataFrame(
        {
            "outcome": pd.Categorical(outcome, categories=OUTCOMES),
            "deal_value_eur": orchard["price_eur"].to_numpy(dtype=float),
            "sales_hours": orchard["pick_minutes"].to_numpy(dtype=float) / 60.0,
            "ripeness": orchard["ripeness"].to_numpy(dtype=float),
        },
        index=orchard.index,
    )


class OrchardLab(Lab):
    """The farmer's ripeness threshold and picking hours: waste and missed fruit, as SQO terms."""

    title = "Lab 6: The orchard"

    def __init__(self, orchard: pd.DataFrame | None = None) -> None:
        super().__init__()
        self.orchard = load_orchard() if orchard is None else orchard
        self.pipeline = orchard_pipeline(self.orchard)
        self.ripeness = self.pipeline["ripeness"].to_numpy()
        total = float(self.pipeline["sales_hours"].sum())
        hours_max = max(0.5, float(np.ceil(total * 2) / 2))
        c = self.control
        self.threshold = c(
            "threshold",
            slider(
                "ripeness to pick [points]",
                "The farmer picks fruit at least this ripe (0 = green, 100 = fully ripe): the "
                "qualification criterion. Higher is stricter.",
                0,
                100,
                1,
                60,
            ),
        )
        self.hours = c(
            "hours",
            slider(
                "picking time [hours]",
                "The hours the farmer has for picking: the sales capacity. The ripest fruit is "
                "picked first until the time runs out.",
                0,
                hours_max,
                0.5,
                round(hours_max * 0.5 * 2) / 2,
                integer=False,
            ),
        )
        self.plot = self.add_figure(10.0, 3.2, 1, 2)
        with styled():
            self._build_plot()
        self.mapping = self.table("mapping")
        self.children = [
            self.header(
                "A farmer with limited time picks the ripest fruit, the fruit customers will buy. "
                "Set how ripe a fruit must be to be picked and how many hours the farmer has. "
                "Unripe fruit that is picked does not sell: wasted effort. Ripe fruit left on the "
                "tree is a missed sale. The table maps each term onto its SQO twin."
            ),
            self.threshold,
            self.hours,
            self.reset_button,
            self.message,
            self.headline,
            self.plot.canvas,
            self.mapping,
        ]
        self.refresh()

    def _build_plot(self) -> None:
        ax_fruit, ax_harvest = self.plot.axes
        sells = self.pipeline["outcome"].to_numpy() == "won"
        counts_yes, _ = np.histogram(self.ripeness[sells], bins=BINS)
        counts_no, _ = np.histogram(self.ripeness[~sells], bins=BINS)
        ax_fruit.stairs(
            counts_yes, BINS, color=ROLE["won"], fill=True, alpha=0.6, label="would sell"
        )
        ax_fruit.stairs(
            counts_no,
            BINS,
            color=ROLE["wasted"],
            linewidth=2,
            linestyle="--",
            label="would not sell",
        )
        top = max(int(counts_yes.max(initial=0)), int(counts_no.max(initial=0)), 1)
        ax_fruit.set_xlim(0, 100)
        ax_fruit.set_ylim(0, 1.25 * top)
        label(ax_fruit, "ripeness [points]", "fruit [count]", "The orchard")
        ax_fruit.legend(loc="upper left", fontsize=8)
        self.pick_span = ax_fruit.axvspan(60, 100, color=ROLE["sqo"], alpha=0.12)
        self.pick_line = ax_fruit.axvline(60, color=ROLE["current"], linewidth=2)
        self.pick_text = ax_fruit.text(61, 1.15 * top, "pick →", fontsize=9)

        colours = [ROLE["sqo"], ROLE["won"], ROLE["wasted"], ROLE["missed"]]
        self.harvest_bars = unit_bars(ax_harvest, HARVEST, colours, ["", "//", "\\\\", "xx"])
        share_axis(ax_harvest)
        label(ax_harvest, "share of all fruit [%]", "fruit", "The harvest", category="y")
        self.harvest_text = [ax_harvest.text(0, i, "", va="center", fontsize=9) for i in range(4)]
        self.plot.dynamic(
            self.pick_span, self.pick_line, self.pick_text, self.harvest_bars, self.harvest_text
        )

    def update(self) -> None:
        """Evaluate the farmer's policy with the engine and update the views."""
        t = float(self.threshold.value)
        hours = float(self.hours.value)
        picked_ok = self.ripeness >= t
        out = evaluate(self.pipeline, picked_ok, capacity_hours=hours, priority=self.ripeness)
        n = max(out.n_leads, 1)
        unsold = out.n_worked - out.won
        values = [out.n_worked, out.won, unsold, out.missed]
        for bar, text, count in zip(self.harvest_bars, self.harvest_text, values, strict=True):
            bar.set_width(count / n)
            text.set_x(count / n + 0.02)
            text.set_text(f"{count:,}")
        self.pick_span.set_x(t)
        self.pick_span.set_width(100 - t)
        self.pick_line.set_xdata([t, t])
        self.pick_text.set_x(min(t + 1, 88))

        self.show_numbers(
            [
                ("n_sqo", "ripe enough", f"{out.n_sqo:,} of {out.n_leads:,} fruit"),
                ("picked", "picked in time", fmt_int(out.n_worked)),
                ("sold", "sold", fmt_int(out.won)),
                ("waste", "picked, not sold", fmt_int(unsold)),
                ("missed", "sellable fruit left", fmt_int(out.missed)),
                ("revenue", "sales", fmt_eur(out.revenue_won_eur)),
            ]
        )
        rows = [
            ["ripeness to pick", f"{t:g} points", "qualification criterion (score threshold)"],
            ["picking time", f"{hours:g} hours", "sales capacity"],
            ["fruit ripe enough", fmt_int(out.n_sqo), "SQOs"],
            ["fruit picked in time", fmt_int(out.n_worked), "SQOs worked"],
            ["picked and sold", fmt_int(out.won), "deals won"],
            [
                "unripe fruit picked, not sold",
                f"{unsold:,} fruit, {out.wasted_hours:.1f} hours",
                "wasted sales effort",
            ],
            [
                "ripe fruit left on the tree",
                f"{out.missed:,} fruit, {fmt_eur(out.revenue_missed_eur)}",
                "missed opportunities",
            ],
            ["sales", fmt_eur(out.revenue_won_eur), "revenue won"],
        ]
        self.mapping.value = html_table(
            rows, ["in the orchard", "now", "in sales"], "The orchard in SQO terms"
        )
        self.plot.alt = (
            f"Histogram of {out.n_leads:,} fruit by ripeness, split into fruit that would sell "
            f"and fruit that would not; the farmer picks from {t:g} points, where "
            f"{out.n_sqo:,} fruit are ripe enough. Harvest: "
            f"{out.n_worked:,} picked in {hours:g} hours, {out.won:,} sold, {unsold:,} picked "
            f"but not sold (waste), {out.missed:,} sellable fruit left (missed)."
        )


def orchard_lab(leads: pd.DataFrame | None = None) -> OrchardLab:
    """Lab 6 on the shipped orchard (or any table with the orchard's columns)."""
    return OrchardLab(leads)
