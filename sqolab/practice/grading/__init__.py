"""Grading helper for instructors: run submitted notebooks, contained, and tabulate the outcomes.

``python -m sqolab.practice.grading FOLDER -o results.csv`` grades every ``*.ipynb`` in FOLDER
and writes one CSV row per learner (the file stem) and question: ``learner, question, outcome,
message``. Outcomes: "correct", "incorrect", "not attempted", "error", or "not answered" when the
notebook never sets the question's variable; a notebook that cannot be run, or that stopped early,
also gets a row with the question "(notebook)".

**Submitted notebooks are untrusted code.** The grader

1. reads every submission into memory first (regular files only, bounded in size), so a notebook
   that rewrites another learner's file on disk changes nothing that is graded;
2. runs each notebook on its own copy, in its own temporary folder, with a minimal environment,
   a wall-clock limit for the whole notebook, memory, CPU and process limits, as an unprivileged
   user when the grader runs as root, and kills every process the notebook started
   (:mod:`sqolab.practice.grading.sandbox`, :mod:`sqolab.practice.grading.worker`);
3. never trusts what the kernel says about its own checks: it asks the kernel only for the
   learner's answers, as plain data, and judges them itself with the course's questions
   (:mod:`sqolab.practice.grading.answers`); the result travels on the worker's stdout behind a
   random nonce the notebook never sees, not through a file;
4. writes the CSV row by row (one notebook's trouble never costs the class its results), with
   every cell a learner controls neutralised so a spreadsheet shows it as text
   (:func:`~sqolab.practice.grading.untrusted.csv_safe`).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqolab.practice.grading.answers import NOT_ANSWERED, REPORT_DEPTH, CellRun, judge
from sqolab.practice.grading.sandbox import Limits, run_contained
from sqolab.practice.grading.untrusted import (
    UntrustedFileError,
    csv_safe,
    loads_json,
    read_regular_file,
)

CSV_COLUMNS = ("learner", "question", "outcome", "message")
NOTEBOOK_ROW = "(notebook)"
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
"""Larger submissions are not run (an exercise notebook without outputs is well under 1 MB)."""

__all__ = [
    "CSV_COLUMNS",
    "NOT_ANSWERED",
    "Execution",
    "Limits",
    "Row",
    "execute_notebook",
    "grade_folder",
    "main",
    "run_notebook",
    "write_csv",
]


@dataclass(frozen=True)
class Row:
    """One learner's outcome for one question."""

    learner: str
    question: str
    outcome: str
    message: str = ""


@dataclass(frozen=True)
class Submission:
    """A notebook as read before any learner code ran: its learner, and its bytes or a problem."""

    learner: str
    data: bytes = b""
    problem: str = ""


def snapshot(folder: str | Path) -> list[Submission]:
    """Every ``*.ipynb`` in ``folder`` (sorted), read now: regular files of bounded size only."""
    submissions = []
    with os.scandir(folder) as entries:
        names = sorted(e.name for e in entries if e.name.endswith(".ipynb"))
    for name in names:
        learner = name[: -len(".ipynb")]
        try:
            data = read_regular_file(Path(folder) / name, MAX_NOTEBOOK_BYTES)
        except UntrustedFileError as error:
            submissions.append(Submission(learner, problem=f"cannot read the notebook: {error}"))
            continue
        submissions.append(Submission(learner, data))
    return submissions


def _parse_notebook(data: bytes) -> Any:
    """The notebook in ``data`` (nbformat 4), or UntrustedFileError saying why not."""
    import nbformat

    loads_json(data)  # valid UTF-8 JSON of bounded nesting before nbformat's parser sees it
    try:
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises many kinds for a file that is not a notebook
        raise UntrustedFileError(f"not a Jupyter notebook ({str(error)[:120]})") from None
    return notebook


def _expected_questions(notebook: object) -> list[str]:
    """The question ids of the notebook's chapter (from the metadata the build script writes)."""
    chapter = getattr(notebook, "metadata", {}).get("sqolab", {}).get("chapter")
    if not isinstance(chapter, str) or not chapter:
        return []
    from sqolab.practice.exercises import CHAPTERS, questions

    return [q.id for q in questions(chapter)] if chapter in CHAPTERS else []


@dataclass
class Execution:
    """A notebook after its run: the cells' runs, each question's (outcome, message), a failure."""

    notebook: Any
    outcomes: dict[str, tuple[str, str]]
    failure: str = ""  # why the run stopped early (time limit, dead kernel, unreadable file)
    cells: list[CellRun] = field(default_factory=list)

    def error_cells(self) -> int:
        """How many code cells raised an error."""
        return sum(bool(cell.error) for cell in self.cells)


