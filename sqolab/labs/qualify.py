"""Lab 1: qualify sample leads, a control per criterion: who becomes an SQO, and why not."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from sqolab.data.contexts import PROFILES
from sqolab.data.schema import AUTHORITY_LEVELS, CONTEXTS, NEED_LEVELS
from sqolab.engine.criteria import CRITERIA_NAMES, Criteria, criteria_met, preset, qualify
from sqolab.engine.formatting import fmt_eur, fmt_int, fmt_number, fmt_pct
from sqolab.engine.nurture import nurture_value
from sqolab.engine.outcomes import evaluate, won_mask
from sqolab.figures.style import ROLE, label, styled
from sqolab.labs.base import Lab
from sqolab.labs.canvas import share_axis, unit_bars
from sqolab.labs.common import (
    CONTEXT_OPTIONS,
    CUSTOM,
    FRAMEWORK_OPTIONS,
    TIPS,
)
from sqolab.labs.controls import checkbox, dropdown, slider, unknown_text
from sqolab.labs.html import html_table

OFF = "off"
TABLE_ROWS = 15
FILTERS: list[tuple[str, str]] = [
    ("all leads", "all"),
    ("SQOs", "sqo"),
    ("not SQOs", "not_sqo"),
    ("missed winners (not SQO, would win)", "missed"),
    ("wasted effort (SQO, would not win)", "wasted"),
]
FUNNEL = ["leads", "SQOs", "SQOs won", "winners missed"]


def _same_policy(a: Criteria, b: Criteria) -> bool:
    """Same thresholds and the same effective k (``min_met=None`` is "all applied")."""
    return a.replace(min_met=a.required_met) == b.replace(min_met=b.required_met)


def _omit(_value: object) -> None:
    """A criterion's on/off checkbox: its slider says it in the settings line."""
    return None


def _criterion(name: str, applied: bool, rule: str) -> str:
    """A criterion in words: "Budget: at least 7,500 EUR" or "Budget: not applied"."""
    return f"{name}: {rule if applied else 'not applied'}"


