"""Discovery calls with hidden truth: cases, a limited call, the decision and the reveal.

A *case* is a simulated lead. The learner sees what a rep sees before the call (company, contact,
source, fit and engagement) and asks questions from :mod:`sqolab.engine.questions` within a
limited call. Each answer is written from the lead's hidden attributes with deterministic templates:
the same case and question always give the same answer.

The answer model (``tests/test_discovery.py`` checks each rule):

* A value the data marks as unknown is unknown *to the buyer* too: every question about it gets an
  evasive answer ("no budget has been set yet") that tells the seller it is open.
* Open questions reveal a known value (budget to about 10%, the exact authority, need, timeline and
  number of competing options).
* Blunt questions reveal a rough band at best. Money is sensitive: a contact who does not decide
  refuses a blunt budget question. An influencer asked "Are you the decision maker?" says yes (an
  over-claim the reveal points out); a user's answer reveals nothing. Everybody says yes to "Do you
  need a solution like ours?".
* Rapport and pitch questions reveal no criterion.

After the call the learner decides (SQO, nurture with a re-contact date, or disqualify with a reason
code), writes a handoff note per criterion and gives a win probability. :func:`reveal` then shows
the truth, the outcome the deal would have had, the best decision with hindsight, the value of both
at the context's revenue per sales hour, and the question that would have changed the course rule's
verdict.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sqolab.data.contexts import PROFILES
from sqolab.data.schema import UNKNOWN
from sqolab.engine.formatting import fmt_eur
from sqolab.engine.questions import QUESTIONS, Question, question

Verdict = Literal["sqo", "nurture", "disqualify"]
VERDICTS: tuple[str, ...] = ("sqo", "nurture", "disqualify")
CALL_MINUTES = 20
CASES_PER_SET = 6
"""Cases in one case set (Lab 7 and the website's player)."""
WON_SHARE = 1 / 3  # share of won leads in a drawn case set (the pipeline has 18-27%)

REASON_CODES: dict[str, str] = {
    "no_budget": "No budget and no way to fund it in this period.",
    "no_authority": "No access to anyone who takes part in the decision.",
    "no_need": "No problem our offer solves.",
    "not_now": "A real need, but no decision within the sales cycle.",
    "poor_fit": "The company is outside the ideal customer profile.",
    "competitor_chosen": "The buyer has as good as chosen another vendor.",
    "unconfirmed": "Budget, authority, need or timeline could not be confirmed (unknown).",
}
"""Disqualification reason codes: marketing's feedback loop reads them per campaign."""

CONFIDENCES: tuple[str, ...] = ("high", "medium", "low")


@dataclass(frozen=True)
class Case:
    """One lead as a discovery case: what the rep sees before the call, and the hidden truth."""

    context: str
    lead_id: str
    company: str
    industry: str
    country: str
    contact_title: str
    employees: int
    source: str
    campaign: str
    engagement_score: int
    fit_score: int
    # hidden truth
    budget_eur: float | None
    authority: str
    need: str
    timeline_months: float | None
    competitors: int
    deal_value_eur: float
    sales_hours: float
    outcome: str

    def briefing(self) -> dict[str, str]:
        """What the rep knows before the call (no hidden attribute)."""
        return {
            "Company": f"{self.company} ({self.industry}, {self.country}, "
            f"{self.employees:,} employees)",
            "Contact": self.contact_title,
            "Came through": f"{self.source.replace('_', ' ')}: {self.campaign}",
            "Engagement score": f"{self.engagement_score} of 100 points",
            "Fit score": f"{self.fit_score} of 100 points",
        }

    def truth(self) -> dict[str, str]:
        """The hidden attributes, in words (for the reveal)."""
        return {
            "budget": "not set (unknown to the buyer)"
            if self.budget_eur is None
            else fmt_eur(self.budget_eur),
            "authority": _words(self.authority),
            "need": _words(self.need),
            "timeline": "no date (unknown to the buyer)"
            if self.timeline_months is None
            else f"{self.timeline_months:g} months",
            "competition": f"{self.competitors} other vendor(s)",
            "deal value": fmt_eur(self.deal_value_eur),
            "sales hours": f"{self.sales_hours:g} hours",
            "outcome if worked": _words(self.outcome),
        }


def _words(code: str) -> str:
    return code.replace("_", " ")


def _optional(value: float) -> float | None:
    return None if pd.isna(value) else float(value)


def case_of(leads: pd.DataFrame, lead_id: str, context: str) -> Case:
    """The case of the lead ``lead_id`` in ``leads`` (a context's sample)."""
    rows = leads.index[leads["lead_id"] == lead_id]
    if len(rows) != 1:
        raise ValueError(f"No single lead with lead_id {lead_id!r} in these leads.")
    row = leads.loc[rows[0]]
    return Case(
        context=context,
        lead_id=str(row["lead_id"]),
        company=str(row["company"]),
        industry=str(row["industry"]),
        country=str(row["country"]),
        contact_title=str(row["contact_title"]),
        employees=int(row["employees"]),
        source=str(row["source"]),
        campaign=str(row["campaign"]),
        engagement_score=int(row["engagement_score"]),
        fit_score=int(row["fit_score"]),
        budget_eur=_optional(row["budget_eur"]),
        authority=str(row["authority"]),
        need=str(row["need"]),
        timeline_months=_optional(row["timeline_months"]),
        competitors=int(row["competitors"]),
        deal_value_eur=float(row["deal_value_eur"]),
        sales_hours=float(row["sales_hours"]),
        outcome=str(row["outcome"]),
    )


def draw_cases(
    leads: pd.DataFrame, context: str, n: int = CASES_PER_SET, seed: int = 0
) -> list[Case]:
    """``n`` cases from ``leads``, the same for the same seed (a workshop hands them to every team).

    A third of the cases would be won if worked (more than in the pipeline, so every set has wins
    to find); the reveal says so.
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 50:
        raise ValueError(f"n must be a whole number from 1 to 50, got {n!r}.")
    if context not in PROFILES:
        raise ValueError(f"Unknown context {context!r}; use one of {', '.join(PROFILES)}.")
    rng = np.random.default_rng([seed, 12])
    won = (leads["outcome"] == "won").to_numpy()
    n_won = round(n * WON_SHARE)
    picks = [
        *rng.choice(np.flatnonzero(won), size=n_won, replace=False),
        *rng.choice(np.flatnonzero(~won), size=n - n_won, replace=False),
    ]
    order = rng.permutation(len(picks))
    ids = leads["lead_id"].to_numpy()
    return [case_of(leads, str(ids[picks[i]]), context) for i in order]


# --------------------------------------------------------------------------------------------------
# Answers
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """What one answer tells the seller about one criterion."""

    criterion: str | None
    answer: str  # the buyer's words
    level: str | None = None  # authority or need level the answer states
    low: float | None = None  # band of a number (budget EUR, timeline months, competitors)
    high: float | None = None
    open_to_buyer: bool = False  # the buyer does not know it yet (unknown in the data)
    evasive: bool = False  # the buyer avoided the question
    overclaim: bool = False  # the answer claims more than the truth

    @property
    def reveals(self) -> bool:
        """Does the answer tell the seller where the criterion stands (a value, band or 'open')?"""
        return self.open_to_buyer or self.level is not None or self.low is not None


def _pick(options: Sequence[tuple[str, str]], case: Case, q: Question, language: str) -> str:
    """One of the phrasings, the same every time for this case and question."""
    i = zlib.crc32(f"{case.lead_id}|{q.key}".encode()) % len(options)
    en, de = options[i]
    return en if language == "en" else de


def _money(value: float, language: str) -> str:
    rounded = max(1000.0, round(value / 1000) * 1000)
    text = f"{rounded:,.0f}"
    return f"EUR {text}" if language == "en" else f"{text.replace(',', '.')} EUR"


def _answer_budget(case: Case, q: Question, language: str) -> Finding:
    b = case.budget_eur
    if b is None:
        text = _pick(
            [
                ("No budget has been set for this yet.", "Dafür ist noch kein Budget festgelegt."),
                (
                    "Honestly, we would have to find the money first.",
                    "Ehrlich gesagt müssten wir das Geld erst finden.",
                ),
            ],
            case,
            q,
            language,
        )
        return Finding("budget", text, open_to_buyer=True, evasive=True)
    if q.style == "blunt":
        if case.authority != "decision_maker":
            text = _pick(
                [
                    (
                        "I can't share numbers before we have seen a proposal.",
                        "Zahlen kann ich erst nennen, wenn wir ein Angebot gesehen haben.",
                    ),
                    (
                        "That's not something I can talk about.",
                        "Darüber kann ich nicht sprechen.",
                    ),
                ],
                case,
                q,
                language,
            )
            return Finding("budget", text, evasive=True)
        low, high = 0.6 * b, 1.4 * b
        text = (
            f"Somewhere between {_money(low, language)} and {_money(high, language)}."
            if language == "en"
            else f"Irgendwo zwischen {_money(low, language)} und {_money(high, language)}."
        )
        return Finding("budget", text, low=low, high=high)
    low, high = 0.9 * b, 1.1 * b
    text = _pick(
        [
            (
                f"We have about {_money(b, language)} set aside for it this year.",
                f"Wir haben dafür dieses Jahr etwa {_money(b, language)} eingeplant.",
            ),
            (
                f"Last time we spent a similar amount; about {_money(b, language)} is approved.",
                f"Beim letzten Mal war es ähnlich; freigegeben sind etwa {_money(b, language)}.",
            ),
        ],
        case,
        q,
        language,
    )
    return Finding("budget", text, low=low, high=high)


_AUTHORITY_WORDS = {
    "decision_maker": [
        (
            "I decide on this myself and sign the contract.",
            "Das entscheide ich selbst und unterschreibe auch.",
        ),
        ("It's my budget; I make the call.", "Es ist mein Budget, ich entscheide."),
    ],
    "influencer": [
        (
            "I'll make the recommendation, but our managing director signs.",
            "Ich gebe die Empfehlung, unterschreiben wird unsere Geschäftsführung.",
        ),
        (
            "I put together the shortlist; the final decision is with my boss.",
            "Ich stelle die Auswahl zusammen, die Entscheidung liegt bei meinem Chef.",
        ),
    ],
    "user": [
        (
            "I'd be using it day to day; I'm collecting information for my manager.",
            "Ich würde damit arbeiten und sammle Informationen für meine Vorgesetzte.",
        ),
        (
            "I'm just looking around for the team; others decide.",
            "Ich schaue mich für das Team um; entscheiden tun andere.",
        ),
    ],
}


def _answer_authority(case: Case, q: Question, language: str) -> Finding:
    a = case.authority
    if a == UNKNOWN:
        text = _pick(
            [
                (
                    "Honestly, it's not clear yet who will sign; it may go to the board.",
                    "Ehrlich gesagt ist noch offen, wer unterschreibt; vielleicht der Vorstand.",
                ),
                (
                    "We're still working out who owns this internally.",
                    "Wir klären intern noch, wer dafür zuständig ist.",
                ),
            ],
            case,
            q,
            language,
        )
        return Finding("authority", text, open_to_buyer=True, evasive=True)
    if q.style == "blunt":
        if a == "decision_maker":
            text = "Yes, I sign." if language == "en" else "Ja, ich unterschreibe."
            return Finding("authority", text, level="decision_maker")
        if a == "influencer":
            text = "Yes, pretty much." if language == "en" else "Ja, im Grunde schon."
            return Finding("authority", text, level="decision_maker", overclaim=True)
        text = "I'm involved in it." if language == "en" else "Ich bin daran beteiligt."
        return Finding("authority", text, evasive=True)
    return Finding("authority", _pick(_AUTHORITY_WORDS[a], case, q, language), level=a)


_NEED_WORDS = {
    "confirmed": [
        (
            "We lose customers over this every month; it's top of our list.",
            "Wir verlieren deswegen jeden Monat Kunden; es steht ganz oben auf der Liste.",
        ),
        (
            "It costs us real money already; we have to fix it.",
            "Es kostet uns schon jetzt echtes Geld; wir müssen das lösen.",
        ),
    ],
    "latent": [
        ("It's annoying, but we get by for now.", "Es nervt, aber im Moment kommen wir zurecht."),
        (
            "It would be nice to improve, but nothing is on fire.",
            "Es wäre schön, das zu verbessern, aber es brennt nicht.",
        ),
    ],
    "none": [
        (
            "Nothing would happen, really; we're just keeping an eye on the market.",
            "Eigentlich nichts; wir beobachten nur den Markt.",
        ),
        (
            "We're happy with how things are; I downloaded your guide out of curiosity.",
            "Wir sind zufrieden, wie es ist; Ihren Leitfaden habe ich aus Neugier geladen.",
        ),
    ],
}


def _answer_need(case: Case, q: Question, language: str) -> Finding:
    n = case.need
    if q.style == "blunt":
        text = (
            "Possibly, that's why we're talking."
            if language == "en"
            else "Möglicherweise, deshalb sprechen wir ja."
        )
        return Finding("need", text)
    if n == UNKNOWN:
        text = _pick(
            [
                (
                    "We're still working out whether it's a real problem for us.",
                    "Wir klären noch, ob das für uns wirklich ein Problem ist.",
                ),
                (
                    "Hard to say yet; we have to look at our own numbers first.",
                    "Schwer zu sagen; wir müssen erst unsere eigenen Zahlen ansehen.",
                ),
            ],
            case,
            q,
            language,
        )
        return Finding("need", text, open_to_buyer=True, evasive=True)
    return Finding("need", _pick(_NEED_WORDS[n], case, q, language), level=n)


def _answer_timeline(case: Case, q: Question, language: str) -> Finding:
    t = case.timeline_months
    if t is None:
        text = _pick(
            [
                ("There's no date yet.", "Es gibt noch keinen Termin."),
                (
                    "We'll decide when the time is right; nothing is scheduled.",
                    "Wir entscheiden, wenn es passt; geplant ist noch nichts.",
                ),
            ],
            case,
            q,
            language,
        )
        return Finding("timeline", text, open_to_buyer=True, evasive=True)
    if q.style == "blunt":
        if t <= 3:
            words, low, high = ("Soon, within the quarter.", "Bald, noch in diesem Quartal."), 0, 3
        elif t <= 12:
            words, low, high = ("Sometime this year.", "Irgendwann in diesem Jahr."), 3, 12
        else:
            words, low, high = ("Not before next year.", "Nicht vor nächstem Jahr."), 12, math.inf
        return Finding("timeline", words[0] if language == "en" else words[1], low=low, high=high)
    months = f"{t:g} month" + ("" if t == 1 else "s")
    monate = f"{t:g}".replace(".", ",") + (" Monat" if t == 1 else " Monaten")
    text = _pick(
        [
            (
                f"We want to decide within {months}, after an internal review.",
                f"Wir wollen in {monate} entscheiden, nach einer internen Prüfung.",
            ),
            (
                f"It should be in place in about {months}.",
                f"In etwa {monate} soll es eingeführt sein.",
            ),
        ],
        case,
        q,
        language,
    )
    return Finding("timeline", text, low=t, high=t)


def _answer_competition(case: Case, q: Question, language: str) -> Finding:
    c = case.competitors
    if q.style == "blunt":
        if c == 0:
            return Finding("competition", "No." if language == "en" else "Nein.", low=0, high=0)
        text = (
            "We're looking at a few options."
            if language == "en"
            else "Wir schauen uns mehrere Möglichkeiten an."
        )
        return Finding("competition", text, low=1, high=math.inf)
    if c == 0:
        text = (
            "Only you; the alternative is to keep doing it ourselves."
            if language == "en"
            else "Nur Sie; die Alternative wäre, es weiter selbst zu machen."
        )
    else:
        text = (
            f"We're also talking to {c} other vendor{'s' if c > 1 else ''}; price and fit decide."
            if language == "en"
            else f"Wir sprechen noch mit {c} weiteren Anbieter{'n' if c > 1 else ''}; Preis und "
            "Passung entscheiden."
        )
    return Finding("competition", text, low=c, high=c)


def _answer_rapport(case: Case, q: Question, language: str) -> Finding:
    if q.key == "pitch_demo":
        text = (
            "Sure, but I only have a few minutes today."
            if language == "en"
            else "Gern, aber ich habe heute nur ein paar Minuten."
        )
    else:
        text = (
            f"{case.company} has grown steadily; we're {case.employees:,} people now."
            if language == "en"
            else f"{case.company} ist stetig gewachsen; wir sind jetzt {case.employees:,} "
            "Leute.".replace(",", ".")
        )
    return Finding(None, text)


_ANSWERERS = {
    "budget": _answer_budget,
    "authority": _answer_authority,
    "need": _answer_need,
    "timeline": _answer_timeline,
    "competition": _answer_competition,
    None: _answer_rapport,
}


def answer(case: Case, key: str, language: str = "en") -> Finding:
    """The buyer's answer to question ``key`` (deterministic for the case and question)."""
    q = question(key)
    q.text(language)  # checks the language
    return _ANSWERERS[q.criterion](case, q, language)


def script(case: Case, language: str = "en") -> dict[str, Finding]:
    """Every question's answer for ``case`` (e.g. to play the case in a browser without Python)."""
    return {q.key: answer(case, q.key, language) for q in QUESTIONS}


def blunt_question_effects(leads: pd.DataFrame) -> dict[str, float]:
    """What blunt questions cost on a pipeline, under the answer model above (shares 0-1).

    ``budget_refused``: of the leads whose budget is known, the share whose contact does not decide
    and so refuses "What's your budget?"; ``authority_overclaimed``: of the contacts whose
    authority is known, the share of influencers, who answer "Are you the decision maker?" with
    yes; ``budget_open_to_buyer``: the share of budgets nobody has set yet.
    """
    known_budget = leads["budget_eur"].notna()
    authority = leads["authority"].astype("string")
    decides = authority == "decision_maker"
    known_authority = authority != "unknown"
    return {
        "budget_refused": float((known_budget & ~decides).sum() / max(known_budget.sum(), 1)),
        "authority_overclaimed": float(
            (authority == "influencer").sum() / max(known_authority.sum(), 1)
        ),
        "budget_open_to_buyer": float((~known_budget).mean()),
    }
