"""Lab 5: the startup, the consultancy and the agency side by side, each with its framework."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd

from sqolab.data.contexts import PROFILES
from sqolab.data.samples import shared_sample
from sqolab.data.schema import CONTEXTS
from sqolab.engine.criteria import Criteria, preset, qualify
from sqolab.engine.formatting import fmt_eur, fmt_int, fmt_pct
from sqolab.engine.outcomes import evaluate
from sqolab.figures.style import ROLE, label, styled
from sqolab.labs.base import Lab
from sqolab.labs.canvas import set_bar, share_axis, unit_bars
from sqolab.labs.common import FRAMEWORK_OPTIONS, TIPS
from sqolab.labs.controls import checkbox, dropdown, unknown_text
from sqolab.labs.html import html_table

BARS = ["SQOs / leads", "win rate", "capture rate"]


def _omit(_value: object) -> None:
    """Leave a control out of the settings line (another control says it)."""
    return None


class ContextsLab(Lab):
    """Three contexts, each qualified with a framework (by default its own), compared."""

    title = "Lab 5: Three businesses, three frameworks"

    def __init__(self, leads: Mapping[str, pd.DataFrame] | None = None) -> None:
        super().__init__()
        given = dict(leads or {})
        unknown = [k for k in given if k not in CONTEXTS]
        if unknown:
            raise ValueError(f"Unknown contexts {unknown}; use some of {', '.join(CONTEXTS)}.")
        self._leads = {ctx: given.get(ctx) for ctx in CONTEXTS}
        columns = []
        self.frameworks: dict[str, Any] = {}
        self.unknowns: dict[str, Any] = {}
        for ctx in CONTEXTS:
            prof = PROFILES[ctx]
            fw = self.control(
                f"framework_{ctx}",
                dropdown(
                    "Framework",
                    f"The qualification framework for the {prof.title.lower()}; it starts with "
                    f"the one such firms typically use ({prof.framework}).",
                    FRAMEWORK_OPTIONS,
                    prof.framework,
                ),
                lambda v, ctx=ctx, title=prof.title: (
                    f"{title}: {v}, {unknown_text(self.unknowns[ctx].value)}"
                ),
            )
            fw.layout.width = "300px"  # three columns side by side; the label keeps its width
            unk = self.control(
                f"unknown_{ctx}",
                checkbox(
                    "unknown counts as met",
                    TIPS["unknown_meets"],
                    preset(prof.framework, ctx).unknown_meets,
                ),
                _omit,  # said with the framework
            )
            self.frameworks[ctx], self.unknowns[ctx] = fw, unk
            columns.append(widgets.VBox([widgets.HTML(f"<b>{prof.title}</b>"), fw, unk]))
        self.plot = self.add_figure(11.0, 2.8, 1, 3)
        with styled():
            self._build_plot()
        self.comparison = self.table("comparison")
        self.children = [
            self.header(
                "The article's three examples: a B2B SaaS startup, a consultancy and a digital "
                "marketing agency. Each starts with the framework such a firm typically uses; "
                "try another and compare what it wins and misses in each business."
            ),
            widgets.HBox(columns),
            self.reset_button,
            self.message,
            self.headline,
            self.plot.canvas,
            self.comparison,
        ]
        self.refresh()

    def leads_of(self, context: str) -> pd.DataFrame:
        """The leads of ``context`` (given, or its sample)."""
        given = self._leads[context]
        return given if given is not None else shared_sample(context)

    def criteria(self, context: str) -> Criteria:
        """The criteria of ``context``'s chosen framework with its unknown-value rule."""
        crit = preset(self.frameworks[context].value, context)
        return crit.replace(unknown_meets=bool(self.unknowns[context].value))

    def _changed(self, change: dict[str, Any]) -> None:
        if self._holding:
            return
        for ctx, fw in self.frameworks.items():
            if change["owner"] is fw:  # a new framework brings its own rule for unknowns
                with self.hold():
                    self.unknowns[ctx].value = preset(fw.value, ctx).unknown_meets
        self.refresh()

    def _build_plot(self) -> None:
        self.bars = {}
        self.texts = {}
        colours = [ROLE["sqo"], ROLE["won"], ROLE["accent"]]
        for ax, ctx in zip(self.plot.axes, CONTEXTS, strict=True):
            self.bars[ctx] = unit_bars(ax, BARS, colours, ["", "//", ".."])
            share_axis(ax)
            label(ax, "rate [%]", "measure", PROFILES[ctx].title, category="y")
            self.texts[ctx] = [ax.text(0, i, "", va="center", fontsize=9) for i in range(3)]
            self.plot.dynamic(self.bars[ctx], self.texts[ctx])

    def update(self) -> None:
        """Qualify each context with its framework and compare."""
        results = {}
        for ctx in CONTEXTS:
            leads = self.leads_of(ctx)
            crit = self.criteria(ctx)
            out = evaluate(leads, qualify(leads, crit))
            results[ctx] = (leads, crit, out)
            values = [out.n_sqo / max(out.n_leads, 1), out.win_rate, out.capture_rate]
            for bar, text, value in zip(self.bars[ctx], self.texts[ctx], values, strict=True):
                width = set_bar(bar, value)  # n/a (no SQOs): no bar
                text.set_x(width + 0.02)
                text.set_text(fmt_pct(value, 0))
        metrics = [
            ("framework", lambda lc, c, o, ctx: self.frameworks[ctx].value),
            ("criteria", lambda lc, c, o, ctx: c.describe()),
            ("median deal [EUR]", lambda lc, c, o, ctx: fmt_int(lc["deal_value_eur"].median())),
            ("leads", lambda lc, c, o, ctx: fmt_int(o.n_leads)),
            ("SQOs", lambda lc, c, o, ctx: fmt_int(o.n_sqo)),
            ("win rate", lambda lc, c, o, ctx: fmt_pct(o.win_rate)),
            ("capture rate", lambda lc, c, o, ctx: fmt_pct(o.capture_rate)),
            ("revenue won", lambda lc, c, o, ctx: fmt_eur(o.revenue_won_eur)),
            ("revenue missed", lambda lc, c, o, ctx: fmt_eur(o.revenue_missed_eur)),
            ("revenue per sales hour", lambda lc, c, o, ctx: fmt_eur(o.revenue_per_hour_eur)),
        ]
        body = [[name, *(fn(*results[ctx], ctx) for ctx in CONTEXTS)] for name, fn in metrics]
        header = ["", *(PROFILES[ctx].title for ctx in CONTEXTS)]
        self.comparison.value = html_table(body, header, "The three businesses side by side")
        counts = " / ".join(f"{results[ctx][2].n_sqo:,}" for ctx in CONTEXTS)
        per_context = [
            (
                f"n_sqo_{ctx}",
                f"{PROFILES[ctx].title} SQOs",
                f"{results[ctx][2].n_sqo:,} of {results[ctx][2].n_leads:,}",
            )
            for ctx in CONTEXTS
        ]
        self.show_numbers(
            [("n_sqo", "SQOs (startup / consultancy / agency)", counts), *per_context]
        )
        self.plot.alt = " ".join(
            f"{PROFILES[ctx].title} with {self.frameworks[ctx].value}: "
            f"{results[ctx][2].n_sqo:,} SQOs of {results[ctx][2].n_leads:,} leads, win rate "
            f"{fmt_pct(results[ctx][2].win_rate)}, capture rate "
            f"{fmt_pct(results[ctx][2].capture_rate)}."
            for ctx in CONTEXTS
        )


def contexts_lab(leads: Mapping[str, pd.DataFrame] | None = None) -> ContextsLab:
    """Lab 5 on the three samples (or your own leads per context, e.g. ``{"startup": df}``)."""
    return ContextsLab(leads)
