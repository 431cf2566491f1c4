"""A trainee plays lab 1 in a real browser: Voilà on 127.0.0.1, Debian Chromium via Playwright.

Voilà runs with the dashboards' command and settings (``voila_command``: ``dashboards/voila.json``
and the course's template, Voilà's lab template without its CDN links), so a request of the page
to any host but 127.0.0.1 fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser import background_server, free_port

from sqolab.workshop.deploy import DASHBOARDS_DIR, voila_command

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01_qualify_leads.ipynb"


def is_foreign(url: str) -> bool:
    """Any host but 127.0.0.1; data:, blob: and about: addresses never leave the page."""
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about"):
        return False
    return parsed.scheme not in ("http", "https", "ws", "wss") or parsed.hostname != "127.0.0.1"


def sqo_count(page) -> int:
    text = page.locator('[data-key="n_sqo"]').inner_text()
    return int(text.split(" ")[0].replace(",", ""))


@pytest.mark.slow
def test_a_trainee_moves_a_slider_with_the_keyboard_and_the_sqo_count_changes(browser, tmp_path):
    port = free_port()
    command = voila_command(port=port, root=NOTEBOOK, config=DASHBOARDS_DIR)
    url = f"http://127.0.0.1:{port}/"
    with background_server(command, url, timeout=120, cwd=ROOT):
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        errors: list[str] = []
        foreign: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("websocket", lambda ws: foreign.append(ws.url) if is_foreign(ws.url) else None)

        def block_foreign(route) -> None:
            if is_foreign(route.request.url):
                foreign.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        page.route("**/*", block_foreign)
        page.goto(url, timeout=120_000)
        count = page.locator('[data-key="n_sqo"]')
        count.wait_for(timeout=120_000)
        assert "/voila/templates/sqolab/static/" in page.content()  # the course's template
        page.locator(".jupyter-matplotlib-canvas-div canvas").first.wait_for(timeout=60_000)
        before = sqo_count(page)

        # "criteria to meet": BANT starts at all 4; one ArrowLeft makes it 3 of 4.
        slider = page.locator(".widget-slider", has_text="criteria to meet")
        handle = slider.locator(".noUi-handle")
        handle.focus()
        page.keyboard.press("ArrowLeft")
        page.wait_for_function(
            "before => { const el = document.querySelector('[data-key=\"n_sqo\"]');"
            " return el && parseInt(el.textContent.replace(/,/g, '')) !== before; }",
            arg=before,
            timeout=30_000,
        )
        after = sqo_count(page)
        assert after > before  # meeting 3 of 4 criteria lets more leads through
        assert re.search(r"at least 3 of 4 must be met", page.content())

        # A tooltip explains the control; the error box stays hidden.
        titles = slider.evaluate(
            "el => [el, ...el.querySelectorAll('*')].map(e => e.title).filter(Boolean)"
        )
        assert any("applied criteria" in t for t in titles), titles
        assert page.locator(".sqolab-error").count() == 0
        page.screenshot(path=str(tmp_path / "lab1.png"), full_page=True)
        page.close()
    assert not errors, errors
    assert not foreign, f"requests to other hosts than 127.0.0.1 (aborted): {foreign}"
