"""Deprecated names of release 0.1, kept working for this release only.

The course's rooms were renamed (see ARCHITECTURE.md): ``sqolab.views.labs`` is ``sqolab.labs``,
``sqolab.views.checks`` is ``sqolab.practice.checks``, ``sqolab.views.grading`` is
``sqolab.practice.grading`` and ``sqolab.views.deploy`` is ``sqolab.workshop.deploy``. Importing an
old name gives the new module and a :class:`DeprecationWarning`.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from types import ModuleType

MOVED = {
    "sqolab.views.labs": "sqolab.labs",
    "sqolab.views.checks": "sqolab.practice.checks",
    "sqolab.views.grading": "sqolab.practice.grading",
    "sqolab.views.deploy": "sqolab.workshop.deploy",
}
"""Each old module name and the module that replaced it."""


def moved(old: str) -> ModuleType:
    """Warn that ``old`` moved and return its new module (installed under the old name too)."""
    new = MOVED[old]
    warnings.warn(
        f"{old} is now {new}; the old name works in this release only. Use: import {new}",
        DeprecationWarning,
        stacklevel=3,
    )
    module = importlib.import_module(new)
    sys.modules[old] = module
    return module


def run_moved(old: str) -> int:
    """``python -m OLD ...``: warn on stderr, then run the new module's command line."""
    print(f"note: {old} is now {MOVED[old]}; run python -m {MOVED[old]}", file=sys.stderr)
    return importlib.import_module(MOVED[old]).main(sys.argv[1:])
