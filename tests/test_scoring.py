"""Tests of the lead score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import SETTINGS, lead_frames, typed_frame

from sqolab.data.schema import LeadDataError
from sqolab.engine import scoring
from sqolab.engine.scoring import DEFAULT_WEIGHTS, lead_score

ROWS = [
    # 25*0.8 + 25*0.6 + 10*0.5 + 15*0.6 + 15*1.0 + 10*0.5 = 69
    dict(
        fit_score=80,
        engagement_score=60,
        budget_eur=5_000,
        deal_value_eur=10_000,
        authority="influencer",
        need="confirmed",
        timeline_months=7.5,
    ),
    # 0 + 0 + 10*0.5 + 15*0.3 + 15*0.3 + 10*0.4 = 18 (everything unknown)
    dict(fit_score=0, engagement_score=0),
    # everything at its best: 100
    dict(
        fit_score=100,
        engagement_score=100,
        budget_eur=30_000,
        deal_value_eur=10_000,
        authority="decision_maker",
        need="confirmed",
        timeline_months=0,
    ),
    # 25*0.5 + 25*0.5 + 10*0 + 15*0.2 + 15*0 + 10*0 = 28
    dict(
        fit_score=50,
        engagement_score=50,
        budget_eur=0,
        authority="user",
        need="none",
        timeline_months=12,
    ),
]


def test_default_weights_sum_to_100() -> None:
    assert DEFAULT_WEIGHTS == {
        "fit": 25,
        "engagement": 25,
        "budget": 10,
        "authority": 15,
        "need": 15,
        "timeline": 10,
    }
    assert sum(DEFAULT_WEIGHTS.values()) == 100


def test_part_constants_are_published() -> None:
    assert scoring.AUTHORITY_PARTS == {
        "unknown": 0.3,
        "user": 0.2,
        "influencer": 0.6,
        "decision_maker": 1.0,
    }
    assert scoring.NEED_PARTS == {"unknown": 0.3, "none": 0.0, "latent": 0.5, "confirmed": 1.0}
    assert (scoring.BUDGET_UNKNOWN_PART, scoring.TIMELINE_UNKNOWN_PART) == (0.5, 0.4)
    assert (scoring.TIMELINE_FULL_MONTHS, scoring.TIMELINE_ZERO_MONTHS) == (3, 12)


def test_lead_score_by_hand() -> None:
    leads = typed_frame(ROWS, index=[7, 3, 5, 1])
    score = lead_score(leads)
    assert score.name == "lead_score"
    assert score.dtype == np.float64
    assert score.index.equals(leads.index)
    np.testing.assert_allclose(score.to_numpy(), [69, 18, 100, 28])


def test_timeline_part() -> None:
    months = [0, 3, 4.5, 7.5, 12, 30, np.nan]
    leads = typed_frame([dict(timeline_months=m) for m in months])
    score = lead_score(leads, {"timeline": 1})
    np.testing.assert_allclose(score.to_numpy(), [100, 100, 100 * 7.5 / 9, 50, 0, 0, 40])


def test_budget_part() -> None:
    budgets = [0, 2_500, 10_000, 50_000, np.nan]
    leads = typed_frame([dict(budget_eur=b, deal_value_eur=10_000) for b in budgets])
    np.testing.assert_allclose(lead_score(leads, {"budget": 3}).to_numpy(), [0, 25, 100, 100, 50])


def test_level_parts_including_missing_values() -> None:
    leads = typed_frame([dict(authority=a) for a in ("unknown", "user", "influencer")])
    np.testing.assert_allclose(lead_score(leads, {"authority": 1}).to_numpy(), [30, 20, 60])
    plain = leads.assign(authority=leads["authority"].astype(object))
    plain.loc[0, "authority"] = None
    np.testing.assert_allclose(lead_score(plain, {"authority": 1}).to_numpy(), [30, 20, 60])
    needs = typed_frame([dict(need=n) for n in ("none", "latent", "confirmed", "unknown")])
    np.testing.assert_allclose(lead_score(needs, {"need": 5}).to_numpy(), [0, 50, 100, 30])


def test_weights_are_rescaled_and_missing_keys_get_zero() -> None:
    leads = typed_frame(ROWS)
    np.testing.assert_allclose(lead_score(leads, {"fit": 1}).to_numpy(), [80, 0, 100, 50])
    half = lead_score(leads, {"fit": 2, "need": 2}).to_numpy()
    np.testing.assert_allclose(half, [0.5 * 80 + 50, 0 + 15, 100, 25 + 0])
    doubled = {k: 2 * v for k, v in DEFAULT_WEIGHTS.items()}
    pd.testing.assert_series_equal(lead_score(leads, doubled), lead_score(leads))
    assert lead_score(leads, {"fit": 0, "engagement": 1}).tolist() == [60, 0, 100, 50]


def test_only_weighted_columns_are_needed() -> None:
    leads = typed_frame(ROWS).drop(columns=["budget_eur", "timeline_months"])
    assert len(lead_score(leads, {"fit": 1, "budget": 0})) == 4
    with pytest.raises(LeadDataError, match="budget_eur"):
        lead_score(leads)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"fit": -1, "need": 2}, ">= 0"),
        ({"fit": 0, "need": 0}, "all weights are zero"),
        ({}, "all weights are zero"),
        ({"fit": 1, "champion": 1}, "Unknown weight keys.*champion"),
        ({"fit": True}, "finite number"),
        ({"fit": float("nan")}, "finite number"),
        ({"fit": "25"}, "finite number"),
        ([("fit", 1)], "dict"),
    ],
)
def test_invalid_weights_raise(weights: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        lead_score(typed_frame(ROWS), weights)  # type: ignore[arg-type]


def test_no_mutation_and_weights_untouched() -> None:
    leads = typed_frame(ROWS)
    before = leads.copy(deep=True)
    weights = {"fit": 3.0}
    lead_score(leads, weights)
    pd.testing.assert_frame_equal(leads, before)
    assert weights == {"fit": 3.0}
    assert sum(DEFAULT_WEIGHTS.values()) == 100


@SETTINGS
@given(leads=lead_frames(), bump=st.integers(1, 100))
def test_score_is_bounded_and_rises_with_fit(leads: pd.DataFrame, bump: int) -> None:
    score = lead_score(leads)
    assert ((score >= 0) & (score <= 100)).all()
    better = leads.assign(fit_score=np.minimum(100, leads["fit_score"] + bump))
    assert (lead_score(better) >= score - 1e-9).all()


@SETTINGS
@given(
    leads=lead_frames(max_size=20),
    weights=st.dictionaries(
        st.sampled_from(list(DEFAULT_WEIGHTS)), st.floats(0, 50), min_size=1
    ).filter(lambda w: sum(w.values()) > 1e-6),
)
def test_score_is_a_weighted_mean_of_parts(leads: pd.DataFrame, weights: dict) -> None:
    total = sum(weights.values())
    expected = sum(lead_score(leads, {k: 1}) * (v / total) for k, v in weights.items() if v > 0)
    np.testing.assert_allclose(  # atol: a subnormal weight leaves 1e-322 points, not 0
        lead_score(leads, weights).to_numpy(), np.asarray(expected, float), atol=1e-9
    )
