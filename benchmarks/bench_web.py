"""Benchmark of the live labs in a real browser: slider input to updated numbers and chart.

Run ``python benchmarks/bench_web.py`` (40 moves per lab, Voilà baseline included) or
``--quick`` (10 moves, no Voilà).

A small book with one page per live lab is built with the course's extension (tests/web_book.py),
and served on 127.0.0.1. Debian's Chromium (Playwright) opens each page with every request to
another host aborted, and moves the lab's main slider with the keyboard, alternately right and
left. Each move is timed *in the page*: from the keydown to the moment the lab has rewritten its
numbers and charts (a MutationObserver, called when the synchronous update ends), and to the next
animation frame (what the reader sees). The same pages are then served with 100,000 generated
leads (``generate_leads("startup", 100_000, seed=1)``; orchard: ``generate_orchard(100_000)``).

Also measured: navigation to a usable lab (the page's own clock, ``performance.now()`` when the
lab is built and its controls respond; beside it "html ms", when the browser had parsed the page,
the theme's share of it), the bytes each page loads (live-lab data and scripts, and
the whole page with the theme), and, as the baseline in the same run, the kernel lab's round trip
in Voilà (Lab 1, "criteria to meet", as ``bench_dashboard.py`` measures it). The check that must
agree: every move was seen, and the page's numbers after the moves equal the engine's
(``tests/web_book.reference``) for the settings the page reports.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from browser import CHROMIUM, CHROMIUM_ARGS, serve_directory  # noqa: E402
from web_book import build_live_book, reference  # noqa: E402

from sqolab.data.generator import generate_leads, generate_orchard  # noqa: E402
from sqolab.web.payload import data_script  # noqa: E402

BIG = 100_000
SLIDERS = {  # lab -> the slider its lesson turns on
    "qualify": "min_met",
    "tradeoff": "threshold",
    "benefits": "threshold",
    "drawbacks": "threshold",
    "orchard": "threshold",
}
GOALS = {"sample_p95_ms": 16.0, "big_p95_ms": 100.0, "ready_ms": 2000.0, "page_bytes": 1.5e6}

TIMER_JS = """() => {
  const b = window.__bench = {t0: null, update: [], frame: []};
  const root = document.querySelector('.sqolab-live');
  document.addEventListener('keydown', () => { b.t0 = performance.now(); }, true);
  new MutationObserver(() => {
    if (b.t0 === null) return;
    const t0 = b.t0; b.t0 = null;
    b.update.push(performance.now() - t0);
    requestAnimationFrame(() => b.frame.push(performance.now() - t0));
  }).observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
}"""


def big_site(html: Path, folder: Path) -> Path:
    """A copy of the site whose lab pages load 100,000 generated leads."""
    target = folder / "big"
    shutil.copytree(html, target)
    leads = {"startup": generate_leads("startup", BIG, seed=1)}
    orchard = {"orchard": generate_orchard(BIG, seed=1)}
    for lab in SLIDERS:
        data = data_script(lab, orchard if lab == "orchard" else leads)
        (target / "_static" / "sqolab-live" / f"data-{lab}.js").write_text(data)
    return target


def open_lab(context, base: str, lab: str) -> tuple[object, dict]:
    """Open a lab page offline; return the page and its load figures."""
    page = context.new_page()
    sizes: dict[str, int] = {}
    external: list[str] = []

    def route(route_, request):
        if (urlparse(request.url).hostname or "") in {"127.0.0.1", "localhost"}:
            route_.continue_()
        else:
            external.append(request.url)
            route_.abort()

    def size(response):
        try:
            sizes[response.url] = len(response.body())
        except Exception:  # a redirect or an aborted response has no body
            sizes[response.url] = 0

    page.route("**/*", route)
    page.on("response", size)
    start = time.perf_counter()
    page.goto(f"{base}/labs/{lab}.html")
    page.wait_for_selector(f'.sqolab-live[data-lab="{lab}"][data-ready="true"]', timeout=120_000)
    wall = (time.perf_counter() - start) * 1000
    ready = page.evaluate(f"window.sqolabLive['{lab}'].readyAt")
    parsed = page.evaluate("performance.getEntriesByType('navigation')[0].domInteractive")
    page.wait_for_load_state("load")
    live = sum(v for k, v in sizes.items() if "/sqolab-live/" in k)
    return page, {
        "ready_ms": ready,
        "parsed_ms": parsed,
        "wall_ms": wall,
        "live_bytes": live,
        "page_bytes": sum(sizes.values()),
        "external": external,
    }


def time_moves(page, lab: str, moves: int) -> tuple[list[float], list[float]]:
    """Milliseconds from keydown to the updated lab, and to the next frame, over ``moves``."""
    page.evaluate(TIMER_JS)
    page.focus(f'[data-control="{SLIDERS[lab]}"]')
    for i in range(moves):
        page.keyboard.press("ArrowLeft" if i % 2 == 0 else "ArrowRight")
        page.wait_for_function(f"window.__bench.frame.length === {i + 1}")
    result = page.evaluate("window.__bench")
    return result["update"], result["frame"]


def agrees(page, lab: str) -> bool:
    """The numbers the page shows equal the engine's for the page's settings (sample data)."""
    settings = page.evaluate(f"window.sqolabLive['{lab}'].settings()")
    shown = page.evaluate(f"window.sqolabLive['{lab}'].numbers()")
    expected = reference(lab, settings)
    for key, value in expected.items():
        got = shown[key]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            if got is not None:
                return False
        elif got is None or float(got) != float(value):
            return False
    return True


def voila_round_trip(browser, moves: int) -> list[float]:
    """Lab 1's kernel round trip in Voilà ("criteria to meet"), as bench_dashboard measures it."""
    import bench_dashboard
    from browser import background_server, free_port

    from sqolab.workshop.deploy import voila_command

    folder = bench_dashboard.make_folder()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = voila_command(port=port, root=folder, log=folder / "voila.log")
    try:
        with background_server(command, url + "/", timeout=120, cwd=folder):
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{url}/voila/render/lab.ipynb", timeout=180_000)
            page.locator('[data-key="n_sqo"]').wait_for(timeout=180_000)
            page.locator(".jupyter-matplotlib-canvas-div canvas").first.wait_for(timeout=60_000)
            times, _ = bench_dashboard.time_moves(page, "criteria to meet", "n_sqo", moves)
            page.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return times


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 moves, no Voila baseline")
    parser.add_argument("--moves", type=int, default=None)
    parser.add_argument("--no-voila", action="store_true", help="skip the Voila baseline")
    parser.add_argument(
        "--smoke", action="store_true", help="smallest run (tests/test_benchmarks.py)"
    )
    args = parser.parse_args(argv)
    args.quick = args.quick or args.smoke
    moves = args.moves or (2 if args.smoke else 10 if args.quick else 40)
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM}: skipped (apt-get install chromium).")
        return True
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="sqolab-bench-web-"))
    ok = True
    try:
        html, result = build_live_book(folder)
        if result.returncode != 0:
            print((result.stdout + result.stderr)[-3000:])
            return False
        big = big_site(html, folder)
        print(f"{moves} slider moves per lab; CPU cores: {os.cpu_count()}; load {os.getloadavg()}")
        rows = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for size, site in (("sample", html), (f"{BIG:,}", big)):
                with serve_directory(site) as base:
                    for lab in SLIDERS:
                        context = browser.new_context()
                        page, load = open_lab(context, base, lab)
                        update, frame = time_moves(page, lab, moves)
                        good = len(update) == moves and not load["external"]
                        if size == "sample":
                            good = good and agrees(page, lab)
                        ok = ok and good
                        rows.append((lab, size, update, frame, load, good))
                        context.close()
            voila = [] if (args.quick or args.no_voila) else voila_round_trip(browser, moves)
            browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    head = f"{'lab':<10} {'leads':>8} {'upd p50':>8} {'upd p95':>8} {'frame p95':>9}"
    print(f"{head} {'ready ms':>9} {'html ms':>8} {'live kB':>8} {'page kB':>8}  ok")
    for lab, size, update, frame, load, good in rows:
        print(
            f"{lab:<10} {size:>8} {statistics.median(update):>8.2f} {p95(update):>8.2f} "
            f"{p95(frame):>9.2f} {load['ready_ms']:>9.0f} {load['parsed_ms']:>8.0f} "
            f"{load['live_bytes'] / 1e3:>8.0f} "
            f"{load['page_bytes'] / 1e3:>8.0f}  {good}"
        )
    sample = [r for r in rows if r[1] == "sample"]
    worst_sample = max(p95(r[2]) for r in sample)
    worst_big = max(p95(r[2]) for r in rows if r[1] != "sample")
    worst_ready = max(r[4]["ready_ms"] for r in sample)
    worst_bytes = max(r[4]["live_bytes"] for r in sample)
    print(
        f"worst p95 input -> update: samples {worst_sample:.2f} ms (goal <= "
        f"{GOALS['sample_p95_ms']:.0f}), {BIG:,} leads {worst_big:.2f} ms (goal <= "
        f"{GOALS['big_p95_ms']:.0f}); navigation -> usable {worst_ready:.0f} ms (goal <= "
        f"{GOALS['ready_ms']:.0f}); live-lab bytes per page {worst_bytes / 1e6:.2f} MB "
        "(goal <= 1.5)"
    )
    if voila:
        lab1 = next(r for r in sample if r[0] == "qualify")
        v50, v95 = statistics.median(voila), p95(voila)
        print(
            f"Voila kernel round trip, Lab 1 'criteria to meet': p50 {v50:.1f} ms, p95 {v95:.1f} "
            f"ms; live Lab 1 p50 {statistics.median(lab1[2]):.2f} ms, p95 {p95(lab1[2]):.2f} ms: "
            f"the live lab is {v50 / statistics.median(lab1[2]):.0f}x (p50) and "
            f"{v95 / p95(lab1[2]):.0f}x (p95) faster"
        )
    print(f"Every move seen, no request to another host, numbers equal the engine's: {ok}")
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
