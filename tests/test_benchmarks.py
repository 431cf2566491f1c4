"""The benchmarks still run and still agree with their baselines (their smallest sizes).

The figures themselves come from full runs (``python benchmarks/run.py``, see benchmarks/README.md);
this test only proves that every benchmark works, so that none rots between those runs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_every_benchmark_runs_and_agrees_with_its_baseline():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    for name in ("engine", "labs", "dashboard", "capacity", "loader"):
        assert f"===== {name} =====" in log
    assert "Results disagree" not in log
    assert "time ratio read_leads / pandas.read_csv" in log
