"""A self-learner uploads a shipped export into the "Your pipeline" lab in Voilà and maps it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import background_server, free_port
from test_labs_browser import is_foreign

from sqolab.data.demo_exports import demo_path
from sqolab.workshop.deploy import DASHBOARDS_DIR, voila_command

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "08_your_pipeline.ipynb"


def _dropdown(page, label: str):
    """The <select> of the dropdown whose label is exactly ``label``."""
    exact = page.locator("label", has_text=re.compile(f"^{re.escape(label)}$"))
    return page.locator(".widget-dropdown").filter(has=exact).locator("select")


@pytest.mark.slow
def test_upload_an_export_map_it_and_see_the_hindsight(browser):
    port = free_port()
    command = voila_command(port=port, root=NOTEBOOK, config=DASHBOARDS_DIR)
    url = f"http://127.0.0.1:{port}/"
    with background_server(command, url, timeout=120, cwd=ROOT):
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
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
        page.get_by_text("never written to disk").first.wait_for(timeout=120_000)
        # ipywidgets' upload button opens the file chooser from a detached <input type=file>
        with page.expect_file_chooser() as chooser:
            page.locator(".widget-upload", has_text="Leads file").click()
        chooser.value.set_files(str(demo_path("German CSV list (semicolon)")[0]))
        page.get_by_text("400 leads ready").wait_for(timeout=60_000)
        assert _dropdown(page, "Firma").input_value() == "company"  # the suggestion

        _dropdown(page, "authority").click()  # the mouse opens the list, then picks a threshold
        _dropdown(page, "authority").select_option(label="≥ influencer")
        # the win-rate table gets its "authority" rows only once the criterion is applied
        page.locator("td", has_text="authority not met").wait_for(timeout=60_000)
        turned = page.get_by_text(re.compile(r"turned away \d+ won deals")).inner_text()
        assert int(re.search(r"turned away (\d+)", turned).group(1)) > 0

        _dropdown(page, "Budget (€)").select_option(label="— not used —")  # drop a column
        page.get_by_text("budget: unavailable").wait_for(timeout=60_000)
        assert _dropdown(page, "budget").is_disabled()
        page.close()
    assert not errors, errors
    assert not foreign, f"requests to other hosts than 127.0.0.1 (aborted): {foreign}"
