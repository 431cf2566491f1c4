"""Benchmark of the labs: time per control change, redraw included, against re-created figures.

Run ``python benchmarks/bench_labs.py`` (60 random values per control) or ``--quick`` (8, for CI).

Every lab of ``sqolab.labs.LABS`` is built on its sample and on 100,000 generated leads
(``generate_leads(context, 100_000, seed=1)``; 100,000 fruit for the orchard). Controls get random
valid values, programmatically, in random order. Each change is timed from setting ``.value``
(the observer runs the refresh synchronously) to the end of a synchronous ``canvas.draw()`` of the
lab's figures: the Agg render plus the PNG diff that the kernel sends when the browser asks for
the new image (``syncing_data_url`` is off, as when a browser is connected).

Baseline: the same view re-created as a new figure (same plotting code, same engine calls) and
drawn in full, which is what a notebook that re-runs ``plt.subplots`` per change does.

Targets: p95 <= 50 ms on the samples and <= 100 ms on 100,000 leads. The check that must agree:
no change shows an error, and after the walk each live figure matches a full re-render of the same
figure (a stale or half-drawn view would not).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg

from sqolab.data.generator import generate_leads, generate_orchard
from sqolab.data.schema import CONTEXTS
from sqolab.figures.style import new_figure, styled
from sqolab.labs import LABS

TARGET_MS = {"sample": 50.0, "100k": 100.0}
N_LARGE = 100_000


def large_inputs(name: str) -> dict[str, object]:
    """Keyword arguments that build lab ``name`` on 100,000 generated leads (or fruit)."""
    if name == "contexts":
        return {"leads": {c: generate_leads(c, N_LARGE, seed=1) for c in CONTEXTS}}
    if name == "orchard":
        return {"leads": generate_orchard(N_LARGE, seed=1)}
    return {"leads": generate_leads("startup", N_LARGE, seed=1)}


def random_value(control: widgets.ValueWidget, rng: random.Random) -> object:
    """A random valid value of ``control``."""
    if isinstance(control, widgets.Checkbox):
        return not control.value
    if isinstance(control, widgets.Dropdown):
        return rng.choice([o[1] if isinstance(o, tuple) else o for o in control.options])
    steps = round((control.max - control.min) / control.step)
    value = min(control.min + rng.randint(0, steps) * control.step, control.max)
    return int(value) if isinstance(control, widgets.IntSlider) else float(value)


def draw_all(lab) -> None:
    for figure in lab.figures:
        figure.canvas.draw()


def percentile(times: list[float], q: float) -> float:
    return float(np.percentile(np.array(times), q))


def time_changes(lab, per_control: int, rng: random.Random) -> tuple[list[float], int]:
    """Milliseconds per change (refresh + draw) over random values; and the number of errors."""
    plan = [
        name
        for name, control in lab.controls.items()
        if not control.disabled
        for _ in range(per_control)
    ]
    rng.shuffle(plan)
    times, errors = [], 0
    for name in plan:
        control = lab.controls[name]
        if control.disabled:  # an adapting control may be greyed out now
            continue
        value = random_value(control, rng)
        start = time.perf_counter()
        control.value = value
        draw_all(lab)
        times.append((time.perf_counter() - start) * 1000)
        errors += lab.error is not None
    return times, errors


def recreate_and_draw(lab) -> None:
    """Baseline: build the lab's figure anew with the same code, update it, draw it in full."""
    saved = dict(lab.__dict__)
    old = lab.plot
    try:
        width, height = old.figure.get_size_inches()
        rows, cols = old.figure.axes[0].get_subplotspec().get_gridspec().get_geometry()
        figure, axes = new_figure(width, height, rows, cols)
        lab.plot = SimpleNamespace(
            figure=figure, axes=axes, alt="", dynamic=lambda *a: None, invalidate=lambda: None
        )
        with styled():
            lab._build_plot()
        if hasattr(lab, "_show_curves"):
            lab._show_curves()
        if hasattr(lab, "_show_static"):
            lab._show_static()
        lab.update()
        FigureCanvasAgg(figure).draw()
    finally:
        for key in [k for k in lab.__dict__ if k not in saved]:
            del lab.__dict__[key]
        lab.__dict__.update(saved)


def stale_share(lab) -> float:
    """Largest share of pixels where a live figure differs from a full re-render of itself."""
    worst = 0.0
    for figure in lab.figures:
        figure.canvas.draw()
        live = np.asarray(figure.canvas.get_renderer().buffer_rgba()).copy()
        buffer = io.BytesIO()
        figure.figure.savefig(buffer, format="rgba", dpi=figure.figure.dpi)
        full = np.frombuffer(buffer.getvalue(), dtype=np.uint8).reshape(live.shape)
        worst = max(worst, float(np.any(live != full, axis=2).mean()))
    return worst


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 values per control instead of 60")
    parser.add_argument("--per-control", type=int, default=None)
    parser.add_argument("--labs", nargs="*", default=list(LABS))
    parser.add_argument(
        "--smoke", action="store_true", help="smallest run (tests/test_benchmarks.py)"
    )
    args = parser.parse_args(argv)
    per_control = args.per_control or (2 if args.smoke else 8 if args.quick else 60)
    baseline_runs = 2 if args.smoke else 5 if args.quick else 20
    rng = random.Random(0)

    print(
        f"Labs: {', '.join(args.labs)}; {per_control} random values per control; CPU cores: "
        f"{os.cpu_count()}"
    )
    header = (
        f"{'lab':<10} {'leads':<7} {'changes':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'base p50':>9} {'base p95':>9} {'ratio':>6} {'target':>7} {'met':>4} {'errors':>6} "
        f"{'stale px':>8}"
    )
    print(header)
    print("-" * len(header))
    agree = True
    all_met = True
    for name in args.labs:
        for size in ("sample",) if args.smoke else ("sample", "100k"):
            kwargs = {} if size == "sample" else large_inputs(name)
            lab = LABS[name](**kwargs)
            for figure in lab.figures:
                figure.canvas.syncing_data_url = False  # as with a browser connected
            draw_all(lab)  # the first, full draw happens when the lab is displayed
            times, errors = time_changes(lab, per_control, rng)
            base = []
            for _ in range(baseline_runs):
                start = time.perf_counter()
                recreate_and_draw(lab)
                base.append((time.perf_counter() - start) * 1000)
            stale = stale_share(lab)
            p50, p95 = percentile(times, 50), percentile(times, 95)
            b50, b95 = statistics.median(base), percentile(base, 95)
            met = p95 <= TARGET_MS[size]
            all_met &= met
            ok = errors == 0 and stale <= 0.01
            agree &= ok
            print(
                f"{name:<10} {size:<7} {len(times):>7} {p50:>8.1f} {p95:>8.1f} {b50:>9.1f} "
                f"{b95:>9.1f} {b95 / p95:>5.1f}x {TARGET_MS[size]:>5.0f}ms "
                f"{'yes' if met else 'NO':>4} "
                f"{errors:>6} {stale:>7.2%}",
                flush=True,
            )
            lab.close()
    print()
    print("ratio = baseline p95 / live p95 (how many times faster the in-place update is).")
    print("stale px = share of pixels where the live figure differs from a full re-render.")
    print(f"All targets met: {all_met}. No errors and no stale views: {agree}.")
    return agree


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
