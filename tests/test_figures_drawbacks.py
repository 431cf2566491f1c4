"""Tests of the tables and figures of the drawbacks chapter and of the decision guide."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from strategies import typed_frame

from sqolab import (
    PROFILES,
    Criteria,
    competition_effect,
    criteria_met,
    evaluate,
    forecast_error,
    forecast_summary,
    lead_score,
    load_sample,
    preset,
    qualify,
    tradeoff_curve,
)
from sqolab.engine.formatting import display_table
from sqolab.engine.missed import cut_counts, excluded_winners
from sqolab.engine.policies import (
    POLICY_COLUMNS,
    compare_policies,
    flexible_policies,
    matching_threshold,
    rule,
    status_table,
    tightening_table,
)
from sqolab.engine.reports import competitors_by_fit, contest_summary
from sqolab.engine.tradeoffs import best_threshold
from sqolab.figures import choosing, drawbacks
from sqolab.figures.style import ROLE

NAN = float("nan")


@pytest.fixture(scope="module")
def startup() -> pd.DataFrame:
    return load_sample("startup")


@pytest.fixture(scope="module")
def bant() -> Criteria:
    return preset("BANT", "startup")


@pytest.fixture
def four() -> pd.DataFrame:
    """Four leads: a won SQO, two won leads cut by budget (one also by timeline), a lost SQO."""
    return typed_frame(
        [
            dict(budget_eur=9000.0, timeline_months=1.0, outcome="won", deal_value_eur=100.0),
            dict(budget_eur=NAN, timeline_months=1.0, outcome="won", deal_value_eur=300.0),
            dict(budget_eur=1000.0, timeline_months=9.0, outcome="won", deal_value_eur=200.0),
            dict(
                budget_eur=9000.0,
                timeline_months=2.0,
                outcome="no_decision",
                deal_value_eur=50.0,
                competitors=3,
            ),
        ],
        index=[10, 11, 12, 13],
    )


CRIT = Criteria(min_budget_eur=5000, max_timeline_months=3)


def axis_labels_have_units(fig) -> None:
    """A quantity's axis names its unit; an axis of names (policies, criteria) has a plain label."""
    for ax in fig.axes:
        for text, ticks in (
            (ax.get_xlabel(), ax.get_xticklabels()),
            (ax.get_ylabel(), ax.get_yticklabels()),
        ):
            names = [t.get_text() for t in ticks if t.get_text()]
            categorical = bool(names) and not any(n[:1].isdigit() for n in names)
            if categorical:
                assert "[" not in text, text  # no "[-]" or "[name]" on a sales chart
            else:
                assert text == "" or ("[" in text and "]" in text), text


# --------------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------------


def test_rule_names_one_criterion(bant: Criteria) -> None:
    assert rule(bant, "budget") == "budget >= 7,500 EUR"
    assert rule(bant, "timeline") == "timeline <= 3 months"
    with pytest.raises(ValueError, match="fit"):
        rule(bant, "fit")


def test_compare_policies_equals_evaluate(four: pd.DataFrame) -> None:
    is_sqo = qualify(four, CRIT)
    table = compare_policies(four, {"gate": is_sqo})
    out = evaluate(four, is_sqo)
    assert list(table.columns) == list(POLICY_COLUMNS)
    assert table.loc["gate", "won"] == out.won == 1
    assert table.loc["gate", "revenue_missed_eur"] == 500.0


def test_tightening_table_adds_criteria_one_by_one(startup: pd.DataFrame, bant: Criteria) -> None:
    table = tightening_table(startup, bant)
    assert list(table.index) == [
        "no criteria (every lead)",
        "+ budget >= 7,500 EUR",
        "+ authority >= influencer",
        "+ need >= latent",
        "+ timeline <= 3 months",
    ]
    assert table["n_sqo"].iloc[0] == len(startup)
    assert table["capture_rate"].iloc[0] == 1.0
    assert (np.diff(table["n_sqo"]) <= 0).all()
    assert (np.diff(table["revenue_missed_eur"]) >= 0).all()
    assert table["n_sqo"].iloc[-1] == qualify(startup, bant).sum()