class QualifyLab(Lab):
    """Pick a context, set the criteria (or a framework), and see the SQOs, the funnel and why."""

    title = "Lab 1: Qualify sample leads"

    def __init__(
        self, leads: pd.DataFrame | None = None, context: str = "startup", framework: str = "BANT"
    ) -> None:
        super().__init__()
        self.use_leads(leads, context)
        prof = PROFILES[context]
        step = prof.median_deal_eur / 100
        c = self.control
        self.context = c("context", dropdown("Context", TIPS["context"], CONTEXT_OPTIONS, context))
        self.context.disabled = leads is not None  # your own leads: the context is theirs
        self.preset = c(
            "preset",
            dropdown("Framework", TIPS["preset"], [*FRAMEWORK_OPTIONS, ("custom", CUSTOM)], CUSTOM),
        )
        self.use_budget = c("use_budget", checkbox("Budget", TIPS["use_budget"], False), _omit)
        self.budget = c(
            "budget",
            slider("min budget [EUR]", TIPS["budget"], 0, 2 * prof.median_deal_eur, step, 0),
            lambda v: _criterion("Budget", self.use_budget.value, f"at least {fmt_number(v)} EUR"),
        )
        levels = [("not applied", OFF)]
        self.authority = c(
            "authority",
            dropdown(
                "Authority at least",
                TIPS["authority"],
                levels + [(v.replace("_", " "), v) for v in AUTHORITY_LEVELS],
                OFF,
            ),
            lambda v: _criterion("Authority", v != OFF, f"at least {self.authority.label}"),
        )
        self.need = c(
            "need",
            dropdown("Need at least", TIPS["need"], levels + [(v, v) for v in NEED_LEVELS], OFF),
            lambda v: _criterion("Need", v != OFF, f"at least {self.need.label}"),
        )
        self.use_timeline = c(
            "use_timeline", checkbox("Timeline", TIPS["use_timeline"], False), _omit
        )
        self.timeline = c(
            "timeline",
            slider("max timeline [months]", TIPS["timeline"], 0, 24, 0.5, 6, integer=False),
            lambda v: _criterion(
                "Timeline", self.use_timeline.value, f"decision within {fmt_number(v)} months"
            ),
        )
        self.use_engagement = c(
            "use_engagement", checkbox("Engagement", TIPS["use_engagement"], False), _omit
        )
        self.engagement = c(
            "engagement",
            slider("min engagement [points]", TIPS["engagement"], 0, 100, 1, 50),
            lambda v: _criterion("Engagement", self.use_engagement.value, f"at least {v} points"),
        )
        self.use_fit = c("use_fit", checkbox("Fit", TIPS["use_fit"], False), _omit)
        self.fit = c(
            "fit",
            slider("min fit [points]", TIPS["fit"], 0, 100, 1, 50),
            lambda v: _criterion("Fit", self.use_fit.value, f"at least {v} points"),
        )
        self.min_met = c(
            "min_met",
            slider("criteria to meet [count]", TIPS["min_met"], 0, 0, 1, 0),
            lambda v: f"criteria to meet: {v} of {self.min_met.max}" if self.min_met.max else None,
        )
        self.unknown_meets = c(
            "unknown_meets",
            checkbox("unknown counts as met", TIPS["unknown_meets"], False),
            unknown_text,
        )
        self.filter = c(
            "filter",
            dropdown(
                "Show in table",
                "Which leads the table lists (largest deals first): all, only SQOs, only the "
                "rejected, the winners your criteria missed, or the SQOs that would not win.",
                FILTERS,
                "all",
            ),
        )
        self._apply_preset(framework)
        for ctx in CONTEXTS if leads is None else ():  # load every sample now, not on a change
            self.per_context(ctx, self._prepare)
        self._defaults.update({n: w.value for n, w in self.controls.items()})

        self.plot = self.add_figure(9.0, 3.2, 1, 2)
        with styled():
            self._build_plot()
        self.summary = widgets.HTML()
        self.nurture = widgets.HTML()
        self.lead_table = self.table("leads")
        self.criteria_text = widgets.HTML()
        row = widgets.HBox
        self.children = [
            self.header(
                "Set the criteria a lead must meet to become a Sales Qualified Opportunity (SQO). "
                "Every change updates the number of SQOs, the funnel, what they would win and "
                "miss, and the table of leads with the criterion each one failed."
            ),
            row([self.context, self.preset]),
            row([self.use_budget, self.budget]),
            row([self.authority, self.need]),
            row([self.use_timeline, self.timeline]),
            row([self.use_engagement, self.engagement]),
            row([self.use_fit, self.fit]),
            self.min_met,
            row([self.unknown_meets, self.reset_button]),
            self.criteria_text,
            self.message,
            self.headline,
            self.plot.canvas,
            self.summary,
            self.nurture,
            self.filter,
            self.lead_table,
        ]
        self.refresh()

    # -- data ---------------------------------------------------------------------------------

    def _data(self) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Leads, row order for the table (largest deal first), and who would win."""
        return self.per_context(self.context.value, self._prepare)

    def _prepare(self, context: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        leads = self.leads_of(context)
        order = np.argsort(-leads["deal_value_eur"].to_numpy(dtype=float), kind="stable")
        return leads, order, won_mask(leads)

    @property
    def leads(self) -> pd.DataFrame:
        """The leads currently qualified."""
        return self._data()[0]

    # -- controls -----------------------------------------------------------------------------

    def criteria(self) -> Criteria:
        """The criteria the controls describe."""
        on = {
            "budget": self.use_budget.value,
            "authority": self.authority.value != OFF,
            "need": self.need.value != OFF,
            "timeline": self.use_timeline.value,
            "engagement": self.use_engagement.value,
            "fit": self.use_fit.value,
        }
        n = sum(on.values())
        return Criteria(
            min_budget_eur=float(self.budget.value) if on["budget"] else None,
            min_authority=self.authority.value if on["authority"] else None,
            min_need=self.need.value if on["need"] else None,
            max_timeline_months=float(self.timeline.value) if on["timeline"] else None,
            min_engagement=self.engagement.value if on["engagement"] else None,
            min_fit=self.fit.value if on["fit"] else None,
            min_met=min(self.min_met.value, n),
            unknown_meets=bool(self.unknown_meets.value),
        )

    def _apply_preset(self, name: str) -> None:
        """Set the criteria controls to framework ``name`` in the current context."""
        if name == CUSTOM:
            return
        crit = preset(name, self.context.value)
        with self.hold():
            self.preset.value = name
            self.use_budget.value = crit.min_budget_eur is not None
            if crit.min_budget_eur is not None:
                self.budget.value = crit.min_budget_eur
            self.authority.value = crit.min_authority or OFF
            self.need.value = crit.min_need or OFF
            self.use_timeline.value = crit.max_timeline_months is not None
            if crit.max_timeline_months is not None:
                self.timeline.value = crit.max_timeline_months
            self.use_engagement.value = crit.min_engagement is not None
            if crit.min_engagement is not None:
                self.engagement.value = crit.min_engagement
            self.use_fit.value = crit.min_fit is not None
            if crit.min_fit is not None:
                self.fit.value = crit.min_fit
            self.unknown_meets.value = crit.unknown_meets
            self.min_met.max = len(crit.applied)
            self.min_met.value = crit.required_met

    def _set_context_ranges(self) -> None:
        """Budget slider in the context's money (up to twice its median deal)."""
        median = PROFILES[self.context.value].median_deal_eur
        with self.hold():
            self.budget.max = max(self.budget.max, 2 * median)  # widen first, then narrow
            self.budget.step = median / 100
            self.budget.max = 2 * median
            self.budget.value = min(self.budget.value, 2 * median)

    def _changed(self, change: dict[str, Any]) -> None:
        if self._holding:
            return
        if change["owner"] is self.context:
            self._set_context_ranges()
            self._apply_preset(self.preset.value)
        elif change["owner"] is self.preset:
            self._apply_preset(change["new"])
        self.refresh()

    def adapt(self) -> None:
        """k-of-n follows the applied criteria; sliders of unused criteria are greyed out."""
        self.budget.disabled = not self.use_budget.value
        self.timeline.disabled = not self.use_timeline.value
        self.engagement.disabled = not self.use_engagement.value
        self.fit.disabled = not self.use_fit.value
        n = len(self.criteria().applied)
        was_all = self.min_met.value >= self.min_met.max
        self.min_met.max = n
        if was_all or self.min_met.value > n:
            self.min_met.value = n
        self.min_met.disabled = n == 0
        if self.preset.value != CUSTOM and not _same_policy(
            self.criteria(), preset(self.preset.value, self.context.value)
        ):
            self.preset.value = CUSTOM

    # -- views --------------------------------------------------------------------------------

    def _build_plot(self) -> None:
        ax_funnel, ax_fail = self.plot.axes
        colours = [ROLE["not_sqo"], ROLE["sqo"], ROLE["won"], ROLE["missed"]]
        self.funnel_bars = unit_bars(ax_funnel, FUNNEL, colours, ["", "", "//", "xx"])
        share_axis(ax_funnel)
        label(ax_funnel, "share of leads [%]", "stage", "Funnel", category="y")
        self.funnel_text = [
            ax_funnel.text(0, i, "", va="center", ha="left", fontsize=9) for i in range(4)
        ]
        names = list(CRITERIA_NAMES)
        self.fail_bars = unit_bars(ax_fail, names, [ROLE["wasted"]] * 6, ["\\\\"] * 6)
        share_axis(ax_fail)
        label(ax_fail, "share of leads failing it [%]", "criterion", "Why leads fail", category="y")
        self.fail_text = [
            ax_fail.text(0, i, "", va="center", ha="left", fontsize=9) for i in range(6)
        ]
        self.plot.dynamic(self.funnel_bars, self.funnel_text, self.fail_bars, self.fail_text)

    def update(self) -> None:
        """Qualify with the engine and update the numbers, the plot and the table in place."""
        leads, order, won = self._data()
        crit = self.criteria()
        met = criteria_met(leads, crit)
        is_sqo = qualify(leads, crit).to_numpy()
        out = evaluate(leads, is_sqo)
        n = max(out.n_leads, 1)

        self.criteria_text.value = f"<p><b>Criteria:</b> {crit.describe()}</p>"
        self.show_numbers(
            [
                ("n_sqo", "SQOs", f"{out.n_sqo:,} of {out.n_leads:,}"),
                ("share_sqo", "share of leads", fmt_pct(out.n_sqo / n)),
                ("won", "SQOs won", fmt_int(out.won)),
                ("win_rate", "win rate", fmt_pct(out.win_rate)),
                ("missed", "winners missed", fmt_int(out.missed)),
                ("revenue_per_hour", "revenue per sales hour", fmt_eur(out.revenue_per_hour_eur)),
            ]
        )
        self.summary.value = "<p>" + "<br>".join(out.summary().splitlines()) + "</p>"
        self.nurture.value = self._nurture_text(leads, crit)

        funnel = [out.n_leads, out.n_sqo, out.won, out.missed]
        for bar, text, count in zip(self.funnel_bars, self.funnel_text, funnel, strict=True):
            share = count / n
            bar.set_width(share)
            text.set_x(share + 0.02)
            text.set_text(f"{count:,}")
        failing = {name: int((~met[name].to_numpy()).sum()) for name in met.columns}
        for name, bar, text in zip(CRITERIA_NAMES, self.fail_bars, self.fail_text, strict=True):
            count = failing.get(name)
            bar.set_width(0 if count is None else count / n)
            text.set_x(0.02 if count is None else count / n + 0.02)
            text.set_text("not applied" if count is None else f"{count:,}")
        fails = ", ".join(f"{k} {v / n:.0%}" for k, v in failing.items()) or "no criteria applied"
        self.plot.alt = (
            f"Funnel: {out.n_leads:,} leads, {out.n_sqo:,} SQOs ({out.n_sqo / n:.1%}), "
            f"{out.won:,} SQOs won, {out.missed:,} winners missed. "
            f"Share of leads failing each criterion: {fails}."
        )
        self._update_table(leads, order, won, met, is_sqo)

    def _nurture_text(self, leads: pd.DataFrame, crit: Criteria) -> str:
        """Nurture or drop: next quarter's result for turned-away leads that are not ready yet."""
        if self._given is not None:  # your own leads have no simulated next quarter
            return ""
        value = nurture_value(leads, crit, self.context.value)
        title = "<b>Nurture or drop:</b>"
        if value.loc["nurture", "candidates"] == 0:
            return f"<p>{title} these criteria turn away no lead that is not ready yet.</p>"
        cells = {
            choice: (
                f"{fmt_int(value.loc[choice, 'come back'])} come back next quarter and "
                f"{fmt_int(value.loc[choice, 'won next quarter'])} of them would be won "
                f"({fmt_eur(value.loc[choice, 'revenue next quarter (EUR)'])})"
            )
            for choice in ("nurture", "drop")
        }
        candidates = fmt_int(value.loc["nurture", "candidates"])
        return (
            f'<p class="sqolab-nurture">{title} your criteria turn away {candidates} leads with a '
            f"real need but no decision soon (timeline unknown or beyond twice the sales cycle). "
            f"Nurtured, {cells['nurture']}; dropped, {cells['drop']}. <i>Simulated: how many "
            f"return, and how ready, follows the generator's assumptions (datasets/README.md, "
            f"'The next quarter of turned-away leads').</i></p>"
        )

    def _update_table(
        self,
        leads: pd.DataFrame,
        order: np.ndarray,
        won: np.ndarray,
        met: pd.DataFrame,
        is_sqo: np.ndarray,
    ) -> None:
        masks = {
            "all": None,
            "sqo": is_sqo,
            "not_sqo": ~is_sqo,
            "missed": ~is_sqo & won,
            "wasted": is_sqo & ~won,
        }
        mask = masks[self.filter.value]
        rows = order[:TABLE_ROWS] if mask is None else order[mask[order]][:TABLE_ROWS]
        total = len(leads) if mask is None else int(mask.sum())
        shown = leads.iloc[rows]
        met_rows = met.to_numpy()[rows]
        applied = list(met.columns)
        body = []
        marks = {name: column for column, name in enumerate(applied)}
        for i, (_, lead) in enumerate(shown.iterrows()):
            budget, timeline = lead["budget_eur"], lead["timeline_months"]
            values = {
                "budget": "unknown" if pd.isna(budget) else f"{budget:,.0f}",
                "authority": str(lead["authority"]).replace("_", " "),
                "need": str(lead["need"]),
                "timeline": "unknown" if pd.isna(timeline) else f"{timeline:g}",
                "engagement": str(lead["engagement_score"]),
                "fit": str(lead["fit_score"]),
            }
            for name, column in marks.items():  # an applied criterion: its value, met or not
                values[name] += " ✓" if met_rows[i][column] else " ✗"
            body.append(
                [
                    lead["lead_id"],
                    lead["company"],
                    f"{lead['deal_value_eur']:,.0f}",
                    *values.values(),
                    "yes" if is_sqo[rows[i]] else "no",
                    str(lead["outcome"]).replace("_", " "),
                ]
            )
        header = [
            "lead",
            "company",
            "deal [EUR]",
            "budget [EUR]",
            "authority",
            "need",
            "timeline [months]",
            "engagement",
            "fit",
            "SQO",
            "if pursued",
        ]
        label_ = dict((v, k) for k, v in FILTERS)[self.filter.value]
        caption = (
            f"{len(rows):,} of {total:,} leads ({label_}), largest deals first; "
            "✓ meets the criterion, ✗ fails it"
        )
        self.lead_table.value = html_table(body, header, caption)


def qualify_lab(
    leads: pd.DataFrame | None = None, context: str = "startup", framework: str | None = None
) -> QualifyLab:
    """Lab 1 with the context's own framework preset (BANT for the startup)."""
    return QualifyLab(leads, context, framework or PROFILES[context].framework)
