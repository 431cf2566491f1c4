"""The exercise checker: specs, the four outcomes, escaping, tracebacks, hints and progress."""

from __future__ import annotations

import itertools
import json
import linecache
import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest

from sqolab.figures.style import new_figure
from sqolab.practice import cells, checks, feedback, learner_code, progress_store
from sqolab.practice.checks import (
    BLANK,
    Bars,
    Choice,
    Exercise,
    Frame,
    Function,
    Items,
    Mapping,
    Misconception,
    MultiPart,
    Number,
    Question,
    Status,
    Text,
)


@pytest.fixture(autouse=True)
def _local_files(tmp_path, monkeypatch):
    """Progress and results go to tmp_path; checker bugs raise."""
    monkeypatch.setenv("SQOLAB_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.delenv("SQOLAB_RESULTS", raising=False)
    monkeypatch.setenv("SQOLAB_CHECKS_STRICT", "1")
    monkeypatch.delattr(sys, "last_value", raising=False)


def number_question(**kw) -> Question:
    defaults = dict(
        id="test.q1",
        var="answer",
        task="the answer",
        spec=Number(),
        expected=lambda: 0.4213,
        hints=("first hint", "second hint", "third hint"),
        solution="answer = 0.4213",
        misconceptions=(Misconception("Give a share, not a percentage.", lambda: 42.13),),
    )
    defaults.update(kw)
    return Question(**defaults)


def learner_cell(source: str, name: str = "/tmp/ipykernel_4242/123.py") -> dict:
    """Run ``source`` as if it were a notebook cell; return its globals (exceptions propagate)."""
    linecache.cache[name] = (len(source), None, source.splitlines(keepends=True), name)
    namespace: dict = {}
    exec(compile(source, name, "exec"), namespace)
    return namespace


# ---------------------------------------------------------------------------------------------
# The four outcomes
# ---------------------------------------------------------------------------------------------


def test_blank_is_not_attempted_and_is_a_singleton():
    q = number_question()
    assert feedback._Blank() is BLANK and checks.____ is BLANK
    assert q.evaluate(BLANK).status is Status.NOT_ATTEMPTED
    assert checks.is_blank((BLANK, BLANK)) and not checks.is_blank((BLANK, 1))


def test_correct_within_tolerance_and_incorrect_outside():
    q = number_question()
    assert q.evaluate(0.42131).correct
    assert q.evaluate(np.float64(0.4213)).correct
    result = q.evaluate(0.5)
    assert result.status is Status.INCORRECT and "too high" in result.message
    assert "too low" in q.evaluate(0.3).message


def test_incorrect_messages_never_reveal_the_expected_value():
    q = number_question(expected=lambda: 1234.5678, misconceptions=())
    for wrong in (1000, 2000, 1234.0):
        message = q.evaluate(wrong).message
        for shown in ("1234.5678", "1,234.57", "1,235", "1235", "1234.57", "0.1235"):
            assert shown not in message


def test_known_misconception_gets_its_own_message():
    result = number_question().evaluate(42.13)
    assert result.status is Status.INCORRECT
    assert result.message == "Give a share, not a percentage."


def test_wrong_types_get_a_specific_message():
    q = number_question()
    frame = pd.DataFrame({"a": [1, 2]})
    assert "single number" in q.evaluate(frame).message and "DataFrame" in q.evaluate(frame).message
    assert ".sum()" in q.evaluate(pd.Series([1.0, 2.0])).message
    assert "single number" in q.evaluate("0.42").message
    assert "single number" in q.evaluate(True).message
    assert "NaN" in q.evaluate(float("nan")).message


def test_missing_variable_is_an_error_outcome():
    q = number_question()
    result = q.evaluate_in({})
    assert result.status is Status.ERROR
    assert "`answer` is not defined" in result.message


def test_error_in_the_learner_cell_shows_our_message_then_their_traceback():
    with pytest.raises(ZeroDivisionError) as info:
        learner_cell("total = 3\nanswer = total / 0\n")
    sys.last_value = info.value
    result = number_question().evaluate_in({})
    assert result.status is Status.ERROR
    assert result.message.startswith("`answer` is not defined, because the cell")
    assert "ZeroDivisionError" in result.message
    assert "answer = total / 0" in result.details
    assert "your code, line 2" in result.details
    # Still the placeholder after a failed re-run of the cell: an error, not "not attempted".
    assert number_question().evaluate_in({"answer": BLANK}).status is Status.ERROR


def test_an_unrelated_earlier_error_does_not_blame_this_question():
    with pytest.raises(KeyError) as info:
        learner_cell("other = {}['x']\n")
    sys.last_value = info.value
    assert number_question().evaluate_in({"answer": BLANK}).status is Status.NOT_ATTEMPTED


def test_function_spec_calls_the_learner_function_and_reports_its_error():
    question = Question(
        id="test.f",
        var="double",
        task="double a number",
        spec=Function(lambda: [("x = 2", (2,)), ("x = 5", (5,))]),
        expected=lambda: lambda x: 2 * x,
        solution="def double(x):\n    return 2 * x",
        misconceptions=(Misconception("You squared it.", lambda: lambda x: x * x),),
    )
    assert question.evaluate(lambda x: x + x).correct
    assert question.evaluate(lambda x: x * x).message == "You squared it."
    assert question.evaluate(lambda x: 3 * x).message.startswith("With x = 2: ")
    source = "import pandas as pd\ndef double(x):\n    return pd.Series([1]).loc[x]\n"
    namespace = learner_cell(source)
    result = question.evaluate(namespace["double"])
    assert result.status is Status.ERROR
    assert result.message == "Your function raised KeyError when called with x = 2."
    assert "return pd.Series([1]).loc[x]" in result.details
    assert "pandas" not in result.details.replace("import pandas", "")  # library frames hidden
    blank = learner_cell("def double(x):\n    return ____\n", "/tmp/ipykernel_1/2.py")
    blank_fn = blank["double"]
    blank_fn.__globals__["____"] = BLANK
    assert question.evaluate(blank_fn).status is Status.NOT_ATTEMPTED


def test_short_traceback_keeps_only_learner_frames():
    namespace = learner_cell("import json\ndef parse():\n    return json.loads('{')\n")
    with pytest.raises(ValueError) as info:
        namespace["parse"]()
    text = checks.short_traceback(info.value)
    assert "json.loads('{')" in text
    assert "decoder.py" not in text and "__init__.py" not in text
    assert "JSONDecodeError: Expecting property name" in text.splitlines()[-1]


def test_a_checker_bug_is_an_error_outcome_in_learner_mode(monkeypatch):
    monkeypatch.delenv("SQOLAB_CHECKS_STRICT")
    broken = number_question(expected=lambda: 1 / 0)
    result = broken.evaluate(3)
    assert result.status is Status.ERROR and "our bug" in result.message
    monkeypatch.setenv("SQOLAB_CHECKS_STRICT", "1")
    with pytest.raises(ZeroDivisionError):
        broken.evaluate(3)


# ---------------------------------------------------------------------------------------------
# Specs
# ---------------------------------------------------------------------------------------------


def test_choice_is_tolerant_of_case_and_spacing():
    spec = Choice(("SQOs only", "all leads"))
    assert spec.problem(spec.prepare(" sqos_ONLY "), "SQOs only") is None
    assert "not one of the options" in spec.problem(spec.prepare("some"), "SQOs only")
    assert "string" in spec.problem(3, "SQOs only")
    assert Choice(lambda: ("a", "b")).names() == ("a", "b")


def test_items_as_set_and_in_order():
    unordered = Items(("budget", "need", "fit"))
    assert unordered.problem(unordered.prepare(["Need", "budget"]), ["budget", "need"]) is None
    extra = unordered.problem(["budget", "fit"], ["budget", "need"])
    assert extra == "`fit` does not belong in this list. You listed 1 of the 2 items asked for."
    assert (
        unordered.problem(["budget"], ["budget", "need"])
        == "You listed 1 of the 2 items asked for."
    )
    named = Items(
        ("budget", "need", "fit"),
        noun="criteria this lead fails",
        missing_hint="Compare each value with the thresholds.",
        why_not=lambda item: f"`{item}` is met by this lead.",
    )
    assert named.problem(["need"], ["budget", "fit"]) == (
        "`need` is met by this lead. You listed 0 of the 2 criteria this lead fails. Compare each "
        "value with the thresholds."
    )
    assert named.problem(["budget", "fit", "need"], ["budget", "fit"]) == (
        "`need` is met by this lead."
    )
    assert "more than once" in unordered.problem(["fit", "fit"], ["fit"])
    ordered = Items(("a", "b", "c"), ordered=True)
    assert ordered.problem(["a", "b", "c"], ["a", "b", "c"]) is None
    assert "2 positions" in ordered.problem(["b", "a", "c"], ["a", "b", "c"])
    assert "each of the options once" in ordered.problem(["a", "b"], ["a", "b", "c"])


def test_mapping_counts_wrong_matches_without_giving_them_away():
    spec = Mapping(("x", "y"), ("1", "2"))
    assert spec.problem({"x": "1", "y": "2"}, {"x": "1", "y": "2"}) is None
    message = spec.problem({"x": "2", "y": "1"}, {"x": "1", "y": "2"})
    assert "2 of 2" in message
    assert "missing" in spec.problem({"x": "1"}, {"x": "1", "y": "2"})


def test_frame_spec_checks_columns_rows_dtypes_and_values():
    expected = pd.DataFrame({"k": ["a", "b"], "n": [1, 2], "rate": [0.5, 0.25]})
    spec = Frame(("k", "n", "rate"), key="k")
    shuffled = expected.iloc[::-1].reset_index(drop=True)
    assert spec.problem(shuffled, expected) is None
    assert spec.problem(expected.assign(rate=[0.5000001, 0.25]), expected) is None
    assert spec.problem(expected.set_index("k"), expected) is None  # key as the index
    assert "lacks the column(s) `rate`" in spec.problem(expected.drop(columns="rate"), expected)
    assert "3 rows" in spec.problem(pd.concat([expected, expected.head(1)]), expected)
    assert "should hold numbers" in spec.problem(expected.assign(n=["1", "2"]), expected)
    message = spec.problem(expected.assign(rate=[0.5, 0.3]), expected)
    assert "`rate` is off for 1 row" in message and "0.25" not in message


def test_bars_spec_checks_heights_count_and_labelled_units():
    spec = Bars()
    _, ax = new_figure()
    assert "no bars" in spec.problem(ax, [1, 2])
    ax.bar([0, 1, 2], [0.3, 0.2, 0.1])
    assert "3 bars" in spec.problem(ax, [0.3, 0.2])
    assert "bar 2" in spec.problem(ax, [0.3, 0.25, 0.1])
    assert "Label the x axis" in spec.problem(ax, [0.3, 0.2, 0.1])
    ax.set_xlabel("competitors")
    ax.set_ylabel("win rate [share]")
    assert "unit of the x axis" in spec.problem(ax, [0.3, 0.2, 0.1])
    ax.set_xlabel("competitors [count]")
    assert spec.problem(ax, [0.3, 0.2, 0.1]) is None
    assert spec.problem(spec.prepare(ax.figure), [0.3, 0.2, 0.1]) is None  # a Figure works too
    assert "Axes" in spec.problem("a chart", [1])


def test_text_spec_asks_for_enough_words_and_points_to_missing_ideas():
    q = Question(
        id="test.t",
        var="essay",
        task="explain",
        spec=Text(min_words=5, key_ideas=((r"capacity", "capacity decides"),)),
        solution='essay = "..."',
        explanation="The model answer.",
    )
    assert "2 words" in q.evaluate("too short").message
    result = q.evaluate("one two three four five six")
    assert result.correct and "capacity decides" in result.message
    assert result.details == "The model answer."
    assert "capacity decides" not in q.evaluate("the capacity is what matters here").message


# ---------------------------------------------------------------------------------------------
# Display: HTML escaped, plain-text fallback, accessible
# ---------------------------------------------------------------------------------------------


def test_html_escapes_learner_text_and_keeps_a_text_fallback():
    q = Question(
        id="test.c",
        var="pick",
        task="pick",
        spec=Choice(("a", "b")),
        expected=lambda: "a",
        solution='pick = "a"',
    )
    result = q.evaluate("<script>alert('x')</script>")
    bundle = result._repr_mimebundle_()
    assert "<script>" not in bundle["text/html"]
    assert "&lt;script&gt;" in bundle["text/html"]
    assert bundle["text/plain"].startswith("✘ Not yet: c")
    assert "<script>alert('x')</script>" in bundle["text/plain"]
    assert 'role="status"' in bundle["text/html"] and "Not yet" in bundle["text/html"]


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (Status.CORRECT, "Correct"),
        (Status.INCORRECT, "Not yet"),
        (Status.NOT_ATTEMPTED, "Not attempted"),
        (Status.ERROR, "Error in your code"),
    ],
)
def test_each_outcome_has_its_own_icon_words_and_colour(status, words):
    result = checks.Result(kind=status, title="q1", message="m", question="t.q1")
    html = result.html()
    icon = feedback._LOOK[status][0]
    assert words in html and icon in html and feedback._LOOK[status][2] in html
    assert result.text().startswith(f"{icon} {words}: q1")


