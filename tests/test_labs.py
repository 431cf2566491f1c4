"""Headless tests of the labs: set control values, assert on widget traits and artist data.

Every expectation is computed here with the engine directly, from the leads the lab shows.
"""

from __future__ import annotations

import re

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from sqolab import (
    CONTEXTS,
    PROFILES,
    best_threshold,
    campaign_report,
    competition_effect,
    criteria_met,
    evaluate,
    lead_score,
    load_campaigns,
    load_orchard,
    load_sample,
    preset,
    qualify,
    tradeoff_curve,
)
from sqolab.engine.criteria import CRITERIA_NAMES
from sqolab.labs import (
    KERNEL_NOTE,
    LABS,
    SNAPSHOT_CAPTION,
    BenefitsLab,
    ContextsLab,
    DrawbacksLab,
    OrchardLab,
    QualifyLab,
    TradeoffLab,
    orchard_pipeline,
)
from sqolab.labs.benefits import ERROR_BINS

INPUTS = (widgets.IntSlider, widgets.FloatSlider, widgets.Dropdown, widgets.Checkbox)


def shown(lab, key: str) -> str:
    """The key number as the learner sees it in the lab's HTML."""
    match = re.search(rf'data-key="{key}">([^<]*)<', lab.headline.value)
    assert match, f"{key} not shown in {lab.headline.value}"
    return match.group(1)


def shown_count(lab, key: str = "n_sqo") -> int:
    return int(shown(lab, key).split(" ")[0].replace(",", ""))


def other_value(control):
    """A valid value of ``control`` different from its current one."""
    if isinstance(control, widgets.Checkbox):
        return not control.value
    if isinstance(control, widgets.Dropdown):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return values[(values.index(control.value) + 1) % len(values)]
    return control.min if control.value != control.min else control.max


def table_rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1]
    return [re.findall(r"<td>(.*?)</td>", row) for row in body.split("<tr>")[1:]]


@pytest.fixture(scope="module")
def labs():
    built = {name: make() for name, make in LABS.items()}
    yield built
    for lab in built.values():
        lab.close()


# --------------------------------------------------------------------------------------------------
# Every lab
# --------------------------------------------------------------------------------------------------


def test_the_registry_lists_six_labs_in_course_order():
    assert list(LABS) == ["qualify", "tradeoff", "benefits", "drawbacks", "contexts", "orchard"]


@pytest.mark.parametrize("name", list(LABS))
def test_each_lab_builds_from_the_registry_and_labels_every_control(labs, name):
    lab = labs[name]
    assert isinstance(lab, widgets.VBox)
    assert lab.error is None
    assert lab.controls and lab.figures
    for control_name, control in lab.controls.items():
        assert isinstance(control, INPUTS), control_name
        assert control.description.strip(), f"{name}.{control_name} has no label"
        assert len(control.tooltip) > 30, f"{name}.{control_name} tooltip does not explain it"
        if isinstance(control, widgets.IntSlider | widgets.FloatSlider):
            assert control.continuous_update is False
    assert lab.reset_button.tooltip


@pytest.mark.parametrize("name", list(LABS))
def test_sales_charts_have_no_engineering_units(labs, name):
    for figure in labs[name].figures:
        for ax in figure.figure.axes:
            for text in (ax.get_xlabel(), ax.get_ylabel()):
                assert not re.search(r"\[(-|name|status|sample)\]", text), text


