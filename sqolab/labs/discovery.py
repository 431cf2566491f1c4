"""Lab 7: the discovery call. Ask, decide, hand over, then see the truth (mouse and keyboard only).

The lab holds one :class:`~sqolab.engine.calls.Call` per case; everything it shows comes from the
engine (:mod:`sqolab.engine.discovery`, :mod:`sqolab.engine.calls`). A workshop gives every team the
same case set by the same "case set number" (the seed).
"""

from __future__ import annotations

import html
import logging
from typing import Any

import ipywidgets as widgets
import pandas as pd

from sqolab.data.contexts import PROFILES
from sqolab.data.samples import shared_sample
from sqolab.data.schema import CONTEXTS
from sqolab.engine.calls import Call, CallError, Decision, Note, Reveal, calibration, reveal
from sqolab.engine.discovery import CASES_PER_SET, CONFIDENCES, REASON_CODES, Case, draw_cases
from sqolab.engine.questions import CALL_CRITERIA, QUESTIONS
from sqolab.figures.discovery import calibration_figure, figure_png
from sqolab.labs.html import LAB_CSS, LIVE_CSS

logger = logging.getLogger("sqolab.labs")

CRITERION_TITLES = {
    "budget": "Budget",
    "authority": "Authority",
    "need": "Need",
    "timeline": "Timeline",
    "competition": "Competition",
    None: "Rapport and pitch",
}
VERDICT_TITLES = (
    ("SQO: hand over to sales", "sqo"),
    ("Nurture", "nurture"),
    ("Disqualify", "disqualify"),
)
_FULL = widgets.Layout(width="100%")


def _table(rows: dict[str, str], caption: str) -> str:
    body = "".join(
        f"<tr><th scope='row'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in rows.items()
    )
    return f"<table class='sqolab-table'><caption>{html.escape(caption)}</caption>{body}</table>"