def test_outside_a_notebook_check_prints_plain_text(capsys):
    exercise = Exercise(number_question(id="test.print"))
    globals()["answer"] = 0.4213
    try:
        exercise.check()
    finally:
        del globals()["answer"]
    out = capsys.readouterr().out
    assert out.startswith("✔ Correct: print\nWell done.")
    assert "<div" not in out


# ---------------------------------------------------------------------------------------------
# Learner API: hints, solution, multi-part, progress, results for grading
# ---------------------------------------------------------------------------------------------


def test_each_hint_call_gives_the_next_hint(capsys):
    exercise = Exercise(number_question(id="test.hints"))
    for _ in range(4):
        exercise.hint()
    out = capsys.readouterr().out
    assert out.index("first hint") < out.index("second hint") < out.index("third hint")
    assert "hint 3 of 3" in out and "last hint" in out
    assert checks.load_progress()["test.hints"]["hints"] == 3


def test_solution_shows_the_code_and_is_recorded(capsys):
    exercise = Exercise(number_question(id="test.sol"))
    exercise.solution()
    assert "answer = 0.4213" in capsys.readouterr().out
    assert checks.load_progress()["test.sol"]["solution_viewed"] is True


def test_multipart_checks_each_part(capsys):
    part_a = Exercise(number_question(id="test.mp.a", var="a"))
    part_b = Exercise(number_question(id="test.mp.b", var="b"))
    q3 = MultiPart("q3", a=part_a, b=part_b)
    assert q3.a is part_a
    globals()["a"], globals()["b"] = 0.4213, BLANK
    try:
        q3.check()
    finally:
        del globals()["a"], globals()["b"]
    out = capsys.readouterr().out
    assert "Correct: mp.a" in out and "Not attempted: mp.b" in out
    q3.hint()
    assert "q3.a.hint()" in capsys.readouterr().out


