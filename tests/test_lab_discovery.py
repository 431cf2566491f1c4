"""Lab 7, the discovery call, driven as a learner would: ask, decide, reveal, next case."""

from __future__ import annotations

import pandas as pd
import pytest

from sqolab.data.samples import shared_sample
from sqolab.engine.questions import QUESTIONS
from sqolab.labs.discovery import DiscoveryLab


@pytest.fixture
def lab():
    return DiscoveryLab(context="startup", seed=3)


def test_asking_moves_the_clock_and_fills_the_transcript(lab):
    assert "20 of 20 minutes left" in lab.clock.value
    lab.buttons["budget_open"].click()
    assert "16 of 20 minutes left" in lab.clock.value
    assert lab.buttons["budget_open"].disabled
    first = lab.call.asked[0][1].answer
    assert first.replace("'", "&#x27;") in lab.transcript.value


def test_questions_that_do_not_fit_are_disabled_and_explained(lab):
    for key in ("pitch_demo", "rapport_history", "budget_open", "need_open"):
        lab.ask(key)
    assert lab.call.minutes_left == 3
    assert lab.buttons["authority_open"].disabled  # 4 minutes
    assert not lab.buttons["timeline_open"].disabled  # 3 minutes
    lab.ask("authority_open")
    assert "only 3 are left" in lab.message.value


def test_deciding_shows_the_reveal_and_the_calibration_chart(lab):
    for key in ("budget_open", "authority_open", "need_open", "timeline_open"):
        lab.ask(key)
    lab.fill_notes()
    assert lab.notes["need"].value == lab.call.case.need or lab.notes["need"].value == "unknown"
    lab.verdict.value = "sqo"
    lab.win.value = 60
    lab.submit.click()
    assert "The reveal" in lab.reveal_box.value
    assert lab.call.case.outcome.replace("_", " ") in lab.reveal_box.value
    assert "<img alt='Calibration chart of 1 decided cases" in lab.summary.value
    assert lab.submit.disabled and all(b.disabled for b in lab.buttons.values())


def test_each_case_has_its_own_note_and_decision(lab):
    lab.ask("budget_open")
    lab.fill_notes()
    lab.verdict.value = "disqualify"
    lab.decide()
    lab.case_box.value = 1
    assert all(w.value == "" for w in lab.notes.values())
    assert lab.reveal_box.value == "" and not lab.submit.disabled
    lab.case_box.value = 0
    assert lab.notes["budget"].value != "" and lab.verdict.value == "disqualify"


def test_a_nurture_decision_needs_no_reason_and_a_bad_state_is_explained(lab):
    lab.verdict.value = "nurture"
    assert lab.reason.layout.display == "none" and lab.recontact.layout.display is None
    lab.decide()
    assert "nurture" in lab.reveal_box.value
    lab.case_box.value = 2
    lab.confidence["budget"].value = "high"
    lab.notes["budget"].value = "lots"
    lab.decide()  # a note that is not a number is simply judged wrong, never a traceback
    assert "off on: budget" in lab.reveal_box.value


def test_the_same_case_set_for_every_team_and_a_new_one_by_number():
    a, b = DiscoveryLab(seed=7), DiscoveryLab(seed=7)
    assert [c.lead_id for c in a.cases] == [c.lead_id for c in b.cases]
    b.seed_box.value = 8
    assert [c.lead_id for c in a.cases] != [c.lead_id for c in b.cases]
    b.context_box.value = "consultancy"
    assert all(c.context == "consultancy" for c in b.cases)
    assert "Case 1" in b.briefing.value


def test_german_questions_and_answers(lab):
    lab.language_box.value = "de"
    assert lab.buttons["budget_blunt"].description.startswith("Was ist Ihr Budget?")
    lab.ask("need_open")
    assert any(q.de in lab.transcript.value for q in QUESTIONS if q.key == "need_open")


def test_playing_never_changes_the_shared_sample():
    before = pd.util.hash_pandas_object(shared_sample("agency")).sum()
    lab = DiscoveryLab(context="agency", seed=2)
    for key in ("budget_open", "competition_open"):
        lab.ask(key)
    lab.decide()
    assert pd.util.hash_pandas_object(shared_sample("agency")).sum() == before


def test_unknown_context_is_named():
    with pytest.raises(ValueError, match="Unknown context 'bank'"):
        DiscoveryLab(context="bank")
