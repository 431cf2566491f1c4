"""A discovery call played on a case, the learner's decision, and the reveal with hindsight.

:class:`Call` keeps the clock and what was learned; :class:`Decision` is what the learner hands
over (verdict, reason or re-contact date, a note per criterion with confidence, a win probability);
:func:`reveal` compares it with the truth; :func:`calibration` and :func:`misjudged` sum up many
cases (Brier score, calibration table, criteria a learner tends to get wrong).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sqolab.data.contexts import PROFILES
from sqolab.data.schema import AUTHORITY_LEVELS, NEED_LEVELS
from sqolab.engine.criteria import Criteria, criteria_met, preset, qualify
from sqolab.engine.discovery import (
    CALL_MINUTES,
    CONFIDENCES,
    REASON_CODES,
    VERDICTS,
    Case,
    Finding,
    answer,
)
from sqolab.engine.outcomes import evaluate
from sqolab.engine.questions import CALL_CRITERIA, QUESTIONS, question


class CallError(ValueError):
    """A move the call does not allow (out of time, a question asked twice, a bad decision)."""


@dataclass
class Call:
    """One discovery call on ``case``: ask questions until the minutes run out."""

    case: Case
    minutes: int = CALL_MINUTES
    language: str = "en"
    asked: list[tuple[str, Finding]] = field(default_factory=list)

    @property
    def minutes_used(self) -> int:
        """Minutes spent on the questions asked so far."""
        return sum(question(key).minutes for key, _ in self.asked)

    @property
    def minutes_left(self) -> int:
        """Minutes left in the call."""
        return self.minutes - self.minutes_used

    def can_ask(self, key: str) -> bool:
        """Is ``key`` a question not yet asked that fits in the time left?"""
        asked = {k for k, _ in self.asked}
        return key not in asked and question(key).minutes <= self.minutes_left

    def ask(self, key: str) -> Finding:
        """Ask question ``key``: the buyer's answer, and the clock moves on."""
        q = question(key)
        if any(k == key for k, _ in self.asked):
            raise CallError(f"You already asked this: {q.text(self.language)}")
        if q.minutes > self.minutes_left:
            raise CallError(
                f"This question takes {q.minutes} minutes and only {self.minutes_left} are left. "
                "Decide with what you know, or choose a shorter question."
            )
        found = answer(self.case, key, self.language)
        self.asked.append((key, found))
        return found

    def knowledge(self) -> dict[str, Finding]:
        """The most telling finding per criterion so far (a later, sharper answer wins)."""
        best: dict[str, Finding] = {}
        for _, found in self.asked:
            if found.criterion is None or not found.reveals:
                continue
            old = best.get(found.criterion)
            if old is None or sharpness(found) >= sharpness(old):
                best[found.criterion] = found
        return best


def sharpness(found: Finding) -> int:
    """How telling an answer is: 2 a value, a narrow band or "open"; 1 a wide band; 0 nothing."""
    if found.open_to_buyer or found.level is not None:
        return 2
    if found.low is not None and found.high is not None:
        return 2 if found.high - found.low <= 0.25 * max(found.high, 1) else 1
    return 0


@dataclass(frozen=True)
class Note:
    """The handoff note on one criterion: what was learned, and how sure the seller is."""

    value: str  # e.g. "EUR 20,000", "decision_maker", "confirmed", "3", "unknown"
    confidence: str = "medium"

    def __post_init__(self) -> None:
        if self.confidence not in CONFIDENCES:
            raise CallError(
                f"Confidence must be one of {', '.join(CONFIDENCES)}, got {self.confidence!r}."
            )


@dataclass(frozen=True)
class Decision:
    """What the learner decides after the call."""

    verdict: str
    win_probability: float
    reason: str | None = None  # required for "disqualify": a key of REASON_CODES
    recontact_months: int | None = None  # required for "nurture": 1-12
    notes: dict[str, Note] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise CallError(f"Decide one of {', '.join(VERDICTS)}, not {self.verdict!r}.")
        p = self.win_probability
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p <= 1:
            raise CallError(f"The win probability must be between 0 and 1 (0-100%), got {p!r}.")
        if self.verdict == "disqualify" and self.reason not in REASON_CODES:
            raise CallError("To disqualify, choose a reason code: " + ", ".join(REASON_CODES) + ".")
        if self.verdict == "nurture":
            m = self.recontact_months
            if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= 12:
                raise CallError("To nurture, set when to call again: 1 to 12 months from now.")
        unknown = set(self.notes) - set(CALL_CRITERIA)
        if unknown:
            raise CallError(
                f"Handoff notes are per criterion ({', '.join(CALL_CRITERIA)}), "
                f"not {', '.join(sorted(unknown))}."
            )


