"""The discovery call on the website: each case set's cases, answers and reveal facts, made by
the engine at build time, so that ``discovery.js`` plays a call without a kernel.

A case set (business, number) holds what :class:`~sqolab.labs.discovery.DiscoveryLab` draws for
the same business and number (:func:`~sqolab.engine.discovery.draw_cases`): the briefing, the
truth, every question's answer in English and German (:func:`~sqolab.engine.discovery.answer`),
and what the reveal needs. The course rule's verdict on what a call revealed is kept as the
engine's verdict per criterion (:func:`~sqolab.engine.calls.rule_checks` with that one finding
known), so the page combines the engine's own checks rather than restating the rule;
``tests/test_web_discovery.py`` compares every reveal the page makes with
:func:`~sqolab.engine.calls.reveal`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from sqolab.data.contexts import PROFILES
from sqolab.data.samples import shared_sample
from sqolab.data.schema import AUTHORITY_LEVELS, CONTEXTS, NEED_LEVELS
from sqolab.engine.calls import (
    case_row,
    hindsight,
    hour_value,
    rule_checks,
    rule_says_sqo,
    sharpness,
)
from sqolab.engine.criteria import criteria_met, preset
from sqolab.engine.discovery import (
    CALL_MINUTES,
    CASES_PER_SET,
    CONFIDENCES,
    REASON_CODES,
    VERDICTS,
    Case,
    Finding,
    answer,
    draw_cases,
)
from sqolab.engine.questions import CALL_CRITERIA, LANGUAGES, QUESTIONS
from sqolab.web.payload import STATIC

WEB_SETS = 10
"""Case sets 1 to WEB_SETS of each business are on the website (the lab takes 1 to 9999)."""


class DiscoveryDataError(ValueError):
    """The answers of one question differ between languages in more than their words."""


def _finding_facts(found: Finding) -> dict[str, Any]:
    """What the page needs of one answer besides its words."""
    high = found.high
    return {
        "c": found.criterion,
        "rv": found.reveals,
        "sh": sharpness(found),
        "oc": found.overclaim,
        "op": found.open_to_buyer,
        "lv": found.level,
        "lo": found.low,
        "hi": high if high is None or math.isfinite(high) else None,
        "hinf": high is not None and not math.isfinite(high),
    }


def _case_data(case: Case, hour_eur: float) -> dict[str, Any]:
    criteria = preset(PROFILES[case.context].framework, context=case.context)
    unknown = rule_checks(case, criteria, {})
    answers: dict[str, Any] = {}
    ruled: list[tuple[str, str, Finding]] = []  # (question, criterion, finding) the rule reads
    for q in QUESTIONS:
        found = {language: answer(case, q.key, language) for language in LANGUAGES}
        facts = _finding_facts(found["en"])
        if any(_finding_facts(f) != facts for f in found.values()):
            raise DiscoveryDataError(f"{case.lead_id}, {q.key}: the languages disagree.")
        if q.criterion is not None and q.criterion in unknown:
            ruled.append((q.key, q.criterion, found["en"]))
        answers[q.key] = {**facts, "met": None, **{lang: found[lang].answer for lang in LANGUAGES}}
    # the engine's check of each criterion with only that answer known (one table, one call)
    table = pd.concat([case_row(case, {c: f}) for _, c, f in ruled], ignore_index=True)
    met = criteria_met(table, criteria)
    for i, (key, criterion, _) in enumerate(ruled):
        answers[key]["met"] = bool(met[criterion].iloc[i])
    won = case.outcome == "won"
    work_value, best = hindsight(case, hour_eur)
    return {
        "lead_id": case.lead_id,
        "briefing": list(case.briefing().items()),
        "truth": list(case.truth().items()),
        "outcome": case.outcome,
        "won": won,
        "work_value": work_value,
        "best": best,
        "rule": {
            "k": criteria.required_met,
            "names": list(unknown),
            "unknown": unknown,
            "truth": rule_says_sqo(case, criteria, None),
        },
        "facts": {
            "authority": case.authority,
            "need": case.need,
            "budget": case.budget_eur,
            "timeline": case.timeline_months,
            "competition": float(case.competitors),
        },
        "answers": answers,
    }


def case_set(context: str, seed: int) -> dict[str, Any]:
    """Case set ``seed`` of ``context`` as the page plays it."""
    leads = shared_sample(context)
    hour_eur = hour_value(leads, context)
    cases = draw_cases(leads, context, CASES_PER_SET, seed=seed)
    return {
        "context": context,
        "seed": seed,
        "hour_value": hour_eur,
        "cases": [_case_data(case, hour_eur) for case in cases],
    }


def common() -> dict[str, Any]:
    """What every case set shares: the questions, the choices, the businesses, the sets."""
    return {
        "minutes": CALL_MINUTES,
        "cases": CASES_PER_SET,
        "criteria": list(CALL_CRITERIA),
        "questions": [
            {"key": q.key, "c": q.criterion, "style": q.style, "min": q.minutes}
            | {language: q.text(language) for language in LANGUAGES}
            for q in QUESTIONS
        ],
        "verdicts": list(VERDICTS),
        "reasons": list(REASON_CODES.items()),
        "confidences": list(CONFIDENCES),
        "levels": {"authority": list(AUTHORITY_LEVELS), "need": list(NEED_LEVELS)},
        "contexts": [[c, PROFILES[c].title] for c in CONTEXTS],
        "sets": WEB_SETS,
    }


def _script(variable: str, key: str, value: Any) -> str:
    text = json.dumps(value, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return f"{variable}={variable}||{{}};{variable}[{json.dumps(key)}]={text};\n"


def set_file(context: str, seed: int) -> str:
    """The file name of a case set's script."""
    return f"discovery-{context}-{seed}.js"


def write_discovery_files(folder: Path) -> list[Path]:
    """Write the player, the shared data and one script per case set into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    store = "window.SQOLAB_DISCOVERY"
    player = folder / "discovery.js"
    player.write_bytes((STATIC / "discovery.js").read_bytes())
    written = [player, folder / "discovery-common.js"]
    written[1].write_text(_script(store, "common", common()), encoding="utf-8")
    for context in CONTEXTS:
        for seed in range(1, WEB_SETS + 1):
            target = folder / set_file(context, seed)
            target.write_text(_script(store, f"{context}-{seed}", case_set(context, seed)), "utf-8")
            written.append(target)
    return written
