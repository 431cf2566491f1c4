"""The instructors' grading helper: a folder of submitted notebooks in, a CSV of outcomes out."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sqolab.practice import grading
from sqolab.practice.exercises import questions

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "01_what_is_an_sqo.ipynb"
IDS = [q.id for q in questions("what_is_an_sqo")]


def _broken_copy(source: Path, target: Path) -> None:
    """The solution notebook with the answer to q1 raising and q3 wrong."""
    notebook = json.loads(source.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        text = "".join(cell["source"])
        if text.startswith("bant = preset"):
            cell["source"] = ["n_sqo = int(qualify(leads, bnat).sum())"]
        if text.startswith("funnel ="):
            cell["source"] = ['funnel = ["lead", "MQL", "SAL", "SQO", "SQL", "won"]']
    target.write_text(json.dumps(notebook), encoding="utf-8")


@pytest.fixture(scope="module")
def submissions(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("submissions")
    shutil.copy(ROOT / "exercises" / "solutions" / NOTEBOOK, folder / "alice.ipynb")
    shutil.copy(ROOT / "exercises" / NOTEBOOK, folder / "bob.ipynb")
    _broken_copy(ROOT / "exercises" / "solutions" / NOTEBOOK, folder / "carol.ipynb")
    (folder / "dave.ipynb").write_text("this is not a notebook", encoding="utf-8")
    (folder / "notes.txt").write_text("not a notebook either, and not .ipynb", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def table(submissions, tmp_path_factory) -> dict[tuple[str, str], dict[str, str]]:
    output = tmp_path_factory.mktemp("out") / "results.csv"
    result = subprocess.run(
        [sys.executable, "-m", "sqolab.practice.grading", str(submissions), "-o", str(output)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "4 notebooks" in result.stdout
    with open(output, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == grading.CSV_COLUMNS
        return {(row["learner"], row["question"]): row for row in reader}


@pytest.mark.slow
def test_the_solution_is_correct_everywhere(table):
    assert [table[("alice", q)]["outcome"] for q in IDS] == ["correct"] * len(IDS)


@pytest.mark.slow
def test_the_blank_notebook_is_not_attempted_everywhere(table):
    assert [table[("bob", q)]["outcome"] for q in IDS] == ["not attempted"] * len(IDS)


@pytest.mark.slow
def test_a_broken_notebook_gets_error_and_incorrect_rows_and_the_rest_still_runs(table):
    outcomes = {q: table[("carol", q)]["outcome"] for q in IDS}
    assert outcomes == {
        "what_is_an_sqo.q1": "error",
        "what_is_an_sqo.q2": "correct",
        "what_is_an_sqo.q3": "incorrect",
        "what_is_an_sqo.q4": "correct",
    }
    assert "NameError" in table[("carol", "what_is_an_sqo.q1")]["message"]
    assert "SQL comes before the SQO" in table[("carol", "what_is_an_sqo.q3")]["message"]


@pytest.mark.slow
def test_an_unreadable_notebook_gets_one_error_row(table):
    rows = [row for (learner, _), row in table.items() if learner == "dave"]
    assert len(rows) == 1 and rows[0]["question"] == "(notebook)"
    assert rows[0]["outcome"] == "error" and "cannot read" in rows[0]["message"]
    assert not any(learner == "notes" for learner, _ in table)


def test_questions_never_checked_are_listed_as_not_checked(tmp_path):
    source = json.loads((ROOT / "exercises" / "solutions" / NOTEBOOK).read_text("utf-8"))
    source["cells"] = source["cells"][:1]  # the title only: no check ever runs
    path = tmp_path / "erin.ipynb"
    path.write_text(json.dumps(source), encoding="utf-8")
    rows = grading.run_notebook(path, timeout=60)
    assert [(r.question, r.outcome) for r in rows] == [(q, grading.NOT_CHECKED) for q in IDS]


def test_the_command_rejects_a_missing_folder(tmp_path, capsys):
    with pytest.raises(SystemExit):
        grading.main([str(tmp_path / "nope")])
    assert "is not a folder" in capsys.readouterr().err


def test_environment_is_restored(monkeypatch):
    monkeypatch.setenv("SQOLAB_RESULTS", "before")
    monkeypatch.delenv("SQOLAB_PROGRESS", raising=False)
    with grading._environment(SQOLAB_RESULTS="during", SQOLAB_PROGRESS="p"):
        assert os.environ["SQOLAB_RESULTS"] == "during"
    assert os.environ["SQOLAB_RESULTS"] == "before" and "SQOLAB_PROGRESS" not in os.environ
