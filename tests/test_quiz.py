"""The end-of-chapter quizzes: their data, their HTML, and how they behave in a real browser."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from browser import serve_directory

from sqolab.practice import quiz
from sqolab.practice.quiz import QUIZ_IDS, load_quiz, quiz_html, quiz_text, show_quiz


def test_every_chapter_has_a_quiz_of_at_least_five_questions_with_feedback_for_each_answer():
    assert QUIZ_IDS[-1] == "conversation" and QUIZ_IDS[:5] == (
        "what_is_an_sqo",
        "benefits",
        "drawbacks",
        "examples",
        "choosing",
    )
    for chapter in QUIZ_IDS:
        q = load_quiz(chapter)
        assert len(q.questions) >= 5, chapter
        for question in q.questions:
            assert len(question.options) >= 3, question.id
            assert sum(o.correct for o in question.options) == 1
            assert all(len(o.feedback.split()) >= 4 for o in question.options), question.id


def test_quiz_files_are_package_data():
    files = {p.name for p in resources.files("sqolab.practice").joinpath("quizzes").iterdir()}
    assert {f"{chapter}.json" for chapter in QUIZ_IDS} <= files


def test_the_right_answer_is_not_always_in_the_same_place():
    positions = {
        next(i for i, o in enumerate(quiz.shown_options(c, q)) if o.correct)
        for c in QUIZ_IDS
        for q in load_quiz(c).questions
    }
    assert len(positions) >= 3


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"questions": []}, "title"),
        ({"title": "t", "questions": [{"question": "q", "options": []}]}, "unique 'id'"),
        ({"title": "t", "questions": [{"id": "a", "question": "q", "options": []}]}, "2 to"),
        (
            {
                "title": "t",
                "questions": [
                    {
                        "id": "a",
                        "question": "q",
                        "options": [
                            {"text": "x", "correct": True, "feedback": "f"},
                            {"text": "y", "correct": True, "feedback": "f"},
                        ],
                    }
                ],
            },
            "exactly one",
        ),
        (
            {
                "title": "t",
                "questions": [
                    {
                        "id": "a",
                        "question": "q",
                        "options": [
                            {"text": "x", "correct": True, "feedback": "f"},
                            {"text": "y", "feedback": " "},
                        ],
                    }
                ],
            },
            "needs feedback",
        ),
    ],
)
def test_malformed_quiz_data_is_rejected(data, problem):
    with pytest.raises(ValueError, match=problem):
        quiz._parse("x", data)


def test_unknown_quiz_names_the_available_ones():
    with pytest.raises(ValueError, match="what_is_an_sqo"):
        show_quiz("no_such_chapter")


def test_html_is_self_contained_escaped_and_has_unique_inputs():
    for chapter in QUIZ_IDS:
        page = quiz_html(chapter)
        assert "<script" not in page.lower()
        assert not re.search(r"(src|href)\s*=|https?://|@import|url\(", page)
        ids = re.findall(r'id="([^"]+)"', page)
        assert len(ids) == len(set(ids))
        n_options = sum(len(q.options) for q in load_quiz(chapter).questions)
        assert page.count('type="radio"') == n_options
        assert page.count("<fieldset") == len(load_quiz(chapter).questions)
        assert page.count("<label for=") == n_options
    assert quiz_html("benefits") != quiz_html("benefits")  # a second quiz gets new input names
    special = quiz._parse(
        "x",
        {
            "title": "<b>t</b>",
            "questions": [
                {
                    "id": "a",
                    "question": "Is 1 < 2 & 3 > 2?",
                    "options": [
                        {"text": "<i>yes</i>", "correct": True, "feedback": "x < y"},
                        {"text": "no", "feedback": "<script>"},
                    ],
                }
            ],
        },
    )
    page = quiz.render_html(special, uid="u")
    assert "&lt;i&gt;yes&lt;/i&gt;" in page and "Is 1 &lt; 2 &amp; 3 &gt; 2?" in page
    assert "<script>" not in page and "&lt;b&gt;t&lt;/b&gt;" in page


def test_text_fallback_lists_questions_then_answers(capsys):
    text = quiz_text("drawbacks")
    first = load_quiz("drawbacks").questions[0]
    assert text.index(first.question) < text.index("Answers and feedback:")
    for option in first.options:
        assert option.text in text and option.feedback in text
    show_quiz("drawbacks")  # outside a notebook: plain text
    assert capsys.readouterr().out.startswith("Quiz: The drawbacks of SQOs")
    bundle = quiz.QuizView("drawbacks")._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="data:,"></head>
<body><main>{body}</main></body></html>
"""


@pytest.mark.slow
@pytest.mark.parametrize("chapter", QUIZ_IDS)
def test_clicking_an_answer_reveals_its_feedback_in_a_real_browser(browser, tmp_path, chapter):
    (tmp_path / "quiz.html").write_text(
        PAGE.format(title=chapter, body=quiz_html(chapter, uid="quiz")), encoding="utf-8"
    )
    with serve_directory(tmp_path) as base:
        page = browser.new_page()
        requests, problems = [], []
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{base}/quiz.html")
        feedback = page.locator(".sqolab-quiz-feedback")
        assert feedback.count() > 0
        assert all(not feedback.nth(i).is_visible() for i in range(feedback.count()))
        for question in load_quiz(chapter).questions:
            fieldset = page.locator(f'fieldset[data-question="{question.id}"]')
            options = fieldset.locator(".sqolab-quiz-option")
            for i in range(options.count()):
                options.nth(i).locator("label").click()
                shown = fieldset.locator(".sqolab-quiz-feedback:visible")
                assert shown.count() == 1
                mine = options.nth(i).locator(".sqolab-quiz-feedback")
                assert mine.is_visible()
                expected = quiz.shown_options(chapter, question)[i]
                assert expected.feedback in mine.inner_text()
                verdict = "✔ Correct." if expected.correct else "✘ Not quite."
                assert mine.inner_text().startswith(verdict)
        # Keyboard: arrow keys move the choice and its feedback follows.
        first = page.locator("fieldset").first
        first.locator("input").first.focus()
        page.keyboard.press("ArrowDown")
        assert first.locator("input").nth(1).is_checked()
        assert (
            first.locator(".sqolab-quiz-option")
            .nth(1)
            .locator(".sqolab-quiz-feedback")
            .is_visible()
        )
        page.close()
    assert all(url.startswith(base) for url in requests), requests
    assert not problems, problems


def test_quiz_json_files_are_valid_json_with_ids_matching_their_names():
    for chapter in QUIZ_IDS:
        text = resources.files("sqolab.practice").joinpath("quizzes", f"{chapter}.json").read_text()
        assert json.loads(text)["questions"]
