"""Benchmark of the engine on a large synthetic pipeline.

Run ``python benchmarks/bench_engine.py`` (1,000,000 leads) or ``--quick`` (100,000 leads, for CI).

(a) ``qualify`` + ``evaluate`` with the BANT startup preset against a row-wise ``DataFrame.apply``
    baseline doing the same qualification and the same sums (target: < 50 ms and >= 100x faster).
(b) ``tradeoff_curve`` against ``sklearn.metrics.precision_recall_curve`` on the same leads and a
    lead score (target: ratio <= 1, i.e. no slower).

The leads are simulated by ``generate_leads("startup", n, seed=1)``.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqolab.data.generator import generate_leads
from sqolab.engine.criteria import Criteria, preset, qualify
from sqolab.engine.outcomes import evaluate
from sqolab.engine.scoring import lead_score
from sqolab.engine.tradeoffs import tradeoff_curve

BASELINE_MAX_ROWS = 100_000


def timeit(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn`` in seconds over ``repeats`` runs (after one warm-up run)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def baseline_row_wise(leads: pd.DataFrame, c: Criteria) -> dict[str, float]:
    """The same BANT qualification and sums, one row at a time with DataFrame.apply."""
    authority_rank = {"user": 1, "influencer": 2, "decision_maker": 3}
    need_rank = {"none": 1, "latent": 2, "confirmed": 3}

    def is_sqo(row: pd.Series) -> bool:
        budget, timeline = row["budget_eur"], row["timeline_months"]
        met = [
            (not math.isnan(budget)) and budget >= c.min_budget_eur,
            authority_rank.get(row["authority"], 0) >= authority_rank[c.min_authority],
            need_rank.get(row["need"], 0) >= need_rank[c.min_need],
            (not math.isnan(timeline)) and timeline <= c.max_timeline_months,
        ]
        return sum(met) >= c.required_met

    sqo = leads.apply(is_sqo, axis=1)
    worked = leads[sqo]
    won = worked["outcome"] == "won"
    return {
        "n_sqo": int(sqo.sum()),
        "won": int(won.sum()),
        "revenue_won_eur": float(worked.loc[won, "deal_value_eur"].sum()),
        "hours_spent": float(worked["sales_hours"].sum()),
    }


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 leads instead of 1,000,000")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--smoke", action="store_true", help="smallest run (tests/test_benchmarks.py)"
    )
    args = parser.parse_args(argv)
    n = 10_000 if args.smoke else 100_000 if args.quick else 1_000_000
    if args.smoke:
        args.repeats = 1

    from sklearn.metrics import precision_recall_curve

    print(f"Generating {n:,} startup leads ...", flush=True)
    leads = generate_leads("startup", n, seed=1)
    bant = preset("BANT", "startup")
    print(f"BANT startup: {bant.describe()}")

    def ours() -> object:
        return evaluate(leads, qualify(leads, bant))

    t_ours = timeit(ours, args.repeats)
    result = ours()

    # Baseline: row-wise apply, on at most BASELINE_MAX_ROWS rows, scaled up linearly.
    n_base = min(n, BASELINE_MAX_ROWS)
    sub = leads.iloc[:n_base]
    start = time.perf_counter()
    base = baseline_row_wise(sub, bant)
    t_base_sub = time.perf_counter() - start
    scale = n / n_base
    t_base = t_base_sub * scale
    check = evaluate(sub, qualify(sub, bant))
    agree = (
        base["n_sqo"] == check.n_sqo
        and base["won"] == check.won
        and math.isclose(base["revenue_won_eur"], check.revenue_won_eur, rel_tol=1e-9)
        and math.isclose(base["hours_spent"], check.hours_spent, rel_tol=1e-9)
    )

    score = lead_score(leads)
    y_true = (leads["outcome"] == "won").to_numpy()
    y_score = score.to_numpy()
    t_curve = timeit(lambda: tradeoff_curve(leads, score), args.repeats)
    t_sklearn = timeit(lambda: precision_recall_curve(y_true, y_score), args.repeats)
    curve = tradeoff_curve(leads, score)

    ms = 1000.0
    print()
    print(f"Leads: {n:,}   CPU cores: {os.cpu_count()}   repeats: {args.repeats} (median)")
    print(f"numpy {np.__version__}, pandas {pd.__version__}, Python {sys.version.split()[0]}")
    print()
    print(f"{'measure':<50} {'time':>12} {'ratio':>10}  target")
    print("-" * 86)
    print(f"{'(a) qualify + evaluate (ours)':<50} {t_ours * ms:>9.1f} ms {'':>10}  < 50 ms")
    base_label = "(a) row-wise DataFrame.apply"
    if scale > 1:
        base_label += f" ({n_base:,} rows x{scale:g})"
    print(f"{base_label:<50} {t_base * ms:>9.0f} ms {t_base / t_ours:>9.0f}x  >= 100x faster")
    print(f"{'(b) tradeoff_curve (ours)':<50} {t_curve * ms:>9.1f} ms {'':>10}")
    print(
        f"{'(b) sklearn precision_recall_curve':<50} {t_sklearn * ms:>9.1f} ms "
        f"{t_curve / t_sklearn:>9.2f}   ours / sklearn <= 1"
    )
    print()
    if scale > 1:
        print(
            f"Note: the baseline ran on the first {n_base:,} rows ({t_base_sub:.1f} s) and was "
            f"scaled x{scale:g}."
        )
    print(f"Baseline and engine agree on the first {n_base:,} rows: {agree}")
    print(
        f"SQOs: {result.n_sqo:,}, won {result.won:,}; curve rows: {len(curve):,}; "
        f"targets met: (a) {t_ours < 0.05 and t_base / t_ours >= 100}, "
        f"(b) {t_curve <= t_sklearn}"
    )
    return agree


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