@pytest.mark.parametrize("name", list(LABS))
def test_the_bundle_has_the_live_widget_and_a_static_snapshot(labs, name):
    lab = labs[name]
    bundle = lab._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == lab.model_id
    snapshot = bundle["text/html"]
    assert SNAPSHOT_CAPTION in snapshot
    assert f'<p class="sqolab-note sqolab-static-only">{KERNEL_NOTE}</p>' in snapshot
    assert ".sqolab-static-only {display: none;}" not in snapshot  # shown where nothing runs
    live = lab.children[0].value  # the live header hides it where the kernel runs
    assert ".sqolab-static-only {display: none;}" in live and KERNEL_NOTE not in live
    settings = re.search(r"<p>Settings: (.*?)</p>", snapshot).group(1)
    assert not re.search(r"\b(True|False|None)\b| = ", settings), settings
    assert not re.search(r"\d{4}", settings), settings  # thousands separators
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)"', snapshot)
    assert len(images) == len(lab.figures)
    for data, alt in images:
        assert len(data) > 1000 and len(alt) > 40
    assert f'data-key="n_sqo">{lab.numbers["n_sqo"]}<' in snapshot
    assert f"{shown_count(lab):,}" in images[0][1]  # the alt text names the SQO count


@pytest.mark.parametrize("name", list(LABS))
def test_changes_update_figures_in_place_without_leaking(labs, name):
    lab = labs[name]
    figures = [f.figure for f in lab.figures]
    artists = [len(f.figure.axes[0].get_children()) for f in lab.figures]
    open_figures = len(plt.get_fignums())
    before = lab.refresh_count
    for control in list(lab.controls.values())[:4]:
        if control.disabled:
            continue
        for _ in range(2):
            control.value = other_value(control)
            for f in lab.figures:
                f.canvas.draw()
    assert lab.refresh_count > before
    assert [f.figure for f in lab.figures] == figures
    assert [len(f.figure.axes[0].get_children()) for f in lab.figures] == artists
    assert len(plt.get_fignums()) == open_figures
    lab.reset()
    assert lab.error is None


@pytest.mark.parametrize("name", list(LABS))
def test_an_error_shows_a_kind_message_not_a_traceback(name, monkeypatch, caplog):
    lab = LABS[name]()

    def boom():
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(lab, "update", boom)
    control = next(c for c in lab.controls.values() if not c.disabled)
    control.value = other_value(control)  # must not raise
    assert lab.error and "simulated failure" in lab.error
    assert "could not be shown" in lab.message.value and "Traceback" not in lab.message.value
    assert lab.message.layout.display != "none"
    assert "refresh of" in caplog.text  # logged for the instructor
    monkeypatch.undo()
    lab.reset()
    assert lab.error is None and lab.message.layout.display == "none"
    lab.close()


def test_bad_data_in_a_lab_is_reported_kindly():
    leads = load_sample("startup")
    leads["fit_score"] = leads["fit_score"].astype(object)
    leads.loc[leads.index[:3], "fit_score"] = "high"
    lab = QualifyLab(leads, "startup", "BANT")
    assert lab.error is None  # BANT does not read the fit score
    lab.use_fit.value = True
    assert lab.error is not None and "fit_score" in lab.message.value
    assert "not numbers" in lab.message.value
    lab.use_fit.value = False
    assert lab.error is None
    lab.close()


# --------------------------------------------------------------------------------------------------
# Lab 1: qualify
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def qualify_lab():
    lab = LABS["qualify"]()
    yield lab
    lab.close()


def test_qualify_starts_with_the_context_framework(qualify_lab):
    lab = qualify_lab
    leads = load_sample("startup")
    expected = evaluate(leads, qualify(leads, preset("BANT", "startup")))
    assert lab.preset.value == "BANT"
    assert shown_count(lab) == expected.n_sqo
    assert shown(lab, "won") == f"{expected.won:,}"
    widths = [bar.get_width() for bar in lab.funnel_bars]
    n = len(leads)
    assert widths == pytest.approx([1.0, expected.n_sqo / n, expected.won / n, expected.missed / n])
    assert [t.get_text() for t in lab.funnel_text][1] == f"{expected.n_sqo:,}"