def _worker_result(stdout: bytes, nonce: str) -> dict[str, Any]:
    """The worker's result: the one stdout line that starts with the nonce, parsed defensively."""
    prefix = nonce.encode() + b" "
    lines = [line for line in stdout.splitlines() if line.startswith(prefix)]
    if len(lines) != 1:
        raise UntrustedFileError("the notebook's run gave no result")
    result = loads_json(lines[0][len(prefix) :], max_depth=8)
    if not isinstance(result, dict):
        raise UntrustedFileError("the notebook's run gave a malformed result")
    return result


def _cell_runs(notebook: Any, reported: Any) -> list[CellRun]:
    """The code cells of the notebook as read before the run, with what the worker reported."""
    by_index = {}
    for item in reported if isinstance(reported, list) else []:
        if isinstance(item, dict) and isinstance(item.get("index"), int):
            by_index[item["index"]] = item
    runs = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        item = by_index.get(index, {})
        runs.append(CellRun(cell.source, bool(item.get("ran")), str(item.get("error") or "")))
    return runs


def _run(notebook: Any, questions: list[str], limits: Limits) -> Execution:
    """Run one parsed notebook contained and judge its answers (see the module doc)."""
    import nbformat

    from sqolab.practice.exercises import question

    folder = Path(tempfile.mkdtemp(prefix="sqolab-grade-"))
    try:
        copy = folder / "notebook.ipynb"
        copy.write_text(nbformat.writes(notebook), encoding="utf-8")
        nonce = secrets.token_hex(16)
        task = {
            "nonce": nonce,
            "notebook": str(copy),
            "folder": str(folder),
            "questions": questions,
            "seconds": limits.seconds,
            "cell_seconds": limits.cell_seconds,
            "startup_seconds": limits.startup_seconds,
            "answer_seconds": limits.answer_seconds,
        }
        finished = run_contained(
            [sys.executable, "-m", "sqolab.practice.grading.worker"],
            json.dumps(task).encode(),
            folder,
            limits,
            marker=secrets.token_hex(8),
        )
    finally:
        _remove(folder)
    try:
        result = _worker_result(finished.stdout, nonce)
    except UntrustedFileError as error:
        why = "it was stopped at the time limit" if finished.returncode is None else ""
        tail = finished.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        detail = why or (tail[0][:200] if tail else f"exit code {finished.returncode}")
        outcomes = {q: ("error", f"No answers: {error} ({detail}).") for q in questions}
        return Execution(notebook, outcomes, f"The notebook's run failed: {error} ({detail}).")
    cells = _cell_runs(notebook, result.get("cells"))
    failure = str(result.get("failure") or "")[:500]
    answers: Any = None
    problem = str(result.get("answers_problem") or "")[:300]
    if isinstance(result.get("answers"), str):
        try:
            answers = loads_json(result["answers"], max_depth=REPORT_DEPTH)
        except UntrustedFileError as error:
            problem = f"the answers could not be read ({error})"
    if not isinstance(answers, dict):
        answers = None
    outcomes = {}
    for question_id in questions:
        q = question(question_id)
        outcome = judge(q, answers if answers is not None else {}, cells)
        if answers is None and outcome[0] != NOT_ANSWERED:
            outcome = ("error", f"No answers: {problem or 'the notebook gave none'}.")
        outcomes[question_id] = outcome
    return Execution(notebook, outcomes, failure, cells)


def _remove(folder: Path) -> None:
    """Delete a run's folder, even when the notebook made parts of it read-only."""

    def retry(function: Any, path: str, _error: Any) -> None:
        try:
            os.chmod(path, stat.S_IRWXU)
            function(path)
        except OSError:
            pass

    shutil.rmtree(folder, onerror=retry)


def execute_notebook(
    path: str | Path, timeout: float = 300, limits: Limits | None = None
) -> Execution:
    """Run one notebook file contained (``timeout``: seconds for the whole notebook); judge it."""
    limits = limits or Limits(seconds=timeout)
    try:
        notebook = _parse_notebook(read_regular_file(path, MAX_NOTEBOOK_BYTES))
    except UntrustedFileError as error:
        return Execution(None, {}, f"cannot read the notebook: {error}")
    return _run(notebook, _expected_questions(notebook), limits)


