"""Installing the course without requirements.txt: what a notebook's setup cell does on Colab.

pyproject.toml must declare everything the package imports, every notebook must start with the
one setup cell of ``sqolab.notebook``, and that cell must turn an empty virtual environment (with
nothing but a Jupyter kernel) into one where every lab builds and every sample loads.
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from sqolab.notebook import INSTALL_SOURCE, SETUP_CELL, setup, setup_cell

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# rooms whose modules a learner's notebook imports: their module-level imports must be installed
# by a plain `pip install sqolab`; the rest (grading, Voila, the book's extension) may use extras
CORE_ROOMS = ("data", "engine", "figures", "labs", "practice")
OPTIONAL_MODULES = ("sqolab/practice/grading/",)
LEARNER_NOTEBOOKS = [
    *sorted((ROOT / "notebooks").glob("*.ipynb")),
    *sorted((ROOT / "exercises").glob("*.ipynb")),
    *sorted((ROOT / "exercises" / "solutions").glob("*.ipynb")),
]


def _requirements(specs: list[str]) -> dict[str, Requirement]:
    return {canonicalize_name(r.name): r for r in map(Requirement, specs)}


CORE = _requirements(PYPROJECT["dependencies"])
EXTRAS = {
    extra: _requirements(specs) for extra, specs in PYPROJECT["optional-dependencies"].items()
}


def _third_party_imports(path: Path) -> dict[str, bool]:
    """The top-level names of the modules ``path`` imports (not stdlib, not sqolab), each with
    whether it is imported when the module is (True) or only inside a function (False)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lazy = {
        id(node)
        for func in ast.walk(tree)
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(func)
    }
    found: dict[str, bool] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top in {"sqolab", "__future__", "google"}:
                continue  # google.colab exists only on Colab, and the import is guarded
            found[top] = found.get(top, False) or id(node) not in lazy
    return found


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def _distribution(module: str) -> str:
    """The installed distribution that provides the top-level ``module``."""
    dists = _distributions().get(module)
    assert dists, f"no installed distribution provides {module!r}"
    return canonicalize_name(dists[0])


def test_pyproject_declares_every_module_the_package_imports():
    declared = set(CORE).union(*EXTRAS.values())
    missing_core, missing = [], []
    for path in sorted((ROOT / "sqolab").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        room = path.relative_to(ROOT / "sqolab").parts[0]
        core = room in CORE_ROOMS and not relative.startswith(OPTIONAL_MODULES)
        for module, eager in _third_party_imports(path).items():
            dist = _distribution(module)
            if dist not in declared:
                missing.append(f"{relative}: {module} ({dist})")
            elif core and eager and dist not in CORE:
                missing_core.append(f"{relative}: {module} ({dist}) is only in an extra")
    assert missing == [], "add these to pyproject.toml's dependencies or an extra"
    assert missing_core == [], "a learner's `pip install sqolab` must bring these"


def test_the_tested_pins_satisfy_pyproject():
    """requirements*.txt pin the tested set: what they install fits every declared range."""
    pins = _requirements(
        [
            line.strip()
            for name in ("requirements.txt", "requirements-dev.txt")
            for line in (ROOT / name).read_text().splitlines()
            if line.strip() and not line.startswith(("#", "-"))
        ]
    )
    declared = {**CORE}
    for extra in EXTRAS.values():
        declared.update(extra)
    declared.pop("sqolab")  # the extras that include other extras
    for dist, requirement in declared.items():
        installed = importlib.metadata.version(dist)
        assert requirement.specifier.contains(installed, prereleases=True), (dist, installed)
        if dist in pins:
            assert pins[dist].specifier.contains(installed), (dist, installed)
    # jupyterlab: the course's editor; jsonschema: held below the version whose import is slow
    assert set(pins) <= set(declared) | {"jupyterlab", "jsonschema"}, "pinned, not declared"


@pytest.mark.parametrize("path", LEARNER_NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_notebook_starts_with_the_one_setup_cell(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    first = next(c for c in notebook["cells"] if c["cell_type"] == "code")
    assert "".join(first["source"]) == SETUP_CELL, (
        f"{path.relative_to(ROOT)}: run `python -m sqolab.notebook notebooks` or exercises/build.py"
    )


def test_the_setup_module_needs_nothing_from_the_package():
    tree = ast.parse((ROOT / "sqolab" / "notebook.py").read_text())
    imported = [ast.unparse(node) for node in ast.walk(tree) if isinstance(node, ast.Import)]
    imported += [str(n.module) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert imported and not [m for m in imported if "sqolab" in m]


def test_setup_turns_on_colabs_widget_manager_only_on_colab(monkeypatch):
    calls: list[str] = []
    setup()  # not on Colab: nothing to do, no error
    colab = types.ModuleType("google.colab")
    colab.output = types.SimpleNamespace(enable_custom_widget_manager=lambda: calls.append("on"))
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    setup()
    assert calls == ["on"]


# ------------------------------------------------------------- a fresh virtual environment


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel of the package, built from a copy of what a git checkout holds."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE", "LICENSE-CONTENT"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "sqolab", source / "sqolab", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, source])
    (built,) = out.glob("sqolab-*.whl")
    return built


@pytest.fixture(scope="module")
def fresh_kernel(tmp_path_factory, wheel) -> tuple[Path, str]:
    """An empty virtual environment with only a Jupyter kernel in it, as on Colab or a bare hub.

    Returns the folder to run notebooks in (outside the repository, so the repository's sqolab
    cannot be imported by accident) and the kernel's name.
    """
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--clear", venv])  # no --system-site-packages
    python = venv / "bin" / "python"
    _run([python, "-m", "pip", "install", "-q", "ipykernel"])
    kernels = tmp_path_factory.mktemp("jupyter")
    spec = kernels / "kernels" / "sqolab-fresh"
    spec.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "fresh", "language": "python"})
    )
    return kernels, "sqolab-fresh"


