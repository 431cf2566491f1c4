"""A trainee who cannot program answers practice questions in a Voilà dashboard, without code.

Voilà serves dashboards/ with the course's command on 127.0.0.1; Debian Chromium answers a number
question, a choice and an ordering wrongly and then rightly, and reads the checker's feedback.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from browser import background_server, free_port
from playwright.sync_api import expect
from test_labs_browser import is_foreign

from sqolab.practice.exercises import what_is_an_sqo as chapter
from sqolab.practice.forms import _scrambled
from sqolab.workshop.deploy import DASHBOARDS_DIR, voila_command

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_a_trainee_answers_practice_1_without_code_in_voila(browser, tmp_path):
    port = free_port()
    env = {**os.environ, "SQOLAB_PROGRESS": str(tmp_path / "progress.json")}
    command = voila_command(port=port, log=tmp_path / "voila.log")
    base = f"http://127.0.0.1:{port}"
    with background_server(command, f"{base}/", timeout=120, cwd=DASHBOARDS_DIR, env=env):
        page = browser.new_page(viewport={"width": 1366, "height": 1400})
        errors: list[str] = []
        foreign: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def block(route) -> None:
            foreign.append(route.request.url)
            route.abort()

        page.route(is_foreign, block)
        page.goto(f"{base}/voila/render/11_practice_what_is_an_sqo.ipynb", timeout=180_000)
        forms = page.locator(".sqolab-form")
        expect(forms).to_have_count(len(chapter.QUESTIONS), timeout=180_000)

        # Question 1, a number, typed with the keyboard: too many, then the right count.
        q1 = forms.nth(0)
        right = chapter._n_sqo(chapter._bant())
        box = q1.get_by_role("textbox")
        box.fill(str(right + 250))
        q1.get_by_role("button", name="Check").click()
        expect(q1).to_contain_text("too high")
        expect(q1).not_to_contain_text(f"{right:,}")  # the feedback does not give it away
        box.fill(str(right))
        box.press("Tab")
        page.keyboard.press("Enter")  # Tab reaches Check: pressed with the keyboard
        expect(q1).to_contain_text("Well done")

        # Question 3, an order: checked as shown (wrong), then put right with the arrow buttons.
        q3 = forms.nth(2)
        q3.get_by_role("button", name="Check").click()
        expect(q3).to_contain_text("order is not right yet")
        order = _scrambled(chapter.q3.question.spec, list(chapter.FUNNEL))
        for target, item in enumerate(chapter.FUNNEL):
            while order.index(item) > target:
                q3.locator(f"button[title='Move {item} up']").click()
                i = order.index(item)
                order[i - 1], order[i] = order[i], order[i - 1]
                expect(q3.get_by_text(f"{i}. {item}", exact=True)).to_be_visible()
        q3.get_by_role("button", name="Check").click()
        expect(q3).to_contain_text("Well done")

        # Question 4, a choice: the tempting framework, its specific reason, then the right one.
        q4 = forms.nth(3)
        q4.get_by_label("BANT", exact=True).check()
        q4.get_by_role("button", name="Check").click()
        expect(q4).to_contain_text("budget line")
        q4.get_by_label("FAINT", exact=True).check()
        q4.get_by_role("button", name="Check").click()
        expect(q4).to_contain_text("Well done")

        assert page.locator("text=Traceback").count() == 0
        page.close()
    assert not errors, errors
    assert not foreign, f"requests to other hosts than 127.0.0.1 (aborted): {foreign}"


@pytest.mark.slow
def test_a_trainee_answers_without_code_in_jupyterlab(browser, tmp_path):
    """The practice notebook in JupyterLab: Run All, then the no-code form at the top."""
    from test_discovery_browser import jupyterlab_command

    notebook_file = "01_what_is_an_sqo.ipynb"
    work = tmp_path / "work"  # a copy: JupyterLab's autosave never touches the repository
    work.mkdir()
    shutil.copy(ROOT / "exercises" / notebook_file, work / notebook_file)
    port, token = free_port(), "sqolab-test"
    command, env = jupyterlab_command(port, token, tmp_path / "jupyter", work)
    base = f"http://127.0.0.1:{port}"
    with background_server(command, f"{base}/api/status?token={token}", timeout=120, env=env):
        page = browser.new_page(viewport={"width": 1366, "height": 3000})
        errors: list[str] = []
        foreign: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def block(route) -> None:
            foreign.append(route.request.url)
            route.abort()

        page.route(is_foreign, block)
        with page.expect_websocket(lambda ws: "/channels" in ws.url, timeout=120_000) as kernel:
            page.goto(f"{base}/lab/tree/{notebook_file}?token={token}", timeout=120_000)
        kernel.value.wait_for_event(
            "framereceived", lambda frame: "kernel_info_reply" in str(frame), timeout=120_000
        )
        notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
        notebook.locator(".jp-Cell").first.wait_for(timeout=120_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
        page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
        forms = notebook.locator(".sqolab-form")
        expect(forms).to_have_count(len(chapter.QUESTIONS), timeout=180_000)
        q4 = forms.nth(3)
        q4.get_by_label("CHAMP", exact=True).check()
        q4.get_by_role("button", name="Check").click()
        champ = next(m for m in chapter.q4.question.misconceptions if m.wrong() == "CHAMP")
        expect(q4).to_contain_text(champ.message[:40])  # the reason CHAMP is not the answer
        expect(q4).not_to_contain_text("Well done")
        q4.get_by_label("FAINT", exact=True).check()
        q4.get_by_role("button", name="Check").focus()
        page.keyboard.press("Enter")
        expect(q4).to_contain_text("Well done")
        page.close()
    assert not errors, errors
    assert not foreign, f"requests to other hosts than 127.0.0.1 (aborted): {foreign}"
