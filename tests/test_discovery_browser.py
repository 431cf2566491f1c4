"""A trainee plays a discovery case end to end in a real browser, in each business (Lab 7).

Voilà serves the lab notebook with the dashboards' settings on 127.0.0.1; Debian Chromium, driven by
Playwright with the mouse and the keyboard, asks questions, decides, and sees the reveal and the
calibration chart. Any request to another host fails the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import background_server, free_port
from test_labs_browser import is_foreign

from sqolab.data.contexts import PROFILES
from sqolab.engine.questions import QUESTIONS
from sqolab.workshop.deploy import DASHBOARDS_DIR, voila_command

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "07_discovery_call.ipynb"
OPEN_PATH = ("budget_open", "authority_economic", "need_goals", "timeline_open", "competition_open")


def question_button(page, key: str):
    text = next(q.en for q in QUESTIONS if q.key == key)
    return page.locator("button.jupyter-button", has_text=text)


@pytest.mark.slow
def test_a_trainee_plays_a_case_in_each_business(browser, tmp_path):
    port = free_port()
    command = voila_command(port=port, root=NOTEBOOK, config=DASHBOARDS_DIR)
    url = f"http://127.0.0.1:{port}/"
    with background_server(command, url, timeout=120, cwd=ROOT):
        page = browser.new_page(viewport={"width": 1366, "height": 2200})
        errors: list[str] = []
        foreign: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def block_foreign(route) -> None:
            if is_foreign(route.request.url):
                foreign.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        page.route("**/*", block_foreign)
        page.goto(url, timeout=120_000)
        page.get_by_text("minutes left").first.wait_for(timeout=120_000)
        for n, context in enumerate(("startup", "consultancy", "agency"), start=1):
            business = page.locator("select").first
            if business.input_value() != PROFILES[context].title:
                briefing = page.locator("table caption", has_text="before the call").first
                before = briefing.locator("xpath=..").inner_text()
                business.select_option(value=PROFILES[context].title)
                page.wait_for_function(
                    "before => [...document.querySelectorAll('table')].some(t =>"
                    " t.innerText.includes('before the call') && t.innerText !== before)",
                    arg=before,
                )
            page.locator(".widget-html", has_text="20 of 20 minutes left").wait_for()
            for i, key in enumerate(OPEN_PATH, start=1):
                button = question_button(page, key)
                if i % 2:
                    button.click()
                else:  # keyboard only: focus the question and press Enter
                    button.focus()
                    page.keyboard.press("Enter")
                page.locator(".widget-html ol li").nth(i - 1).wait_for()
            page.get_by_text("4 of 20 minutes left").wait_for()
            assert question_button(page, "pitch_demo").is_disabled()  # 5 minutes: no longer fits
            page.get_by_role("button", name="Fill the note from what I heard").click()
            page.get_by_role("button", name="SQO: hand over to sales").click()
            page.get_by_role("button", name="Decide and reveal").click()
            page.get_by_role("heading", name="The reveal").wait_for()
            page.get_by_text("Outcome if worked:").wait_for()
            page.locator("img[alt^='Calibration chart of 1 decided']").wait_for()
            assert page.get_by_role("button", name="Decide and reveal").is_disabled()
            page.screenshot(path=str(tmp_path / f"discovery-{n}.png"), full_page=True)
        assert page.locator(".sqolab-error").count() == 0
        page.close()
    assert not errors, errors
    assert not foreign, f"requests to other hosts than 127.0.0.1 (aborted): {foreign}"
