"""Tests of evaluate: counts, rates, revenue, hours and the capacity rule."""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import SETTINGS, criteria_strategy, lead_frames, typed_frame

from sqolab.data.schema import LeadDataError
from sqolab.engine.criteria import Criteria, qualify
from sqolab.engine.outcomes import Outcome, evaluate, require_outcome

# --------------------------------------------------------------------------------------------------
# A slow, independent reference: plain Python, one lead at a time.
# --------------------------------------------------------------------------------------------------


def reference_evaluate(
    leads: pd.DataFrame, is_sqo: list[bool], capacity: float | None = None, priority=None
) -> dict:
    records = leads.to_dict("records")
    rows = [(i, r) for i, r in enumerate(records) if is_sqo[i]]
    if capacity is None:
        worked = rows
    else:
        if priority is not None:

            def key(item: tuple) -> tuple:
                p = float(priority[item[0]])
                return (math.isnan(p), 0.0 if math.isnan(p) else -p, item[0])

        else:

            def key(item: tuple) -> tuple:
                date = item[1]["created_on"]
                missing = pd.isna(date)
                return (missing, 0 if missing else date.value, item[0])

        worked, total = [], 0.0
        for item in sorted(rows, key=key):
            if total + item[1]["sales_hours"] > capacity:
                break  # the team stops at the first SQO that does not fit
            total += item[1]["sales_hours"]
            worked.append(item)
    worked_ids = {i for i, _ in worked}
    won = [r for _, r in worked if r["outcome"] == "won"]
    winnable = [r for r in records if r["outcome"] == "won"]
    missed = [r for i, r in enumerate(records) if r["outcome"] == "won" and i not in worked_ids]
    hours = sum(r["sales_hours"] for _, r in worked)
    return {
        "n_leads": len(records),
        "n_sqo": sum(is_sqo),
        "n_worked": len(worked),
        "won": len(won),
        "lost_competitor": sum(r["outcome"] == "lost_competitor" for _, r in worked),
        "no_decision": sum(r["outcome"] == "no_decision" for _, r in worked),
        "winnable": len(winnable),
        "missed": len(missed),
        "revenue_won_eur": sum(r["deal_value_eur"] for r in won),
        "revenue_missed_eur": sum(r["deal_value_eur"] for r in missed),
        "hours_spent": hours,
        "wasted_hours": sum(r["sales_hours"] for _, r in worked if r["outcome"] != "won"),
    }


def assert_matches_reference(result: Outcome, expected: dict) -> None:
    for key, value in expected.items():
        got = getattr(result, key)
        if isinstance(value, int):
            assert got == value, key
        else:
            assert got == pytest.approx(value, rel=1e-9, abs=1e-6), key


# --------------------------------------------------------------------------------------------------
# Hand-built examples
# --------------------------------------------------------------------------------------------------

D = pd.Timestamp


@pytest.fixture
def six() -> pd.DataFrame:
    rows = [
        dict(outcome="won", deal_value_eur=10_000, sales_hours=10, created_on=D("2025-10-05")),
        dict(outcome="lost_competitor", deal_value_eur=20_000, sales_hours=5,
             created_on=D("2025-10-01")),
        dict(outcome="no_decision", deal_value_eur=5_000, sales_hours=8, created_on=None),
        dict(outcome="won", deal_value_eur=40_000, sales_hours=20, created_on=D("2025-10-03")),
        dict(outcome="won", deal_value_eur=7_000, sales_hours=2, created_on=D("2025-10-02")),
        dict(outcome="no_decision", deal_value_eur=1_000, sales_hours=1,
             created_on=D("2025-10-01")),
    ]  # fmt: skip
    return typed_frame(rows, index=list("abcdef"))


SQO = pd.Series([True, True, True, False, True, False], index=list("abcdef"))