def test_tightening_keeps_the_allowed_misses_of_a_k_of_n_rule() -> None:
    agency = load_sample("agency")
    gpct = preset("GPCTBA/C&I", "agency")  # 4 of 5
    table = tightening_table(agency, gpct)
    assert table["n_sqo"].iloc[1] == len(agency)  # 1 criterion, one miss allowed: everyone
    assert table["n_sqo"].iloc[-1] == qualify(agency, gpct).sum()


def test_matching_threshold(startup: pd.DataFrame) -> None:
    curve = tradeoff_curve(startup, lead_score(startup))
    t = matching_threshold(curve, 530)
    assert (lead_score(startup) >= t).sum() >= 530
    stricter = curve.loc[curve["threshold"] > t, "n_sqo"]
    assert stricter.max() < 530
    with pytest.raises(ValueError, match="no threshold"):
        matching_threshold(curve, len(startup) + 1)


def test_excluded_winners_by_hand(four: pd.DataFrame) -> None:
    table = excluded_winners(four, CRIT)
    assert list(table.index) == ["H-1", "H-2"]  # largest deal first
    assert list(table["cut by"]) == ["budget", "budget, timeline"]
    assert list(table["budget [EUR]"]) == ["unknown", "1,000"]
    assert list(table["timeline [months]"]) == ["1", "9"]
    assert list(table["deal value [EUR]"]) == ["300", "200"]


def test_excluded_winners_on_the_sample(startup: pd.DataFrame, bant: Criteria) -> None:
    table = excluded_winners(startup, bant, n=8)
    rows = startup.set_index("lead_id").loc[table.index]
    assert (rows["outcome"] == "won").all()
    assert not qualify(rows, bant).any()
    values = rows["deal_value_eur"].to_numpy()
    assert (np.diff(values) <= 0).all()
    met = criteria_met(rows, bant)
    for cut, (_, flags) in zip(table["cut by"], met.iterrows(), strict=True):
        assert cut.split(", ") == [n for n in met.columns if not flags[n]]


def test_cut_counts_by_hand(four: pd.DataFrame) -> None:
    counts = cut_counts(four, CRIT)
    assert counts.loc["budget"].tolist() == [2, 1, 500.0]
    assert counts.loc["timeline"].tolist() == [1, 0, 200.0]


def test_flexible_policies(startup: pd.DataFrame, bant: Criteria) -> None:
    score = lead_score(startup)
    policies = flexible_policies(startup, bant, score)
    names = list(policies)
    assert names[:3] == [
        "all 4 criteria (rigid)",
        "any 3 of 4 criteria",
        "all 4, unknown counts as met",
    ]
    assert names[3].startswith("lead score >= ")
    rigid = policies[names[0]]
    assert (policies[names[1]] | ~rigid).all()  # k-of-n keeps every rigid SQO
    assert (policies[names[2]] | ~rigid).all()
    assert policies[names[3]].sum() >= rigid.sum()
    threshold = float(names[3].split(">= ")[1])
    assert policies[names[3]].equals(
        (score >= matching_threshold(tradeoff_curve(startup, score), int(rigid.sum()))).rename(
            "is_sqo"
        )
    )
    assert (score[policies[names[3]]] >= threshold - 0.05).all()
    with pytest.raises(ValueError, match="two applied"):
        flexible_policies(startup, Criteria(min_fit=50), score)


def test_status_table_by_hand(four: pd.DataFrame) -> None:
    table = status_table(four, CRIT, "budget")
    assert table["leads"].tolist() == [2, 1, 1]
    assert table["won"].tolist() == [1, 1, 1]
    assert table.loc["meets", "win_rate"] == 0.5
    assert table["share_of_leads"].sum() == pytest.approx(1.0)


def test_status_table_on_the_sample(startup: pd.DataFrame, bant: Criteria) -> None:
    table = status_table(startup, bant, "timeline")
    assert table["leads"].sum() == len(startup)
    assert table.loc["unknown", "leads"] == startup["timeline_months"].isna().sum()
    assert table["won"].sum() == (startup["outcome"] == "won").sum()