def hour_value(leads: pd.DataFrame, context: str) -> float:
    """Revenue per sales hour of the context's own framework on ``leads``: what an hour is worth."""
    criteria = preset(PROFILES[context].framework, context=context)
    return evaluate(leads, qualify(leads, criteria)).revenue_per_hour_eur


def case_row(case: Case, known: dict[str, Finding] | None) -> pd.DataFrame:
    """A one-lead table with the case's values, keeping only what ``known`` reveals (None: all)."""

    def number(criterion: str, truth: float | None) -> float:
        if known is None:
            return np.nan if truth is None else truth
        found = known.get(criterion)
        if found is None or found.low is None or found.open_to_buyer:
            return np.nan
        high = found.high if found.high is not None and math.isfinite(found.high) else found.low
        return (found.low + high) / 2

    def level(criterion: str, truth: str) -> str:
        if known is None:
            return truth
        found = known.get(criterion)
        return "unknown" if found is None or found.level is None else found.level

    return pd.DataFrame(
        {
            "budget_eur": [number("budget", case.budget_eur)],
            "authority": pd.Categorical(
                [level("authority", case.authority)], categories=("unknown", *AUTHORITY_LEVELS)
            ),
            "need": pd.Categorical(
                [level("need", case.need)], categories=("unknown", *NEED_LEVELS)
            ),
            "timeline_months": [number("timeline", case.timeline_months)],
            "engagement_score": [case.engagement_score],
            "fit_score": [case.fit_score],
        }
    )


def rule_says_sqo(case: Case, criteria: Criteria, known: dict[str, Finding] | None) -> bool:
    """The course rule's verdict on what is known (None: on the whole truth)."""
    return bool(qualify(case_row(case, known), criteria).iloc[0])


def rule_checks(
    case: Case, criteria: Criteria, known: dict[str, Finding] | None
) -> dict[str, bool]:
    """Each applied criterion of ``criteria``: met on what is known (None: on the whole truth)?"""
    met = criteria_met(case_row(case, known), criteria).iloc[0]
    return {name: bool(ok) for name, ok in met.items()}


@dataclass(frozen=True)
class Reveal:
    """The truth after the call, and how the decision compares with hindsight."""

    truth: dict[str, str]
    outcome: str
    verdict: str
    best_verdict: str
    value_eur: float
    best_value_eur: float
    hour_value_eur: float
    rule_verdict_known: bool  # the context's framework on what the call revealed
    rule_verdict_truth: bool  # ... on the whole truth
    deciding_questions: tuple[
        str, ...
    ]  # questions that would have turned the first into the second
    misjudged: tuple[str, ...]  # criteria whose handoff note disagrees with the truth
    overclaims: tuple[str, ...]  # answers that claimed more than the truth
    brier: float

    def lines(self) -> list[str]:
        """The reveal in a few plain sentences."""
        out = [
            f"Outcome if worked: {self.outcome.replace('_', ' ')}.",
            f"Your decision: {self.verdict} (worth EUR {self.value_eur:,.0f}); best with "
            f"hindsight: {self.best_verdict} (EUR {self.best_value_eur:,.0f}), valuing a sales "
            f"hour at EUR {self.hour_value_eur:,.0f}.",
        ]
        if self.deciding_questions:
            asks = " / ".join(question(key).en for key in self.deciding_questions)
            out.append(f"What would have changed the rule's verdict: {asks}")
        if self.misjudged:
            out.append("Your handoff note was off on: " + ", ".join(self.misjudged) + ".")
        if self.overclaims:
            out.append("The buyer over-claimed on: " + ", ".join(self.overclaims) + ".")
        return out


def _note_matches(criterion: str, note: Note, case: Case) -> bool:
    text = note.value.strip().lower().replace("eur", "").replace("€", "").replace(",", "")
    if criterion in ("authority", "need"):
        truth = case.authority if criterion == "authority" else case.need
        return text.replace(" ", "_") == truth
    truth_number = {
        "budget": case.budget_eur,
        "timeline": case.timeline_months,
        "competition": float(case.competitors),
    }[criterion]
    if text in ("unknown", "open", "not set", "none set"):
        return truth_number is None
    try:
        value = float(text)
    except ValueError:
        return False
    if truth_number is None:
        return False
    if criterion == "competition":
        return value == truth_number
    return abs(value - truth_number) <= 0.25 * max(truth_number, 1.0)


