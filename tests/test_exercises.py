"""Every exercise question, both notebook versions, and the masters they are built from."""

from __future__ import annotations

import importlib.util
import json
import linecache
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from sqolab.practice.checks import BLANK, Function, Number, Status, Text
from sqolab.practice.exercises import CHAPTERS, questions

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
ALL = [q for chapter in CHAPTERS for q in questions(chapter)]
IDS = [q.id for q in ALL]


def _build_module():
    spec = importlib.util.spec_from_file_location("exercises_build", EXERCISES / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _build_module()


@pytest.fixture(autouse=True)
def _strict(tmp_path, monkeypatch):
    monkeypatch.setenv("SQOLAB_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.setenv("SQOLAB_CHECKS_STRICT", "1")
    monkeypatch.delattr(sys, "last_value", raising=False)


# ---------------------------------------------------------------------------------------------
# The questions, declared as data
# ---------------------------------------------------------------------------------------------


def test_every_chapter_has_at_least_three_questions_and_the_mix_asked_for():
    for chapter in (
        "what_is_an_sqo",
        "benefits",
        "drawbacks",
        "examples",
        "choosing",
        "conversation",
    ):
        assert len(CHAPTERS[chapter].QUESTIONS) >= 3, chapter
    specs = {type(q.spec).__name__ for q in ALL}
    assert {"Number", "Judged", "Text", "Bars", "Frame", "Function", "Choice"} <= specs
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("question", ALL, ids=IDS)
def test_placeholder_reads_not_attempted(question):
    result = question.evaluate(BLANK)
    assert result.status is Status.NOT_ATTEMPTED
    assert question.evaluate_in({question.var: BLANK}).status is Status.NOT_ATTEMPTED


@pytest.mark.parametrize("question", ALL, ids=IDS)
def test_each_misconception_gives_its_message(question):
    for misconception in question.misconceptions:
        result = question.evaluate(misconception.wrong())
        assert result.status is Status.INCORRECT, misconception.message
        assert result.message == misconception.message


@pytest.mark.parametrize("question", ALL, ids=IDS)
def test_an_exception_in_learner_code_gives_the_error_outcome(question):
    cell = f"/tmp/ipykernel_999/{abs(hash(question.id))}.py"
    source = f"{question.var} = undefined_name_in_the_learner_cell\n"
    linecache.cache[cell] = (len(source), None, [source], cell)
    try:
        exec(compile(source, cell, "exec"), {})
    except NameError as error:
        sys.last_value = error
    result = question.evaluate_in({})
    assert result.status is Status.ERROR
    assert result.message.startswith(f"`{question.var}` is not defined, because the cell")
    assert "undefined_name_in_the_learner_cell" in result.details
    assert result.details.startswith("Traceback (your code only):")


@pytest.mark.parametrize("question", [q for q in ALL if isinstance(q.spec, Function)])
def test_a_learner_function_that_raises_gives_the_error_outcome(question):
    def broken(*args):
        return args[0]["no_such_column"]

    result = question.evaluate(broken)
    assert result.status is Status.ERROR
    assert "raised KeyError" in result.message and "no_such_column" in result.details


UNLISTED_WRONG = ["no idea", 0, -1.5, None, ["budget"], {"a": 1}, pd.DataFrame({"x": [1]})]


@pytest.mark.parametrize("question", ALL, ids=IDS)
def test_wrong_answers_of_unlisted_kinds_are_incorrect_and_never_crash(question):
    for wrong in UNLISTED_WRONG:
        result = question.evaluate(wrong)
        if isinstance(question.spec, Text) and isinstance(wrong, str):
            assert result.status is Status.INCORRECT  # too short to count
            continue
        assert result.status in (Status.INCORRECT, Status.ERROR), (wrong, result)
        assert result.message


@pytest.mark.parametrize("question", [q for q in ALL if isinstance(q.spec, Number)])
def test_incorrect_numbers_never_reveal_the_expected_value(question):
    expected = float(question.expected())
    shown = {
        f"{expected:,.0f}",
        f"{expected:.0f}",
        f"{expected:,.4g}",
        f"{expected:.4g}",
        f"{expected:.3f}",
        f"{100 * expected:.1f}",
    }
    for factor in (0.7, 1.3):
        message = question.evaluate(expected * factor).message
        assert not any(s in message for s in shown if len(s) > 1), (message, shown)


def test_criteria_targets_say_which_target_is_missed_and_by_how_much():
    from sqolab import Criteria, preset
    from sqolab.practice.exercises.drawbacks import q2

    question = q2.question
    strict = question.evaluate(preset("MEDDIC", "startup"))
    assert strict.status is Status.INCORRECT
    assert "of winnable revenue" in strict.message and "at least 80.0%" in strict.message
    assert "loosen" in strict.message
    loose = question.evaluate(Criteria(min_fit=5))
    assert "win-rate target is at least 30.0%" in loose.message and "tighten" in loose.message
    assert "select no lead" in question.evaluate(Criteria(min_budget_eur=1e12)).message


def test_a_wrong_list_of_criteria_gets_specific_feedback_without_the_answer():
    from sqolab.practice.exercises.what_is_an_sqo import q2

    question = q2.question
    assert sorted(question.expected()) == ["budget", "timeline"]
    one = question.evaluate(["budget"]).message
    assert one == (
        "You listed 1 of the 2 criteria this lead fails. Compare each of its values with the "
        "BANT thresholds printed above."
    )
    extra = question.evaluate(["budget", "need"]).message
    assert extra.startswith(
        "`need` is met by this lead: its need is confirmed, the minimum is latent."
    )
    assert "timeline" not in one + extra  # the missing criterion is never named
    assert "not a BANT criterion" in question.evaluate(["fit", "budget", "timeline"]).message
    assert "Not quite" not in one + extra and "item(s)" not in one + extra


def test_capstone_scores_on_held_out_leads_and_compares_with_the_preset():
    from sqolab import DEFAULT_WEIGHTS, Criteria, generate_leads
    from sqolab.practice.exercises import capstone

    plan = {
        "context": "agency",
        "criteria": Criteria(min_need="latent", min_fit=50, min_engagement=40),
        "priority_weights": DEFAULT_WEIGHTS,
    }
    result = capstone.q1.question.evaluate(plan)
    assert result.correct
    assert "held-out quarter" in result.message and "The context's preset wins" in result.message
    held_out = capstone._next_quarter("agency")
    public = generate_leads("agency", len(held_out), seed=0)
    assert not held_out["deal_value_eur"].equals(public["deal_value_eur"])
    seed = re.compile(r"\b730_?129\b")
    assert capstone._HELD_OUT_SEED == 730_129
    # the course's code and notebooks never use the held-out seed (tests may name it)
    uses = [
        p
        for folder in ("sqolab", "exercises", "notebooks", "dashboards", "benchmarks")
        for p in (ROOT / folder).rglob("*.py")
        if seed.search(p.read_text())
    ]
    assert uses == [ROOT / "sqolab" / "practice" / "exercises" / "capstone.py"]
    bad_context = capstone.q1.question.evaluate({**plan, "context": "bakery"})
    assert "`context` must be one of" in bad_context.message
    bad_weights = capstone.q1.question.evaluate({**plan, "priority_weights": {"nonsense": 1}})
    assert bad_weights.status is Status.ERROR


def test_a_learner_function_cannot_change_the_sample_other_questions_use():
    from sqolab.practice.exercises import benefits, what_is_an_sqo
    from sqolab.practice.exercises._common import sample

    rows = len(sample("startup"))
    n_sqo = what_is_an_sqo.q1.question.expected()

    def careless(leads, is_sqo):
        with warnings.catch_warnings():  # pandas 3.1 deprecates inplace; novices still use it
            warnings.simplefilter("ignore")
            leads.dropna(inplace=True)  # noqa: PD002
        leads["deal_value_eur"] = 0.0
        is_sqo[:] = False
        return 0.0

    assert benefits.q2.question.evaluate(careless).status is Status.INCORRECT
    assert len(sample("startup")) == rows
    assert what_is_an_sqo.q1.question.expected() == n_sqo
    assert what_is_an_sqo.q1.question.evaluate(n_sqo).correct
    assert benefits.q2.question.evaluate(benefits._revenue_per_hour).correct


# ---------------------------------------------------------------------------------------------
# Notebooks: one master per chapter, learner and solution versions
# ---------------------------------------------------------------------------------------------


def test_committed_notebooks_match_a_fresh_build_of_their_masters():
    targets = build.targets()
    assert len(targets) == 2 * len(CHAPTERS)  # a learner and a solution notebook each
    for master, path, version in targets:
        assert path.exists(), f"{path} is missing: run python exercises/build.py"
        assert path.read_text(encoding="utf-8") == build.notebook_text(master, version), (
            f"{path.relative_to(ROOT)} differs from its master: run python exercises/build.py"
        )
    assert build.main(["--check"]) == 0


def test_notebooks_are_committed_without_outputs_and_blanks_hold_no_solution():
    for _master, path, version in build.targets():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
        assert notebook["metadata"]["sqolab"]["version"] == version
        if version == build.LEARNER:
            text = "".join("".join(c["source"]) for c in code)
            for question in questions(notebook["metadata"]["sqolab"]["chapter"]):
                assert question.solution not in text, question.id


def test_the_build_script_rejects_malformed_masters(tmp_path):
    bad = tmp_path / "07_bad.py"
    bad.write_text("# %%\n# BLANK\nx = 1\n")
    with pytest.raises(ValueError, match="not closed"):
        build.build_notebook(bad, build.LEARNER)
    bad.write_text("# %% [slides]\n")
    with pytest.raises(ValueError, match="unknown cell marker"):
        build.build_notebook(bad, build.LEARNER)
    bad.write_text('# %% tags="remove-output"\n')
    with pytest.raises(ValueError, match="unknown cell marker"):
        build.build_notebook(bad, build.LEARNER)


def test_cell_tags_in_a_master_become_notebook_cell_tags(tmp_path):
    master = tmp_path / "07_tags.py"
    master.write_text('# %% [markdown]\n# Hi\n\n# %% tags=["remove-output"]\nprint(1)\n')
    cells = build.build_notebook(master, build.LEARNER)["cells"]
    assert cells[0]["metadata"] == {}
    assert cells[1]["metadata"] == {"tags": ["remove-output"]}


def test_the_progress_cell_hides_its_output_on_the_website():
    """The book runs the notebooks: the builder's own progress must never be published."""
    for _master, path, _version in build.targets():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        shown = [c for c in notebook["cells"] if "".join(c["source"]).startswith("progress(")]
        assert len(shown) == 1, path
        assert "remove-output" in shown[0]["metadata"].get("tags", []), path


def test_masters_and_notebooks_are_ruff_formatted():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "exercises"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def executed():
    """Every learner and solution notebook, run: {(version, chapter): Execution}."""
    from sqolab.practice.grading import execute_notebook

    return {
        (version, path.stem): execute_notebook(path, timeout=300)
        for _master, path, version in build.targets()
    }


def _outcome(executed, version, question_id):
    chapter = next(c for c in CHAPTERS if question_id.startswith(f"{c}."))
    run = next(r for (v, stem), r in executed.items() if v == version and stem.endswith(chapter))
    return run.outcomes.get(question_id, ("not checked", ""))


@pytest.mark.slow
@pytest.mark.parametrize("question_id", IDS)
def test_the_solution_notebook_passes_the_check(executed, question_id):
    outcome, message = _outcome(executed, build.SOLUTION, question_id)
    assert outcome == "correct", message


@pytest.mark.slow
@pytest.mark.parametrize("question_id", IDS)
def test_the_blank_notebook_reads_not_attempted(executed, question_id):
    outcome, message = _outcome(executed, build.LEARNER, question_id)
    assert outcome == "not attempted", message


@pytest.mark.slow
def test_notebooks_run_to_the_end_without_an_error(executed):
    assert len(executed) == 2 * len(CHAPTERS)  # every learner and solution notebook
    for key, run in executed.items():
        assert not run.failure, (key, run.failure)
        assert run.error_cells() == 0, key
        assert set(run.outcomes) == {q.id for q in questions(key[1].split("_", 1)[1])}, key
