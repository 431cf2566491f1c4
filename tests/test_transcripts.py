"""Call excerpts for the tagging question (chapter 6's practice): clear, complete, reproducible."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sqolab.data.samples import load_sample
from sqolab.engine.discovery import answer, draw_cases
from sqolab.engine.questions import CALL_CRITERIA, question
from sqolab.engine.transcripts import NOTHING, TAGS, tagging_excerpt


@pytest.mark.parametrize("context", ["startup", "consultancy", "agency"])
@pytest.mark.parametrize("seed", [0, 1, 7, 123])
def test_an_excerpt_has_one_clear_line_per_criterion_and_one_of_small_talk(context, seed):
    leads = load_sample(context)
    excerpt = tagging_excerpt(leads, context, seed=seed)
    tags = [line.tag for line in excerpt.lines]
    assert sorted(tags) == sorted(TAGS)
    assert len(set(excerpt.texts)) == len(excerpt.texts)
    for line in excerpt.lines:
        found = answer(excerpt.case, line.question)
        assert found.answer == line.text
        if line.tag == NOTHING:
            assert found.criterion is None and not found.reveals
        else:
            assert found.criterion == line.tag == question(line.question).criterion
            assert found.reveals and not found.evasive and not found.overclaim
    assert set(excerpt.known()) == set(CALL_CRITERIA)
    again = tagging_excerpt(leads, context, seed=seed)
    assert again == excerpt


def test_the_lines_are_shuffled_not_in_handoff_order():
    leads = load_sample("startup")
    orders = {
        tuple(line.tag for line in tagging_excerpt(leads, "startup", seed=s).lines)
        for s in range(6)
    }
    assert len(orders) > 1
    assert (*CALL_CRITERIA, NOTHING) not in orders or len(orders) > 2


def test_timeline_answers_say_month_for_one_month():
    case = draw_cases(load_sample("startup"), "startup", n=1, seed=3)[0]
    one, two = replace(case, timeline_months=1.0), replace(case, timeline_months=2.5)
    assert "1 month" in answer(one, "timeline_open").answer
    assert "1 months" not in answer(one, "timeline_open").answer
    assert "1 Monat " in answer(one, "timeline_open", "de").answer
    assert "2.5 months" in answer(two, "timeline_open").answer
    assert "2,5 Monaten" in answer(two, "timeline_open", "de").answer