def test_check_records_progress_and_results(tmp_path, monkeypatch, capsys):
    results = tmp_path / "results.jsonl"
    monkeypatch.setenv("SQOLAB_RESULTS", str(results))
    exercise = Exercise(number_question(id="test.rec"))
    globals()["answer"] = 7.0
    try:
        exercise.check()
        globals()["answer"] = 0.4213
        exercise.check()
    finally:
        del globals()["answer"]
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert [line["outcome"] for line in lines] == ["incorrect", "correct"]
    assert checks.progress_path() == tmp_path / "progress.json"
    table = checks.progress_table(["test.rec", "test.never"])
    assert table["done"].tolist() == ["✔ solved", "– not started"]
    report = checks.ProgressReport(table)
    assert "1 of 2 questions solved" in report.text()
    assert "<table" in report._repr_mimebundle_()["text/html"]


def test_progress_survives_a_corrupt_or_unwritable_file(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    path.write_text("{not json")
    assert checks.load_progress() == {}
    monkeypatch.setenv("SQOLAB_PROGRESS", str(tmp_path / "file" / "x.json"))
    (tmp_path / "file").write_text("a file, not a folder")
    checks.record(number_question().evaluate(0.4213))  # must not raise


def test_progress_lists_every_registered_chapter_question():
    import sqolab.practice.exercises  # noqa: F401  (registers every chapter's questions)

    report = checks.progress("what_is_an_sqo")
    assert report.table["question"].tolist() == [f"what_is_an_sqo.q{i}" for i in range(1, 5)]
    assert set(report.table["done"]) == {"– not started"}


# ---------------------------------------------------------------------------------------------
# In IPython: the latest cell that assigns the variable decides (no stale answers)
# ---------------------------------------------------------------------------------------------


def framework_question() -> Question:
    return Question(
        id="test.framework",
        var="framework",
        task="pick a framework",
        spec=Choice(("BANT", "FAINT")),
        expected=lambda: "FAINT",
        solution='framework = "FAINT"',
    )


@pytest.fixture
def shell(tmp_path, monkeypatch):
    """A real IPython shell (history kept in memory), removed again after the test."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    hooks = sys.displayhook, sys.excepthook
    ipython = InteractiveShell.instance(config=config)
    ipython.user_ns["q"] = Exercise(framework_question())
    try:
        yield ipython
    finally:
        InteractiveShell.clear_instance()
        sys.displayhook, sys.excepthook = hooks


def run(shell, source: str):
    """Run ``source`` as the next notebook cell (numbered, in the history)."""
    return shell.run_cell(source, store_history=True)


def checked(shell) -> checks.Result:
    return framework_question().evaluate_in(shell.user_ns)


@pytest.fixture(params=["IPython history of errors", "traceback file names only"])
def any_shell(request, shell, monkeypatch):
    """The shell, once with IPython's record of failing cells and once without (IPython < 9)."""
    if request.param == "traceback file names only":
        monkeypatch.setattr(cells, "_recorded_errors", lambda _shell: None)
    return shell


def test_assigns_recognises_the_forms_of_assignment():
    for source in (
        "framework = 1",
        "  framework += 1",
        "a, framework = 1, 2",
        "(a, framework) = x",
        'framework: str = "x"',
        "def framework(x):",
        "*rest, framework = xs",
    ):
        assert checks.assigns(source, "framework"), source
    for source in (
        "framework == 1",
        "framework2 = 1",
        "my_framework = 1",
        "show(framework=1)",
        "x[framework] = 1",
        "framework.x = 1",
        "framework <= 3",
    ):
        assert not checks.assigns(source, "framework"), source


def test_a_failed_edit_is_an_error_not_the_old_correct_answer(any_shell, capsys):
    run(any_shell, 'framework = "faint"')
    assert checked(any_shell).correct
    assert not run(any_shell, "framework = FAINT").success  # NameError; the old value remains
    assert any_shell.user_ns["framework"] == "faint"
    result = checked(any_shell)
    assert result.status is Status.ERROR
    assert result.message.startswith(
        "The cell that sets `framework` raised NameError: name 'FAINT' is not defined — fix it "
        "and run it again"
    )
    assert "framework = FAINT" in result.details and "your code, line 1" in result.details
    run(any_shell, "q.check()")  # as a learner runs it
    assert "⚠ Error in your code: framework" in capsys.readouterr().out


def test_a_failed_edit_is_an_error_not_the_old_incorrect_answer(any_shell):
    run(any_shell, 'framework = "BANT"')
    assert checked(any_shell).status is Status.INCORRECT
    run(any_shell, "framework = {}['FAINT']")
    result = checked(any_shell)
    assert result.status is Status.ERROR and "raised KeyError: 'FAINT'" in result.message


def test_a_fixed_cell_run_again_wins_over_its_earlier_error(any_shell):
    run(any_shell, 'framework = "BANT"')
    run(any_shell, "framework = FAINT")
    assert checked(any_shell).status is Status.ERROR
    run(any_shell, 'FAINT = "FAINT"')
    run(any_shell, "framework = FAINT")  # the very same cell, run again: now it works
    assert checked(any_shell).correct
    run(any_shell, "other = 1 / 0")  # a later error elsewhere blames no one
    assert checked(any_shell).correct


def test_a_syntax_error_in_the_cell_is_reported_too(shell):
    run(shell, 'framework = "FAINT"')
    run(shell, 'framework = "FAINT')
    result = checked(shell)
    assert result.status is Status.ERROR and "raised SyntaxError" in result.message
    assert "ipython-input" not in result.details


def test_a_check_in_the_same_cell_as_the_answer_sees_that_answer(shell, capsys):
    run(shell, "framework = FAINT")
    run(shell, 'framework = "FAINT"\nq.check()')
    assert "✔ Correct: framework" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# Progress is never downgraded, and never shows the home directory
# ---------------------------------------------------------------------------------------------


def test_progress_is_never_downgraded(capsys):
    exercise = Exercise(number_question(id="test.keep"))
    q = exercise.question
    checks.record(q.evaluate(BLANK))  # "not attempted" is not written at all
    assert "test.keep" not in checks.load_progress()
    checks.record(q.evaluate(7.0))
    first = checks.load_progress()["test.keep"]
    assert first["status"] == "incorrect" and not first.get("solved")
    checks.record(q.evaluate(0.4213))
    solved = checks.load_progress()["test.keep"]
    assert solved["solved"] and solved["status"] == "correct"
    solved_time = solved["time"]
    for later in (BLANK, 7.0, "oops", 0.4213):  # e.g. the notebook run again from the top
        checks.record(q.evaluate(later))
    entry = checks.load_progress()["test.keep"]
    assert entry["solved"] and entry["status"] == "correct" and entry["time"] == solved_time
    assert "last_tried" in entry
    table = checks.progress_table(["test.keep"])
    assert table.loc[0, "done"] == "✔ solved" and table.loc[0, "outcome"] == "correct"
    for _ in range(2):
        exercise.hint()
    fresh = Exercise(q)  # a new session starts counting hints again: the count does not shrink
    fresh.hint()
    assert checks.load_progress()["test.keep"]["hints"] == 2


def test_a_blank_run_of_a_notebook_leaves_progress_untouched(tmp_path):
    path = tmp_path / "progress.json"
    checks.record(number_question(id="test.once").evaluate(0.4213))
    before = path.read_text()
    checks.record(number_question(id="test.once").evaluate(BLANK))
    checks.record(number_question(id="test.other").evaluate(BLANK))
    assert path.read_text() == before


def test_progress_display_shows_a_home_path_with_a_tilde(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SQOLAB_PROGRESS", str(home / ".sqolab" / "progress.json"))
    import sqolab.practice.exercises  # noqa: F401  (registers every chapter's questions)

    report = checks.progress("what_is_an_sqo")
    html = report._repr_mimebundle_()["text/html"]
    assert "<code>~/.sqolab/progress.json</code>" in html
    assert "kept on this computer only, in ~/.sqolab/progress.json" in report.text()
    assert str(home) not in html and str(home) not in report.text()
    elsewhere = tmp_path / "elsewhere.json"
    assert checks.display_path(elsewhere) == str(elsewhere)


# ---------------------------------------------------------------------------------------------
# A novice cannot break the checker (issue 13, section 3)
# ---------------------------------------------------------------------------------------------


def _mean(values):
    return sum(values) / len(values)


def mean_question(cases=None) -> Question:
    """A function question: ``mean(values)``, checked on one list of three numbers."""
    return Question(
        id="test.mean",
        var="mean",
        task="the mean of a list",
        spec=Function(cases or (lambda: [("the values 1, 2 and 3", ([1.0, 2.0, 3.0],))])),
        expected=lambda: _mean,
        solution="def mean(values):\n    return sum(values) / len(values)",
    )


def test_a_learner_function_gets_copies_never_the_checkers_own_objects():
    shared = [1.0, 2.0, 3.0]
    question = mean_question(lambda: [("the values 1, 2 and 3", (shared,))])

    def greedy(values):
        values.clear()  # e.g. leads.dropna(inplace=True) on the checker's sample
        return 2.0

    assert question.evaluate(greedy).correct
    assert shared == [1.0, 2.0, 3.0]
    assert question.evaluate(_mean).correct


def _runaway_threads():
    return [t for t in threading.enumerate() if t.name.startswith("sqolab-learner-code")]


@pytest.fixture
def short_time_limit(monkeypatch):
    """Learner code may run for half a second (the course allows more)."""
    monkeypatch.setattr(learner_code, "TIME_LIMIT_S", 0.5)


def test_an_endless_loop_in_a_learner_function_is_stopped_and_explained(short_time_limit):
    def endless(values):
        total = 0
        while True:
            total += 1

    start = time.perf_counter()
    result = mean_question().evaluate(endless)
    assert time.perf_counter() - start < 5
    assert result.status is Status.ERROR
    assert "did not finish within 0.5 seconds" in result.message
    assert "endless loop" in result.message and "1, 2 and 3" in result.message
    assert "still running" not in result.message
    for thread in _runaway_threads():  # the loop is stopped, not left running
        thread.join(timeout=5)
    assert not _runaway_threads()


def test_a_loop_that_cannot_be_stopped_is_reported_as_still_running(short_time_limit):
    running = [True]

    def stubborn(values):
        while running[0]:
            try:
                while running[0]:
                    pass
            except BaseException:  # a novice's bare `except:` swallows the stop
                pass

    try:
        result = mean_question().evaluate(stubborn)
        assert result.status is Status.ERROR and "did not finish within" in result.message
        assert "still running in the background" in result.message
        assert "restart the kernel" in result.message
    finally:
        running[0] = False  # end it here, so that it does not keep a core busy
    for thread in _runaway_threads():
        thread.join(timeout=5)
    assert not _runaway_threads()


def test_an_endless_iterator_answer_is_bounded_and_explained(short_time_limit):
    items = Question(
        id="test.items",
        var="failed",
        task="which",
        spec=Items(("a", "b", "c")),
        expected=lambda: ["a"],
        solution='failed = ["a"]',
    )
    result = items.evaluate(itertools.count())
    assert result.status is Status.ERROR
    assert "more than 10,000 items" in result.message and "a list" in result.message

    def never_yields():
        while True:
            pass
        yield "a"

    start = time.perf_counter()
    stuck = items.evaluate(never_yields())
    assert time.perf_counter() - start < 5
    assert stuck.status is Status.ERROR and "did not finish within" in stuck.message
    assert items.evaluate(iter(["a"])).correct  # a finite iterator is still fine


class BadEq(str):
    def __eq__(self, other):
        raise ValueError("eq boom")

    __hash__ = str.__hash__


class BadFloat(float):
    def __float__(self):
        raise ValueError("float boom")


class BadRepr:
    def __repr__(self):
        raise ValueError("repr boom")


@pytest.mark.parametrize("strict", [True, False])
def test_a_learner_object_that_raises_is_theirs_not_our_bug(monkeypatch, strict):
    if not strict:
        monkeypatch.delenv("SQOLAB_CHECKS_STRICT")
    # the value is what counts: their methods are never called to compare it
    assert framework_question().evaluate(BadEq("FAINT")).correct
    assert number_question().evaluate(BadFloat(0.4213)).correct
    bad = number_question().evaluate(BadRepr())
    assert bad.status is Status.ERROR
    assert "our bug" not in bad.message
    assert bad.message.startswith("Your answer is a `BadRepr` object, and its `__repr__` method")
    assert "not in the check" in bad.message and "repr boom" in bad.details


def test_learner_objects_inside_a_table_are_read_as_plain_values_too(monkeypatch):
    monkeypatch.delenv("SQOLAB_CHECKS_STRICT")
    expected = pd.DataFrame({"k": ["a", "b"], "n": [1, 2]})
    question = Question(
        id="test.table",
        var="table",
        task="a table",
        spec=Frame(("k", "n"), key="k"),
        expected=lambda: expected,
        solution="table = ...",
    )
    weird = pd.DataFrame({"k": [BadEq("a"), BadEq("b")], "n": [1, 2]}).set_index("k")
    assert question.evaluate(weird).correct  # their labels' own == is never called
    broken = question.evaluate(pd.DataFrame({"k": ["a", BadRepr()], "n": [1, 2]}))
    assert broken.status is Status.ERROR
    assert broken.message.startswith("Your answer holds a `BadRepr` object, and its `__repr__`")


def test_an_answer_object_cannot_defeat_the_check():
    seen = []

    class Always(str):
        def __eq__(self, other):
            seen.append(other)
            return True

        __hash__ = str.__hash__

    assert framework_question().evaluate(Always("my guess")).status is Status.INCORRECT
    assert seen == []  # the expected value never reaches the learner's object

    class Near(float):
        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    assert number_question().evaluate(Near(0.9)).status is Status.INCORRECT


def test_a_learner_function_cannot_reach_the_checkers_frames():
    found = []

    def sneaky(values):
        frame = sys._getframe(1)
        while frame is not None:
            found.extend(frame.f_locals.values())
            frame = frame.f_back
        return sys._getframe(1).f_locals.get("want", 0.0)

    question = mean_question()
    assert question.evaluate(sneaky).status is Status.INCORRECT
    assert found  # it did look
    leaked = [v for v in found if v is _mean or isinstance(v, Question | checks.Spec)]
    assert leaked == []
    assert 2.0 not in [v for v in found if isinstance(v, float)]


@pytest.fixture
def learner_kernel(monkeypatch):
    """As in a learner's Jupyter kernel, where attempts and peeks are recorded."""
    monkeypatch.setattr(progress_store, "in_kernel", lambda: True)


def test_reading_the_expected_value_counts_as_viewing_the_solution(learner_kernel):
    exercise = Exercise(number_question(id="test.peek"))
    value = exercise.question.expected()
    checks.record(exercise.evaluate(value))
    entry = checks.load_progress()["test.peek"]
    assert entry["solved"] and entry["solution_viewed"] is True
    assert checks.progress_table(["test.peek"]).loc[0, "solution viewed"] == "yes"


def test_attempts_are_counted_so_that_guessing_shows(learner_kernel):
    question = number_question(id="test.guess", misconceptions=())
    low, high, tries = 0.0, 1.0, 0
    while True:  # bisection on "too high" / "too low", without ever calling check()
        tries += 1
        guess = round((low + high) / 2, 4)
        result = question.evaluate(guess)
        if result.correct:
            checks.record(result)
            break
        low, high = (guess, high) if "too low" in result.message else (low, guess)
    assert tries >= 8
    table = checks.progress_table(["test.guess"])
    assert table.loc[0, "attempts"] == tries and table.loc[0, "done"] == "✔ solved"
    for _ in range(3):  # the solved notebook run again does not count as guessing
        checks.record(question.evaluate(0.4213))
    assert checks.progress_table(["test.guess"]).loc[0, "attempts"] == tries
    checks.record(question.evaluate(BLANK))  # nor does a blank
    assert checks.load_progress()["test.guess"]["attempts"] == tries


def test_the_grader_judging_answers_writes_nothing_into_the_instructors_progress(tmp_path):
    question = number_question(id="test.graded")
    question.evaluate(question.expected())  # the grader's process is no kernel
    question.evaluate(7.0)
    assert not (tmp_path / "progress.json").exists()


def test_the_attempt_that_solves_a_question_updates_last_tried(monkeypatch):
    clock = iter(["2026-01-01 10:00:00", "2026-01-01 11:00:00", "2026-01-01 12:00:00"])
    monkeypatch.setattr(progress_store, "_now", lambda: next(clock))
    question = number_question(id="test.last")
    checks.record(question.evaluate(7.0))
    checks.record(question.evaluate(0.4213))
    entry = checks.load_progress()["test.last"]
    assert entry["time"] == entry["last_tried"] == "2026-01-01 11:00:00"
    assert checks.progress_table(["test.last"]).loc[0, "last tried"] == "2026-01-01 11:00:00"


@pytest.mark.parametrize("kind", ["hint", "solution", "info", *Status])
def test_no_feedback_box_needs_an_emoji_font(kind):
    box = checks.Feedback(kind, "q1", "a message")
    assert all(ord(c) < 0x1F000 for c in box.html() + box.text()), kind
    if kind in ("hint", "solution"):
        assert "<svg" in box.html() and box.text().startswith(kind.capitalize())