class DiscoveryLab(widgets.VBox):
    """Play discovery calls on simulated leads; the reveal shows what was true."""

    title = "Lab 7: The discovery call"

    def __init__(self, context: str = "startup", seed: int = 1, language: str = "en") -> None:
        super().__init__()
        if context not in CONTEXTS:
            raise ValueError(f"Unknown context {context!r}; use one of {', '.join(CONTEXTS)}.")
        self.add_class("sqolab-lab")
        self.context_box = widgets.Dropdown(
            options=[(PROFILES[c].title, c) for c in CONTEXTS],
            value=context,
            description="Business",
            style={"description_width": "initial"},
        )
        self.seed_box = widgets.BoundedIntText(
            value=seed,
            min=1,
            max=9999,
            description="Case set number (the same for every team)",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="340px"),
        )
        self.language_box = widgets.ToggleButtons(
            options=[("English", "en"), ("Deutsch", "de")], value=language, description="Language"
        )
        self.case_box = widgets.ToggleButtons(
            options=[(str(i + 1), i) for i in range(CASES_PER_SET)],
            description="Case",
            style={"button_width": "60px"},
        )
        self.briefing = widgets.HTML()
        self.clock = widgets.HTML()
        self.transcript = widgets.HTML()
        self.message = widgets.HTML()
        self.buttons: dict[str, widgets.Button] = {}
        groups = []
        for criterion in (*CALL_CRITERIA, None):
            row = []
            for q in QUESTIONS:
                if q.criterion != criterion:
                    continue
                button = widgets.Button(
                    description=f"{q.en} ({q.minutes} min)",
                    tooltip=f"{q.en} / {q.de} ({q.minutes} minutes)",
                    layout=widgets.Layout(width="auto", height="auto"),
                )
                button.key = q.key
                button.on_click(self._ask_clicked)
                self.buttons[q.key] = button
                row.append(button)
            groups.append(
                widgets.VBox(
                    [widgets.HTML(f"<b>{CRITERION_TITLES[criterion]}</b>"), *row],
                    layout=widgets.Layout(margin="0 0 6px 0"),
                )
            )
        self.verdict = widgets.ToggleButtons(
            options=VERDICT_TITLES, value="sqo", style={"button_width": "auto"}
        )
        self.reason = widgets.Dropdown(
            options=[(f"{k.replace('_', ' ')}: {v}", k) for k, v in REASON_CODES.items()],
            description="Reason",
            layout=_FULL,
        )
        self.recontact = widgets.IntSlider(
            value=3,
            min=1,
            max=12,
            description="Call again in (months)",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="460px"),
        )
        self.win = widgets.IntSlider(
            value=30,
            min=0,
            max=100,
            step=5,
            description="Win probability if worked (%)",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="460px"),
        )
        self.notes = {
            c: widgets.Text(
                description=CRITERION_TITLES[c],
                placeholder="what you learned, e.g. 20000, decision_maker, confirmed, unknown",
                layout=widgets.Layout(width="520px"),
            )
            for c in CALL_CRITERIA
        }
        self.confidence = {
            c: widgets.Dropdown(
                options=CONFIDENCES,
                value="medium",
                description="sure?",
                layout=widgets.Layout(width="170px"),
            )
            for c in CALL_CRITERIA
        }
        self.fill_button = widgets.Button(
            description="Fill the note from what I heard", layout=widgets.Layout(width="auto")
        )
        self.fill_button.on_click(lambda _b: self.fill_notes())
        self.submit = widgets.Button(description="Decide and reveal", button_style="primary")
        self.submit.on_click(lambda _b: self.decide())
        self.reveal_box = widgets.HTML()
        self.summary = widgets.HTML()
        decision = widgets.VBox(
            [
                widgets.HTML("<h4>Your decision and handoff note</h4>"),
                self.verdict,
                self.reason,
                self.recontact,
                self.win,
                self.fill_button,
                *[widgets.HBox([self.notes[c], self.confidence[c]]) for c in CALL_CRITERIA],
                self.submit,
            ]
        )
        self.children = [
            widgets.HTML(LAB_CSS + LIVE_CSS),
            widgets.HBox([self.context_box, self.seed_box]),
            self.language_box,
            self.case_box,
            self.briefing,
            self.clock,
            widgets.HTML("<h4>Ask (each question costs minutes of the call)</h4>"),
            widgets.VBox(groups),
            widgets.HTML("<h4>The call so far</h4>"),
            self.transcript,
            self.message,
            decision,
            self.reveal_box,
            self.summary,
        ]
        for box in (self.context_box, self.seed_box):
            box.observe(lambda _c: self.new_set(), names="value")
        self.case_box.observe(lambda _c: self._case_changed(), names="value")
        self.language_box.observe(lambda _c: self.show(), names="value")
        self.verdict.observe(lambda _c: self._verdict_changed(), names="value")
        self.new_set()

    # -- state --------------------------------------------------------------------------------

    @property
    def leads(self) -> pd.DataFrame:
        """The pipeline the cases are drawn from (the shared sample: never modified here)."""
        return shared_sample(self.context_box.value)

    def new_set(self) -> None:
        """Draw the case set of the chosen business and number, and start at case 1."""
        self.cases: list[Case] = draw_cases(
            self.leads, self.context_box.value, CASES_PER_SET, seed=int(self.seed_box.value)
        )
        self.calls: list[Call] = [Call(c) for c in self.cases]
        self.reveals: list[Reveal | None] = [None] * len(self.cases)
        self.decisions: list[Decision | None] = [None] * len(self.cases)
        if self.case_box.value != 0:
            self.case_box.value = 0  # shows case 1
        else:
            self._case_changed()

    @property
    def call(self) -> Call:
        """The call of the case on screen."""
        return self.calls[self.case_box.value]

    # -- actions ------------------------------------------------------------------------------

    def _ask_clicked(self, button: widgets.Button) -> None:
        self.ask(button.key)

    def ask(self, key: str) -> None:
        """Ask question ``key`` in the current call (a refused question says why)."""
        self.call.language = self.language_box.value
        try:
            self.call.ask(key)
        except CallError as exc:
            self._say(str(exc))
        else:
            self._say("")
        self.show()

    def fill_notes(self) -> None:
        """Write what the call revealed into the handoff note (the learner can change it)."""
        for criterion, found in self.call.knowledge().items():
            if found.open_to_buyer:
                text = "unknown"
            elif found.level is not None:
                text = found.level
            elif found.low is not None and found.high is not None and found.high < float("inf"):
                text = f"{(found.low + found.high) / 2:.0f}"
            else:
                text = f"at least {found.low:.0f}"
            self.notes[criterion].value = text

    def decide(self) -> None:
        """Submit the decision of the current case and show the reveal."""
        i = self.case_box.value
        verdict = self.verdict.value
        try:
            decision = Decision(
                verdict=verdict,
                win_probability=self.win.value / 100,
                reason=self.reason.value if verdict == "disqualify" else None,
                recontact_months=self.recontact.value if verdict == "nurture" else None,
                notes={
                    c: Note(self.notes[c].value, self.confidence[c].value)
                    for c in CALL_CRITERIA
                    if self.notes[c].value.strip()
                },
            )
            result = reveal(self.call, decision, self.leads)
        except CallError as exc:
            self._say(str(exc))
            return
        except Exception as exc:  # never a traceback in the lab
            logger.exception("discovery reveal failed")
            self._say(f"This decision could not be evaluated ({type(exc).__name__}).")
            return
        self.decisions[i], self.reveals[i] = decision, result
        self._say("")
        self.show()

    # -- views --------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message.value = (
            f"<div class='sqolab-error' role='alert'>{html.escape(text)}</div>" if text else ""
        )

    def _case_changed(self) -> None:
        """Show the decision panel of the chosen case: its decision, or a fresh one."""
        decision = self.decisions[self.case_box.value]
        for c in CALL_CRITERIA:
            note = decision.notes.get(c) if decision else None
            self.notes[c].value = note.value if note else ""
            self.confidence[c].value = note.confidence if note else "medium"
        if decision is not None:
            self.verdict.value = decision.verdict
            self.win.value = round(decision.win_probability * 100)
        self._say("")
        self.show()

    def _verdict_changed(self) -> None:
        self.reason.layout.display = None if self.verdict.value == "disqualify" else "none"
        self.recontact.layout.display = None if self.verdict.value == "nurture" else "none"

    def show(self) -> None:
        """Update every view from the engine's state."""
        call, i = self.call, self.case_box.value
        language = self.language_box.value
        self.briefing.value = _table(call.case.briefing(), f"Case {i + 1}: before the call")
        self.clock.value = (
            f"<p role='status' aria-live='polite'><b>{call.minutes_left} of {call.minutes} "
            "minutes left</b> in this call.</p>"
        )
        done = self.reveals[i] is not None
        for key, button in self.buttons.items():
            q = next(q for q in QUESTIONS if q.key == key)
            button.description = f"{q.text(language)} ({q.minutes} min)"
            button.disabled = done or not call.can_ask(key)
        lines = "".join(
            f"<li><b>{html.escape(next(q for q in QUESTIONS if q.key == k).text(call.language))}"
            f"</b><br>{html.escape(f.answer)}</li>"
            for k, f in call.asked
        )
        self.transcript.value = f"<ol>{lines}</ol>" if lines else "<p>Nothing asked yet.</p>"
        self.submit.disabled = done
        self._verdict_changed()
        self.reveal_box.value = self._reveal_html(self.reveals[i])
        self.summary.value = self._summary_html()

    def _reveal_html(self, result: Reveal | None) -> str:
        if result is None:
            return ""
        items = "".join(f"<li>{html.escape(line)}</li>" for line in result.lines())
        return (
            "<div role='status' aria-live='polite'><h4>The reveal</h4>"
            + _table({k.capitalize(): v for k, v in result.truth.items()}, "What was true")
            + f"<ul>{items}</ul></div>"
        )

    def _summary_html(self) -> str:
        done = [(d, r) for d, r in zip(self.decisions, self.reveals, strict=True) if r is not None]
        if not done:
            return ""
        brier, table = calibration(
            [d.win_probability for d, _ in done], [r.outcome == "won" for _, r in done]
        )
        figure = calibration_figure(table, brier)
        png = figure_png(figure)
        total = sum(r.value_eur for _, r in done)
        best = sum(r.best_value_eur for _, r in done)
        off: dict[str, int] = {}
        for _, r in done:
            for c in r.misjudged:
                off[c] = off.get(c, 0) + 1
        worst = ", ".join(f"{c} ({n}x)" for c, n in sorted(off.items(), key=lambda x: -x[1]))
        alt = (
            f"Calibration chart of {len(done)} decided cases: your win probabilities against the "
            f"share won; Brier score {brier:.3f}."
        )
        return (
            f"<h4>Across your {len(done)} decided case(s) of {len(self.cases)}</h4>"
            f"<p>Value of your decisions: EUR {total:,.0f}; best with hindsight: EUR {best:,.0f}. "
            f"Brier score of your win probabilities: {brier:.3f}. "
            + (f"Handoff notes were off on: {html.escape(worst)}." if worst else "")
            + f"</p><img alt='{html.escape(alt)}' src='data:image/png;base64,{png}' "
            "style='max-width:100%'>"
            "<p><i>A third of each case set would be won if worked, more than in the pipeline, "
            "so every set has wins to find.</i></p>"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        questions = "".join(f"<li>{html.escape(q.en)} ({q.minutes} min)</li>" for q in QUESTIONS)
        bundle["text/html"] = (
            f"<div class='sqolab-snapshot'>{self.briefing.value}<p>{self.clock.value}</p>"
            f"<p>Questions you can ask:</p><ul>{questions}</ul></div>"
        )
        return bundle


def discovery_lab(context: str = "startup", seed: int = 1, language: str = "en") -> DiscoveryLab:
    """Build Lab 7 (the discovery call) for ``context`` with case set ``seed``."""
    return DiscoveryLab(context=context, seed=seed, language=language)
