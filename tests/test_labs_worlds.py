"""The labs' "what if the world were different" control (Labs 2 and 4)."""

from __future__ import annotations

import pandas as pd
import pytest

from sqolab.data.samples import shared_sample, shared_world_sample
from sqolab.data.worlds import WORLDS
from sqolab.labs.drawbacks import DrawbacksLab
from sqolab.labs.tradeoff import TradeoffLab

OTHER_WORLDS = [name for name, world in WORLDS.items() if world != WORLDS["as in the samples"]]


@pytest.fixture(params=[TradeoffLab, DrawbacksLab], ids=["tradeoff", "drawbacks"])
def lab_class(request):
    return request.param


def test_the_control_offers_every_world_and_starts_with_the_samples(lab_class):
    lab = lab_class()
    assert list(lab.world.options) == list(WORLDS)
    assert lab.world.value == "as in the samples"
    assert lab.leads is shared_sample("startup")
    assert lab.world in lab.children and lab.world_note in lab.children
    assert "course's samples" in lab.world_note.value
    lab.close()


@pytest.mark.parametrize("world", OTHER_WORLDS)
def test_another_world_shows_that_worlds_leads_and_the_same_numbers_as_a_lab_given_them(
    lab_class, world
):
    lab = lab_class(context="consultancy")
    before = dict(lab.numbers)
    lab.world.value = world
    leads = shared_world_sample("consultancy", world)
    assert lab.leads is leads
    assert len(leads) == len(shared_sample("consultancy"))
    given = lab_class(leads=leads, context="consultancy")
    assert given.world is None  # your own leads have no other world
    assert lab.numbers == given.numbers
    assert lab.numbers != before
    assert "A simulation assumption changed" in lab.world_note.value
    lab.world.value = "as in the samples"
    assert lab.numbers == before
    lab.close()
    given.close()


def test_reset_returns_to_the_samples(lab_class):
    lab = lab_class()
    lab.world.value = OTHER_WORLDS[0]
    lab.context.value = "agency"
    lab.reset_button.click()
    assert lab.world.value == "as in the samples" and lab.leads is shared_sample("startup")
    fresh = lab_class()
    assert lab.numbers == fresh.numbers  # ranges that follow the leads are fitted again
    if lab_class is TradeoffLab:
        assert (lab.capacity.max, lab.capacity.value) == (fresh.capacity.max, fresh.capacity.value)
    lab.close()
    fresh.close()


def test_in_the_hiding_world_unknown_budgets_become_a_warning_sign():
    """The flip the control exists to show: unknown budgets win less often than known ones."""

    def win_rates(leads: pd.DataFrame) -> tuple[float, float]:
        won = leads["outcome"] == "won"
        unknown = leads["budget_eur"].isna()
        return float(won[unknown].mean()), float(won[~unknown].mean())

    unknown, known = win_rates(shared_sample("startup"))
    assert unknown > 0.8 * known  # in the samples, unknown is not no
    unknown, known = win_rates(
        shared_world_sample("startup", "weak buyers hide budget and timeline")
    )
    assert unknown < 0.8 * known


def test_an_unknown_world_is_named():
    with pytest.raises(ValueError, match="Unknown world 'mars'"):
        shared_world_sample("startup", "mars")
