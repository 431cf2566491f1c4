"""The progress store: each check's outcome kept in a local JSON file, never downgraded.

Progress is kept in ``~/.sqolab/progress.json`` (or the path in ``SQOLAB_PROGRESS``) and shown by
:func:`progress`; nothing leaves the machine. When ``SQOLAB_RESULTS`` names a file, each outcome is
also appended to it as a JSON line for the instructors' grading helper
(:mod:`sqolab.practice.grading`). The exercise modules register their questions in
:data:`REGISTRY` (through :class:`sqolab.practice.checks.Exercise`), so this store never imports
the course's exercises.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sqolab.practice.cells import in_kernel
from sqolab.practice.feedback import Feedback, Result, Status


def progress_path() -> Path:
    """Where progress is kept: ``$SQOLAB_PROGRESS`` or ``~/.sqolab/progress.json``."""
    custom = os.environ.get("SQOLAB_PROGRESS")
    return Path(custom) if custom else Path.home() / ".sqolab" / "progress.json"


def load_progress() -> dict[str, dict[str, Any]]:
    """The recorded progress: question id -> {"status", "solved", "time", "last_tried", ...}."""
    try:
        data = json.loads(progress_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def update_progress(question: str, **changes: Any) -> None:
    """Merge ``changes`` into one question's entry; a file that cannot be written is skipped.

    Never downgrades: a solved question stays solved with its first solved time, and the hint
    count only grows.
    """
    data = load_progress()
    entry = dict(data[question]) if isinstance(data.get(question), dict) else {}
    if "hints" in changes:
        changes["hints"] = max(int(changes["hints"]), int(entry.get("hints", 0) or 0))
    entry.update(changes)
    data[question] = entry
    path = progress_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


def note_attempt(question: str) -> None:
    """Count one judged answer of ``question`` (until it is solved): guessing shows in progress.

    Counted in a learner's kernel only: the instructors' grader judges answers in plain Python
    and must not write into the instructor's own progress.
    """
    if not in_kernel():
        return
    entry = load_progress().get(question)
    entry = entry if isinstance(entry, dict) else {}
    if entry.get("solved"):
        return
    update_progress(question, attempts=int(entry.get("attempts", 0) or 0) + 1)


def note_solution_viewed(question: str, implicit: bool = False) -> None:
    """Record that the solution of ``question`` was shown (``implicit``: its expected value was
    read, e.g. ``q1.question.expected()``, recorded in a learner's kernel only, as attempts are)."""
    if implicit and not in_kernel():
        return
    update_progress(question, solution_viewed=True)


def _record_progress(result: Result) -> None:
    """Keep a check's outcome without ever downgrading what was achieved.

    "Not attempted" is not written at all (running a blank notebook, e.g. to build the book,
    leaves progress as it was). Once solved, a question stays solved with its first solved time;
    later checks only update ``last_tried``.
    """
    status = result.status
    if status is Status.NOT_ATTEMPTED:
        return
    entry = load_progress().get(result.question)
    solved = isinstance(entry, dict) and bool(entry.get("solved"))
    now = _now()
    if solved:
        update_progress(result.question, last_tried=now)
    elif status is Status.CORRECT:
        update_progress(result.question, status=str(status), solved=True, time=now, last_tried=now)
    else:
        update_progress(result.question, status=str(status), time=now, last_tried=now)


def record(result: Result) -> None:
    """Keep a check's outcome: in the progress file and, for grading, in ``$SQOLAB_RESULTS``."""
    _record_progress(result)
    results = os.environ.get("SQOLAB_RESULTS")
    if results:
        line = {
            "question": result.question,
            "outcome": str(result.status),
            "message": result.message,
        }
        try:
            with open(results, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(line) + "\n")
        except OSError:
            pass


def display_path(path: Path) -> str:
    """``path`` for display: under the home directory as ``~/...``, never the absolute home."""
    try:
        return "~/" + path.expanduser().resolve().relative_to(Path.home().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return str(path)


REGISTRY: dict[str, str] = {}
"""Every question declared so far: id -> its task (the exercise modules register theirs)."""


def register(question_id: str, task: str = "") -> None:
    """Declare a question, so that :func:`progress` lists it before it is first tried."""
    REGISTRY[question_id] = task


def progress_table(questions: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per question: done ("solved", "tried", "not started"), best outcome, attempts,
    hints used and whether the solution was viewed.

    ``attempts`` counts the answers judged until the question was solved (many attempts suggest
    guessing); ``when`` is the first time it was solved (else the latest check); ``last tried``
    the latest check, the one that solved it included.
    """
    data = load_progress()
    ids = list(questions) if questions is not None else sorted(set(REGISTRY) | set(data))
    rows = []
    for qid in ids:
        entry = data.get(qid, {})
        entry = entry if isinstance(entry, dict) else {}
        solved = bool(entry.get("solved"))
        tried = solved or entry.get("status") in (Status.INCORRECT, Status.ERROR)
        rows.append(
            {
                "question": qid,
                "done": "✔ solved" if solved else ("✘ tried" if tried else "– not started"),
                "outcome": str(Status.CORRECT) if solved else entry.get("status", ""),
                "attempts": int(entry.get("attempts", 0) or 0),
                "hints": int(entry.get("hints", 0) or 0),
                "solution viewed": "yes" if entry.get("solution_viewed") else "",
                "when": entry.get("time", ""),
                "last tried": entry.get("last_tried", ""),
            }
        )
    columns = [
        "question",
        "done",
        "outcome",
        "attempts",
        "hints",
        "solution viewed",
        "when",
        "last tried",
    ]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class ProgressReport:
    """The progress table, shown as HTML with a text fallback."""

    table: pd.DataFrame

    def text(self) -> str:
        """Plain-text summary and table."""
        solved = int(self.table["done"].str.startswith("✔").sum())
        head = (
            f"Progress: {solved} of {len(self.table)} questions solved (kept on this computer "
            f"only, in {display_path(progress_path())})."
        )
        return head + "\n" + self.table.to_string(index=False)

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        solved = int(self.table["done"].str.startswith("✔").sum())
        body = Feedback(
            "info",
            "your progress",
            f"{solved} of {len(self.table)} questions solved. Kept on this computer only, in "
            f"`{display_path(progress_path())}`.",
        ).html()
        return {"text/plain": self.text(), "text/html": body + self.table.to_html(index=False)}

    def __str__(self) -> str:
        return self.text()


def progress(chapter: str | None = None) -> ProgressReport:
    """Show which questions are done (all chapters, or one chapter id); local data only.

    Lists the questions registered so far: importing any chapter's questions registers every
    chapter's (``sqolab.practice.exercises`` imports them all).
    """
    ids = [q for q in REGISTRY if chapter is None or q.startswith(f"{chapter}.")]
    return ProgressReport(progress_table(ids))
