"""Lab 4: the drawbacks of SQOs: missed opportunities, over-reliance on criteria, competition."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sqolab.data.contexts import PROFILES
from sqolab.data.schema import CONTEXTS
from sqolab.engine.criteria import CRITERIA_NAMES, Criteria, criteria_met, preset, qualify
from sqolab.engine.formatting import fmt_eur, fmt_int, fmt_pct
from sqolab.engine.missed import (
    cut_counts,
    excluded_mask,
    failed_criteria,
    largest_deals_first,
    largest_excluded,
)
from sqolab.engine.outcomes import Outcome, evaluate
from sqolab.engine.reports import CONTESTED, competition_effect, contest_summary
from sqolab.engine.scoring import lead_score
from sqolab.figures.style import ROLE, label, percent_axis, styled
from sqolab.labs.base import Lab
from sqolab.labs.canvas import set_bar, share_axis, unit_bars
from sqolab.labs.common import CONTEXT_OPTIONS, FRAMEWORK_OPTIONS, TIPS
from sqolab.labs.controls import checkbox, dropdown, slider, unknown_text
from sqolab.labs.html import html_table

MAX_COMPETITORS = 5
TABLE_ROWS = 12
POLICIES = ["strict gate", "k of n", "lead score"]


class _Pipeline:
    """One context's leads, score, deal order and the competition table, computed once."""

    def __init__(self, leads: pd.DataFrame) -> None:
        self.leads = leads
        self.score = lead_score(leads).to_numpy()
        self.order = largest_deals_first(leads)
        self.competition = competition_effect(leads, max_competitors=MAX_COMPETITORS)


