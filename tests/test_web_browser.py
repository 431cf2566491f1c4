"""The live labs in Chromium: offline, keyboard-operable, labelled, announced, readable when dark.

Each lab page of a small book (the project's _config.yml, one page per live lab; see web_book.py)
is opened with every request to another host aborted and recorded. For each kind of control on
the page (slider, drop-down, checkbox) the test moves one with the keyboard and waits until the
numbers, the chart and the aria-live summary change. Set SQOLAB_BOOK_HTML to a folder with the
whole course built to run the same checks on the course's own lab pages.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser import serve_directory
from web_book import LAB_PAGES, LABS, build_live_book, reference

from sqolab.web.payload import fmt

LOCAL_HOSTS = {"127.0.0.1", "localhost"}

STATE_JS = """() => {
  const root = document.querySelector('.sqolab-live');
  const numbers = [...root.querySelectorAll('[data-key]')].map(n => n.textContent).join('|');
  const charts = [...root.querySelectorAll('svg')].map(s => s.innerHTML).join('');
  const live = root.querySelector('[aria-live]').textContent;
  return {numbers, charts, live};
}"""

CONTROLS_JS = """() => [...document.querySelectorAll('.sqolab-live [data-control]')].map(c => ({
  key: c.getAttribute('data-control'), kind: c.type === 'select-one' ? 'select' : c.type,
  disabled: c.disabled, id: c.id,
  label: (document.querySelector(`label[for="${c.id}"]`) || {}).textContent || '',
}))"""

KEY_JS = """key => { const c = document.querySelector(`[data-control="${key}"]`);
  if (c.type === 'checkbox') return 'Space';
  if (c.type === 'range') return Number(c.value) >= Number(c.max) ? 'ArrowLeft' : 'ArrowRight';
  return c.selectedIndex < c.options.length - 1 ? 'ArrowDown' : 'ArrowUp'; }"""

VALUE_JS = """key => { const c = document.querySelector(`[data-control="${key}"]`);
  return c.type === 'checkbox' ? String(c.checked) : c.value; }"""


def lab_pages() -> list[tuple[str, str]]:
    """(page path, lab) of the book under test."""
    if os.environ.get("SQOLAB_BOOK_HTML"):
        return [(f"{page}.html", lab) for page, lab in LAB_PAGES.items()]
    return [(f"labs/{lab}.html", lab) for lab in LABS]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    given = os.environ.get("SQOLAB_BOOK_HTML")
    if given:
        return Path(given)
    html, result = build_live_book(tmp_path_factory.mktemp("live_book"))
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return html


@pytest.fixture
def offline_page(site, browser):
    """A page on the served site; every non-local request is aborted and recorded."""
    with serve_directory(site) as base:
        context = browser.new_context()
        external: list[str] = []
        problems: list[str] = []

        def route(route_, request):
            host = urlparse(request.url).hostname or ""
            if request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
                route_.continue_()
            else:
                external.append(request.url)
                route_.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on(
            "console",
            lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
        )
        yield base, page, external, problems
        context.close()


@pytest.mark.parametrize("path, lab", lab_pages())
def test_each_kind_of_control_moves_the_numbers_and_the_chart_by_keyboard(offline_page, path, lab):
    base, page, external, problems = offline_page
    page.goto(f"{base}/{path}")
    page.wait_for_selector(f'.sqolab-live[data-lab="{lab}"][data-ready="true"]')
    controls = page.evaluate(CONTROLS_JS)
    assert controls, "the live lab shows no controls"
    for control in controls:  # every control has a visible label tied to it
        assert control["label"].strip(), f"{control['key']} has no label"
    kinds_moved = set()
    for kind in sorted({c["kind"] for c in controls}):
        for control in [c for c in controls if c["kind"] == kind]:
            if page.is_disabled(f"#{control['id']}"):  # e.g. the slider of a criterion not applied
                continue
            before = page.evaluate(STATE_JS)
            value = page.evaluate(VALUE_JS, control["key"])
            page.focus(f"#{control['id']}")
            page.keyboard.press(page.evaluate(KEY_JS, control["key"]))
            # the page updates in the control's own input/change event: once the value moved,
            # the numbers and charts have been redrawn (no timer, no wait for a frame)
            page.wait_for_function(
                f"([key, value]) => ({VALUE_JS})(key) !== value", arg=[control["key"], value]
            )
            after = page.evaluate(STATE_JS)
            if after["numbers"] != before["numbers"] and after["charts"] != before["charts"]:
                assert after["live"] != before["live"], "the aria-live summary did not follow"
                kinds_moved.add(kind)
                break
    assert kinds_moved == {c["kind"] for c in controls}, f"moved only {kinds_moved}"
    assert external == []
    assert problems == []


def _luminance(rgb: str) -> float:
    parts = [float(x) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    channels = [c / 255 for c in parts]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


COLOURS_JS = """() => {
  const root = document.querySelector('.sqolab-live');
  let node = root, bg = 'rgba(0, 0, 0, 0)';
  while (node && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
    bg = getComputedStyle(node).backgroundColor; node = node.parentElement;
  }
  const text = getComputedStyle(root.querySelector('[data-key]')).color;
  const tick = getComputedStyle(root.querySelector('svg text')).fill;
  return {bg, text, tick, theme: document.documentElement.dataset.theme};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_numbers_and_charts_are_readable_in_both_colour_modes(site, browser, scheme):
    path, lab = lab_pages()[1]
    with serve_directory(site) as base:
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(f"{base}/{path}")
        page.wait_for_selector(f'.sqolab-live[data-lab="{lab}"][data-ready="true"]')
        colours = page.evaluate(COLOURS_JS)
        context.close()
    assert colours["theme"] == scheme
    assert contrast(colours["text"], colours["bg"]) >= 4.5, colours
    assert contrast(colours["tick"], colours["bg"]) >= 4.5, colours


def test_the_live_lab_is_labelled_for_screen_readers(site, browser):
    path, lab = lab_pages()[2]
    with serve_directory(site) as base:
        page = browser.new_page()
        page.goto(f"{base}/{path}")
        page.wait_for_selector(f'.sqolab-live[data-lab="{lab}"][data-ready="true"]')
        live = page.locator(".sqolab-live [aria-live=polite]")
        assert "SQOs" in live.text_content()
        for label in page.locator(".sqolab-live svg").evaluate_all(
            "svgs => svgs.map(s => [s.getAttribute('role'), s.getAttribute('aria-label')])"
        ):
            assert label[0] == "img" and len(label[1]) > 40
        slider = page.locator('[data-control="threshold"]')
        assert slider.get_attribute("aria-valuetext").endswith("points")
        page.close()


@pytest.mark.parametrize("late", ["data-qualify.js", "live.js"])
def test_the_lab_starts_whichever_of_data_and_script_arrives_last(site, browser, late):
    """Both load with async: the page must not depend on their order."""
    with serve_directory(site) as base:
        context = browser.new_context()
        context.route(f"**/sqolab-live/{late}", lambda route: route.abort())
        page = context.new_page()
        page.goto(f"{base}/labs/qualify.html")
        page.wait_for_load_state("load")
        root = page.locator('.sqolab-live[data-lab="qualify"]')
        # without the late file the lab is not built (or says it could not load, never half-built)
        assert root.get_attribute("data-ready") in (None, "failed")
        if root.get_attribute("data-ready") == "failed":
            page.evaluate("document.querySelector('.sqolab-live').removeAttribute('data-ready')")
        page.evaluate(
            """src => { const s = document.createElement('script');
                        s.src = src; document.body.append(s); }""",
            f"{base}/_static/sqolab-live/{late}?late=1",
        )
        page.wait_for_selector('.sqolab-live[data-lab="qualify"][data-ready="true"]')
        bant = reference("start", {"context": "startup", "preset": "BANT"})
        assert page.locator('.sqolab-live [data-key="n_sqo"]').text_content() == fmt(
            bant["n_sqo"], "int"
        )
        context.close()
