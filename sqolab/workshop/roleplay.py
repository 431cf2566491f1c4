"""Printable role-play cards for workshops: discovery calls, objections, the observer's rubric.

Each discovery card pair is built from a case of the discovery lab (:mod:`sqolab.engine.discovery`):
the buyer's card holds the hidden truth in the buyer's words and a personality; the seller's card
holds only what a rep sees before the call, and the goal. The observer scores the seller on a 0-3
scale per criterion (in the style of MEDDICC scorecards). Every card prints on its own A4 page.
"""

from __future__ import annotations

import html
import zlib
from dataclasses import dataclass

from sqolab.data.samples import shared_sample
from sqolab.engine.discovery import Case, draw_cases
from sqolab.engine.questions import CALL_CRITERIA

PERSONALITIES: tuple[tuple[str, str], ...] = (
    ("Analytical", "You want numbers and proof; vague claims make you cautious."),
    ("Busy", "You have 15 minutes and short answers; you warm up to precise questions."),
    (
        "Talkative",
        "You drift into stories about your company; you answer fully when asked directly.",
    ),
    ("Sceptical", "A vendor let you down last year; you test whether the seller listens."),
)

OBJECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "We have no budget.",
        "No budget line is set for this year, but the problem costs you money every month and your "
        "managing director has found money for such problems before.",
        "Find out whether the problem is worth solving and how money was found last time; agree on "
        "a next step with the person who can find it (nurture or an SQO with a budget plan).",
    ),
    (
        "Send me a proposal first.",
        "You are collecting quotes for your CFO, who decides. You have no clear criteria yet and "
        "would forward any proposal without reading it closely.",
        "Find out who decides, how, and on which criteria before writing anything; ask to involve "
        "the CFO in the next conversation.",
    ),
    (
        "We're talking to others.",
        "Two other vendors are in the evaluation. Price matters, but the integration with your "
        "existing tools decides; one competitor is weak there.",
        "Find out the decision criteria and the process, and where you stand against the others, "
        "without talking down a competitor.",
    ),
)

RUBRIC_LEVELS: tuple[str, ...] = (
    "0: not asked",
    "1: asked bluntly, answer vague or taken at face value",
    "2: asked openly, answer clear",
    "3: asked openly, answer clear and confirmed (a figure, a name, a date), noted with confidence",
)
RUBRIC_ROWS: tuple[str, ...] = (*CALL_CRITERIA, "next step agreed")

DEBRIEF: tuple[str, ...] = (
    "Seller: what did you learn per criterion, and how sure are you?",
    "Buyer: which question made you open up, and which made you defensive?",
    "Observer: where did the seller take an answer at face value?",
    "All: SQO, nurture or disqualify? Compare with the buyer's hidden truth.",
    "What would you ask first next time?",
)

CARD_CSS = """<style>
.sqolab-card {border: 2px solid #0072B2; border-radius: 8px; padding: 14px 18px; margin: 12px 0;
  max-width: 760px; font-size: 15px; line-height: 1.45; background: #fff; color: #111;}
.sqolab-card h3 {margin: 0 0 6px 0; font-size: 1.25em;}
.sqolab-card .sqolab-role {text-transform: uppercase; letter-spacing: 0.08em; font-size: 0.8em;
  color: #0072B2; font-weight: bold;}
.sqolab-card table {border-collapse: collapse; width: 100%;}
.sqolab-card th, .sqolab-card td {border-bottom: 1px solid #ccc; padding: 3px 6px; text-align: left;
  vertical-align: top;}
.sqolab-card.sqolab-buyer {border-color: #D55E00;}
.sqolab-card.sqolab-buyer .sqolab-role {color: #D55E00;}
@media print {
  @page {size: A4; margin: 15mm;}
  .sqolab-card {break-after: page; page-break-after: always; break-inside: avoid;
    border-width: 1px; max-width: none; margin: 0;}
}
</style>"""


@dataclass(frozen=True)
class Card:
    """One printable card: who holds it, its title and its HTML body."""

    role: str  # "buyer", "seller", "observer", "debrief"
    title: str
    body: str

    def html(self) -> str:
        """The card as a block that prints on its own page."""
        return (
            f"<section class='sqolab-card sqolab-{self.role}' "
            f"aria-label='{html.escape(self.title)}'>"
            f"<div class='sqolab-role'>{html.escape(self.role)}</div>"
            f"<h3>{html.escape(self.title)}</h3>{self.body}</section>"
        )


def _rows(items: dict[str, str]) -> str:
    cells = "".join(
        f"<tr><th scope='row'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in items.items()
    )
    return f"<table>{cells}</table>"