def test_qualify_shows_the_value_of_nurture_against_drop(qualify_lab):
    """Lab 1 shows next quarter's result of nurturing the not-ready leads it turns away."""
    from sqolab.engine.nurture import nurture_value

    lab = qualify_lab
    for context in ("startup", "agency"):
        lab.context.value = context
        expected = nurture_value(load_sample(context), lab.criteria(), context)
        text = lab.nurture.value
        for choice, word in (("nurture", "Nurtured"), ("drop", "dropped")):
            part = text.split(word + ",")[1]
            assert part.lstrip().startswith(f"{expected.loc[choice, 'come back']:,} come back")
            assert f"{expected.loc[choice, 'won next quarter']:,} of them would be won" in part
        assert f"turn away {expected.loc['nurture', 'candidates']:,} leads" in text
        assert "Simulated" in text
    lab.use_timeline.value = (
        False  # without a timeline criterion fewer not-ready leads are turned away
    )
    assert (
        nurture_value(load_sample("agency"), lab.criteria(), "agency").loc["nurture", "candidates"]
        < expected.loc["nurture", "candidates"]
    )
    assert f"turn away {expected.loc['nurture', 'candidates']:,} leads" not in lab.nurture.value


def test_qualify_with_own_leads_shows_no_simulated_next_quarter():
    lab = QualifyLab(load_sample("consultancy").head(300), "consultancy", "BANT")
    assert lab.nurture.value == ""
    lab.close()


def test_qualify_each_criterion_control_changes_the_sqos_as_the_engine_says(qualify_lab):
    lab = qualify_lab
    leads = lab.leads
    crit = preset("BANT", "startup")
    steps = [
        (lab.use_fit, True, {"min_fit": 50}),
        (lab.fit, 70, {"min_fit": 70}),
        (lab.budget, 12000, {"min_budget_eur": 12000.0}),
        (lab.authority, "decision_maker", {"min_authority": "decision_maker"}),
        (lab.need, "confirmed", {"min_need": "confirmed"}),
        (lab.timeline, 1.5, {"max_timeline_months": 1.5}),
        (lab.use_engagement, True, {"min_engagement": 50}),
        (lab.engagement, 30, {"min_engagement": 30}),
        (lab.unknown_meets, True, {"unknown_meets": True}),
        (lab.use_timeline, False, {"max_timeline_months": None}),
    ]
    for control, value, change in steps:
        control.value = value
        crit = crit.replace(**change)
        expected = qualify(leads, crit)
        assert shown_count(lab) == int(expected.sum()), change
        assert lab.preset.value == "custom"
        failing = ~criteria_met(leads, crit)
        widths = {n: b.get_width() for n, b in zip(CRITERIA_NAMES, lab.fail_bars, strict=True)}
        for name in crit.applied:
            assert widths[name] == pytest.approx(failing[name].mean())
        assert lab.error is None


def test_qualify_k_of_n_adapts_to_the_applied_criteria(qualify_lab):
    lab = qualify_lab
    assert (lab.min_met.max, lab.min_met.value) == (4, 4)  # BANT: all four
    lab.use_budget.value = False
    assert (lab.min_met.max, lab.min_met.value) == (3, 3)  # "all" follows
    lab.min_met.value = 2
    lab.use_fit.value = True
    assert (lab.min_met.max, lab.min_met.value) == (4, 2)  # a k below all stays
    expected = qualify(lab.leads, lab.criteria())
    assert lab.criteria().required_met == 2
    assert shown_count(lab) == int(expected.sum())
    for control in (lab.use_fit, lab.use_timeline, lab.use_engagement):
        control.value = False
    lab.authority.value = "off"
    lab.need.value = "off"
    assert lab.min_met.max == 0 and lab.min_met.disabled
    assert shown_count(lab) == len(lab.leads)  # no criteria: every lead is an SQO
    assert lab.budget.disabled and lab.fit.disabled


def test_qualify_extremes_zero_and_all_sqos(qualify_lab):
    lab = qualify_lab
    lab.set_values(use_engagement=True, engagement=100, use_fit=True, fit=100)
    assert shown_count(lab) == 0
    assert shown(lab, "win_rate") == "n/a"
    assert lab.funnel_bars[1].get_width() == 0
    lab.min_met.value = 0
    assert shown_count(lab) == len(lab.leads)
    assert lab.error is None