def test_evaluate_by_hand_without_capacity(six: pd.DataFrame) -> None:
    out = evaluate(six, SQO)
    # Worked: a (won), b (lost comp.), c (no decision), e (won). Winnable: a, d, e.
    assert (out.n_leads, out.n_sqo, out.n_worked) == (6, 4, 4)
    assert (out.won, out.lost_competitor, out.no_decision) == (2, 1, 1)
    assert (out.winnable, out.missed) == (3, 1)
    assert out.win_rate == pytest.approx(2 / 4)
    assert out.capture_rate == pytest.approx(2 / 3)
    assert out.revenue_won_eur == 17_000
    assert out.revenue_missed_eur == 40_000
    assert out.hours_spent == 25
    assert out.wasted_hours == 13
    assert out.revenue_per_hour_eur == pytest.approx(17_000 / 25)
    assert out.capacity_hours is None


def test_capacity_works_in_order_of_arrival_and_stops(six: pd.DataFrame) -> None:
    # Arrival order of the SQOs: b (Oct 1, 5 h), e (Oct 2, 2 h), a (Oct 5, 10 h), c (NaT, 8 h).
    out = evaluate(six, SQO, capacity_hours=16)
    # b + e = 7 h, + a = 17 h > 16: stop. c (8 h) would not fit either.
    assert (out.n_sqo, out.n_worked, out.won, out.lost_competitor) == (4, 2, 1, 1)
    assert out.hours_spent == 7
    assert out.missed == 2  # a (SQO, not worked) and d (not an SQO)
    assert out.revenue_won_eur == 7_000
    assert out.revenue_missed_eur == 50_000
    assert out.capacity_hours == 16.0
    # With 17 h, a fits too; c (NaT) comes last.
    assert evaluate(six, SQO, capacity_hours=17).n_worked == 3
    assert evaluate(six, SQO, capacity_hours=25).n_worked == 4


def test_capacity_stops_rather_than_skipping_to_smaller_ones() -> None:
    leads = typed_frame(
        [
            dict(sales_hours=3, outcome="won"),
            dict(sales_hours=10, outcome="won"),
            dict(sales_hours=1, outcome="won"),
        ]
    )
    out = evaluate(leads, np.array([True, True, True]), capacity_hours=5)
    assert out.n_worked == 1  # the 1-hour lead after the 10-hour one is not cherry-picked
    assert out.hours_spent == 3


def test_created_on_ties_keep_row_order() -> None:
    same_day = D("2025-11-01")
    leads = typed_frame(
        [
            dict(sales_hours=4, outcome="lost_competitor", created_on=same_day),
            dict(sales_hours=4, outcome="won", created_on=same_day),
        ]
    )
    out = evaluate(leads, np.array([True, True]), capacity_hours=4)
    assert (out.n_worked, out.won, out.lost_competitor) == (1, 0, 1)


def test_priority_orders_the_work(six: pd.DataFrame) -> None:
    priority = pd.Series([1.0, 5.0, np.nan, 9.0, 3.0, 0.0], index=list("abcdef"))
    # SQOs by priority: b (5, 5 h), e (3, 2 h), a (1, 10 h), c (NaN, last, 8 h).
    out = evaluate(six, SQO, capacity_hours=17, priority=priority)
    assert (out.n_worked, out.won, out.hours_spent) == (3, 2, 17)
    out = evaluate(six, SQO, capacity_hours=7, priority=priority.to_numpy())
    assert (out.n_worked, out.won, out.lost_competitor) == (2, 1, 1)
    # c (8 h) first, then b (5 h): 13 h; e (2 h) no longer fits.
    other = pd.Series([0, 5, 10, 0, 1, 0], index=list("abcdef"))
    out = evaluate(six, SQO, capacity_hours=13, priority=other)
    assert (out.n_worked, out.won, out.no_decision, out.lost_competitor) == (2, 0, 1, 1)


