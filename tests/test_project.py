"""The project itself: the README's commands, pinned requirements, lint and the layer rule."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROOMS: dict[str, set[str]] = {
    # each room of the package and the rooms it may import (besides itself): data -> engine ->
    # (figures, labs, practice, workshop); nothing imports upward. The content (book, notebooks,
    # exercises, dashboards) sits on top and is not part of the package.
    "data": set(),
    "engine": {"data"},
    "figures": {"data", "engine"},
    "labs": {"data", "engine", "figures"},
    "practice": {"data", "engine", "figures"},
    "workshop": {"data", "engine", "figures", "labs", "practice"},
    "web": {"data", "engine", "figures"},  # the live labs on the website (issue 11)
    "views": {"data", "engine", "figures", "labs", "practice", "workshop"},  # deprecated aliases
}


def readme_commands() -> list[str]:
    """The shell commands in the README's quickstart code blocks."""
    text = (ROOT / "README.md").read_text()
    quickstart = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quickstart)


def test_readme_opens_with_the_commands_to_run_and_to_test():
    install_open, install_test, fast_test = readme_commands()
    assert "pip install -r requirements.txt" in install_open and "jupyter lab" in install_open
    assert "pip install -r requirements-dev.txt" in install_test and "pytest" in install_test
    assert re.search(r"pip install uv==[0-9.]+ ", install_test), "the installer is pinned too"
    # the server is rooted at the repository (labs, exercises, book all visible), opening this file:
    assert "--ServerApp.root_dir=." in install_open
    notebook = install_open.split()[-1]
    assert (ROOT / notebook).is_file(), f"the README opens {notebook}, which does not exist"
    # the daily command is the full one without the install, limited to the tests not marked slow
    full = install_test.rsplit(" && ", 1)[1]
    assert fast_test == full.replace(" -m pytest", ' -m pytest -m "not slow"', 1)


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in ci
    assert readme_commands()[1] in ci
    # the benchmarks' smoke run is a test (tests/test_benchmarks.py), not a step after the tests
    assert "benchmarks/run.py" not in ci
    assert '"--smoke"' in (ROOT / "tests" / "test_benchmarks.py").read_text()


def test_requirements_are_pinned_and_end_with_the_package():
    lines = [
        line.strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[-1] == "-e ."
    for line in lines[:-1]:
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][^\s]*", line), f"not pinned: {line}"
    assert any(line.startswith("jupyter-book==1.") for line in lines)
    dev = (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert "-r requirements.txt" in dev


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]])
def test_ruff_is_clean(command):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _package_modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    modules = {}
    for path in (ROOT / "sqolab").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def test_every_room_is_declared():
    rooms = {p.name for p in (ROOT / "sqolab").iterdir() if (p / "__init__.py").is_file()}
    assert rooms == set(ROOMS), "a new subpackage needs its place in ROOMS (the layer rule)"


@pytest.mark.parametrize("room", sorted(ROOMS))
def test_nothing_imports_upward(room):
    allowed = ROOMS[room] | {room}
    for path in (ROOT / "sqolab" / room).rglob("*.py"):
        for module in _imported_modules(path):
            parts = module.split(".")
            if parts[0] != "sqolab":
                continue
            target = parts[1] if len(parts) > 1 else "data"  # the top level re-exports data+engine
            assert target in allowed or (len(parts) == 1 and "engine" in allowed), (
                f"{path.relative_to(ROOT)} imports {module}: {room} may use only {sorted(allowed)}"
            )


def test_no_import_circle_between_modules():
    modules = _package_modules()
    graph = {}
    for name, path in modules.items():
        targets = set()
        for module in _imported_modules(path):
            while module and module not in modules:
                module = module.rpartition(".")[0]
            if module and module != name and not name.startswith(module + "."):
                targets.add(module)
        graph[name] = targets
    # Tarjan-free check: repeatedly drop modules that import nothing left; what remains is circular
    remaining = dict(graph)
    while True:
        leaves = [m for m, t in remaining.items() if not (t & remaining.keys())]
        if not leaves:
            break
        for m in leaves:
            del remaining[m]
    assert not remaining, f"modules that import each other in a circle: {sorted(remaining)}"