@pytest.mark.parametrize("context", CONTEXTS)
def test_qualify_every_context_uses_its_sample_and_scaled_preset(qualify_lab, context):
    lab = qualify_lab
    lab.context.value = context
    lab.preset.value = PROFILES[context].framework
    leads = load_sample(context)
    assert len(lab.leads) == len(leads)
    assert shown_count(lab) == int(
        qualify(leads, preset(PROFILES[context].framework, context)).sum()
    )
    assert lab.budget.max == 2 * PROFILES[context].median_deal_eur
    lab.preset.value = "ANUM"
    assert shown_count(lab) == int(qualify(leads, preset("ANUM", context)).sum())


def test_qualify_table_lists_missed_winners_with_failed_criteria(qualify_lab):
    lab = qualify_lab
    lab.filter.value = "missed"
    rows = table_rows(lab.lead_table.value)
    missed = evaluate(lab.leads, qualify(lab.leads, lab.criteria())).missed
    assert len(rows) == min(15, missed)
    for row in rows:
        assert row[-2:] == ["no", "won"]
        assert any(c.endswith(" ✗") for c in row)  # a strict gate: each failed something
    deals = [float(r[2].replace(",", "")) for r in rows]
    assert deals == sorted(deals, reverse=True)
    lab.filter.value = "sqo"
    assert all(r[-2] == "yes" for r in table_rows(lab.lead_table.value))


def test_qualify_reset_returns_to_the_start(qualify_lab):
    lab = qualify_lab
    start = shown_count(lab)
    lab.set_values(context="agency", preset="MEDDIC", unknown_meets=True)
    assert shown_count(lab) != start
    lab.reset()
    assert lab.context.value == "startup" and lab.preset.value == "BANT"
    assert shown_count(lab) == start


# --------------------------------------------------------------------------------------------------
# Lab 2: trade-off
# --------------------------------------------------------------------------------------------------


def test_tradeoff_threshold_and_capacity_match_the_engine():
    lab = TradeoffLab()
    leads = load_sample("startup")
    score = lead_score(leads)
    curve = tradeoff_curve(leads, score)
    for threshold, capacity in [(40, 3000), (75, 800), (100, 0)]:
        lab.set_values(threshold=threshold, capacity=capacity)
        cap = float(lab.capacity.value)
        out = evaluate(leads, score >= threshold, capacity_hours=cap, priority=score)
        assert shown_count(lab) == out.n_sqo
        assert shown(lab, "n_worked") == f"{out.n_worked:,}"
        assert shown(lab, "wasted_hours") == f"{out.wasted_hours:,.0f}"
        best = best_threshold(curve, cap)
        expected_best = "none fits" if best is None else f"{best['threshold']:.1f} points"
        assert shown(lab, "best_threshold") == expected_best
        assert list(lab.now_line.get_xdata()) == [threshold, threshold]
        total_hours = curve["hours_spent"].iloc[-1]
        assert lab.cap_line.get_xdata()[0] == pytest.approx(cap / total_hours)
    lab.threshold.value = 100
    assert lab.error is None
    lab.close()


def capacity_note(lab) -> str:
    match = re.search(
        r'<p class="sqolab-capacity[^"]*" data-binds="(yes|no)">(.*?)</p>', lab.headline.value
    )
    assert match, lab.headline.value
    return match.group(1), re.sub(r"<[^>]+>", "", match.group(2))


