"""A trainee plays lab 1 in a real browser: Voilà on 127.0.0.1, Debian Chromium via Playwright.

Voilà runs with the dashboards' command and settings (``voila_command``: ``dashboards/voila.json``
and the course's template, Voilà's lab template without its CDN links), so a request of the page
to any host but 127.0.0.1 fails the test.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser import background_server, free_port
from PIL import Image

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
        page.wait_for_function(  # the rule's text is redrawn by its own widget message
            "t => document.documentElement.outerHTML.includes(t)",
            arg="at least 3 of 4 must be met",
            timeout=30_000,
        )

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


LAB_DASHBOARDS = [
    "01_qualify",
    "02_tradeoff",
    "03_benefits",
    "04_drawbacks",
    "05_contexts",
    "06_orchard",
]
WIDTHS = (1000, 1366, 1920)  # the notebook beside JupyterLab's file browser, a laptop, a projector

LAYOUT = """() => {
  const visible = el => el.offsetParent !== null;
  const labels = [...document.querySelectorAll('.sqolab-lab .widget-label')]
    .filter(el => visible(el) && el.textContent.trim())
    .map(el => [el.textContent.trim(), el.scrollWidth, el.clientWidth]);
  const tracks = [...document.querySelectorAll('.sqolab-lab .widget-hslider .slider-container')]
    .filter(visible).map(el => el.getBoundingClientRect().width);
  const boxes = [...document.querySelectorAll(
      '.sqolab-lab .jupyter-matplotlib-canvas-div, .sqolab-lab table.sqolab-table')]
    .filter(visible).map(el => {
      const r = el.getBoundingClientRect();
      return [el.tagName, r.left, r.right, r.height];
    });
  const page = document.documentElement;
  const notes = [...document.querySelectorAll('.sqolab-static-only')].filter(visible).length;
  return {labels, tracks, boxes, width: page.clientWidth, scroll: page.scrollWidth, notes};
}"""

DRAWN = """() => {
  const c = document.querySelector('.jupyter-matplotlib-canvas-div canvas');
  if (!c || !c.width) return false;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  for (let i = 0; i < d.length; i += 4) if (d[i] < 200) return true;
  return false;
}"""


def shows_figure(page, attempts: int = 200) -> None:
    """Wait until the figure is on screen: its pixels are painted, not only in the canvas."""
    canvas = page.locator(".jupyter-matplotlib-canvas-div").first
    for _ in range(attempts):  # each try renders a screenshot: a condition, not a sleep
        histogram = Image.open(io.BytesIO(canvas.screenshot())).convert("L").histogram()
        if sum(histogram[:128]) > 0.01 * sum(histogram):
            return
    raise AssertionError("the figure never appeared on screen")


@pytest.mark.slow
def test_every_lab_reads_in_full_and_fits_from_1000_to_1920_pixels(browser, tmp_path):
    port = free_port()
    command = voila_command(port=port, max_kernels=len(LAB_DASHBOARDS) + 2)
    url = f"http://127.0.0.1:{port}/"
    shots = Path(os.environ.get("SQOLAB_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with background_server(command, url, timeout=120, cwd=ROOT):
        for name in LAB_DASHBOARDS:
            page = browser.new_page(viewport={"width": WIDTHS[0], "height": 1080})
            page.goto(f"{url}voila/render/{name}.ipynb", timeout=120_000)
            page.locator(".sqolab-numbers b").first.wait_for(timeout=120_000)
            page.wait_for_function(DRAWN, timeout=60_000)  # the kernel sent the figure
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 1080})
                page.wait_for_function(f"() => document.documentElement.clientWidth === {width}")
                layout = page.evaluate(LAYOUT)
                where = f"{name} at {width} px"
                cut = [text for text, needed, shown in layout["labels"] if needed > shown + 1]
                assert not cut, f"{where}: labels cut off: {cut}"
                assert all(t >= 400 for t in layout["tracks"]), f"{where}: {layout['tracks']}"
                assert layout["scroll"] <= layout["width"], f"{where}: the page scrolls sideways"
                for tag, left, right, height in layout["boxes"]:
                    assert left >= 0 and right <= layout["width"] + 1, f"{where}: {tag} cut off"
                    assert height > 100 or tag == "TABLE", f"{where}: a figure collapsed"
                assert layout["notes"] == 0, f"{where}: the kernel note shows where it runs"
                shows_figure(page)
                page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
            page.close()
