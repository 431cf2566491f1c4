"""Discovery calls: question bank, answer model, the call's clock, decisions and the reveal."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sqolab import FRAMEWORKS, load_sample, preset
from sqolab.data.contexts import PROFILES
from sqolab.engine.calls import (
    Call,
    CallError,
    Decision,
    Note,
    calibration,
    misjudged,
    reveal,
    rule_says_sqo,
)
from sqolab.engine.discovery import CALL_MINUTES, REASON_CODES, answer, case_of, draw_cases, script
from sqolab.engine.questions import (
    CALL_CRITERIA,
    LANGUAGES,
    QUESTIONS,
    question,
    questions_for,
)

CONTEXTS = ("startup", "consultancy", "agency")


@pytest.fixture(scope="module", params=CONTEXTS)
def pipeline(request):
    return request.param, load_sample(request.param)


def all_cases(context, leads, n=240):
    """Many leads of the pipeline as cases (every kind of truth occurs)."""
    ids = leads["lead_id"].to_numpy()[:: max(1, len(leads) // n)]
    return [case_of(leads, str(i), context) for i in ids]


# -- the bank ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FRAMEWORKS))
def test_every_framework_letter_has_questions_in_both_languages(name):
    letters = [letter for letter, *_ in FRAMEWORKS[name].letters]
    bank = questions_for(name)
    assert set(bank) == set(letters), (
        f"{name}: letters without questions: {set(letters) - set(bank)}"
    )
    for qs in bank.values():
        for q in qs:
            assert q.en.strip() and q.de.strip() and q.en != q.de


def test_every_criterion_has_an_open_and_a_blunt_question():
    for criterion in CALL_CRITERIA:
        styles = {q.style for q in QUESTIONS if q.criterion == criterion}
        assert {"open", "blunt"} <= styles, criterion
    assert len({q.key for q in QUESTIONS}) == len(QUESTIONS)
    assert all(q.minutes > 0 for q in QUESTIONS)


def test_unknown_question_and_language_are_named():
    with pytest.raises(ValueError, match=r"Unknown question 'budget'.*budget_open"):
        question("budget")
    with pytest.raises(ValueError, match="Unknown language 'fr'"):
        QUESTIONS[0].text("fr")


# -- the answer model -----------------------------------------------------------------------------


def test_every_case_can_be_fully_qualified_within_the_call(pipeline):
    context, leads = pipeline
    for case in all_cases(context, leads):
        call = Call(case)
        for criterion in CALL_CRITERIA:
            opens = [q for q in QUESTIONS if q.criterion == criterion and q.style == "open"]
            call.ask(min(opens, key=lambda q: q.minutes).key)
        assert call.minutes_left >= 0
        assert set(call.knowledge()) == set(CALL_CRITERIA), case.lead_id


def _truth_unknown(case, criterion):
    return {
        "budget": case.budget_eur is None,
        "authority": case.authority == "unknown",
        "need": case.need == "unknown",
        "timeline": case.timeline_months is None,
        "competition": False,
    }[criterion]


def test_evasive_answers_occur_only_where_the_model_says(pipeline):
    context, leads = pipeline
    seen = {"evasive": 0, "plain": 0}
    for case in all_cases(context, leads):
        for q in QUESTIONS:
            found = answer(case, q.key)
            if q.criterion is None:
                assert not found.evasive and not found.reveals
                continue
            unknown = _truth_unknown(case, q.criterion)
            expected = (
                (unknown and not (q.criterion == "need" and q.style == "blunt"))
                or (q.key == "budget_blunt" and case.authority != "decision_maker")
                or (q.key == "authority_blunt" and case.authority == "user")
            )
            assert found.evasive == expected, (case.lead_id, q.key)
            seen["evasive" if expected else "plain"] += 1
            assert found.open_to_buyer == (unknown and found.evasive)
    assert seen["evasive"] and seen["plain"]


def test_open_answers_are_true_and_blunt_ones_rough(pipeline):
    context, leads = pipeline
    for case in all_cases(context, leads):
        budget = answer(case, "budget_open")
        if case.budget_eur is not None:
            assert budget.low <= case.budget_eur <= budget.high
            assert budget.high - budget.low <= 0.2 * case.budget_eur + 1e-9
        for key, truth in (("authority_open", case.authority), ("need_open", case.need)):
            found = answer(case, key)
            if truth != "unknown":
                assert found.level == truth
        if case.timeline_months is not None:
            assert answer(case, "timeline_open").low == case.timeline_months
            blunt = answer(case, "timeline_blunt")
            assert blunt.low <= case.timeline_months <= blunt.high
        assert answer(case, "competition_open").low == case.competitors
        over = answer(case, "authority_blunt").overclaim
        assert over == (case.authority == "influencer")


def test_answers_are_deterministic_and_varied(pipeline):
    context, leads = pipeline
    first = draw_cases(leads, context, 8, seed=5)
    again = draw_cases(leads, context, 8, seed=5)
    assert first == again
    assert [c.lead_id for c in draw_cases(leads, context, 8, seed=6)] != [c.lead_id for c in first]
    assert script(first[0]) == script(again[0])
    phrasings = {answer(c, "need_open").answer for c in all_cases(context, leads)}
    assert len(phrasings) >= 4  # several phrasings per level, not one sentence for all


def test_cases_mix_wins_and_losses_and_show_no_truth_before_the_call(pipeline):
    context, leads = pipeline
    cases = draw_cases(leads, context, 6, seed=0)
    assert sum(c.outcome == "won" for c in cases) == 2
    brief = " ".join(cases[0].briefing().values())
    assert cases[0].outcome.replace("_", " ") not in brief
    assert "budget" not in brief.lower()


@pytest.mark.parametrize("language", LANGUAGES)
def test_both_languages_answer_every_question(language):
    leads = load_sample("agency")
    for case in draw_cases(leads, "agency", 6, seed=2):
        for found in script(case, language).values():
            assert found.answer.strip()
    de = script(draw_cases(leads, "agency", 1, seed=2)[0], "de")
    en = script(draw_cases(leads, "agency", 1, seed=2)[0], "en")
    assert de["need_open"].answer != en["need_open"].answer


# -- the call and the decision --------------------------------------------------------------------


def test_the_clock_and_repeated_questions():
    leads = load_sample("startup")
    call = Call(draw_cases(leads, "startup", 1, seed=3)[0])
    call.ask("pitch_demo")
    call.ask("rapport_history")
    with pytest.raises(CallError, match="already asked"):
        call.ask("pitch_demo")
    call.ask("budget_open")
    call.ask("need_open")
    assert call.minutes_left == CALL_MINUTES - 17
    assert not call.can_ask("authority_open")
    with pytest.raises(CallError, match="takes 4 minutes and only 3 are left"):
        call.ask("authority_open")
    call.ask("timeline_open")
    assert call.minutes_left == 0


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"verdict": "maybe", "win_probability": 0.5}, "Decide one of"),
        ({"verdict": "sqo", "win_probability": 1.5}, "between 0 and 1"),
        ({"verdict": "disqualify", "win_probability": 0.1}, "choose a reason code"),
        ({"verdict": "nurture", "win_probability": 0.1, "recontact_months": 0}, "1 to 12 months"),
        ({"verdict": "sqo", "win_probability": 0.5, "notes": {"price": Note("x")}}, "per criter"),
    ],
)
def test_bad_decisions_are_named(kwargs, words):
    with pytest.raises(CallError, match=words):
        Decision(**kwargs)
    with pytest.raises(CallError, match="Confidence must be one of"):
        Note("1", "certain")


# -- the reveal -----------------------------------------------------------------------------------


def test_reveal_values_decisions_at_the_hour_value(pipeline):
    context, leads = pipeline
    for case in draw_cases(leads, context, 6, seed=11):
        call = Call(case)
        r = reveal(call, Decision("sqo", 0.3), leads)
        won = case.outcome == "won"
        expected = (case.deal_value_eur if won else 0) - case.sales_hours * r.hour_value_eur
        assert math.isclose(r.value_eur, expected)
        assert r.best_value_eur == max(expected, 0)
        assert math.isclose(r.brier, (0.3 - won) ** 2)
        assert (r.best_verdict == "sqo") == (won and expected > 0)
        skip = reveal(call, Decision("disqualify", 0.3, reason="no_need"), leads)
        assert skip.value_eur == 0


def test_reveal_names_the_questions_that_would_have_changed_the_verdict(pipeline):
    context, leads = pipeline
    criteria = preset(PROFILES[context].framework, context=context)
    found = 0
    for case in all_cases(context, leads, 120):
        call = Call(case)  # nothing asked: the rule sees only unknowns
        r = reveal(call, Decision("nurture", 0.2, recontact_months=3), leads)
        assert r.rule_verdict_truth == rule_says_sqo(case, criteria, None)
        if r.rule_verdict_known != r.rule_verdict_truth:
            assert r.deciding_questions
            for key in r.deciding_questions:
                call.ask(key)
            assert rule_says_sqo(case, criteria, call.knowledge()) == r.rule_verdict_truth
            found += 1
    assert found > 0


def test_handoff_notes_are_checked_against_the_truth():
    leads = load_sample("consultancy")
    case = next(c for c in draw_cases(leads, "consultancy", 10, seed=4) if c.budget_eur)
    right = {
        "budget": Note(f"{case.budget_eur:.0f}", "high"),
        "authority": Note(case.authority),
        "competition": Note(str(case.competitors)),
    }
    wrong = {"budget": Note(f"{case.budget_eur * 3:.0f}"), "competition": Note("99")}
    call = Call(case)
    assert reveal(call, Decision("sqo", 0.5, notes=right), leads).misjudged == ()
    off = reveal(call, Decision("sqo", 0.5, notes=wrong), leads)
    assert set(off.misjudged) == {"budget", "competition"}
    counts = misjudged([off, off])
    assert counts["budget"] == 2 and counts["need"] == 0


def test_calibration_and_brier():
    brier, table = calibration([1.0, 0.0, 1.0], [True, False, True])
    assert brier == 0
    brier, table = calibration([0.9, 0.9, 0.1, 0.5], [False, True, False, True])
    assert math.isclose(brier, np.mean([0.81, 0.01, 0.01, 0.25]))
    assert table["cases"].sum() == 4
    top = table.iloc[-1]
    assert top["cases"] == 2 and math.isclose(top["share won"], 0.5)
    assert pd.isna(table.iloc[1]["mean forecast"])
    with pytest.raises(ValueError, match="one win probability per case"):
        calibration([0.5], [True, False])
    with pytest.raises(ValueError, match="between 0 and 1"):
        calibration([1.5], [True])


def test_reason_codes_are_documented():
    assert all(text.endswith(".") for text in REASON_CODES.values())
    assert "not_now" in REASON_CODES


def test_blunt_question_effects_agree_with_the_answers(pipeline):
    from sqolab.engine.discovery import blunt_question_effects

    context, leads = pipeline
    cases = all_cases(context, leads, 300)
    frame = leads[leads["lead_id"].isin([c.lead_id for c in cases])]
    effects = blunt_question_effects(frame)
    budget = [answer(c, "budget_blunt") for c in cases if c.budget_eur is not None]
    assert math.isclose(effects["budget_refused"], np.mean([f.evasive for f in budget]))
    authority = [answer(c, "authority_blunt") for c in cases if c.authority != "unknown"]
    assert math.isclose(effects["authority_overclaimed"], np.mean([f.overclaim for f in authority]))
    opened = [answer(c, "budget_open").open_to_buyer for c in cases]
    assert math.isclose(effects["budget_open_to_buyer"], np.mean(opened))
