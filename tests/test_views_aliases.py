"""The names of release 0.1 (sqolab.views.*) keep working for one release, with a warning."""

from __future__ import annotations

import subprocess
import sys

import pytest

OLD_TO_NEW = {
    "sqolab.views.labs": "sqolab.labs",
    "sqolab.views.checks": "sqolab.practice.checks",
    "sqolab.views.grading": "sqolab.practice.grading",
    "sqolab.views.deploy": "sqolab.workshop.deploy",
}


@pytest.mark.parametrize("old", sorted(OLD_TO_NEW))
def test_old_import_gives_the_new_module_with_a_warning(old):
    code = (
        "import importlib, warnings\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        f"    module = importlib.import_module({old!r})\n"
        "print(module.__name__)\n"
        "print(any(issubclass(w.category, DeprecationWarning) and 'old name' in str(w.message)"
        " for w in caught))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    name, warned = result.stdout.split()
    assert name == OLD_TO_NEW[old]
    assert warned == "True"


def test_old_from_import_of_the_labs_works():
    code = "from sqolab.views.labs import LABS\nprint(sorted(LABS)[0])"
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("old", ["sqolab.views.grading", "sqolab.views.deploy"])
def test_old_command_line_runs_the_new_one(old):
    result = subprocess.run(
        [sys.executable, "-m", old, "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert f"python -m {OLD_TO_NEW[old]}" in result.stderr  # the note says where it moved
    assert "usage:" in result.stdout
