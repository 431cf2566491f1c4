"""Hindsight analysis: turned-away wins, win rates with Wilson intervals, unavailable criteria."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sqolab.engine.criteria import Criteria
from sqolab.engine.hindsight import (
    availability,
    funnel,
    hindsight,
    rule_text,
    sample_plan,
    wilson,
)

LEADS = pd.DataFrame(
    {
        "lead_id": list("abcdef"),
        "authority": pd.Categorical(
            ["decision_maker", "user", "user", "influencer", "user", "decision_maker"]
        ),
        "outcome": pd.Categorical(
            ["won", "won", "lost_competitor", None, "no_decision", "won"],
            categories=["won", "lost_competitor", "no_decision"],
        ),
        "deal_value_eur": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
    }
)


def test_wilson_interval_matches_the_formula():
    low, high = wilson(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)
    assert wilson(0, 5)[0] == 0.0 and all(math.isnan(x) for x in wilson(0, 0))


def test_turned_away_wins_and_rates_count_decided_leads_only():
    h = hindsight(LEADS, Criteria(min_authority="influencer"))
    assert (h.decided, h.open, h.won) == (5, 1, 3)
    assert h.turned_away_won == 1 and h.turned_away_revenue == 20.0  # lead b
    rates = {r.group: (r.leads, r.won) for r in h.rates}
    assert rates == {
        "all decided leads": (5, 3),
        "authority met": (2, 2),
        "authority not met": (3, 1),
    }
    assert "never worked" in h.note and "random sample" in h.note


def test_criteria_on_missing_columns_are_unavailable_never_a_crash():
    criteria = Criteria(min_budget_eur=1000, min_authority="influencer", min_need="latent")
    assert availability(LEADS)["budget"].startswith("your data has no 'budget_eur'")
    f = funnel(LEADS, criteria)
    assert f.unavailable == ("budget", "need") and f.sqos == 3
    assert list(f.failed) == ["", "authority", "authority", "", "authority", ""]
    assert hindsight(LEADS, criteria).unavailable == ("budget", "need")
    bare = LEADS[["lead_id"]]
    assert hindsight(bare, criteria).reason == "your data has no outcome column"
    assert funnel(bare, criteria).sqos == 6


def test_rule_text_is_plain():
    assert rule_text(Criteria(min_authority="influencer")).startswith("Mark a lead as SQO when: ")


def test_random_sample_of_rejected_leads_is_planned_with_its_margin():
    assert sample_plan(1000, 0.3) == (100, pytest.approx(1.96 * math.sqrt(0.21 / 100)))
    assert sample_plan(12, 0.3)[0] == 12 and sample_plan(0, 0.3)[0] == 0
    h = hindsight(LEADS, Criteria(min_authority="influencer"))
    assert h.rejected == 3 and h.sample == 3  # b, c, e: fewer than 30, so all of them