def test_competitors_by_fit_and_contest_summary(four: pd.DataFrame) -> None:
    by_fit = competitors_by_fit(four.assign(fit_score=[10, 45, 45, 90]))
    assert by_fit["leads"].tolist() == [1, 2, 0, 0, 1]
    assert by_fit.loc["70-100", "mean_competitors"] == 3.0
    assert by_fit.loc["40-49", "win_rate"] == 1.0
    assert math.isnan(by_fit.loc["50-59", "mean_competitors"])
    summary = contest_summary(four, qualify(four, CRIT))
    assert summary["mean_competitors_all"] == 0.75
    assert summary["mean_competitors_sqo"] == 1.5
    assert summary["contested_sqo"] == 0.5


def test_display_table_formats_and_marks_nan() -> None:
    table = pd.DataFrame({"win_rate": [0.3339, NAN], "n_sqo": [1530, 2]})
    spec = {k: drawbacks.POLICY_DISPLAY[k] for k in ("n_sqo", "win_rate")}
    shown = display_table(table, spec)
    assert shown.to_dict("list") == {"SQOs": ["1,530", "2"], "win rate": ["33.4%", "n/a"]}


# --------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------


def test_missed_figure(startup: pd.DataFrame) -> None:
    curve = tradeoff_curve(startup, lead_score(startup))
    fig = drawbacks.missed_figure(curve, marker=70.0, title="Startup")
    rates, money = fig.axes
    capture, win, marker = rates.get_lines()
    np.testing.assert_array_equal(capture.get_ydata(), curve["capture_rate"])
    np.testing.assert_array_equal(win.get_ydata(), curve["win_rate"])
    assert list(marker.get_xdata()) == [70.0, 70.0]
    won, missed, _ = money.get_lines()
    np.testing.assert_array_equal(won.get_ydata(), curve["revenue_won_eur"])
    np.testing.assert_array_equal(missed.get_ydata(), curve["revenue_missed_eur"])
    assert missed.get_linestyle() == "--"  # not colour alone
    assert money.get_ylabel() == "revenue [EUR]"
    assert rates.get_xlabel() == "lead-score threshold [points]"
    assert fig.get_suptitle() == "Startup"
    axis_labels_have_units(fig)


def test_cut_figure(four: pd.DataFrame) -> None:
    counts = cut_counts(four, CRIT)
    fig = drawbacks.cut_figure(counts)
    (ax,) = fig.axes
    widths = [p.get_width() for p in ax.patches]
    assert widths == [2, 1, 1, 0]  # fails it (budget, timeline), then fails only it
    assert [t.get_text() for t in ax.get_yticklabels()] == ["budget", "timeline"]
    assert ax.get_title() == "Which criterion cuts the winners?"
    axis_labels_have_units(fig)


def test_policy_figure(four: pd.DataFrame) -> None:
    table = compare_policies(
        four, {"gate": qualify(four, CRIT), "all": pd.Series(True, index=four.index)}
    )
    fig = drawbacks.policy_figure(table, title="Policies")
    rates, money = fig.axes
    widths = [p.get_width() for p in rates.patches]
    assert widths == pytest.approx([0.5, 0.75, 1 / 3, 1.0])
    assert [p.get_width() for p in money.patches] == pytest.approx(
        table["revenue_per_hour_eur"].tolist()
    )
    assert [t.get_text() for t in rates.get_yticklabels()] == ["gate", "all"]
    assert money.get_xlabel() == "revenue per sales hour [EUR/h]"
    axis_labels_have_units(fig)


def test_unknown_figure(four: pd.DataFrame) -> None:
    tables = {n: status_table(four, CRIT, n) for n in ("budget", "timeline")}
    fig = drawbacks.unknown_figure(tables)
    budget, timeline = fig.axes
    assert [p.get_height() for p in budget.patches] == pytest.approx([0.5, 1.0, 1.0])
    assert [t.get_text() for t in budget.get_xticklabels()] == ["meets", "fails", "unknown"]
    assert budget.patches[1].get_hatch() == "xx"  # status shown by hatch, not colour alone
    assert budget.get_title() == "Budget" and timeline.get_title() == "Timeline"
    assert budget.get_ylabel() == "win rate if pursued [%]"
    axis_labels_have_units(fig)


