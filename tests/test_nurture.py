"""The next quarter of turned-away leads (sqolab.data.nurture) and the value of nurture."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sqolab import generate_leads, load_sample, preset
from sqolab.data.contexts import PROFILES
from sqolab.data.nurture import (
    ENGAGEMENT_SHIFT,
    QUARTER_MONTHS,
    RETURN_CHANCE,
    next_quarter,
)
from sqolab.engine.nurture import nurture_value

CONTEXTS = ("startup", "consultancy", "agency")


@pytest.fixture(scope="module")
def many():
    return generate_leads("startup", 40_000, seed=5)


def test_return_rates_follow_the_stated_chances(many):
    real = many["need"].astype(str).isin(["latent", "confirmed"])
    care = pd.Series(np.arange(len(many)) % 2 == 0, index=many.index)
    back = next_quarter(many, "startup", care, seed=1)
    returned = many.index.isin(back.index)
    for mask, chance in (
        (real & care, RETURN_CHANCE["nurtured"]),
        (real & ~care, RETURN_CHANCE["dropped"]),
        (~real, RETURN_CHANCE["no need"]),
    ):
        share = returned[mask.to_numpy()].mean()
        assert abs(share - chance) < 0.015, (share, chance)


def test_returning_leads_are_readier_and_face_more_competitors(many):
    care = pd.Series(True, index=many.index)
    back = next_quarter(many, "startup", care, seed=2)
    before = many.loc[back.index]
    was = before["timeline_months"]
    known = was.notna()
    expected = np.maximum(0.5, was[known] - QUARTER_MONTHS)
    assert np.allclose(back.loc[known, "timeline_months"], expected)
    assert back.loc[~known, "timeline_months"].notna().any()  # some dates were set
    kept = before["budget_eur"].notna()
    assert back.loc[kept, "budget_eur"].equals(before.loc[kept, "budget_eur"])
    changed = back["need"].astype(str) != before["need"].astype(str)
    assert (before.loc[changed, "need"].astype(str) == "latent").all()
    assert (back.loc[changed, "need"].astype(str) == "confirmed").all()
    shift = back["engagement_score"] - before["engagement_score"]
    assert (shift <= ENGAGEMENT_SHIFT["nurtured"]).all() and (shift >= 0).all()
    assert (back["competitors"] >= before["competitors"]).all()
    assert back["nurtured"].all()


def test_same_seed_nurture_brings_back_everyone_dropping_would(many):
    yes = next_quarter(many, "startup", np.ones(len(many), bool), seed=3)
    no = next_quarter(many, "startup", np.zeros(len(many), bool), seed=3)
    assert set(no.index) <= set(yes.index)
    pd.testing.assert_frame_equal(
        yes, next_quarter(many, "startup", np.ones(len(many), bool), seed=3)
    )


@pytest.mark.parametrize("context", CONTEXTS)
def test_nurturing_the_candidates_wins_more_next_quarter(context):
    leads = load_sample(context)
    table = nurture_value(leads, preset(PROFILES[context].framework, context=context), context)
    nurture, drop = table.loc["nurture"], table.loc["drop"]
    assert nurture["candidates"] == drop["candidates"] > 0
    assert nurture["come back"] > drop["come back"]
    assert nurture["won next quarter"] > drop["won next quarter"]
    assert nurture["revenue next quarter (EUR)"] > drop["revenue next quarter (EUR)"]


def test_bad_input_is_named():
    leads = load_sample("agency").iloc[:10]
    with pytest.raises(ValueError, match="one value per lead"):
        next_quarter(leads, "agency", [True, False])
    with pytest.raises(ValueError, match="Unknown context 'bank'"):
        next_quarter(leads, "bank", np.ones(10, bool))
