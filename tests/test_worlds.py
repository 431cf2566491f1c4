"""The generator's worlds: each switch flips the conclusion it is for, and little else."""

from __future__ import annotations

import pandas as pd
import pytest

from sqolab import generate_leads, lead_score, preset, qualify
from sqolab.data.worlds import DEFAULT_WORLD, WORLD_NOTES, WORLDS, World

N = 20_000
CONTEXTS = ("startup", "consultancy", "agency")


def leads(context: str, world: World) -> pd.DataFrame:
    return generate_leads(context, N, seed=7, world=world)


def unknown_budget_ratio(frame: pd.DataFrame) -> float:
    """Win rate of leads with an unknown budget over that of leads with a known one."""
    won = frame["outcome"] == "won"
    unknown = frame["budget_eur"].isna()
    return won[unknown].mean() / won[~unknown].mean()


def crowding_ratio(frame: pd.DataFrame) -> float:
    """Mean competitors of the top-fit fifth over those of the bottom-fit fifth."""
    fit = frame["fit_score"]
    top = frame["competitors"][fit >= fit.quantile(0.8)].mean()
    return top / frame["competitors"][fit <= fit.quantile(0.2)].mean()


def score_edge(frame: pd.DataFrame, context: str) -> float:
    """Win rate of the lead score's top k minus BANT's, k = BANT's number of SQOs."""
    won = frame["outcome"] == "won"
    bant = qualify(frame, preset("BANT", context=context))
    top = lead_score(frame).rank(ascending=False, method="first") <= int(bant.sum())
    return won[top].mean() - won[bant].mean()


def test_the_default_world_is_the_samples():
    plain = generate_leads("startup", 2_000, seed=3)
    pd.testing.assert_frame_equal(plain, generate_leads("startup", 2_000, seed=3, world=World()))
    assert WORLDS["as in the samples"] == DEFAULT_WORLD
    assert set(WORLD_NOTES) == set(WORLDS)


@pytest.mark.parametrize("context", CONTEXTS)
def test_hiding_makes_unknown_a_warning_sign(context):
    default, hiding = leads(context, DEFAULT_WORLD), leads(context, World(hiding=1.5))
    assert unknown_budget_ratio(default) > 0.85  # unknown is not no
    assert unknown_budget_ratio(hiding) < 0.6  # ... unless weak buyers hide their budget
    # only who hides changes, not how many
    assert abs(hiding["budget_eur"].isna().mean() - default["budget_eur"].isna().mean()) < 0.02
    assert (
        abs(hiding["timeline_months"].isna().mean() - default["timeline_months"].isna().mean())
        < 0.02
    )


@pytest.mark.parametrize("context", CONTEXTS)
def test_crowding_zero_spreads_competition_evenly(context):
    assert crowding_ratio(leads(context, DEFAULT_WORLD)) > 1.5
    assert 0.85 < crowding_ratio(leads(context, World(crowding=0.0))) < 1.15


@pytest.mark.parametrize("context", CONTEXTS)
def test_without_signal_the_score_loses_most_of_its_edge(context):
    edge = score_edge(leads(context, DEFAULT_WORLD), context)
    assert edge > 0.08
    assert score_edge(leads(context, World(signal=0.0)), context) < edge / 2


def test_same_seed_and_world_give_the_same_leads():
    world = World(hiding=1.0, signal=0.5, crowding=0.5)
    pd.testing.assert_frame_equal(
        generate_leads("agency", 500, seed=2, world=world),
        generate_leads("agency", 500, seed=2, world=world),
    )


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"hiding": -1}, "hiding must be between 0 and 3"),
        ({"signal": 5}, "signal must be between 0 and 2"),
        ({"crowding": float("nan")}, "crowding must be a number"),
        ({"signal": True}, "signal must be a number"),
    ],
)
def test_bad_switches_are_named(kwargs, words):
    with pytest.raises(ValueError, match=words):
        World(**kwargs)


def test_world_must_be_a_world():
    with pytest.raises(TypeError, match="world must be a sqolab World"):
        generate_leads("startup", 10, world={"hiding": 1})  # type: ignore[arg-type]