def test_zero_capacity_and_empty_selections(six: pd.DataFrame) -> None:
    out = evaluate(six, SQO, capacity_hours=0)
    assert (out.n_worked, out.won, out.hours_spent, out.missed) == (0, 0, 0.0, 3)
    assert math.isnan(out.win_rate) and math.isnan(out.revenue_per_hour_eur)
    assert out.capture_rate == 0
    none = evaluate(six, np.zeros(6, dtype=bool))
    assert none.n_sqo == 0 and math.isnan(none.win_rate)
    assert none.revenue_missed_eur == 57_000
    no_wins = evaluate(six.assign(outcome=six["outcome"].replace("won", "no_decision")), SQO)
    assert no_wins.winnable == 0 and math.isnan(no_wins.capture_rate)
    assert no_wins.win_rate == 0


def test_empty_frame() -> None:
    leads = typed_frame([])
    out = evaluate(leads, pd.Series([], dtype=bool), capacity_hours=10)
    assert (out.n_leads, out.n_sqo, out.won, out.hours_spent) == (0, 0, 0, 0.0)
    assert math.isnan(out.win_rate) and math.isnan(out.capture_rate)


def test_is_sqo_checks(six: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="5 values but there are 6 leads"):
        evaluate(six, SQO.iloc[:5])
    with pytest.raises(ValueError, match="one value per lead"):
        evaluate(six, np.ones(5, dtype=bool))
    with pytest.raises(ValueError, match="boolean"):
        evaluate(six, SQO.astype(int))
    with pytest.raises(ValueError, match="boolean"):
        evaluate(six, np.ones(6))
    with pytest.raises(ValueError, match="not aligned"):
        evaluate(six, SQO.reset_index(drop=True))
    with pytest.raises(ValueError, match="not aligned"):
        evaluate(six, SQO.iloc[::-1])
    assert evaluate(six, SQO.to_numpy()) == evaluate(six, SQO)
    assert evaluate(six, list(SQO)) == evaluate(six, SQO)


def test_capacity_and_priority_checks(six: pd.DataFrame) -> None:
    for bad in (-1, -0.5, float("nan"), True, "10"):
        with pytest.raises(ValueError, match="capacity_hours"):
            evaluate(six, SQO, capacity_hours=bad)
    with pytest.raises(ValueError, match="not aligned"):
        evaluate(six, SQO, capacity_hours=5, priority=pd.Series(range(6)))
    with pytest.raises(LeadDataError, match="created_on"):
        evaluate(six.drop(columns="created_on"), SQO, capacity_hours=5)
    # Without a capacity the order does not matter, so created_on is not needed.
    assert evaluate(six.drop(columns="created_on"), SQO).n_worked == 4


def test_missing_outcome_is_explained(six: pd.DataFrame) -> None:
    with pytest.raises(LeadDataError, match="evaluate needs simulated outcomes") as info:
        evaluate(six.drop(columns="outcome"), SQO)
    assert "CRM" in str(info.value) and "won" in str(info.value)
    with pytest.raises(LeadDataError, match="the report needs simulated outcomes"):
        require_outcome(six.drop(columns="outcome"), "the report")
    require_outcome(six, "the report")  # no error


def test_outcome_as_plain_strings_and_bad_values(six: pd.DataFrame) -> None:
    plain = six.assign(outcome=six["outcome"].astype(str))
    assert evaluate(plain, SQO) == evaluate(six, SQO)
    bad = six.assign(outcome=six["outcome"].astype(object))
    bad.loc["a", "outcome"] = "maybe"
    with pytest.raises(LeadDataError, match="maybe"):
        evaluate(bad, SQO)
    bad.loc["a", "outcome"] = None
    with pytest.raises(LeadDataError, match="no outcome"):
        evaluate(bad, SQO)


def test_no_mutation(six: pd.DataFrame) -> None:
    before, sqo_before = six.copy(deep=True), SQO.copy()
    evaluate(six, SQO, capacity_hours=10)
    pd.testing.assert_frame_equal(six, before)
    pd.testing.assert_series_equal(SQO, sqo_before)


