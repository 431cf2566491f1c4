"""The first cell of every course notebook: install the course where it is missing, turn on widgets.

The cell's text lives here, once: ``exercises/build.py`` writes it into the practice notebooks,
``python -m sqolab.notebook`` writes it into the labs in ``notebooks/``, and
tests/test_install.py checks that every notebook starts with exactly this cell and that it
installs a working course into an empty virtual environment.

This module imports nothing from the rest of the package (it sits below every room).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

__all__ = ["INSTALL_SOURCE", "SETUP_CELL", "setup", "setup_cell"]

# What `pip install` gets on Colab or a bare hub: the package and its declared dependencies
# (pyproject.toml), not requirements.txt. A fork changes it together with _config.yml.
INSTALL_SOURCE = "git+https://github.com/sqo-lab/sqo-lab"


def setup_cell(source: str = INSTALL_SOURCE) -> str:
    """The setup cell's source, installing the course from ``source`` when it is missing."""
    return f"""\
# Sets the course up: installs it where it is missing (Colab, a bare JupyterHub), turns on widgets.
try:
    import sqolab.notebook
except ModuleNotFoundError:
    %pip install -q "{source}"
    import sqolab.notebook
sqolab.notebook.setup()"""


SETUP_CELL = setup_cell()


def setup() -> None:
    """Turn on what the labs need where the notebook runs.

    On Colab: its custom widget manager, without which ipywidgets and ipympl figures stay blank.
    Elsewhere (JupyterLab, Binder, a hub, Voila) nothing is needed and nothing happens.
    """
    try:
        from google.colab import output  # type: ignore[import-not-found]
    except ModuleNotFoundError:
        return
    output.enable_custom_widget_manager()


def write_setup_cells(folder: Path) -> list[Path]:
    """Make every notebook's first code cell in ``folder`` the setup cell; return those changed.

    Only that cell's source changes; the file keeps its JSON layout (one-space indent, as Jupyter
    writes it), so an unchanged notebook stays byte-identical.
    """
    changed = []
    for path in sorted(folder.glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        notebook = json.loads(text)
        first = next(c for c in notebook["cells"] if c["cell_type"] == "code")
        first["source"] = SETUP_CELL.splitlines(keepends=True)
        new = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    """``python -m sqolab.notebook FOLDER...``: write the setup cell into the notebooks there."""
    folders = [Path(a) for a in (sys.argv[1:] if argv is None else argv)] or [Path("notebooks")]
    for folder in folders:
        for path in write_setup_cells(folder):
            print(f"{path}: setup cell written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