def test_competition_figure(startup: pd.DataFrame, bant: Criteria) -> None:
    by_fit = competitors_by_fit(startup)
    effect = competition_effect(startup, qualify(startup, bant))
    fig = drawbacks.competition_figure(by_fit, effect)
    left, right = fig.axes
    assert [p.get_height() for p in left.patches] == pytest.approx(
        by_fit["mean_competitors"].tolist()
    )
    everyone, sqos = right.get_lines()
    np.testing.assert_allclose(everyone.get_ydata(), effect["win_rate"])
    np.testing.assert_allclose(sqos.get_ydata(), effect["sqo_win_rate"])
    assert sqos.get_marker() != everyone.get_marker()
    assert right.get_xticklabels()[-1].get_text() == "5+"
    assert left.get_ylabel() == "competitors per deal [vendors]"
    axis_labels_have_units(fig)


# --------------------------------------------------------------------------------------------------
# Decision guide (choosing.py)
# --------------------------------------------------------------------------------------------------


def test_capacity_levels(four: pd.DataFrame, startup: pd.DataFrame) -> None:
    assert choosing.capacity_levels(four) == [100.0, 100.0, 100.0]  # never below 100 h
    total = startup["sales_hours"].sum()
    levels = choosing.capacity_levels(startup, (0.1, 0.5))
    assert levels == [round(total * 0.1, -2), round(total * 0.5, -2)]


def test_capacity_guide(startup: pd.DataFrame, bant: Criteria) -> None:
    score = lead_score(startup)
    capacities = [0.0, 3000.0, 1e9]
    guide = choosing.capacity_guide(startup, bant, capacities, score)
    assert guide["capacity_hours"].tolist() == capacities
    assert (guide["score_hours"] <= guide["capacity_hours"]).all()
    assert (guide["preset_hours"] <= guide["capacity_hours"]).all()
    best = best_threshold(tradeoff_curve(startup, score), 3000.0)
    assert guide.loc[1, "threshold"] == best["threshold"]
    assert guide.loc[1, "score_revenue_eur"] == best["revenue_won_eur"]
    capped = evaluate(startup, qualify(startup, bant), capacity_hours=3000.0)
    assert guide.loc[1, "preset_revenue_eur"] == capped.revenue_won_eur
    assert guide.loc[1, "preset_worked"] == capped.n_worked < capped.n_sqo
    uncapped = evaluate(startup, qualify(startup, bant))
    assert guide.loc[2, "preset_revenue_eur"] == uncapped.revenue_won_eur
    assert guide.loc[0, "score_sqos"] == 0 and math.isnan(guide.loc[0, "threshold"])
    shown = display_table(guide, choosing.GUIDE_DISPLAY)
    assert shown.loc[1, "capacity [h]"] == "3,000"


def test_capacity_figure(startup: pd.DataFrame, bant: Criteria) -> None:
    guide = choosing.capacity_guide(startup, bant, [2000.0, 6000.0], lead_score(startup))
    fig = choosing.capacity_figure({"Startup": guide, "Again": guide})
    first, second = fig.axes
    score_line, preset_line = first.get_lines()
    np.testing.assert_array_equal(score_line.get_xdata(), [2000.0, 6000.0])
    np.testing.assert_array_equal(score_line.get_ydata(), guide["score_revenue_eur"])
    np.testing.assert_array_equal(preset_line.get_ydata(), guide["preset_revenue_eur"])
    assert preset_line.get_linestyle() == "--"
    assert preset_line.get_color() == ROLE["current"]
    assert first.get_title() == "Startup" and second.get_ylabel() == ""
    assert first.get_xlabel() == "sales capacity [h]"
    axis_labels_have_units(fig)


