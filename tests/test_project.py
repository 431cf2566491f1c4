"""The project itself: the README's commands, pinned requirements, lint and the layer rule."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["data", "engine", "views"]  # lower first; a module may import only its layer or below


def readme_commands() -> list[str]:
    """The shell commands in the README's quickstart code blocks."""
    text = (ROOT / "README.md").read_text()
    quickstart = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quickstart)


def test_readme_opens_with_the_two_commands():
    install_open, install_test = readme_commands()
    assert "pip install -r requirements.txt" in install_open and "jupyter lab" in install_open
    assert "pip install -r requirements-dev.txt" in install_test and "pytest" in install_test
    # the server is rooted at the repository (labs, exercises, book all visible), opening this file:
    assert "--ServerApp.root_dir=." in install_open
    notebook = install_open.split()[-1]
    assert (ROOT / notebook).is_file(), f"the README opens {notebook}, which does not exist"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in ci
    assert readme_commands()[1] in ci


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


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True
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


@pytest.mark.parametrize("layer", LAYERS)
def test_nothing_imports_upward(layer):
    above = LAYERS[LAYERS.index(layer) + 1 :]
    for path in (ROOT / "sqolab" / layer).rglob("*.py"):
        for module in _imported_modules(path):
            for upper in above:
                assert not module.startswith(f"sqolab.{upper}"), (
                    f"{path.relative_to(ROOT)} imports {module}, a layer above {layer}"
                )
