"""Figures and tables of chapters 1 and 2 (sqolab.figures.funnel and sqolab.figures.benefits)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from sqolab import (
    FRAMEWORKS,
    Criteria,
    LeadDataError,
    campaign_report,
    evaluate,
    forecast_error,
    load_campaigns,
    load_sample,
    preset,
    qualify,
)
from sqolab.figures.benefits import (
    ALL_LEADS,
    SETTINGS,
    SQOS_ONLY,
    campaign_figure,
    cheapest_per_lead,
    efficiency_figure,
    efficiency_table,
    forecast_error_figure,
    forecast_scenarios,
)
from sqolab.figures.funnel import (
    WON_STAGE,
    framework_table,
    funnel_counts,
    funnel_figure,
    markdown_table,
)


@pytest.fixture(scope="module")
def startup():
    leads = load_sample("startup")
    return leads, qualify(leads, preset("BANT", "startup"))


def _bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


# ------------------------------------------------------------------------------------- funnel


def test_funnel_counts_nested_stages(startup):
    leads, _ = startup
    gate = Criteria(min_fit=40, min_engagement=40)
    bant = preset("BANT", "startup")
    counts = funnel_counts(leads, [("gate", gate), ("SQO", bant)])
    assert counts["stage"].tolist() == ["All leads", "gate", "SQO", WON_STAGE]
    expected_gate = qualify(leads, gate)
    expected_sqo = expected_gate & qualify(leads, bant)
    expected_won = expected_sqo & (leads["outcome"] == "won")
    assert counts["leads"].tolist() == [
        len(leads),
        int(expected_gate.sum()),
        int(expected_sqo.sum()),
        int(expected_won.sum()),
    ]
    assert counts["leads"].is_monotonic_decreasing
    assert counts.loc[2, "share_of_previous"] == pytest.approx(
        expected_sqo.sum() / expected_gate.sum()
    )
    assert counts.loc[3, "share_of_all"] == pytest.approx(expected_won.sum() / len(leads))


def test_funnel_counts_need_outcomes(startup):
    leads, _ = startup
    with pytest.raises(LeadDataError, match="outcome"):
        funnel_counts(leads.drop(columns="outcome"), [])


def test_funnel_figure_bar_widths_and_labels(startup):
    leads, _ = startup
    counts = funnel_counts(leads, [("SQO under BANT", preset("BANT", "startup"))])
    fig = funnel_figure(counts, "Funnel")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    bars = _bars(ax)
    assert [b.get_width() for b in bars] == pytest.approx(counts["leads"].tolist())
    # bars are centred on 0, widest at the top
    assert [b.get_x() + b.get_width() / 2 for b in bars] == pytest.approx([0.0] * len(bars))
    assert bars[0].get_y() > bars[-1].get_y()
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("All leads: 3,000") for t in texts)
    assert any(t.startswith(f"{WON_STAGE}: {counts['leads'].iloc[-1]:,}") for t in texts)
    assert "[count]" in ax.get_xlabel()
    assert ax.get_title() == "Funnel"
    # the won stage is hatched, so it differs without colour
    assert bars[-1].get_hatch() and not bars[0].get_hatch()


def test_funnel_figure_shows_unrecorded_stages_and_the_way_back(startup):
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    leads, is_sqo = startup
    counts = funnel_counts(leads, [("SQO under BANT", preset("BANT", "startup"))])
    fig = funnel_figure(
        counts,
        "Funnel",
        first_stage="MQL: every lead",
        before=("Lead",),
        between=("SAL", "SQL"),
        recycle=True,
    )
    ax = fig.axes[0]
    # data bars only for the recorded stages; the three unrecorded ones are dashed outlines
    assert [b.get_width() for b in _bars(ax)] == pytest.approx(counts["leads"].tolist())
    outlines = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(outlines) == 3 and all(p.get_linestyle() == "--" for p in outlines)
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("MQL: every lead: 3,000") for t in texts)
    for stage in ("Lead", "SAL", "SQL"):
        assert f"{stage}: not recorded in the sample" in texts
    # the outlines sit in funnel order: Lead above the MQL bar, SAL and SQL between MQL and SQO
    bars = _bars(ax)
    y_lead, y_sal, y_sql = (p.get_y() + p.get_height() / 2 for p in outlines)
    assert y_lead > bars[0].get_y() > y_sal > y_sql > bars[1].get_y()
    # the way back carries the number of leads that did not become SQOs
    assert len([p for p in ax.patches if isinstance(p, FancyArrowPatch)]) == 1
    back = len(leads) - int(is_sqo.sum())
    assert any("recycled to nurture" in t and f"{back:,}" in t for t in texts)


def test_framework_table_is_generated_from_frameworks():
    table = framework_table(context="consultancy")
    assert table["framework"].tolist() == list(FRAMEWORKS)
    for _, row in table.iterrows():
        fw = FRAMEWORKS[row["framework"]]
        assert row["origin"] == fw.origin
        assert row["rule (consultancy)"] == fw.for_context("consultancy").describe()
        for letter, _, rule in fw.letters:
            assert letter in row["letters"]
            assert (rule in row["maps onto our columns"]) == (rule != "not expressible")
        assert fw.cannot_express[0] in row["cannot express"]
    # MEDDIC's decision criteria cannot be mapped, so they are not in the mapping column
    meddic = table.set_index("framework").loc["MEDDIC"]
    assert "Decision criteria" in meddic["letters"]
    assert "Decision criteria" not in meddic["maps onto our columns"]


# --------------------------------------------------------------------------------- efficiency


def test_efficiency_table_matches_evaluate():
    table = efficiency_table(["startup", "agency"])
    assert table["context"].tolist() == ["startup", "startup", "agency", "agency"]
    assert table["pipeline"].tolist() == [ALL_LEADS, SQOS_ONLY] * 2
    leads = load_sample("agency")
    expected = evaluate(leads, qualify(leads, preset("GPCTBA/C&I", "agency")))
    row = table[(table["context"] == "agency") & (table["pipeline"] == SQOS_ONLY)].iloc[0]
    assert row["framework"] == "GPCTBA/C&I"
    assert row["win_rate"] == pytest.approx(expected.win_rate)
    assert row["revenue_per_hour_eur"] == pytest.approx(expected.revenue_per_hour_eur)
    everyone = table[(table["context"] == "agency") & (table["pipeline"] == ALL_LEADS)].iloc[0]
    assert everyone["leads_worked"] == len(leads)


def test_efficiency_figure_bar_heights_and_axes():
    table = efficiency_table(["startup", "consultancy"])
    fig = efficiency_figure(table)
    left, right = fig.axes
    heights = [b.get_height() for b in _bars(left)]
    # first the "all leads" bars of each context, then the SQO bars
    expected = [
        *table.loc[table["pipeline"] == ALL_LEADS, "win_rate"],
        *table.loc[table["pipeline"] == SQOS_ONLY, "win_rate"],
    ]
    assert heights == pytest.approx(expected)
    rph = [b.get_height() for b in _bars(right)]
    assert rph == pytest.approx(
        [
            *table.loc[table["pipeline"] == ALL_LEADS, "revenue_per_hour_eur"],
            *table.loc[table["pipeline"] == SQOS_ONLY, "revenue_per_hour_eur"],
        ]
    )
    assert "[% of leads worked]" in left.get_ylabel()
    assert "[EUR/h]" in right.get_ylabel()
    assert [t.get_text() for t in left.get_xticklabels()] == ["startup", "consultancy"]
    assert {t.get_text() for t in left.get_legend().get_texts()} == {ALL_LEADS, SQOS_ONLY}
    # the two pipelines differ by hatch as well as by colour
    hatches = {b.get_hatch() or "" for b in _bars(left)}
    assert len(hatches) == 2


# ------------------------------------------------------------------------ marketing alignment


@pytest.fixture(scope="module")
def report(startup):
    leads, is_sqo = startup
    return campaign_report(leads, load_campaigns("startup"), is_sqo)


def test_cheapest_per_lead_is_not_cheapest_per_sqo(report):
    cheap = cheapest_per_lead(report)
    assert cheap["cost_per_lead_eur"] == report["cost_per_lead_eur"].min()
    assert cheap["rank_per_lead"] == 1
    # the lesson of the chapter holds on the shipped sample
    assert cheap["rank_per_sqo"] > 1


def test_campaign_figure_bars_follow_the_report(report):
    fig = campaign_figure(report, "startup")
    left, right = fig.axes
    order = report.sort_values("cost_per_lead_eur", ascending=False)
    assert [b.get_width() for b in _bars(left)] == pytest.approx(order["cost_per_lead_eur"])
    assert [b.get_width() for b in _bars(right)] == pytest.approx(order["cost_per_sqo_eur"])
    assert [t.get_text() for t in left.get_yticklabels()] == order["campaign"].tolist()
    assert left.get_xlabel().endswith("[EUR]") and right.get_xlabel().endswith("[EUR]")
    assert left.get_ylabel() == "campaign"  # an axis of names: a plain label, no "[name]"
    # exactly the cheapest-per-lead campaign is hatched, in both panels
    cheapest = cheapest_per_lead(report)["campaign"]
    for ax in (left, right):
        hatched = [
            name for name, bar in zip(order["campaign"], _bars(ax), strict=True) if bar.get_hatch()
        ]
        assert hatched == [cheapest]
    assert "Cost per SQO" in right.get_title()


# ---------------------------------------------------------------------------------- forecasts


def test_forecast_error_figure_histograms(startup):
    leads, is_sqo = startup
    errors = forecast_error(leads, is_sqo, n_quarters=120, seed=3)
    fig = forecast_error_figure(errors, bins=20)
    ax = fig.axes[0]
    steps = [p for p in ax.patches if not isinstance(p, Rectangle)]
    assert len(steps) == 2
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == [ALL_LEADS, SQOS_ONLY]
    # each histogram is weighted to shares of quarters: its bars add up to 1
    for step in steps:
        heights = step.get_path().vertices[:, 1]
        assert heights.max() <= 1.0
    assert {s.get_linestyle() for s in steps} != {"-"}  # dashed vs solid, not colour alone
    assert "[% of actual revenue]" in ax.get_xlabel()
    assert "[% of simulated quarters]" in ax.get_ylabel()
    assert ax.get_title() == "Forecast error per quarter"


def test_forecast_error_figure_shares_sum_to_one():
    errors = pd.DataFrame(
        {
            "pipeline": [ALL_LEADS] * 4 + [SQOS_ONLY] * 4,
            "error_pct": [-30.0, -5.0, 5.0, 40.0, -8.0, -2.0, 3.0, 9.0],
        }
    )
    fig = forecast_error_figure(errors, bins=4)
    ax = fig.axes[0]
    steps = [p for p in ax.patches if not isinstance(p, Rectangle)]
    for step in steps:
        ys = step.get_path().vertices[:, 1]
        # a step outline visits each bin top twice: the distinct tops are the bin shares
        tops = ys[1:-1:2]
        assert np.isclose(tops.sum(), 1.0)


def test_forecast_scenarios_settings(startup):
    leads, is_sqo = startup
    table = forecast_scenarios(leads, is_sqo, few_deals=100, n_quarters=150)
    assert table["setting"].tolist() == [s for s in SETTINGS for _ in range(2)]
    assert table["pipeline"].tolist() == [ALL_LEADS, SQOS_ONLY] * 3
    by = table.set_index(["setting", "pipeline"])
    assert by.loc[("few deals", ALL_LEADS), "leads_per_quarter"] == 100
    assert by.loc[("swinging mix", ALL_LEADS), "leads_per_quarter"] == len(leads) // 4
    assert by.loc[("few deals", ALL_LEADS), "mean_deals"] == pytest.approx(100)
    # the chapter's explanation: gating helps with a swinging mix, not with a steady one
    mae = by["mean_abs_error_pct"]
    assert mae[("swinging mix", SQOS_ONLY)] < mae[("swinging mix", ALL_LEADS)]
    assert mae[("steady mix", SQOS_ONLY)] > mae[("steady mix", ALL_LEADS)]
    assert mae[("steady mix", ALL_LEADS)] < mae[("swinging mix", ALL_LEADS)]


def test_markdown_table_rows_and_escaping():
    frame = pd.DataFrame({"a": ["x|y", "z"], "b": [1, 2]})
    lines = markdown_table(frame).splitlines()
    assert lines[0] == "| a | b |"
    assert lines[1] == "|---|---|"
    assert lines[2] == "| x\\|y | 1 |"
    assert len(lines) == 4