def test_scorecard(startup: pd.DataFrame, bant: Criteria) -> None:
    values = choosing.scorecard_values(startup, bant, n_quarters=50)
    is_sqo = qualify(startup, bant)
    out = evaluate(startup, is_sqo)
    assert values.at["win_rate", "SQOs only"] == out.win_rate
    assert values.at["capture_rate", "every lead"] == 1.0
    assert values.at["revenue_missed_eur", "every lead"] == 0.0
    errors = forecast_summary(forecast_error(startup, is_sqo, n_quarters=50))
    assert (
        values.at["forecast_error_pct", "SQOs only"]
        == errors.loc["SQOs only", "mean_abs_error_pct"]
    )
    assert values.at["mean_competitors", "SQOs only"] == startup["competitors"][is_sqo].mean()
    shown = choosing.scorecard(values)
    assert shown.loc["win rate", "SQOs only"] == f"{out.win_rate:.1%}"
    assert shown.loc["competitors per deal [vendors]", "lesson"] == "drawback: competition"
    assert list(shown.columns) == ["lesson", "SQOs only", "every lead"]


# --------------------------------------------------------------------------------------------------
# The claims the chapters make in words about the shipped samples
# --------------------------------------------------------------------------------------------------


def test_the_startup_sample_tells_the_stories_of_the_drawbacks(
    startup: pd.DataFrame, bant: Criteria
) -> None:
    for name in ("budget", "timeline"):  # "unknown is much closer to meets than to fails"
        rate = status_table(startup, bant, name)["win_rate"]
        assert abs(rate["unknown"] - rate["meets"]) < abs(rate["unknown"] - rate["fails"])
    policies = compare_policies(startup, flexible_policies(startup, bant, lead_score(startup)))
    rigid, k_of_n, unknown, score = (policies.iloc[i] for i in range(4))
    assert score["win_rate"] > rigid["win_rate"] and score["capture_rate"] > rigid["capture_rate"]
    assert score["revenue_per_hour_eur"] > rigid["revenue_per_hour_eur"]
    assert k_of_n["capture_rate"] > rigid["capture_rate"] > 0
    assert rigid["win_rate"] - unknown["win_rate"] < 0.05  # "a modest drop in win rate"
    assert unknown["capture_rate"] > 1.5 * rigid["capture_rate"]
    by_fit = competitors_by_fit(startup)
    assert (np.diff(by_fit["mean_competitors"]) > 0).all()  # "better fit, more rivals"
    effect = competition_effect(startup, qualify(startup, bant))
    drop_sqo = effect.loc[0, "sqo_win_rate"] - effect.loc[4, "sqo_win_rate"]
    drop_all = effect.loc[0, "win_rate"] - effect.loc[4, "win_rate"]
    assert drop_sqo > drop_all > 0  # "the all-leads line falls less steeply"


@pytest.mark.parametrize("context", ["startup", "consultancy", "agency"])
def test_a_score_set_to_capacity_beats_the_preset_at_every_capacity(context: str) -> None:
    leads = load_sample(context)
    criteria = preset(PROFILES[context].framework, context)
    shares = tuple(i / 20 for i in range(1, 13))  # the grid of book/05_choosing.md
    guide = choosing.capacity_guide(
        leads, criteria, choosing.capacity_levels(leads, shares), lead_score(leads)
    )
    assert (guide["score_revenue_eur"] >= guide["preset_revenue_eur"]).all()
    three = choosing.capacity_guide(
        leads, criteria, choosing.capacity_levels(leads), lead_score(leads)
    )
    if context == "startup":  # the short and ample capacities of the chapter's prose
        assert three.loc[0, "preset_worked"] < three.loc[0, "preset_sqos"]
        assert three.loc[2, "preset_hours"] < three.loc[2, "capacity_hours"]
        assert three.loc[2, "preset_worked"] == three.loc[2, "preset_sqos"]


def test_label_keeps_units_for_quantities_and_plain_words_for_names() -> None:
    from sqolab.figures.style import label, new_figure

    _fig, ax = new_figure(4, 3)
    label(ax, "share [%]", "policy", category="y")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("share [%]", "policy")
    with pytest.raises(ValueError, match="unit"):
        label(ax, "share", "policy", category="y")  # a quantity without its unit
    with pytest.raises(ValueError, match="names"):
        label(ax, "share [%]", "policy [-]", category="y")  # "[-]" on an axis of names
