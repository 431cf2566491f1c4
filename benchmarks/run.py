"""Run every benchmark: ``python benchmarks/run.py`` (full size), ``--quick``, ``--smoke`` (tests).

Each benchmark prints its figures as ratios against a baseline measured in the same run and
returns whether its results agree with the baseline's; this script fails if any does not.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_capacity
import bench_dashboard
import bench_engine
import bench_labs
import bench_loader


def main(argv: list[str]) -> int:
    """Run the benchmarks with the given flags; exit status 1 if a result disagrees."""
    results = {}
    for name, bench in (
        ("engine", bench_engine),
        ("labs", bench_labs),
        ("dashboard", bench_dashboard),
        ("capacity", bench_capacity),
        ("loader", bench_loader),
    ):
        print(f"\n===== {name} =====", flush=True)
        results[name] = bench.main(argv)
    failed = [name for name, ok in results.items() if not ok]
    if failed:
        print(f"Results disagree with the baseline in: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
