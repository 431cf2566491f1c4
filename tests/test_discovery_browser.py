"""A trainee plays a discovery case end to end in a real browser, in each business (Lab 7).

Voilà serves the lab notebook with the dashboards' settings on 127.0.0.1; Debian Chromium, driven by
Playwright with the mouse and the keyboard, asks questions, decides, and sees the reveal and the
calibration chart. Any request to another host fails the test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser import background_server, free_port
from playwright.sync_api import expect
from test_labs_browser import is_foreign

from sqolab.data.contexts import PROFILES
from sqolab.engine.questions import QUESTIONS
from sqolab.workshop.deploy import DASHBOARDS_DIR, voila_command

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "07_discovery_call.ipynb"
OPEN_PATH = ("budget_open", "authority_economic", "need_goals", "timeline_open", "competition_open")


def question_button(root, key: str):
    text = next(q.en for q in QUESTIONS if q.key == key)
    return root.locator("button.jupyter-button", has_text=text)


def play_each_context(page, root, tmp_path: Path, name: str = "discovery") -> None:
    """Play the first case of each business with the open questions, mouse and keyboard.

    ``root`` holds the lab (the page in Voila, the notebook in JupyterLab, whose toolbar has
    selects and buttons of its own).
    """
    for n, context in enumerate(("startup", "consultancy", "agency"), start=1):
        business = root.locator("select").first
        if business.input_value() != PROFILES[context].title:
            briefing = root.locator("table caption", has_text="before the call").first
            before = briefing.locator("xpath=..").inner_text()
            business.select_option(value=PROFILES[context].title)
            page.wait_for_function(
                "before => [...document.querySelectorAll('table')].some(t =>"
                " t.innerText.includes('before the call') && t.innerText !== before)",
                arg=before,
            )
        root.locator(".widget-html", has_text="20 of 20 minutes left").wait_for()
        for i, key in enumerate(OPEN_PATH, start=1):
            button = question_button(root, key)
            if i % 2:
                button.click()
            else:  # keyboard only: focus the question and press Enter
                button.focus()
                page.keyboard.press("Enter")
            root.locator(".widget-html ol li").nth(i - 1).wait_for()
        root.get_by_text("4 of 20 minutes left").wait_for()
        assert question_button(root, "pitch_demo").is_disabled()  # 5 minutes: no longer fits
        root.get_by_role("button", name="Fill the note from what I heard").click()
        root.get_by_role("button", name="SQO: hand over to sales").click()
        root.get_by_role("button", name="Decide and reveal").click()
        root.get_by_role("heading", name="The reveal").wait_for()
        root.get_by_text("Outcome if worked:").wait_for()
        root.locator("img[alt^='Calibration chart of 1 decided']").wait_for()
        assert root.get_by_role("button", name="Decide and reveal").is_disabled()
        page.screenshot(path=str(tmp_path / f"{name}-{n}.png"), full_page=True)


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
        play_each_context(page, page.locator("body"), tmp_path)
        assert page.locator(".sqolab-error").count() == 0
        page.close()
    assert not errors, errors
    assert not foreign, f"requests to other hosts than 127.0.0.1 (aborted): {foreign}"


def jupyterlab_command(
    port: int, token: str, home: Path, root: Path
) -> tuple[list[str], dict[str, str]]:
    """JupyterLab on 127.0.0.1 serving ``root``, with its own settings (no user's config) and
    every cell kept in the page (no windowing), so the test sees the whole notebook."""
    import os
    import sys

    settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    news = home / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "SQOLAB_PROGRESS": str(home / "progress.json"),
    }
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
        "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", "--LabApp.extension_manager=readonly",
        "--ServerApp.port_retries=0", "--allow-root",
    ]  # fmt: skip
    return command, env


@pytest.mark.slow
def test_a_trainee_plays_a_case_in_each_business_in_jupyterlab(browser, tmp_path):
    """The same game in JupyterLab: open the notebook, Run > Run All Cells, play each business."""
    port = free_port()
    token = "sqolab-test"
    work = tmp_path / "work"  # a copy: JupyterLab's autosave never touches the repository
    work.mkdir()
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
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

        # only foreign requests are routed: intercepting JupyterLab's own requests delays its
        # kernel connection past the Run menu's click, which then runs nothing
        page.route(is_foreign, block)
        channels = "/channels"
        with page.expect_websocket(lambda ws: channels in ws.url, timeout=120_000) as kernel:
            page.goto(f"{base}/lab/tree/{NOTEBOOK.name}?token={token}", timeout=120_000)
        kernel.value.wait_for_event(
            "framereceived", lambda frame: "kernel_info_reply" in str(frame), timeout=120_000
        )  # the notebook is connected to its kernel
        notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
        notebook.locator(".jp-Cell").first.wait_for(timeout=120_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
        page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
        notebook.get_by_text("minutes left").first.wait_for(timeout=120_000)
        # the website's note that the controls need a kernel is hidden where the kernel runs
        expect(notebook.get_by_text("Moving the controls needs a running kernel")).to_be_hidden()
        play_each_context(page, notebook, tmp_path, name="jupyterlab")
        assert notebook.locator(".sqolab-error").count() == 0
        assert notebook.locator(".jp-OutputArea-output[data-mime-type*='error']").count() == 0
        page.close()
    assert not errors, errors
    assert not foreign, f"requests to other hosts than 127.0.0.1 (aborted): {foreign}"