def _buyer_truth(case: Case) -> dict[str, str]:
    budget = (
        "No budget is set yet; you would have to find the money."
        if case.budget_eur is None
        else f"About EUR {case.budget_eur:,.0f} is set aside. Name it when asked how such projects "
        "are funded; deflect 'What's your budget?' unless you decide yourself."
    )
    authority = {
        "decision_maker": "You decide and sign.",
        "influencer": "You recommend; your managing director signs. Asked bluntly whether you "
        "decide, you say 'pretty much'.",
        "user": "You would use it; others decide. You are gathering information.",
        "unknown": "It is not settled who will sign; maybe the board.",
    }[case.authority]
    need = {
        "confirmed": "The problem costs you customers or money every month.",
        "latent": "The problem is annoying, but you get by.",
        "none": "You are only looking around; nothing hurts.",
        "unknown": "You are not sure yet whether it is a real problem.",
    }[case.need]
    timeline = (
        "No date is planned."
        if case.timeline_months is None
        else f"You want to decide within {case.timeline_months:g} months."
    )
    competition = (
        "You talk to nobody else; the alternative is to do nothing."
        if case.competitors == 0
        else f"You are also talking to {case.competitors} other vendor(s)."
    )
    return {
        "Budget": budget,
        "Authority": authority,
        "Need": need,
        "Timeline": timeline,
        "Competition": competition,
    }


def discovery_cards(context: str = "startup", seed: int = 1, n: int = 3) -> list[Card]:
    """Buyer and seller cards for ``n`` discovery role-plays (the same for the same seed)."""
    cases = draw_cases(shared_sample(context), context, n, seed=seed)
    cards = []
    for i, case in enumerate(cases, start=1):
        name, style = PERSONALITIES[zlib.crc32(case.lead_id.encode()) % len(PERSONALITIES)]
        buyer = {
            "You are": f"{case.contact_title} at {case.company}",
            "Personality": f"{name}. {style}",
            **_buyer_truth(case),
        }
        cards.append(
            Card(
                "buyer",
                f"Role-play {i}: the buyer (keep this card hidden)",
                _rows(buyer)
                + "<p>Answer truthfully, but only what you are asked. Open questions get full "
                "answers; blunt ones get short ones.</p>",
            )
        )
        cards.append(
            Card(
                "seller",
                f"Role-play {i}: the seller",
                _rows(case.briefing())
                + "<p><b>Your goal in 15 minutes:</b> find out budget, authority, need, timeline "
                "and competition; then decide SQO, nurture (with a date) or disqualify (with a "
                "reason), and write a handoff note with your confidence per criterion.</p>",
            )
        )
    return cards


def objection_cards() -> list[Card]:
    """Buyer and seller cards for the three typical objections."""
    cards = []
    for i, (line, truth, goal) in enumerate(OBJECTIONS, start=1):
        cards.append(
            Card(
                "buyer",
                f"Objection {i}: the buyer (keep this card hidden)",
                f"<p>Open with: <b>&ldquo;{html.escape(line)}&rdquo;</b></p>"
                f"<p>The truth behind it: {html.escape(truth)}</p>",
            )
        )
        cards.append(
            Card(
                "seller",
                f"Objection {i}: the seller",
                f"<p>The buyer will say: <b>&ldquo;{html.escape(line)}&rdquo;</b></p>"
                f"<p><b>Your goal:</b> {html.escape(goal)}</p>",
            )
        )
    return cards


def rubric_card() -> Card:
    """The observer's scorecard: 0-3 per criterion and for the next step."""
    head = "".join(f"<th scope='col'>{i}</th>" for i in range(4))
    rows = "".join(
        f"<tr><th scope='row'>{html.escape(r)}</th>" + "<td>&#9633;</td>" * 4 + "</tr>"
        for r in RUBRIC_ROWS
    )
    levels = "".join(f"<li>{html.escape(level)}</li>" for level in RUBRIC_LEVELS)
    return Card(
        "observer",
        "The observer's rubric",
        f"<table><tr><th scope='col'>criterion</th>{head}</tr>{rows}</table>"
        f"<p>Score each row:</p><ul>{levels}</ul>"
        "<p>Note one question that worked and one that did not.</p>",
    )


def debrief_card() -> Card:
    """The debrief guide for the trio after each role-play."""
    items = "".join(f"<li>{html.escape(q)}</li>" for q in DEBRIEF)
    return Card("debrief", "Debrief (5 minutes per role-play)", f"<ol>{items}</ol>")


def all_cards(context: str = "startup", seed: int = 1, n: int = 3) -> list[Card]:
    """Every card of a role-play session, in printing order."""
    return [*discovery_cards(context, seed, n), *objection_cards(), rubric_card(), debrief_card()]


def cards_html(cards: list[Card]) -> str:
    """The cards with their print style sheet: one card per A4 page when printed."""
    return CARD_CSS + "".join(card.html() for card in cards)