def test_tradeoff_says_when_capacity_binds_and_marks_both_points():
    lab = TradeoffLab()
    leads = load_sample("startup")
    score = lead_score(leads)
    curve = tradeoff_curve(leads, score)
    for threshold in (60, 65):
        lab.threshold.value = threshold
        cap = float(lab.capacity.value)
        out = evaluate(leads, score >= threshold, capacity_hours=cap, priority=score)
        assert out.n_worked < out.n_sqo  # the default capacity binds at these thresholds
        binds, text = capacity_note(lab)
        assert binds == "yes" and lab.capacity_binds
        assert text.startswith(f"Capacity binds: {out.n_worked:,} of {out.n_sqo:,} SQOs")
        assert "raise the threshold" in text.lower() and "add hours" in text
        assert "win rate within capacity" in lab.headline.value
        assert shown(lab, "win_rate") == f"{out.win_rate:.1%}"
        # the cross: exactly the engine's within-capacity rates, at the threshold
        assert list(lab.cap_dots.get_xdata()) == [threshold, threshold]
        assert list(lab.cap_dots.get_ydata()) == pytest.approx([out.win_rate, out.capture_rate])
        # the dots: on the curves, every SQO worked
        every = evaluate(leads, score >= threshold)  # no capacity: every SQO worked
        assert list(lab.all_dots.get_ydata()) == pytest.approx([every.win_rate, every.capture_rate])
        assert f"win rate {every.win_rate:.1%}" in text and "(crosses" in lab.plot.alt
        worked_x = lab.worked_dot.get_xdata()[0]
        assert worked_x == pytest.approx(out.hours_spent / curve["hours_spent"].iloc[-1])
    legend = [t.get_text() for t in lab.plot.axes[0].get_legend().get_texts()]
    assert lab.all_dots.get_label() in legend and lab.cap_dots.get_label() in legend
    assert lab.all_dots.get_marker() != lab.cap_dots.get_marker()  # not colour alone
    snapshot = lab._repr_mimebundle_()["text/html"]
    assert "Capacity binds:" in snapshot

    lab.capacity.value = lab.capacity.max  # every SQO can be worked
    out = evaluate(leads, score >= 65, capacity_hours=float(lab.capacity.max), priority=score)
    assert out.n_worked == out.n_sqo
    binds, text = capacity_note(lab)
    assert binds == "no" and not lab.capacity_binds
    assert text == f"Capacity is enough: all {out.n_sqo:,} SQOs can be worked in " + (
        f"{lab.capacity.max:,.0f} hours."
    )
    assert "within capacity:" not in lab.headline.value.replace("worked within capacity", "")
    assert len(lab.all_dots.get_xdata()) == 2 and len(lab.cap_dots.get_xdata()) == 0
    assert len(lab.worked_dot.get_xdata()) == 0
    assert list(lab.all_dots.get_ydata()) == pytest.approx([out.win_rate, out.capture_rate])
    lab.close()


def test_tradeoff_with_no_sqos_says_so_not_all_0_can_be_worked():
    lab = TradeoffLab()
    top = float(lead_score(load_sample("startup")).max())
    lab.threshold.value = lab.threshold.max  # no lead scores 100 points
    assert top < lab.threshold.max
    binds, text = capacity_note(lab)
    assert binds == "no" and "all 0" not in text
    assert text.startswith("No lead reaches this threshold")
    assert shown(lab, "win_rate") == "n/a"
    lab.close()


def test_tradeoff_best_point_stays_visible_over_the_others():
    lab = TradeoffLab()
    best = best_threshold(
        tradeoff_curve(load_sample("startup"), lead_score(load_sample("startup"))),
        float(lab.capacity.value),
    )
    lab.threshold.value = round(best["threshold"])  # your point and the best coincide
    order = lab.plot.canvas.dynamic_artists
    star = lab.best_dot
    for other in (lab.now_dot, lab.worked_dot):
        assert order.index(star) > order.index(other)  # drawn on top
        assert star.get_markersize() > other.get_markersize()  # and larger
    assert star.get_markerfacecolor() == "none"  # hollow: the mark under it shows through
    lab.close()


