"""Tests of the tables and figures of the examples chapter (three contexts and the orchard)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from strategies import typed_frame

from sqolab import (
    CONTEXTS,
    PROFILES,
    Criteria,
    criteria_met,
    evaluate,
    lead_score,
    load_orchard,
    load_sample,
    preset,
    qualify,
)
from sqolab.figures import examples
from sqolab.figures.style import ROLE

NAN = float("nan")
CRIT = Criteria(min_budget_eur=5000, max_timeline_months=3)


@pytest.fixture
def four() -> pd.DataFrame:
    return typed_frame(
        [
            dict(budget_eur=9000.0, timeline_months=1.0, outcome="won"),
            dict(budget_eur=NAN, timeline_months=1.0, outcome="won"),
            dict(budget_eur=1000.0, timeline_months=2.0, outcome="lost_competitor"),
            dict(budget_eur=9000.0, timeline_months=2.0, outcome="no_decision", competitors=2),
        ],
        index=[10, 11, 12, 13],
    )


SCORE = pd.Series([50.0, 90.0, 70.0, 60.0], index=[10, 11, 12, 13])


@pytest.fixture
def orchard() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "fruit_id": ["F-1", "F-2", "F-3", "F-4"],
            "tree": ["T-01"] * 4,
            "ripeness": [90, 80, 80, 20],
            "pick_minutes": [1.0, 2.0, 0.5, 1.5],
            "price_eur": [1.0, 0.5, 0.8, 0.4],
            "sells": pd.Categorical(["yes", "no", "yes", "yes"], categories=("yes", "no")),
        },
        index=[5, 6, 7, 8],
    )


# --------------------------------------------------------------------------------------------------
# Contexts
# --------------------------------------------------------------------------------------------------


def test_context_facts_match_the_engine() -> None:
    leads = load_sample("consultancy")
    criteria = preset("FAINT", "consultancy")
    facts = examples.context_facts(leads, criteria)
    out = evaluate(leads, qualify(leads, criteria))
    assert facts["n_leads"] == len(leads)
    assert facts["n_sqo"] == out.n_sqo
    assert facts["win_rate_sqo"] == out.win_rate
    assert facts["win_rate_all"] == (leads["outcome"] == "won").mean()
    assert facts["top_source"] == "referral"
    assert facts["top_source_share"] == (leads["source"] == "referral").mean()
    assert facts["unknown_budget_share"] == leads["budget_eur"].isna().mean()
    assert facts["median_deal_eur"] == leads["deal_value_eur"].median()


def test_outcome_mix_by_hand(four: pd.DataFrame) -> None:
    mix = examples.outcome_mix(four, qualify(four, CRIT))
    assert mix.to_dict("index") == {
        "SQOs": {"won": 1, "lost_competitor": 0, "no_decision": 1},
        "other leads": {"won": 1, "lost_competitor": 1, "no_decision": 0},
    }


def test_outcome_mix_figure(four: pd.DataFrame) -> None:
    mix = examples.outcome_mix(four, qualify(four, CRIT))
    fig = examples.outcome_mix_figure(mix, "Toy")
    (ax,) = fig.axes
    widths = [p.get_width() for p in ax.patches]
    assert widths == pytest.approx([0.5, 0.5, 0.0, 0.5, 0.5, 0.0])  # won, lost, no decision
    lefts = [p.get_x() for p in ax.patches]
    assert lefts == pytest.approx([0, 0, 0.5, 0.5, 0.5, 1.0])  # stacked
    assert ax.patches[2].get_hatch() == "//"  # outcome shown by hatch, not colour alone
    assert ax.patches[0].get_facecolor()[:3] == pytest.approx(
        tuple(int(ROLE["won"][i : i + 2], 16) / 255 for i in (1, 3, 5))
    )
    assert [t.get_text() for t in ax.get_yticklabels()] == ["SQOs (2)", "other leads (2)"]
    assert ax.get_title() == "Toy"
    assert ax.get_xlabel().endswith("[%]")


def test_pick_example_leads_by_hand(four: pd.DataFrame) -> None:
    crit = CRIT
    four = four.assign(outcome=pd.Categorical(["won", "won", "won", "no_decision"]))
    picks = examples.pick_example_leads(four, crit, SCORE)
    # clear SQO: H-0 (score 50) and H-3 (60) meet both; the higher score wins.
    # near miss: one short with every value known: H-2 (budget 1,000). H-1 is unknown.
    # unknown budget and won: H-1.
    assert picks == {"clear SQO": "H-3", "near miss": "H-2", "unknown budget": "H-1"}


def test_pick_example_leads_raises_when_a_role_is_empty(four: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="near miss"):
        examples.pick_example_leads(four.drop(index=12), CRIT, SCORE.drop(index=12))


@pytest.mark.parametrize("context", CONTEXTS)
def test_pick_example_leads_on_the_samples(context: str) -> None:
    leads = load_sample(context)
    criteria = preset(PROFILES[context].framework, context)
    score = lead_score(leads)
    picks = examples.pick_example_leads(leads, criteria, score)
    assert picks == examples.pick_example_leads(leads, criteria, score)  # deterministic
    assert list(picks) == list(examples.ROLES) and len(set(picks.values())) == 3
    rows = leads.set_index("lead_id").loc[list(picks.values())]
    met = criteria_met(rows, criteria)
    assert met.iloc[0].all() and qualify(rows, criteria).iloc[0]
    assert not qualify(rows, criteria).iloc[1]
    assert met.iloc[1].sum() == criteria.required_met - 1
    assert np.isnan(rows["budget_eur"].iloc[2]) and rows["outcome"].iloc[2] == "won"


def test_walkthrough_table_by_hand(four: pd.DataFrame) -> None:
    picks = {"first": "H-0", "second": "H-1"}
    table = examples.walkthrough_table(four, CRIT, picks, SCORE)
    assert list(table.columns) == ["first (H-0)", "second (H-1)"]
    assert table.loc["budget >= 5,000 EUR"].tolist() == ["9,000: met", "unknown: not met"]
    assert table.loc["timeline <= 3 months", "second (H-1)"] == "1: met"
    assert table.loc["fit [points] (not a criterion)", "first (H-0)"] == "50"
    assert table.loc["criteria met"].tolist() == ["2 of 2 (needs 2)", "1 of 2 (needs 2)"]
    assert table.loc["decision"].tolist() == ["SQO", "not an SQO"]
    assert table.loc["if pursued (simulated)"].tolist() == ["won", "won"]
    assert table.loc["lead score [points]", "second (H-1)"] == "90.0"
    with pytest.raises(ValueError, match="H-9"):
        examples.walkthrough_table(four, CRIT, {"x": "H-9"}, SCORE)


def test_pick_facts_by_hand(four: pd.DataFrame) -> None:
    facts = examples.pick_facts(four, CRIT, {"a": "H-0", "b": "H-2", "c": "H-3"})
    assert facts["a"]["failed"] == "none" and facts["a"]["is_sqo"]
    assert facts["b"] == {
        "lead_id": "H-2",
        "failed": "budget",
        "is_sqo": False,
        "outcome": "lost to a competitor",
        "deal_value_eur": 10_000.0,
        "competitors": 0,
    }
    assert facts["c"]["outcome"] == "no decision" and facts["c"]["competitors"] == 2
    with pytest.raises(ValueError, match="H-7"):
        examples.pick_facts(four, CRIT, {"a": "H-7"})


# --------------------------------------------------------------------------------------------------
# Orchard
# --------------------------------------------------------------------------------------------------


def test_orchard_tradeoff_by_hand(orchard: pd.DataFrame) -> None:
    curve = examples.orchard_tradeoff(orchard)
    assert curve["threshold"].tolist() == [90, 80, 20]
    assert curve["picked"].tolist() == [1, 3, 4]
    assert curve["sold"].tolist() == [1, 2, 3]
    assert curve["ripe_left"].tolist() == [2, 1, 0]
    assert curve["minutes"].tolist() == pytest.approx([1.0, 3.5, 5.0])
    assert curve["wasted_minutes"].tolist() == pytest.approx([0.0, 2.0, 2.0])
    assert curve["revenue_eur"].tolist() == pytest.approx([1.0, 1.8, 2.2])
    assert curve["sell_rate"].tolist() == pytest.approx([1.0, 2 / 3, 0.75])


def test_orchard_tradeoff_on_the_data() -> None:
    orchard = load_orchard()
    curve = examples.orchard_tradeoff(orchard)
    last = curve.iloc[-1]
    assert last["picked"] == len(orchard)
    assert last["sold"] == (orchard["sells"] == "yes").sum()
    assert last["minutes"] == pytest.approx(orchard["pick_minutes"].sum())
    assert ((curve["sold"] + curve["ripe_left"]) == last["sold"]).all()


def test_best_ripeness(orchard: pd.DataFrame) -> None:
    curve = examples.orchard_tradeoff(orchard)
    assert examples.best_ripeness(curve, 0.5) is None
    best = examples.best_ripeness(curve, 4.0)  # 3.5 minutes fit, 5.0 do not
    assert best["threshold"] == 80 and best["minutes"] == pytest.approx(3.5)
    assert "sold" in best.index and "hours_spent" not in best.index


def test_orchard_figure(orchard: pd.DataFrame) -> None:
    curve = examples.orchard_tradeoff(orchard)
    fig = examples.orchard_figure(curve, threshold=80)
    fruit, time = fig.axes
    sold, left, marker = fruit.get_lines()
    np.testing.assert_array_equal(sold.get_xdata(), [20, 80, 90])  # ascending threshold
    np.testing.assert_array_equal(sold.get_ydata(), [3, 2, 1])
    np.testing.assert_array_equal(left.get_ydata(), [0, 1, 2])
    assert left.get_linestyle() == "--"
    assert list(marker.get_xdata()) == [80, 80]
    minutes, wasted, _ = time.get_lines()
    np.testing.assert_allclose(minutes.get_ydata(), [5.0, 3.5, 1.0])
    np.testing.assert_allclose(wasted.get_ydata(), [2.0, 2.0, 0.0])
    assert fruit.get_xlabel() == "ripeness threshold [points]"
    assert time.get_ylabel() == "time [minutes]"
    assert fruit.get_title() == "Fruit sold and fruit missed"


def test_the_samples_tell_the_stories_of_the_chapter() -> None:
    """The prose of book/04_examples.md describes these picks; regenerated samples must agree."""
    facts = {}
    for context in CONTEXTS:
        leads = load_sample(context)
        criteria = preset(PROFILES[context].framework, context)
        picks = examples.pick_example_leads(leads, criteria, lead_score(leads))
        facts[context] = examples.pick_facts(leads, criteria, picks)
    startup, consultancy, agency = (facts[c] for c in ("startup", "consultancy", "agency"))
    assert (
        startup["clear SQO"]["outcome"] != "won"
    )  # "a perfect checklist does not guarantee a win"
    assert startup["near miss"]["outcome"] == "won"  # "a missed opportunity up close"
    assert not startup["unknown budget"]["is_sqo"]
    assert startup["unknown budget"]["failed"] == "budget"
    assert consultancy["unknown budget"]["is_sqo"]  # "Decision: SQO"
    assert consultancy["unknown budget"]["failed"] == "none"
    assert len(agency["near miss"]["failed"].split(", ")) == 2  # "two misses"
    assert agency["near miss"]["outcome"] != "won"  # "the rule was right to say no"
    assert agency["unknown budget"]["is_sqo"] and agency["unknown budget"]["failed"] == "budget"