def grade_submission(submission: Submission, limits: Limits) -> list[Row]:
    """One row per question of one submission, and a "(notebook)" row when it stopped early."""
    learner = submission.learner
    if submission.problem:
        return [Row(learner, NOTEBOOK_ROW, "error", submission.problem)]
    try:
        notebook = _parse_notebook(submission.data)
    except UntrustedFileError as error:
        return [Row(learner, NOTEBOOK_ROW, "error", f"cannot read the notebook: {error}")]
    questions = _expected_questions(notebook)
    if not questions:
        return [Row(learner, NOTEBOOK_ROW, "error", "not an exercise notebook of the course")]
    try:
        run = _run(notebook, questions, limits)
    except Exception as error:  # the grader's own trouble with one notebook stays with it
        return [Row(learner, NOTEBOOK_ROW, "error", f"could not be graded: {error}")]
    rows = [Row(learner, q, *run.outcomes[q]) for q in questions]
    if run.failure:
        rows.append(Row(learner, NOTEBOOK_ROW, "error", run.failure))
    return rows


def run_notebook(path: str | Path, timeout: float = 300, limits: Limits | None = None) -> list[Row]:
    """Grade one notebook file: one row per question (and "(notebook)" when it stopped early)."""
    path = Path(path)
    learner = path.stem
    try:
        submission = Submission(learner, read_regular_file(path, MAX_NOTEBOOK_BYTES))
    except UntrustedFileError as error:
        submission = Submission(learner, problem=f"cannot read the notebook: {error}")
    return grade_submission(submission, limits or Limits(seconds=timeout))


def grade_folder(
    folder: str | Path, timeout: float = 300, limits: Limits | None = None
) -> Iterator[Row]:
    """Grade every notebook in ``folder`` (read first, then run one by one), yielding rows."""
    limits = limits or Limits(seconds=timeout)
    for submission in snapshot(folder):
        yield from grade_submission(submission, limits)


def _writer(handle: TextIO) -> Any:
    writer = csv.writer(handle)
    writer.writerow(CSV_COLUMNS)
    return writer


def _write_row(writer: Any, row: Row) -> None:
    writer.writerow(
        [csv_safe(row.learner), csv_safe(row.question), row.outcome, csv_safe(row.message)]
    )


def write_csv(rows: Iterable[Row], output: str | Path) -> int:
    """Write the rows as CSV as they come (flushed row by row); returns how many were written."""
    count = 0
    with open(output, "w", newline="", encoding="utf-8") as handle:
        writer = _writer(handle)
        for row in rows:
            _write_row(writer, row)
            handle.flush()
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    """Command line: grade a folder of notebooks into a CSV file."""
    parser = argparse.ArgumentParser(
        prog="python -m sqolab.practice.grading",
        description=(
            "Run submitted exercise notebooks, each contained (own folder, minimal environment, "
            "time, memory and process limits), and write each learner's outcomes as CSV."
        ),
    )
    parser.add_argument("folder", type=Path, help="folder with the submitted .ipynb files")
    parser.add_argument("-o", "--output", type=Path, default=Path("results.csv"))
    parser.add_argument("--timeout", type=float, default=300, help="seconds for a whole notebook")
    parser.add_argument("--cell-timeout", type=float, default=None, help="seconds per cell")
    parser.add_argument(
        "--memory-mb", type=int, default=Limits.memory_mb, help="memory per process"
    )
    parser.add_argument("--processes", type=int, default=Limits.processes, help="process limit")
    parser.add_argument("--user", default=None, help="run notebooks as this user (root only)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    limits = Limits(
        seconds=args.timeout,
        cell_seconds=args.cell_timeout,
        memory_mb=args.memory_mb,
        processes=args.processes,
        user=args.user,
    )
    if hasattr(os, "geteuid") and os.geteuid() == 0 and args.user is None:
        print(
            "warning: the notebooks run as root; pass --user NAME to run them as an unprivileged "
            "user (see the instructors' guide, 'Grading submitted notebooks').",
            file=sys.stderr,
        )
    learners: set[str] = set()
    correct = 0

    def counted(rows: Iterable[Row]) -> Iterator[Row]:
        nonlocal correct
        for row in rows:
            learners.add(row.learner)
            correct += row.outcome == "correct"
            yield row

    write_csv(counted(grade_folder(args.folder, limits=limits)), args.output)
    print(f"{len(learners)} notebooks, {correct} correct answers: wrote {args.output}")
    return 0