def test_snapshot_settings_read_as_text():
    lab = QualifyLab()
    lab.set_values(budget=7500, use_engagement=False, unknown_meets=True)
    text = lab.settings_text()
    assert "Budget: at least 7,500 EUR" in text
    assert "Authority: at least influencer" in text
    assert "Engagement: not applied" in text
    assert "Unknown values count as met" in text
    assert "Criteria to meet: 4 of 4" in text
    lab.set_values(use_budget=False)
    assert "Budget: not applied" in lab.settings_text()
    lab.close()
    lab = TradeoffLab()
    lab.capacity.value = 8800
    assert lab.settings_text() == (
        "Context: B2B SaaS startup; Score threshold: 60 points; Sales capacity: 8,800 hours"
    )
    lab.close()


def test_tradeoff_context_change_swaps_curves_and_capacity_range():
    lab = TradeoffLab()
    startup_curve = lab.win_line.get_ydata().copy()
    lab.context.value = "consultancy"
    leads = load_sample("consultancy")
    hours = leads["sales_hours"].sum()
    assert lab.capacity.max >= hours
    assert not np.array_equal(lab.win_line.get_ydata(), startup_curve)
    assert shown_count(lab) == int((lead_score(leads) >= lab.threshold.value).sum())
    lab.close()


# --------------------------------------------------------------------------------------------------
# Lab 3: benefits
# --------------------------------------------------------------------------------------------------


def test_benefits_efficiency_campaigns_and_forecast_follow_the_threshold():
    lab = BenefitsLab()
    leads = load_sample("startup")
    score = lead_score(leads)
    lab.threshold.value = 70
    is_sqo = score >= 70
    sqo = evaluate(leads, is_sqo)
    assert lab.eff_bars[1].get_height() == pytest.approx(sqo.revenue_per_hour_eur)
    assert lab.eff_bars[0].get_height() == pytest.approx(
        evaluate(leads, np.ones(len(leads), bool)).revenue_per_hour_eur
    )
    report = campaign_report(leads, load_campaigns("startup"), is_sqo)
    rows = table_rows(lab.campaign_table.value)
    assert rows[0][0] == report.sort_values(["cost_per_sqo_eur", "campaign"]).iloc[0]["campaign"]
    lab.rank_by.value = "cost_per_lead_eur"
    rows = table_rows(lab.campaign_table.value)
    assert rows[0][0] == report.sort_values(["cost_per_lead_eur", "campaign"]).iloc[0]["campaign"]
    heights = lab.hist_sqo.get_data().values
    assert heights.sum() == pytest.approx(1.0)
    assert len(heights) == len(ERROR_BINS) - 1
    before = heights.copy()
    lab.threshold.value = 30
    assert not np.array_equal(lab.hist_sqo.get_data().values, before)
    lab.threshold.value = 100  # no lead scores 100: no SQOs
    assert shown_count(lab) == 0 and lab.error is None
    lab.close()


# --------------------------------------------------------------------------------------------------
# Lab 4: drawbacks
# --------------------------------------------------------------------------------------------------


def test_drawbacks_policies_missed_winners_and_competition():
    lab = DrawbacksLab()
    leads = load_sample("startup")
    gate = preset("BANT", "startup").replace(min_met=None)
    gate_sqo = qualify(leads, gate).to_numpy()
    won = (leads["outcome"] == "won").to_numpy()
    excluded = ~gate_sqo & won
    assert shown_count(lab) == gate_sqo.sum()
    assert shown(lab, "excluded_winners") == f"{excluded.sum():,}"
    met = criteria_met(leads, gate)
    cut_need = (excluded & ~met["need"].to_numpy()).sum()
    assert lab.cut_bars[2].get_width() == pytest.approx(cut_need / excluded.sum())
    comp = competition_effect(leads, gate_sqo)
    assert lab.share_sqos.get_ydata() == pytest.approx(comp["share_of_sqos"].to_numpy())
    assert lab.comp_bars[0].get_height() == pytest.approx(comp["win_rate"].iloc[0])
    kofn = evaluate(leads, qualify(leads, gate.replace(min_met=lab.k.value)))
    assert lab.capture_bars[1].get_width() == pytest.approx(kofn.capture_rate)
    rows = table_rows(lab.winners_table.value)
    assert rows and all(r[3] != "-" for r in rows)