def test_to_dict_and_summary(six: pd.DataFrame) -> None:
    out = evaluate(six, SQO, capacity_hours=16)
    d = out.to_dict()
    assert d["won"] == 1 and d["capacity_hours"] == 16.0
    assert list(d)[:3] == ["n_leads", "n_sqo", "n_worked"]
    text = out.summary()
    assert "6 leads, 4 SQOs, 2 worked (capacity 16 hours)" in text
    assert "win rate 50.0%" in text
    assert "missed 2 worth 50,000 EUR" in text
    empty = evaluate(six, np.zeros(6, dtype=bool)).summary()
    assert "win rate n/a" in empty and "no capacity limit" in empty


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------


@st.composite
def frames_and_sqo(draw: st.DrawFn) -> tuple[pd.DataFrame, np.ndarray]:
    leads = draw(lead_frames())
    sqo = np.array(draw(st.lists(st.booleans(), min_size=len(leads), max_size=len(leads))), bool)
    return leads, sqo


capacities = st.none() | st.sampled_from([0.0, 1.0, 10.0, 25.0]) | st.floats(0, 500)


@SETTINGS
@given(data=frames_and_sqo(), capacity=capacities)
def test_won_plus_missed_is_winnable(data: tuple, capacity: float | None) -> None:
    leads, sqo = data
    out = evaluate(leads, sqo, capacity_hours=capacity)
    assert out.won + out.missed == out.winnable
    assert out.won + out.lost_competitor + out.no_decision == out.n_worked <= out.n_sqo
    assert 0 <= out.wasted_hours <= out.hours_spent + 1e-9
    if capacity is not None:
        assert out.hours_spent <= capacity


@SETTINGS
@given(data=frames_and_sqo(), capacity=capacities, use_priority=st.booleans())
def test_evaluate_agrees_with_reference(
    data: tuple, capacity: float | None, use_priority: bool
) -> None:
    leads, sqo = data
    priority = None
    if use_priority:
        priority = leads["fit_score"].astype(float).where(leads["competitors"] != 3, np.nan)
    out = evaluate(leads, pd.Series(sqo, index=leads.index), capacity, priority)
    expected = reference_evaluate(
        leads, list(sqo), capacity, None if priority is None else priority.tolist()
    )
    assert_matches_reference(out, expected)


@SETTINGS
@given(leads=lead_frames(), c=criteria_strategy())
def test_qualify_then_evaluate_agrees_with_reference(leads: pd.DataFrame, c: Criteria) -> None:
    sqo = qualify(leads, c)
    assert_matches_reference(evaluate(leads, sqo), reference_evaluate(leads, sqo.tolist()))


@SETTINGS
@given(data=frames_and_sqo())
def test_ample_capacity_works_every_sqo(data: tuple) -> None:
    leads, sqo = data
    free = evaluate(leads, sqo)
    ample = evaluate(leads, sqo, capacity_hours=1e9)
    assert ample.n_worked == free.n_worked == free.n_sqo
    assert ample.won == free.won
    assert ample.hours_spent == pytest.approx(free.hours_spent)


def test_an_outcome_shows_itself_as_prose_not_a_monospace_box():
    leads = pd.DataFrame(
        {
            "outcome": ["won", "no_decision"],
            "deal_value_eur": [1000.0, 2000.0],
            "sales_hours": [10.0, 5.0],
        }
    )
    out = evaluate(leads, np.array([True, True]))
    shown = out._repr_html_()
    lines = out.summary().splitlines()
    assert shown.count("<p ") == len(lines)  # one paragraph per line, in the page's font
    assert "<pre" not in shown and "&lt;" not in out.summary()
    assert html.unescape(re.sub(r"<[^>]+>", "\n", shown)).split() == out.summary().split()
