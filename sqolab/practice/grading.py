"""Grading helper for instructors: run submitted exercise notebooks and tabulate the outcomes.

``python -m sqolab.practice.grading FOLDER -o results.csv`` runs every ``*.ipynb`` in FOLDER with
nbclient (a timeout per cell, continuing after errors, so one broken cell does not hide the rest)
and writes one CSV row per learner (the file stem) and question: ``learner, question, outcome,
message``. The outcome is the last check of that question in the notebook ("correct",
"incorrect", "not attempted", "error"), or "not checked" when its check never ran; a notebook
that cannot be run at all gets one row with the question "(notebook)".

Outcomes travel from the kernel through the file named by ``SQOLAB_RESULTS`` (see
:mod:`sqolab.practice.checks`). Learners' progress files are not touched: the run uses a temporary
``SQOLAB_PROGRESS``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NOT_CHECKED = "not checked"
CSV_COLUMNS = ("learner", "question", "outcome", "message")


@dataclass(frozen=True)
class Row:
    """One learner's outcome for one question."""

    learner: str
    question: str
    outcome: str
    message: str = ""


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for the kernels started inside the block."""
    old = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _expected_questions(notebook: object) -> list[str]:
    """The question ids of the notebook's chapter (from the metadata the build script writes)."""
    chapter = getattr(notebook, "metadata", {}).get("sqolab", {}).get("chapter")
    if not chapter:
        return []
    from sqolab.practice.exercises import CHAPTERS, questions

    return [q.id for q in questions(chapter)] if chapter in CHAPTERS else []


@dataclass
class Execution:
    """A notebook after running: the notebook with outputs, the outcomes, and any failure."""

    notebook: Any
    outcomes: dict[str, tuple[str, str]]  # question -> (outcome, message) of its last check
    failure: str = ""  # why the run stopped early (timeout, dead kernel, unreadable file)

    def error_cells(self) -> int:
        """How many code cells raised an error."""
        cells = getattr(self.notebook, "cells", [])
        return sum(
            any(o.get("output_type") == "error" for o in c.get("outputs", [])) for c in cells
        )


def execute_notebook(path: str | Path, timeout: int = 300) -> Execution:
    """Run a notebook with nbclient (errors allowed) and collect its check outcomes."""
    import nbclient
    import nbformat

    path = Path(path)
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # unreadable JSON, wrong format
        return Execution(None, {}, f"cannot read the notebook: {error}")
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.jsonl"
        env = {"SQOLAB_RESULTS": str(results), "SQOLAB_PROGRESS": str(Path(tmp) / "p.json")}
        failure = ""
        with _environment(**env):
            client = nbclient.NotebookClient(
                notebook,
                timeout=timeout,
                allow_errors=True,
                kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
            )
            try:
                client.execute()
            except Exception as error:  # a timeout or a dead kernel stops the notebook
                failure = f"{type(error).__name__}: {str(error).strip().splitlines()[0][:200]}"
        outcomes: dict[str, tuple[str, str]] = {}
        if results.exists():
            for line in results.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                outcomes[record["question"]] = (record["outcome"], record.get("message", ""))
    return Execution(notebook, outcomes, failure)


def run_notebook(path: str | Path, timeout: int = 300) -> list[Row]:
    """Execute one notebook and return one row per question (last outcome wins)."""
    learner = Path(path).stem
    run = execute_notebook(path, timeout)
    expected = _expected_questions(run.notebook) if run.notebook is not None else []
    questions = list(dict.fromkeys([*expected, *run.outcomes]))
    rows = [Row(learner, q, *run.outcomes.get(q, (NOT_CHECKED, ""))) for q in questions]
    if run.failure:
        rows.append(Row(learner, "(notebook)", "error", run.failure))
    return rows


def grade_folder(folder: str | Path, timeout: int = 300) -> list[Row]:
    """Run every notebook in ``folder`` (sorted by name) and collect the rows."""
    rows: list[Row] = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        rows.extend(run_notebook(path, timeout=timeout))
    return rows


def write_csv(rows: list[Row], output: str | Path) -> None:
    """Write the rows as CSV with the columns learner, question, outcome, message."""
    with open(output, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            writer.writerow([row.learner, row.question, row.outcome, row.message])


def main(argv: list[str] | None = None) -> int:
    """Command line: grade a folder of notebooks into a CSV file."""
    parser = argparse.ArgumentParser(
        prog="python -m sqolab.practice.grading",
        description="Run submitted exercise notebooks and write each learner's outcomes as CSV.",
    )
    parser.add_argument("folder", type=Path, help="folder with the submitted .ipynb files")
    parser.add_argument("-o", "--output", type=Path, default=Path("results.csv"))
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    rows = grade_folder(args.folder, timeout=args.timeout)
    write_csv(rows, args.output)
    learners = len({row.learner for row in rows})
    correct = sum(row.outcome == "correct" for row in rows)
    print(f"{learners} notebooks, {correct} correct answers: wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
