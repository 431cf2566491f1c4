"""What a check shows: the placeholder ``____``, the four outcomes and their styled feedback.

A check has one of four outcomes (:class:`Status`): correct; incorrect with a specific message; not
attempted (the starter placeholder :data:`BLANK`, spelt ``____`` in the notebooks, is untouched);
error in the learner's own code. :class:`Feedback` is shown as escaped HTML with a plain-text
fallback: learner text never becomes markup.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import StrEnum

from sqolab.practice.cells import in_kernel


class _Blank:
    """The starter placeholder ``____``: a learner has not answered while a value is this object."""

    _instance: _Blank | None = None

    def __new__(cls) -> _Blank:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"

    def __bool__(self) -> bool:
        return False


BLANK = _Blank()
"""The placeholder of an unanswered question (the notebooks import it as ``____``)."""
____ = BLANK


def is_blank(value: object) -> bool:
    """True for the placeholder (also a tuple/list/dict of nothing but placeholders).

    Reads lists and dicts through the builtin methods: a learner's subclass runs no code here.
    """
    if value is BLANK:
        return True
    if isinstance(value, tuple):
        items = list(tuple.__iter__(value))
    elif isinstance(value, list):
        items = list(list.__iter__(value))
    elif isinstance(value, dict):
        items = list(dict.values(value))
    else:
        return False
    return bool(items) and all(v is BLANK for v in items)


# --------------------------------------------------------------------------------------------------
# Outcomes and their display
# --------------------------------------------------------------------------------------------------


class Status(StrEnum):
    """The four outcomes of a check."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not attempted"
    ERROR = "error"


# icon, label, border colour (Okabe-Ito), background: the label and icon carry the meaning too.
# The icons are plain symbols that every system font has (no emoji font needed); the hint and
# the solution have no such symbol, so their HTML draws one (_SVG) and their text shows the word.
_LOOK: dict[str, tuple[str, str, str, str]] = {
    Status.CORRECT: ("✔", "Correct", "#009E73", "#E8F6F1"),
    Status.INCORRECT: ("✘", "Not yet", "#D55E00", "#FCEFE6"),
    Status.NOT_ATTEMPTED: ("✎", "Not attempted", "#0072B2", "#E8F1F8"),
    Status.ERROR: ("⚠", "Error in your code", "#CC79A7", "#F9EEF4"),
    "hint": ("", "Hint", "#E69F00", "#FDF5E4"),
    "solution": ("", "Solution", "#555555", "#F3F3F3"),
    "info": ("ℹ", "Note", "#56B4E9", "#EEF7FC"),
}


_SVG_OPEN = (
    '<svg aria-hidden="true" focusable="false" width="1em" height="1em" viewBox="0 0 16 16" '
    'style="vertical-align:-0.125em">'
)
_SVG: dict[str, str] = {
    "hint": _SVG_OPEN  # a light bulb
    + '<path d="M8 1a5 5 0 0 0-3 9v2h6v-2a5 5 0 0 0-3-9z" fill="#E69F00"/>'
    '<rect x="5.5" y="13" width="5" height="2" rx="1" fill="#8a5f00"/></svg>',
    "solution": _SVG_OPEN  # an open book
    + '<path d="M1 3h5a2 2 0 0 1 2 2v9a2 2 0 0 0-2-2H1zM15 3h-5a2 2 0 0 0-2 2v9a2 2 0 0 1 '
    '2-2h5z" fill="#555555"/></svg>',
}


def _inline_html(text: str) -> str:
    """Escape ``text`` and turn `backticks` into <code> and blank lines into paragraphs."""
    escaped = html.escape(text)
    escaped = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", escaped)
    paragraphs = [p.replace("\n", "<br>") for p in escaped.split("\n\n")]
    return "".join(f'<p style="margin:0.3em 0">{p}</p>' for p in paragraphs)


@dataclass(frozen=True)
class Feedback:
    """Something shown to the learner: a styled HTML box with a plain-text fallback.

    ``message`` is plain text (`backticks` become code); ``code`` and ``details`` are shown in a
    monospace block. All of it is escaped: learner text never becomes markup.
    """

    kind: str  # a Status value, or "hint", "solution", "info"
    title: str
    message: str
    code: str = ""
    details: str = ""

    def text(self) -> str:
        """The plain-text version."""
        icon, label, _, _ = _LOOK[self.kind]
        lines = [f"{icon} {label}: {self.title}".strip().rstrip(": "), self.message]
        if self.code:
            lines.append(self.code)
        if self.details:
            lines.append(self.details)
        return "\n".join(line for line in lines if line)

    def html(self) -> str:
        """The HTML version (styled, accessible: icon and words, not colour alone)."""
        icon, label, border, background = _LOOK[self.kind]
        pre = (
            '<pre style="margin:0.4em 0;padding:0.4em;background:#fff;border:1px solid #ddd;'
            'white-space:pre-wrap;overflow-x:auto;color:#222">'
        )
        blocks = [
            '<div style="font-weight:bold;color:#222">'
            + (_SVG.get(self.kind) or f'<span aria-hidden="true">{icon}</span>')
            + " "
            + html.escape(label)
            + (f": {html.escape(self.title)}" if self.title else "")
            + "</div>",
            _inline_html(self.message) if self.message else "",
            f"{pre}{html.escape(self.code)}</pre>" if self.code else "",
            f"{pre}{html.escape(self.details)}</pre>" if self.details else "",
        ]
        return (
            f'<div class="sqolab-feedback sqolab-{html.escape(self.kind).replace(" ", "-")}" '
            f'role="status" style="border-left:6px solid {border};background:{background};'
            f'color:#222;padding:0.5em 0.8em;margin:0.4em 0;border-radius:4px">'
            + "".join(blocks)
            + "</div>"
        )

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": self.html()}

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Result(Feedback):
    """The outcome of one check of one question."""

    question: str = ""

    @property
    def status(self) -> Status:
        """The outcome (correct, incorrect, not attempted, error)."""
        return Status(self.kind)

    @property
    def correct(self) -> bool:
        """True when the answer is correct."""
        return self.kind == Status.CORRECT


def show(item: object) -> None:
    """Display in a notebook (HTML with a text fallback); print plain text anywhere else."""
    if in_kernel():
        from IPython.display import display

        display(item)
    else:
        print(str(item))
