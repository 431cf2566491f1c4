"""Benchmark of a dashboard in a real browser: slider-to-update time against a trivial round trip.

Run ``python benchmarks/bench_dashboard.py`` (40 moves) or ``--quick`` (8, for CI).

Voilà serves, with the course's command and settings (``sqolab.workshop.deploy.voila_command``), a
folder holding the Lab 1 dashboard (``dashboards/01_qualify.ipynb``) and a baseline notebook: one
slider whose observer writes its value into an HTML widget, the cheapest round trip a widget makes
(browser -> kernel -> browser). Debian's Chromium (Playwright) opens each page and moves the slider
with the keyboard (Lab 1: "criteria to meet", alternately 4 -> 3 -> 4 of the BANT criteria). Each
move is timed *in the page*, from the keydown to the moment the displayed number changes (a
MutationObserver), so Playwright's own latency is not counted.

Reported: p50/p95 of each, the ratio lab / baseline (the cost of qualifying 3,000 leads, updating
the figures and the tables on top of a bare round trip) and the page load time. The check that
must agree: every move changed the displayed SQO count, alternating between exactly two values.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM, CHROMIUM_ARGS, background_server, free_port  # noqa: E402

from sqolab.workshop.deploy import DASHBOARDS_DIR, voila_command  # noqa: E402

BASELINE_CODE = """import ipywidgets as widgets

ping = widgets.IntSlider(500, 0, 1000, description="ping [count]", continuous_update=False)
pong = widgets.HTML('<b data-key="ping">500</b>')
ping.observe(lambda c: setattr(pong, "value", f'<b data-key="ping">{c["new"]}</b>'), names="value")
widgets.VBox([ping, pong])"""

TIMER_JS = """key => {
  window.__bench = {t0: null, times: [], values: []};
  const read = () => { const e = document.querySelector(`[data-key="${key}"]`);
                       return e ? e.textContent : null; };
  let last = read();
  document.addEventListener('keydown', () => { window.__bench.t0 = performance.now(); }, true);
  new MutationObserver(() => {
    const now = read();
    if (now !== null && now !== last && window.__bench.t0 !== null) {
      window.__bench.times.push(performance.now() - window.__bench.t0);
      window.__bench.values.push(now);
      window.__bench.t0 = null;
    }
    last = now;
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def make_folder() -> Path:
    """A folder with the Lab 1 dashboard, the baseline notebook and the course's Voilà config."""
    folder = Path(tempfile.mkdtemp(prefix="sqolab-bench-dash-"))
    shutil.copy(DASHBOARDS_DIR / "01_qualify.ipynb", folder / "lab.ipynb")
    shutil.copy(DASHBOARDS_DIR / "voila.json", folder / "voila.json")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(BASELINE_CODE)]
    nbformat.write(nb, folder / "baseline.ipynb")
    return folder


def time_moves(page, slider_text: str, key: str, moves: int) -> tuple[list[float], list[str]]:
    """Milliseconds from keydown to a changed ``data-key`` value, over ``moves`` slider moves."""
    page.evaluate(TIMER_JS, key)
    handle = page.locator(".widget-slider", has_text=slider_text).locator(".noUi-handle")
    handle.focus()
    for i in range(moves):
        page.keyboard.press("ArrowLeft" if i % 2 == 0 else "ArrowRight")
        page.wait_for_function(f"window.__bench.times.length === {i + 1}", timeout=60_000)
    result = page.evaluate("window.__bench")
    return result["times"], result["values"]


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 moves instead of 40")
    parser.add_argument("--moves", type=int, default=None)
    parser.add_argument(
        "--smoke", action="store_true", help="smallest run (tests/test_benchmarks.py)"
    )
    args = parser.parse_args(argv)
    moves = args.moves or (2 if args.smoke else 8 if args.quick else 40)
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM}: skipped (apt-get install chromium).")
        return True
    from playwright.sync_api import sync_playwright

    folder = make_folder()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = voila_command(port=port, root=folder, log=folder / "voila.log")
    print(f"{moves} slider moves per page; CPU cores: {os.cpu_count()}")
    try:
        with (
            background_server(command, url + "/", timeout=120, cwd=folder),
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            start = time.perf_counter()
            page.goto(f"{url}/voila/render/lab.ipynb", timeout=180_000)
            page.locator('[data-key="n_sqo"]').wait_for(timeout=180_000)
            load_ms = (time.perf_counter() - start) * 1000
            page.locator(".jupyter-matplotlib-canvas-div canvas").first.wait_for(timeout=60_000)
            page.wait_for_timeout(500)
            lab, values = time_moves(page, "criteria to meet", "n_sqo", moves)
            page.close()
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{url}/voila/render/baseline.ipynb", timeout=180_000)
            page.locator('[data-key="ping"]').wait_for(timeout=180_000)
            page.wait_for_timeout(500)
            base, _ = time_moves(page, "ping", "ping", moves)
            page.close()
            browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    p50, p95 = statistics.median(lab), float(np.percentile(lab, 95))
    b50, b95 = statistics.median(base), float(np.percentile(base, 95))
    print(f"{'measure':<44} {'p50 ms':>8} {'p95 ms':>8}")
    print(f"{'Lab 1 slider -> SQO count shown':<44} {p50:>8.1f} {p95:>8.1f}")
    print(f"{'baseline: bare widget round trip':<44} {b50:>8.1f} {b95:>8.1f}")
    print(f"ratio lab / baseline: p50 {p50 / b50:.1f}x, p95 {p95 / b95:.1f}x")
    print(f"Lab 1 page load (navigation -> SQO count shown): {load_ms:,.0f} ms")
    distinct = set(values)
    agree = (
        len(lab) == moves
        and len(distinct) == 2
        and all(a != b for a, b in itertools.pairwise(values))
    )
    print(f"Every move changed the SQO count, alternating between two values: {agree}")
    return agree


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