def _deciding_questions(
    call: Call, criteria: Criteria, known: dict[str, Finding], target: bool
) -> tuple[str, ...]:
    """Open questions (one per criterion still unknown, in handoff order, the quickest of each)
    that would have brought the rule's verdict on what is known to its verdict on the truth."""
    asked = {k for k, _ in call.asked}
    trial = dict(known)
    keys: list[str] = []
    for criterion in CALL_CRITERIA:
        if criterion in trial:
            continue
        options = [q for q in QUESTIONS if q.criterion == criterion and q.style == "open"]
        q = min(options, key=lambda q: (q.key in asked, q.minutes))
        trial[criterion] = answer(call.case, q.key, call.language)
        keys.append(q.key)
        if rule_says_sqo(call.case, criteria, trial) == target:
            return tuple(keys)
    return ()


def hindsight(case: Case, hour_eur: float) -> tuple[float, str]:
    """What working ``case`` is worth (revenue won minus its sales hours at ``hour_eur``) and the
    best verdict with hindsight: SQO for a win worth working, nurture for a real need without a
    decision within two sales cycles, else disqualify."""
    won = case.outcome == "won"
    work_value = (case.deal_value_eur if won else 0.0) - case.sales_hours * hour_eur
    if won and work_value > 0:
        return work_value, "sqo"
    if case.need in ("latent", "confirmed") and (
        case.timeline_months is None
        or case.timeline_months > 2 * PROFILES[case.context].cycle_months
    ):
        return work_value, "nurture"
    return work_value, "disqualify"


def reveal(
    call: Call, decision: Decision, leads: pd.DataFrame, criteria: Criteria | None = None
) -> Reveal:
    """The reveal of ``call`` after ``decision``; ``leads``: the case's pipeline (hour value)."""
    case = call.case
    criteria = criteria or preset(PROFILES[case.context].framework, context=case.context)
    rate = hour_value(leads, case.context)
    won = case.outcome == "won"
    work_value, best = hindsight(case, rate)
    value = work_value if decision.verdict == "sqo" else 0.0
    known = call.knowledge()
    said, truth_says = rule_says_sqo(case, criteria, known), rule_says_sqo(case, criteria, None)
    deciding = _deciding_questions(call, criteria, known, truth_says) if said != truth_says else ()
    misjudged = tuple(c for c, note in decision.notes.items() if not _note_matches(c, note, case))
    overclaims = tuple(f.criterion for _, f in call.asked if f.overclaim and f.criterion)
    return Reveal(
        truth=case.truth(),
        outcome=case.outcome,
        verdict=decision.verdict,
        best_verdict=best,
        value_eur=value,
        best_value_eur=max(work_value, 0.0),
        hour_value_eur=rate,
        rule_verdict_known=said,
        rule_verdict_truth=truth_says,
        deciding_questions=deciding,
        misjudged=misjudged,
        overclaims=overclaims,
        brier=(decision.win_probability - float(won)) ** 2,
    )


def calibration(
    probabilities: Iterable[float], won: Iterable[bool], bins: int = 5
) -> tuple[float, pd.DataFrame]:
    """Brier score and a calibration table (per bin: cases, mean forecast, share won)."""
    p = np.asarray(list(probabilities), dtype=float)
    y = np.asarray(list(won), dtype=float)
    if p.shape != y.shape or p.size == 0:
        raise ValueError("Give one win probability per case and at least one case.")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("Win probabilities must lie between 0 and 1.")
    brier = float(np.mean((p - y) ** 2))
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        mask = which == b
        rows.append(
            {
                "forecast from": edges[b],
                "forecast to": edges[b + 1],
                "cases": int(mask.sum()),
                "mean forecast": float(p[mask].mean()) if mask.any() else math.nan,
                "share won": float(y[mask].mean()) if mask.any() else math.nan,
            }
        )
    return brier, pd.DataFrame(rows)


def misjudged(reveals: Iterable[Reveal]) -> pd.Series:
    """How often each criterion's handoff note was off, across cases (most often first)."""
    counts = dict.fromkeys(CALL_CRITERIA, 0)
    for r in reveals:
        for c in r.misjudged:
            counts[c] += 1
    return pd.Series(counts, name="misjudged").sort_values(ascending=False, kind="stable")