def test_drawbacks_without_sqos_draws_no_rate_at_zero():
    leads = load_sample("startup").assign(budget_eur=np.nan)  # nobody states a budget
    lab = DrawbacksLab(leads)
    assert shown_count(lab) == 0
    assert not lab.win_bars[0].get_visible()  # the gate's win rate is n/a: no bar at 0%
    assert np.isnan(lab.share_sqos.get_ydata()).all()  # no SQOs: a gap, not a line at 0%
    assert shown(lab, "contested").endswith("/ n/a")
    lab.close()


def test_drawbacks_k_follows_the_framework():
    lab = DrawbacksLab()
    lab.framework.value = "FAINT"
    assert lab.k.max == len(preset("FAINT", "startup").applied) == 5
    assert lab.k.value == 4
    lab.k.value = 5
    lab.framework.value = "MEDDIC"
    assert lab.k.max == 3 and lab.k.value == 2
    lab.k.value = 3
    assert shown(lab, "kofn_sqo") == shown(lab, "n_sqo").split(" ")[0]  # 3 of 3 is the gate
    lab.close()


# --------------------------------------------------------------------------------------------------
# Lab 5: contexts
# --------------------------------------------------------------------------------------------------


def test_contexts_side_by_side_each_with_its_framework():
    lab = ContextsLab()
    for ctx in CONTEXTS:
        leads = load_sample(ctx)
        expected = qualify(leads, preset(PROFILES[ctx].framework, ctx)).sum()
        assert shown_count(lab, f"n_sqo_{ctx}") == expected
    lab.frameworks["consultancy"].value = "BANT"
    assert lab.unknowns["consultancy"].value is False  # BANT's own rule for unknowns
    leads = load_sample("consultancy")
    out = evaluate(leads, qualify(leads, preset("BANT", "consultancy")))
    assert shown_count(lab, "n_sqo_consultancy") == out.n_sqo
    assert lab.bars["consultancy"][1].get_width() == pytest.approx(out.win_rate)
    rows = table_rows(lab.comparison.value)
    assert rows[0][1:] == ["BANT", "BANT", "GPCTBA/C&amp;I"]
    lab.close()


# --------------------------------------------------------------------------------------------------
# Lab 6: orchard
# --------------------------------------------------------------------------------------------------


def test_orchard_maps_waste_and_missed_onto_the_engine():
    lab = OrchardLab()
    orchard = load_orchard()
    pipe = orchard_pipeline(orchard)
    ripeness = orchard["ripeness"].to_numpy()
    for threshold, hours in [(0, 100.0), (60, 5.0), (95, 30.0), (100, 0.0)]:
        lab.set_values(threshold=threshold, hours=hours)
        out = evaluate(pipe, ripeness >= threshold, capacity_hours=hours, priority=ripeness)
        assert shown_count(lab) == out.n_sqo
        assert shown(lab, "waste") == f"{out.n_worked - out.won:,}"
        assert shown(lab, "missed") == f"{out.missed:,}"
        assert lab.harvest_bars[3].get_width() == pytest.approx(out.missed / len(orchard))
        assert lab.pick_span.get_x() == threshold
    sells = orchard["sells"] == "yes"
    lab.set_values(threshold=0, hours=lab.hours.max)
    assert shown(lab, "missed") == "0" and shown(lab, "sold") == f"{sells.sum():,}"
    lab.close()


def test_labs_accept_generated_leads_and_fix_the_context():
    from sqolab import generate_leads

    leads = generate_leads("agency", 500, seed=3)
    lab = LABS["qualify"](leads=leads, context="agency")
    assert lab.context.disabled and lab.preset.value == "GPCTBA/C&I"
    assert shown_count(lab) == int(qualify(leads, preset("GPCTBA/C&I", "agency")).sum())
    lab.close()
    with pytest.raises(ValueError, match="Unknown context"):
        QualifyLab(context="bakery")
