"""Tests of the trade-off curve and the best threshold under a capacity."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import precision_recall_curve
from strategies import SETTINGS, lead_frames, typed_frame

from sqolab.data.schema import LeadDataError
from sqolab.engine.outcomes import evaluate
from sqolab.engine.scoring import lead_score
from sqolab.engine.tradeoffs import CURVE_COLUMNS, best_threshold, tradeoff_curve


@pytest.fixture
def five() -> pd.DataFrame:
    outcomes = ["won", "lost_competitor", "won", "no_decision", "won"]
    return typed_frame(
        [
            dict(outcome=o, deal_value_eur=100.0 * (i + 1), sales_hours=float(i + 1))
            for i, o in enumerate(outcomes)
        ],
        index=list("vwxyz"),
    )


SCORE = pd.Series([90.0, 80.0, 80.0, 50.0, 10.0], index=list("vwxyz"))


def test_curve_by_hand(five: pd.DataFrame) -> None:
    curve = tradeoff_curve(five, SCORE)
    assert tuple(curve.columns) == CURVE_COLUMNS
    expected = pd.DataFrame(
        {
            "threshold": [90.0, 80.0, 50.0, 10.0],
            "n_sqo": [1, 3, 4, 5],
            "won": [1, 2, 2, 3],
            "win_rate": [1.0, 2 / 3, 0.5, 0.6],
            "capture_rate": [1 / 3, 2 / 3, 2 / 3, 1.0],
            "revenue_won_eur": [100.0, 400.0, 400.0, 900.0],
            "hours_spent": [1.0, 6.0, 10.0, 15.0],
            "revenue_missed_eur": [800.0, 500.0, 500.0, 0.0],
            "wasted_hours": [0.0, 2.0, 6.0, 6.0],
            "revenue_per_hour_eur": [100.0, 400 / 6, 40.0, 60.0],
        }
    )
    pd.testing.assert_frame_equal(curve, expected)


def test_curve_rows_equal_evaluate_at_each_threshold(five: pd.DataFrame) -> None:
    curve = tradeoff_curve(five, SCORE.to_numpy())  # an array works too
    for _, row in curve.iterrows():
        out = evaluate(five, SCORE.ge(row["threshold"]))
        assert (row["n_sqo"], row["won"]) == (out.n_sqo, out.won)
        assert row["revenue_won_eur"] == pytest.approx(out.revenue_won_eur)
        assert row["wasted_hours"] == pytest.approx(out.wasted_hours)


def test_best_threshold(five: pd.DataFrame) -> None:
    curve = tradeoff_curve(five, SCORE)
    assert best_threshold(curve, 6)["threshold"] == 80
    assert best_threshold(curve, 9.99)["threshold"] == 80
    # 80 and 50 both bring 400 EUR within 10 hours: the stricter wins the tie.
    assert best_threshold(curve, 10)["threshold"] == 80
    assert best_threshold(curve, 15)["threshold"] == 10
    assert best_threshold(curve, 1e9)["threshold"] == 10
    assert best_threshold(curve, 1)["threshold"] == 90
    assert best_threshold(curve, 0.5) is None
    row = best_threshold(curve, 6)
    assert isinstance(row, pd.Series) and row["revenue_won_eur"] == 400


def test_best_threshold_checks(five: pd.DataFrame) -> None:
    curve = tradeoff_curve(five, SCORE)
    for bad in (-1, float("nan"), None, True):
        with pytest.raises(ValueError, match="capacity_hours"):
            best_threshold(curve, bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tradeoff_curve"):
        best_threshold(curve.drop(columns="hours_spent"), 5)
    assert best_threshold(tradeoff_curve(five.iloc[:0], SCORE.iloc[:0]), 5) is None


def test_score_checks(five: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="NaN"):
        tradeoff_curve(five, SCORE.where(SCORE > 20))
    with pytest.raises(ValueError, match="not aligned"):
        tradeoff_curve(five, SCORE.reset_index(drop=True))
    with pytest.raises(ValueError, match="one value per lead"):
        tradeoff_curve(five, SCORE.to_numpy()[:3])
    with pytest.raises(ValueError, match="numeric"):
        tradeoff_curve(five, np.array(list("abcde"), dtype=object))
    with pytest.raises(LeadDataError, match="tradeoff_curve needs simulated outcomes"):
        tradeoff_curve(five.drop(columns="outcome"), SCORE)


def test_integer_negative_and_single_value_scores(five: pd.DataFrame) -> None:
    ints = tradeoff_curve(five, np.array([3, 2, 2, 1, 0]))
    assert ints["threshold"].tolist() == [3, 2, 1, 0]
    negative = tradeoff_curve(five, -SCORE)  # order reversed: lowest original first
    assert negative["threshold"].tolist() == [-10.0, -50.0, -80.0, -90.0]
    assert negative["n_sqo"].tolist() == [1, 2, 4, 5]
    flat = tradeoff_curve(five, np.zeros(5))
    assert len(flat) == 1 and flat["capture_rate"].iloc[0] == 1.0


def test_no_winnable_leads_gives_nan_capture(five: pd.DataFrame) -> None:
    lost = five.assign(outcome=five["outcome"].replace("won", "no_decision"))
    curve = tradeoff_curve(lost, SCORE)
    assert curve["capture_rate"].isna().all()
    assert (curve["win_rate"] == 0).all()


def test_empty_frame() -> None:
    curve = tradeoff_curve(typed_frame([]), np.array([], dtype=float))
    assert len(curve) == 0 and tuple(curve.columns) == CURVE_COLUMNS


def test_no_mutation(five: pd.DataFrame) -> None:
    before, score_before = five.copy(deep=True), SCORE.copy()
    tradeoff_curve(five, SCORE)
    pd.testing.assert_frame_equal(five, before)
    pd.testing.assert_series_equal(SCORE, score_before)


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------

scores = st.sampled_from(["lead_score", "fit", "coarse", "random"])


def make_score(leads: pd.DataFrame, kind: str, seed: int) -> pd.Series:
    if kind == "lead_score":
        return lead_score(leads)
    if kind == "fit":  # integers with many ties
        return leads["fit_score"]
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 4, len(leads)) if kind == "coarse" else rng.normal(size=len(leads))
    return pd.Series(values.astype(float), index=leads.index)


@SETTINGS
@given(leads=lead_frames(min_size=1), kind=scores, seed=st.integers(0, 10))
def test_curve_is_monotone_and_ends_with_everyone(
    leads: pd.DataFrame, kind: str, seed: int
) -> None:
    curve = tradeoff_curve(leads, make_score(leads, kind, seed))
    assert (np.diff(curve["threshold"]) < 0).all()
    for column in ("n_sqo", "won", "revenue_won_eur", "hours_spent", "wasted_hours"):
        assert (np.diff(curve[column]) >= -1e-9).all(), column
    assert (np.diff(curve["revenue_missed_eur"]) <= 1e-9).all()
    last = curve.iloc[-1]
    assert last["n_sqo"] == len(leads)
    n_won = int((leads["outcome"] == "won").sum())
    assert last["won"] == n_won
    if n_won:
        assert last["capture_rate"] == 1.0
        assert last["revenue_missed_eur"] == pytest.approx(0, abs=1e-6)
    else:
        assert math.isnan(last["capture_rate"])


@SETTINGS
@given(leads=lead_frames(min_size=1), kind=scores, seed=st.integers(0, 10))
def test_rates_equal_sklearn_precision_recall(leads: pd.DataFrame, kind: str, seed: int) -> None:
    y_true = (leads["outcome"] == "won").to_numpy()
    if not y_true.any():
        return  # sklearn's recall is undefined without positives (tested above)
    score = make_score(leads, kind, seed)
    curve = tradeoff_curve(leads, score)
    precision, recall, thresholds = precision_recall_curve(y_true, score.to_numpy())
    ours = curve.set_index("threshold")
    assert len(thresholds) == len(ours)
    for t, p, r in zip(thresholds, precision[:-1], recall[:-1], strict=True):
        assert ours.loc[t, "win_rate"] == pytest.approx(p)
        assert ours.loc[t, "capture_rate"] == pytest.approx(r)


@SETTINGS
@given(leads=lead_frames(min_size=1), kind=scores, seed=st.integers(0, 10))
def test_each_row_equals_evaluate(leads: pd.DataFrame, kind: str, seed: int) -> None:
    score = make_score(leads, kind, seed)
    curve = tradeoff_curve(leads, score)
    for row in curve.itertuples(index=False):
        out = evaluate(leads, score >= row.threshold)
        assert (row.n_sqo, row.won) == (out.n_sqo, out.won)
        for name in ("revenue_won_eur", "hours_spent", "revenue_missed_eur", "wasted_hours"):
            assert getattr(row, name) == pytest.approx(getattr(out, name), rel=1e-9, abs=1e-6)


@SETTINGS
@given(
    leads=lead_frames(min_size=1),
    kind=scores,
    capacity=st.floats(0, 2_000),
)
def test_best_threshold_fits_and_is_best(leads: pd.DataFrame, kind: str, capacity: float) -> None:
    curve = tradeoff_curve(leads, make_score(leads, kind, 0))
    best = best_threshold(curve, capacity)
    fitting = curve[curve["hours_spent"] <= capacity]
    if fitting.empty:
        assert best is None
        return
    assert best["hours_spent"] <= capacity
    assert best["revenue_won_eur"] == fitting["revenue_won_eur"].max()
    ties = fitting[fitting["revenue_won_eur"] == best["revenue_won_eur"]]
    assert best["threshold"] == ties["threshold"].max()