class DrawbacksLab(Lab):
    """Excluded winners and the criterion that cut each; gate vs k-of-n vs score; competition."""

    title = "Lab 4: What SQOs cost"

    def __init__(
        self, leads: pd.DataFrame | None = None, context: str = "startup", framework: str = "BANT"
    ) -> None:
        super().__init__()
        self.use_leads(leads, context)
        for ctx in CONTEXTS if leads is None else ():  # every context now, not on a change
            self.per_context(ctx, self._make_pipeline)
        c = self.control
        self.context = c("context", dropdown("Context", TIPS["context"], CONTEXT_OPTIONS, context))
        self.context.disabled = leads is not None
        if leads is None:
            self.add_world_control()
        self.framework = c(
            "framework",
            dropdown(
                "Framework (gate)",
                "The criteria of the strict gate: every criterion of this framework must be met. "
                "The k-of-n policy uses the same criteria but lets a lead miss some.",
                FRAMEWORK_OPTIONS,
                framework,
            ),
        )
        n = len(preset(framework, context).applied)
        self.k = c(
            "k",
            slider("k of n: criteria to meet [count]", TIPS["min_met"], 1, n, 1, max(1, n - 1)),
            lambda v: f"criteria to meet (k of n): at least {v} of {self.k.max}",
        )
        self.threshold = c(
            "threshold", slider("score threshold [points]", TIPS["threshold"], 0, 100, 1, 55)
        )
        self.unknown_meets = c(
            "unknown_meets",
            checkbox("unknown counts as met", TIPS["unknown_meets"], False),
            unknown_text,
        )
        self.plot = self.add_figure(10.5, 3.3, 1, 3)
        with styled():
            self._build_plot()
        self.policy_table = self.table("policies")
        self.winners_table = self.table("missed")
        self._show_static()
        self.children = [
            self.header(
                "Three ways to qualify the same leads: a strict gate (every criterion of the "
                "framework), a flexible k-of-n rule on the same criteria, and a lead score. See "
                "which winners each turns away and why, and how strict criteria pick the deals "
                "that competitors also fight for."
            ),
            self.context,
            *self.world_controls(),
            self.framework,
            self.k,
            self.threshold,
            self.unknown_meets,
            self.reset_button,
            self.message,
            self.headline,
            self.plot.canvas,
            self.policy_table,
            self.winners_table,
        ]
        self.refresh()

    @property
    def pipeline(self) -> _Pipeline:
        """The current context's precomputed pipeline."""
        return self.per_context(self.context.value, self._make_pipeline)

    def _make_pipeline(self, context: str) -> _Pipeline:
        return _Pipeline(self.leads_of(context))

    @property
    def leads(self) -> pd.DataFrame:
        """The leads currently shown."""
        return self.pipeline.leads

    def gate(self) -> Criteria:
        """The strict gate: every criterion of the framework, in the current context."""
        base = preset(self.framework.value, self.context.value)
        return base.replace(min_met=None, unknown_meets=bool(self.unknown_meets.value))

    def k_of_n(self) -> Criteria:
        """The gate's criteria, of which at least k must be met."""
        gate = self.gate()
        return gate.replace(min_met=min(self.k.value, len(gate.applied)))

    def adapt(self) -> None:
        """The k slider spans 1 .. the number of the framework's criteria."""
        n = len(self.gate().applied)
        self.k.max = max(n, 1)
        self.k.value = min(self.k.value, self.k.max)

    def _changed(self, change: dict[str, Any]) -> None:
        if self._holding:
            return
        if change["owner"] is self.context or change["owner"] is self.world:
            self._show_static()
        elif change["owner"] is self.framework:  # a new framework: k starts at "all but one"
            n = len(self.gate().applied)
            with self.hold():
                self.k.max = max(n, 1)
                self.k.value = max(1, n - 1)
        self.refresh()

    # -- views --------------------------------------------------------------------------------

    def _build_plot(self) -> None:
        ax_pol, ax_cut, ax_comp = self.plot.axes
        y = np.arange(3)
        self.win_bars = ax_pol.barh(
            y - 0.2, [0, 0, 0], height=0.38, color=ROLE["sqo"], label="win rate"
        )
        self.capture_bars = ax_pol.barh(
            y + 0.2,
            [0, 0, 0],
            height=0.38,
            color=ROLE["won"],
            hatch="//",
            edgecolor="white",
            label="capture rate",
        )
        ax_pol.set_yticks(y, POLICIES)
        ax_pol.invert_yaxis()
        share_axis(ax_pol)
        label(ax_pol, "rate [%]", "policy", "Over-reliance on criteria", category="y")
        ax_pol.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2, fontsize=8)

        self.cut_bars = unit_bars(ax_cut, list(CRITERIA_NAMES), [ROLE["missed"]] * 6, ["xx"] * 6)
        share_axis(ax_cut)
        label(
            ax_cut,
            "share of excluded winners [%]",
            "criterion failed",
            "Missed winners",
            category="y",
        )
        self.cut_text = [ax_cut.text(0, i, "", va="center", fontsize=8) for i in range(6)]

        x = np.arange(MAX_COMPETITORS + 1)
        self.comp_bars = ax_comp.bar(
            x, np.zeros(len(x)), color=ROLE["accent"], width=0.6, label="win rate if pursued"
        )
        (self.share_leads,) = ax_comp.plot(
            x,
            np.zeros(len(x)),
            color=ROLE["not_sqo"],
            linestyle="--",
            marker="s",
            label="share of all leads",
        )
        (self.share_sqos,) = ax_comp.plot(
            x, np.zeros(len(x)), color=ROLE["sqo"], marker="o", label="share of gate SQOs"
        )
        ax_comp.set_xticks(x, [*map(str, x[:-1]), f"{MAX_COMPETITORS}+"])
        ax_comp.set_ylim(0, 1)
        percent_axis(ax_comp)
        label(ax_comp, "competing vendors [count]", "rate or share [%]", "Competition")
        ax_comp.legend(loc="upper right", fontsize=8)
        self.plot.dynamic(
            self.win_bars,
            self.capture_bars,
            self.cut_bars,
            self.cut_text,
            self.comp_bars,
            self.share_leads,
            self.share_sqos,
        )

    def _show_static(self) -> None:
        comp = self.pipeline.competition
        for bar, rate in zip(self.comp_bars, comp["win_rate"], strict=True):
            set_bar(bar, rate, vertical=True)  # no leads with that many rivals: no bar, not 0%
        self.share_leads.set_ydata(comp["share_of_leads"].to_numpy())  # NaN: a gap

    def update(self) -> None:
        """Qualify the leads three ways and update the bars, the winners table and the numbers."""
        pipe = self.pipeline
        leads = pipe.leads
        gate = self.gate()
        kofn = self.k_of_n()
        selections = [
            qualify(leads, gate).to_numpy(),
            qualify(leads, kofn).to_numpy(),
            pipe.score >= self.threshold.value,
        ]
        outcomes: list[Outcome] = [evaluate(leads, s) for s in selections]
        for i, out in enumerate(outcomes):
            set_bar(self.win_bars[i], out.win_rate)  # no SQOs: n/a, no bar
            set_bar(self.capture_bars[i], out.capture_rate)
        self.policy_table.value = html_table(
            [
                [
                    policy,
                    rule,
                    fmt_int(out.n_sqo),
                    fmt_int(out.won),
                    fmt_pct(out.win_rate),
                    fmt_pct(out.capture_rate),
                    fmt_eur(out.revenue_missed_eur),
                ]
                for policy, rule, out in zip(
                    POLICIES,
                    [
                        f"all {len(gate.applied)} criteria",
                        f"at least {kofn.required_met} of {len(gate.applied)}",
                        f"score >= {self.threshold.value}",
                    ],
                    outcomes,
                    strict=True,
                )
            ],
            ["policy", "rule", "SQOs", "won", "win rate", "capture rate", "revenue missed"],
            "Three policies on the same leads",
        )

        gate_sqo = selections[0]
        excluded = excluded_mask(leads, gate_sqo)
        met = criteria_met(leads, gate)
        n_excluded = int(excluded.sum())
        counts = cut_counts(leads, gate, met=met, is_sqo=gate_sqo)["excluded_winners"]
        cut = {name: int(n) for name, n in counts.items()}
        for name, bar, text in zip(CRITERIA_NAMES, self.cut_bars, self.cut_text, strict=True):
            count = cut.get(name)
            share = 0.0 if not count else count / n_excluded
            bar.set_width(share)
            text.set_x(share + 0.02)
            text.set_text("not in gate" if count is None else f"{count:,}")

        comp = competition_effect(leads, gate_sqo, max_competitors=MAX_COMPETITORS)
        self.share_sqos.set_ydata(comp["share_of_sqos"].to_numpy())  # no SQOs: a gap, not 0%
        contest = contest_summary(leads, gate_sqo)
        contested_leads, contested_sqos = contest["contested_all"], contest["contested_sqo"]

        g, kk, sc = outcomes
        self.show_numbers(
            [
                ("n_sqo", "gate SQOs", f"{g.n_sqo:,} of {g.n_leads:,}"),
                ("excluded_winners", "winners the gate excluded", fmt_int(n_excluded)),
                ("revenue_missed", "their revenue", fmt_eur(g.revenue_missed_eur)),
                (
                    "kofn_sqo",
                    f"k of n ({kofn.required_met} of {len(gate.applied)}) SQOs",
                    fmt_int(kk.n_sqo),
                ),
                ("score_sqo", "score SQOs", fmt_int(sc.n_sqo)),
                (
                    "contested",
                    f"facing {CONTESTED}+ competitors: leads / gate SQOs",
                    f"{fmt_pct(contested_leads)} / {fmt_pct(contested_sqos)}",
                ),
            ]
        )
        self._update_table(pipe, excluded, met, selections)
        cuts = ", ".join(f"{k} {v:,}" for k, v in cut.items()) or "none"
        self.plot.alt = (
            f"Policies on the same {g.n_leads:,} leads: strict gate win rate "
            f"{fmt_pct(g.win_rate)}, capture {fmt_pct(g.capture_rate)}; k of n win rate "
            f"{fmt_pct(kk.win_rate)}, capture {fmt_pct(kk.capture_rate)}; score win rate "
            f"{fmt_pct(sc.win_rate)}, capture {fmt_pct(sc.capture_rate)}. The gate made "
            f"{g.n_sqo:,} SQOs and excluded "
            f"{n_excluded:,} winners; criteria that cut them: {cuts}. Leads facing {CONTESTED} or "
            f"more competitors: {fmt_pct(contested_leads)} of all leads, "
            f"{fmt_pct(contested_sqos)} of the gate's SQOs."
        )

    def _update_table(
        self,
        pipe: _Pipeline,
        excluded: np.ndarray,
        met: pd.DataFrame,
        selections: list[np.ndarray],
    ) -> None:
        rows = largest_excluded(pipe.order, excluded, TABLE_ROWS)
        failed = failed_criteria(met, rows)
        shown = pipe.leads.iloc[rows]
        body = [
            [
                lead["lead_id"],
                lead["company"],
                f"{lead['deal_value_eur']:,.0f}",
                failed[i] or "-",
                lead["competitors"],
                "kept" if selections[1][rows[i]] else "cut",
                "kept" if selections[2][rows[i]] else "cut",
            ]
            for i, (_, lead) in enumerate(shown.iterrows())
        ]
        header = [
            "lead",
            "company",
            "deal [EUR]",
            "gate criteria failed",
            "competitors",
            "k of n",
            "lead score",
        ]
        caption = (
            f"The {len(rows)} largest of the {int(excluded.sum()):,} won deals the strict gate "
            "excluded, with the criteria that cut each"
        )
        self.winners_table.value = html_table(body, header, caption)


def drawbacks_lab(
    leads: pd.DataFrame | None = None, context: str = "startup", framework: str | None = None
) -> DrawbacksLab:
    """Lab 4 with the context's own framework as the strict gate."""
    return DrawbacksLab(leads, context, framework or PROFILES[context].framework)