# pip's settings for speed only (what it installs is the same): no bytecode compilation of every
# installed file (Python compiles what is imported), no version check
FAST_PIP = {"PIP_NO_COMPILE": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def _run(command: list) -> None:
    result = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, timeout=900, env=_clean_env()
    )
    assert result.returncode == 0, (command, result.stdout[-3000:], result.stderr[-3000:])


def _clean_env() -> dict[str, str]:
    """This environment without anything that would put the repository's packages on the path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    }
    return {**env, **FAST_PIP}


def _execute(notebook: nbformat.NotebookNode, fresh_kernel, tmp_path, monkeypatch) -> list[str]:
    """Run ``notebook`` in the fresh environment's kernel; return each code cell's stdout."""
    kernels, name = fresh_kernel
    monkeypatch.setenv("JUPYTER_PATH", str(kernels))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    for variable, value in FAST_PIP.items():  # for the setup cell's %pip
        monkeypatch.setenv(variable, value)
    monkeypatch.setenv("SQOLAB_PROGRESS", str(tmp_path / "progress.json"))
    client = NotebookClient(
        notebook, timeout=600, kernel_name=name, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    return [
        "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


CHECK = """\
import json, sys, tempfile
from pathlib import Path
import sqolab
from sqolab import CONTEXTS, load_campaigns, load_orchard, load_sample, write_samples
from sqolab.labs import LABS

labs = {name: type(make()).__name__ for name, make in LABS.items()}
rows = {f"{c}.csv": len(load_sample(c)) for c in CONTEXTS}
rows.update({f"{c}_campaigns.csv": len(load_campaigns(c)) for c in CONTEXTS})
rows["orchard.csv"] = len(load_orchard())
files = {p.name: p.read_text(encoding="utf-8") for p in write_samples(tempfile.mkdtemp())}
print(json.dumps({"file": sqolab.__file__, "labs": labs, "rows": rows, "files": files}))
"""


@pytest.mark.slow
def test_the_setup_cell_installs_a_working_course_into_an_empty_environment(
    wheel, fresh_kernel, tmp_path, monkeypatch
):
    from sqolab.labs import LABS

    # the setup cell itself, installing the wheel instead of the repository on GitHub
    cell = setup_cell(str(wheel))
    assert cell == SETUP_CELL.replace(INSTALL_SOURCE, str(wheel))
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(cell), nbformat.v4.new_code_cell(CHECK)]
    )
    outputs = _execute(notebook, fresh_kernel, tmp_path, monkeypatch)
    result = json.loads(outputs[1].strip().splitlines()[-1])
    venv = Path(
        json.loads((fresh_kernel[0] / "kernels/sqolab-fresh/kernel.json").read_text())["argv"][0]
    ).parents[1]
    assert Path(result["file"]).is_relative_to(venv), result["file"]  # not the repository's copy
    assert set(result["labs"]) == set(LABS)
    # no datasets/ folder beside an installed package: the samples are generated, the same data
    for name, count in result["rows"].items():
        assert count == len(pd.read_csv(ROOT / "datasets" / name)) > 0, name
    for name, text in result["files"].items():
        assert text == (ROOT / "datasets" / name).read_text(encoding="utf-8"), name
    check = subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout


@pytest.mark.slow
def test_every_notebooks_setup_cells_run_in_the_fresh_environment(
    wheel, fresh_kernel, tmp_path, monkeypatch
):
    """Every lab notebook whole (setup, then its lab); every practice notebook's setup and imports.

    One kernel runs them all, one notebook after the other (each cell says where it is from):
    what differs between the notebooks is their cells, not the kernel they start.
    """
    cells = []
    for path in LEARNER_NOTEBOOKS:
        if path.parent.name == "solutions":
            continue  # the same first cells as the practice notebook
        code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        assert code[0].source == SETUP_CELL
        code[0].source = setup_cell(str(wheel))  # installs the wheel if no test did before
        for cell in code if path.parent.name == "notebooks" else code[:2]:
            origin = f"# {path.relative_to(ROOT).as_posix()}\n"
            cells.append(nbformat.v4.new_code_cell(origin + cell.source))
    assert len(cells) > len(LEARNER_NOTEBOOKS) // 2
    _execute(nbformat.v4.new_notebook(cells=cells), fresh_kernel, tmp_path, monkeypatch)
