"""The discovery-question bank: what a seller can ask on a call, in English and German.

Each question belongs to one criterion the course's frameworks test (budget, authority, need,
timeline, competition), costs minutes of a limited call, and is tagged with the framework letters
it serves (BANT, ANUM, CHAMP, GPCTBA/C&I, FAINT, MEDDIC). Its *style* decides what the answer can
reveal:

* ``open``: an open, specific question (how, what, who, what if) reveals the criterion well;
* ``blunt``: a closed question ("What's your budget?") is quick but reveals a rough band at best,
  is refused where the topic is sensitive, and invites over-claiming;
* ``rapport``: small talk or a pitch reveals no criterion and costs time.

The question styles follow the common advice of sales-training question banks (open questions about
the buyer's situation before closed questions about money); see the chapter "From criteria to
conversation" for the sources. The answers themselves are written by :mod:`sqolab.engine.discovery`
from the lead's hidden attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Criterion = Literal["budget", "authority", "need", "timeline", "competition"]
Style = Literal["open", "blunt", "rapport"]

CALL_CRITERIA: tuple[Criterion, ...] = ("budget", "authority", "need", "timeline", "competition")
"""What a discovery call can find out, in the order a handoff note lists them."""

LANGUAGES: tuple[str, ...] = ("en", "de")


@dataclass(frozen=True)
class Question:
    """One discovery question: its criterion, style, minutes, texts and framework letters."""

    key: str
    criterion: Criterion | None  # None: reveals no criterion (rapport)
    style: Style
    minutes: int
    en: str
    de: str
    letters: tuple[str, ...] = ()  # "FRAMEWORK: Letter", as in the engine's FRAMEWORKS

    def text(self, language: str = "en") -> str:
        """The question in ``language`` ("en" or "de")."""
        if language not in LANGUAGES:
            raise ValueError(f"Unknown language {language!r}; use one of {', '.join(LANGUAGES)}.")
        return self.en if language == "en" else self.de


def _q(
    key: str,
    criterion: Criterion | None,
    style: Style,
    minutes: int,
    en: str,
    de: str,
    *letters: str,
) -> Question:
    return Question(key, criterion, style, minutes, en, de, letters)


QUESTIONS: tuple[Question, ...] = (
    # -- budget ------------------------------------------------------------------------------------
    _q(
        "budget_open",
        "budget",
        "open",
        4,
        "How have you funded projects like this before, and what range is set aside for this one?",
        "Wie haben Sie solche Projekte bisher finanziert, und welcher Rahmen ist für dieses "
        "eingeplant?",
        "BANT: Budget",
        "ANUM: Money",
        "CHAMP: Money",
        "GPCTBA/C&I: Budget",
        "FAINT: Funds",
    ),
    _q(
        "budget_value",
        "budget",
        "open",
        4,
        "What would solving this be worth to you in a year, and what are you prepared to invest?",
        "Was wäre es Ihnen in einem Jahr wert, das zu lösen, und wie viel sind Sie bereit zu "
        "investieren?",
        "MEDDIC: Metrics",
        "GPCTBA/C&I: Consequences & Implications",
    ),
    _q(
        "budget_blunt",
        "budget",
        "blunt",
        1,
        "What's your budget?",
        "Was ist Ihr Budget?",
        "BANT: Budget",
        "FAINT: Funds",
    ),
    # -- authority ---------------------------------------------------------------------------------
    _q(
        "authority_open",
        "authority",
        "open",
        4,
        "Who else is involved in a decision like this, and how did you decide the last time you "
        "bought something similar?",
        "Wer ist an einer solchen Entscheidung noch beteiligt, und wie haben Sie beim letzten "
        "vergleichbaren Kauf entschieden?",
        "BANT: Authority",
        "ANUM: Authority",
        "CHAMP: Authority",
        "GPCTBA/C&I: Authority",
        "FAINT: Authority",
        "MEDDIC: Decision process",
    ),
    _q(
        "authority_economic",
        "authority",
        "open",
        3,
        "Whose budget would this come from, and who signs the contract?",
        "Aus wessen Budget würde das bezahlt, und wer unterschreibt den Vertrag?",
        "MEDDIC: Economic buyer",
        "ANUM: Authority",
    ),
    _q(
        "authority_champion",
        "authority",
        "open",
        3,
        "If this goes ahead, who will argue for it inside your company, and why?",
        "Wenn das Projekt kommt: Wer setzt sich intern dafür ein, und warum?",
        "MEDDIC: Champion",
    ),
    _q(
        "authority_blunt",
        "authority",
        "blunt",
        1,
        "Are you the decision maker?",
        "Sind Sie der Entscheider?",
        "BANT: Authority",
    ),
    # -- need --------------------------------------------------------------------------------------
    _q(
        "need_open",
        "need",
        "open",
        4,
        "What happens if you don't solve this in the next six months?",
        "Was passiert, wenn Sie das in den nächsten sechs Monaten nicht lösen?",
        "BANT: Need",
        "ANUM: Need",
        "CHAMP: CHallenges",
        "GPCTBA/C&I: Challenges",
        "GPCTBA/C&I: Consequences & Implications",
        "FAINT: Need",
        "MEDDIC: Identify pain",
    ),
    _q(
        "need_goals",
        "need",
        "open",
        3,
        "What are you trying to achieve this year, and what stands in the way?",
        "Was wollen Sie dieses Jahr erreichen, und was steht dem im Weg?",
        "GPCTBA/C&I: Goals",
        "GPCTBA/C&I: Plans",
        "CHAMP: CHallenges",
        "FAINT: Interest",
        "MEDDIC: Metrics",
    ),
    _q(
        "need_blunt",
        "need",
        "blunt",
        1,
        "Do you need a solution like ours?",
        "Brauchen Sie eine Lösung wie unsere?",
        "BANT: Need",
        "FAINT: Interest",
    ),
    # -- timeline ----------------------------------------------------------------------------------
    _q(
        "timeline_open",
        "timeline",
        "open",
        3,
        "What has to happen before you decide, and by when do you want it in place?",
        "Was muss passieren, bevor Sie entscheiden, und bis wann soll es eingeführt sein?",
        "BANT: Timeline",
        "ANUM: Urgency",
        "CHAMP: Prioritization",
        "GPCTBA/C&I: Timeline",
        "GPCTBA/C&I: Plans",
        "FAINT: Timing",
        "MEDDIC: Decision process",
    ),
    _q(
        "timeline_blunt",
        "timeline",
        "blunt",
        1,
        "When will you buy?",
        "Wann kaufen Sie?",
        "BANT: Timeline",
        "ANUM: Urgency",
    ),
    # -- competition -------------------------------------------------------------------------------
    _q(
        "competition_open",
        "competition",
        "open",
        3,
        "What other options are you weighing, including doing nothing, and how will you choose?",
        "Welche anderen Möglichkeiten prüfen Sie, auch nichts zu tun, und wie wählen Sie aus?",
        "MEDDIC: Decision criteria",
        "CHAMP: Prioritization",
    ),
    _q(
        "competition_blunt",
        "competition",
        "blunt",
        1,
        "Are you talking to our competitors?",
        "Sprechen Sie auch mit unseren Wettbewerbern?",
        "MEDDIC: Decision criteria",
    ),
    # -- rapport and pitch (reveal no criterion) ---------------------------------------------------
    _q(
        "rapport_history",
        None,
        "rapport",
        4,
        "Tell me about the history of your company.",
        "Erzählen Sie mir von der Geschichte Ihres Unternehmens.",
    ),
    _q(
        "pitch_demo",
        None,
        "rapport",
        5,
        "Shall I walk you through a demo of our product?",
        "Soll ich Ihnen unser Produkt in einer Demo zeigen?",
    ),
)

QUESTIONS_BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}


def question(key: str) -> Question:
    """The question called ``key``, or a clear error listing the keys."""
    try:
        return QUESTIONS_BY_KEY[key]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown question {key!r}. Ask one of: {', '.join(QUESTIONS_BY_KEY)}."
        ) from None


def questions_for(framework: str) -> dict[str, list[Question]]:
    """For each letter of ``framework`` (e.g. "MEDDIC"), the questions that serve it."""
    out: dict[str, list[Question]] = {}
    prefix = f"{framework}: "
    for q in QUESTIONS:
        for tag in q.letters:
            if tag.startswith(prefix):
                out.setdefault(tag[len(prefix) :], []).append(q)
    return out
