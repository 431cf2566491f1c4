"""Build the learner and solution notebooks from the masters in exercises/masters/.

Usage: ``python exercises/build.py`` (writes the notebooks) or ``--check`` (fails if a committed
notebook differs from a fresh build).

Master format: Jupytext's percent format (plain Python, so ruff checks it), read by jupytext:

* ``# %% [markdown]`` starts a markdown cell (its lines are comments).
* ``# %% [install]`` becomes the setup cell of every course notebook (``sqolab.notebook``).
* ``# %%`` starts a code cell.
* A marker may end with cell tags, e.g. ``# %% tags=["remove-output"]`` (Jupyter Book then hides
  the cell's output on the website: the progress cell uses it, so the book never shows the
  progress of whoever built it).
* ``# SOLUTION <question id>`` is replaced by the question's solution code (from its data in
  ``sqolab.practice.exercises``) in the solution notebook, and by ``<variable> = ____`` in the
  learner notebook, unless a ``# BLANK`` ... ``# END`` block follows, which then gives the
  learner's code.
* ``# BLANK`` ... ``# END`` lines appear only in the learner notebook.
* A trailing ``  # noqa: B018`` (a cell's last expression, displayed in a notebook) is dropped.

Notebooks are written without outputs, with stable cell ids, so a rebuild is byte-identical.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import jupytext
from nbformat import NotebookNode
from nbformat.validator import NotebookValidationError

from sqolab.notebook import SETUP_CELL

HERE = Path(__file__).resolve().parent
MASTERS = HERE / "masters"
SOLUTIONS = HERE / "solutions"
LEARNER, SOLUTION = "learner", "solution"
DISPLAY_NOQA = "  # noqa: B018"
# jupytext's cell metadata besides tags: the title holds a "[kind]", the blank lines are layout
KINDS = {None: "code", "[install]": "install"}
LAYOUT = {"lines_to_next_cell"}


def _read_cells(text: str) -> list[tuple[str, str, list[str]]]:
    """The master's cells as (kind, source, tags); kind is "markdown", "install" or "code"."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first.startswith("# %%"):
        raise ValueError("the master must start with a '# %%' cell marker")
    try:
        notebook = jupytext.reads(text, fmt="py:percent")
    except NotebookValidationError as error:  # e.g. tags="remove-output" (not a list)
        raise ValueError(f"unknown cell marker: {str(error).splitlines()[0]}") from None
    return [_cell(cell) for cell in notebook.cells]


def _cell(cell: NotebookNode) -> tuple[str, str, list[str]]:
    metadata = dict(cell.metadata)
    tags = metadata.pop("tags", [])
    title = metadata.pop("title", None)
    unknown = set(metadata) - LAYOUT
    if cell.cell_type == "markdown" and title is None and not unknown:
        return "markdown", cell.source.strip("\n"), tags
    if cell.cell_type != "code" or title not in KINDS or unknown:
        marker = " ".join(filter(None, [title, *sorted(unknown)]))
        raise ValueError(f"unknown cell marker '# %% {marker}'")
    return KINDS[title], cell.source, tags


def _code(source: str, version: str) -> str:
    """A code cell's source for the learner or the solution version."""
    from sqolab.practice.exercises import question

    out: list[str] = []
    blank: list[str] | None = None  # lines of an open BLANK block
    pending: str | None = None  # learner code owed by a SOLUTION line without a BLANK block yet
    for line in source.splitlines():
        stripped = line.strip()
        if blank is not None:
            if stripped == "# END":
                if version == LEARNER:
                    out.extend(blank)
                blank, pending = None, None
            else:
                blank.append(line)
            continue
        if stripped.startswith("# SOLUTION"):
            if pending is not None and version == LEARNER:
                out.append(pending)
            q = question(stripped.split(maxsplit=2)[2])
            if version == SOLUTION:
                out.extend(q.solution.splitlines())
            pending = f"{q.var} = ____"
        elif stripped == "# BLANK":
            blank = []
        else:
            if pending is not None and version == LEARNER:
                out.append(pending)
            pending = None
            out.append(line.removesuffix(DISPLAY_NOQA))
    if blank is not None:
        raise ValueError("a '# BLANK' block is not closed with '# END'")
    if pending is not None and version == LEARNER:
        out.append(pending)
    return "\n".join(out).strip("\n")


NO_CODE = (
    "## No-code track\n\n"
    "Answer every question below with the mouse and the keyboard: no code needed. Run the cell "
    "above once (or open this practice as a dashboard), then choose, type or set your answer and "
    "press **Check**: the feedback is the same as for the Python answers further down."
)
ANALYST = (
    "## Analyst track (Python)\n\n"
    "The same questions, answered in code: replace each `____`, run the cell, then its check."
)


def chapter_of(text: str) -> str | None:
    """The practice chapter a master belongs to (the exercises module it imports), if any."""
    found = re.search(r"sqolab\.practice\.exercises\.(\w+) import", text)
    return None if found is None else found.group(1)


def _with_tracks(
    cells: list[tuple[str, str, list[str]]], chapter: str | None
) -> list[tuple[str, str, list[str]]]:
    """The no-code track after the setup cell, the analyst heading before the rest (a master of
    no chapter, or without a setup cell, stays as it is)."""
    kinds = [kind for kind, _, _ in cells]
    if chapter is None or "install" not in kinds:
        return cells
    start = kinds.index("install") + 1
    forms = f'from sqolab.practice.forms import practice_form\n\npractice_form("{chapter}")'
    return [
        *cells[:start],
        ("markdown", NO_CODE, []),
        ("code", forms, []),
        ("markdown", ANALYST, []),
        *cells[start:],
    ]


def build_notebook(master: Path, version: str) -> dict:
    """The notebook (as a JSON-ready dict) of ``version`` built from ``master``."""
    cells = []
    text = master.read_text(encoding="utf-8")
    read = _with_tracks(_read_cells(text), chapter_of(text))
    for i, (kind, source, tags) in enumerate(read):
        cell_id = f"{master.stem.replace('_', '-')}-{i:02d}"
        metadata = {"tags": tags} if tags else {}
        if kind == "markdown":
            cells.append(
                {
                    "cell_type": "markdown",
                    "id": cell_id,
                    "metadata": metadata,
                    "source": source,
                }
            )
            continue
        source = SETUP_CELL if kind == "install" else _code(source, version)
        cells.append(
            {
                "cell_type": "code",
                "execution_count": None,
                "id": cell_id,
                "metadata": metadata,
                "outputs": [],
                "source": source,
            }
        )
    for cell in cells:
        cell["source"] = cell["source"].splitlines(keepends=True)
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "sqolab": {"chapter": master.stem.split("_", 1)[1], "version": version},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def notebook_text(master: Path, version: str) -> str:
    """The notebook file's text, exactly as written to disk."""
    return json.dumps(build_notebook(master, version), indent=1, ensure_ascii=False) + "\n"


def targets() -> list[tuple[Path, Path, str]]:
    """(master, notebook path, version) for every notebook the masters produce."""
    found = []
    for master in sorted(MASTERS.glob("[0-9][0-9]_*.py")):
        name = f"{master.stem}.ipynb"
        found.append((master, HERE / name, LEARNER))
        found.append((master, SOLUTIONS / name, SOLUTION))
    return found


def main(argv: list[str] | None = None) -> int:
    """Write the notebooks, or with --check report those that differ from a fresh build."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for master, path, version in targets():
        text = notebook_text(master, version)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    verb = "differ from their masters" if args.check else "written"
    for path in stale:
        print(f"{path.relative_to(HERE.parent)}: {verb}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
