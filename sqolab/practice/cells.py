"""Reading the learner's notebook: their namespace, which cell raised, short tracebacks.

In IPython the input history decides whether the latest cell that assigns a learner variable
raised (then a stale older value is not checked); outside IPython ``sys.last_value`` does. A
traceback shown to a learner keeps only the frames of their own code.
"""

from __future__ import annotations

import linecache
import re
import sys
import sysconfig
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_LIBRARY_DIRS = tuple(
    str(Path(p).resolve())
    for p in {
        str(Path(__file__).resolve().parents[1]),  # sqolab itself
        *(sysconfig.get_paths().get(k, "") for k in ("stdlib", "platstdlib", "purelib", "platlib")),
        sys.prefix,
        sys.base_prefix,
    }
    if p
)


def is_learner_frame(filename: str) -> bool:
    """True for a frame of the learner's code (a notebook cell, their own file), not a library's."""
    if filename.startswith("<ipython-input") or "ipykernel_" in filename:
        return True
    if filename.startswith("<"):
        return filename in ("<string>", "<stdin>")
    try:
        resolved = str(Path(filename).resolve())
    except OSError:  # pragma: no cover - odd file names
        return True
    return not any(resolved.startswith(d) for d in _LIBRARY_DIRS)


def short_traceback(error: BaseException, limit: int = 5) -> str:
    """The exception with only the learner's frames (at most ``limit``, innermost last)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if is_learner_frame(f.filename)]
    lines = []
    for frame in frames[-limit:]:
        in_cell = "ipykernel_" in frame.filename or frame.filename.startswith("<ipython-input")
        where = "your code" if in_cell else Path(frame.filename).name
        lines.append(f"  {where}, line {frame.lineno}, in {frame.name}")
        if frame.line:
            lines.append(f"    {frame.line.strip()}")
    head = ["Traceback (your code only):"] if lines else []
    summary = [
        re.sub(r'File "(<ipython-input-[^"]*>|[^"]*ipykernel_[^"]*)"', "your code", line)
        for line in traceback.format_exception_only(error)
    ]
    return "\n".join([*head, *lines, *summary]).rstrip()


class LearnerError(Exception):
    """The learner's code raised while we checked it (e.g. their function when called)."""

    def __init__(self, message: str, error: BaseException) -> None:
        super().__init__(message)
        self.message = message
        self.error = error

    def details(self) -> str:
        """What to show below the message: the short traceback of the learner's code."""
        return short_traceback(self.error)


class NotAttempted(Exception):
    """The answer still holds the placeholder somewhere (e.g. a function returns ``____``)."""


def last_error_assigning(name: str) -> BaseException | None:
    """The last error, when it came from learner code that assigns ``name`` (outside IPython)."""
    error = getattr(sys, "last_value", None)
    if error is None or error.__traceback__ is None:
        return None
    pattern = re.compile(rf"(^|[\s,(]){re.escape(name)}\s*(,[^=\n]*)?=(?!=)|def\s+{name}\b", re.M)
    for frame in traceback.extract_tb(error.__traceback__):
        if is_learner_frame(frame.filename):
            source = "".join(linecache.getlines(frame.filename))
            if pattern.search(source):
                return error
    return None


def assigns(source: str, name: str) -> bool:
    """True when a line of ``source`` assigns ``name`` (plain, augmented, annotated, tuple, def)."""
    n = re.escape(name)
    pattern = (
        rf"^[ \t]*(?:def[ \t]+{n}\b"
        rf"|[(\[]?[ \t]*(?:\*?[\w.\[\]'\"]+[ \t]*,[ \t]*)*\*?{n}\b[ \t]*[)\]]?[ \t]*"
        rf"(?:,[^=\n]*)?(?::[^=\n]*)?(?://|\*\*|>>|<<|[-+*/%&|^@])?=(?!=))"
    )
    return re.search(pattern, source, re.M) is not None


UNKNOWN = object()
"""Returned by :func:`cell_error_assigning` when the IPython history cannot tell."""

_CELL_NAME = re.compile(r"^<ipython-input-(\d+)-")


def _shell() -> Any:
    """The running IPython shell, or None (plain Python)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the course
        return None
    return get_ipython()


def in_kernel() -> bool:
    """True in a Jupyter kernel (a notebook or Voila, where learners work); False in plain Python,
    e.g. the instructors' grader, scripts and tests."""
    return getattr(_shell(), "kernel", None) is not None


def _recorded_errors(shell: Any) -> dict[int, dict[str, Any]] | None:
    """IPython >= 9 keeps every failing cell's error by execution count; None before that."""
    recorded = getattr(getattr(shell, "history_manager", None), "exceptions", None)
    return recorded if isinstance(recorded, dict) else None


def _cell_of(error: BaseException, inputs: Sequence[str], raw: Sequence[str]) -> int | None:
    """The execution count of the cell that raised ``error`` (from its frames' file names)."""
    names = [f.filename for f in traceback.extract_tb(error.__traceback__)]
    if isinstance(error, SyntaxError) and error.filename:
        names.append(error.filename)
    for filename in names:
        match = _CELL_NAME.match(filename)
        if match:
            return int(match.group(1))
        if "ipykernel_" in filename:  # ipykernel names a cell's file by a hash of its source
            source = "".join(linecache.getlines(filename)).strip()
            for number in range(len(inputs) - 1, 0, -1):
                texts = (inputs[number], raw[number] if number < len(raw) else "")
                if source and any(str(t).strip() == source for t in texts):
                    return number
            return None
    return None


def cell_error_assigning(name: str) -> object:
    """Whether the latest cell that assigns ``name`` raised, from IPython's input history.

    Returns (the error in one line, a short traceback) when it did, None when it ran without an
    error (a later successful run wins over an earlier failure), and :data:`UNKNOWN` outside
    IPython or when no cell in the history assigns ``name``.
    """
    shell = _shell()
    history = getattr(shell, "history_manager", None)
    if shell is None or history is None:
        return UNKNOWN
    inputs = list(shell.user_ns.get("_ih") or getattr(history, "input_hist_parsed", []) or [])
    raw = list(getattr(history, "input_hist_raw", []) or [])
    latest = next((n for n in range(len(inputs) - 1, 0, -1) if assigns(inputs[n], name)), None)
    if latest is None:
        return UNKNOWN
    error = getattr(sys, "last_value", None)
    error_cell = _cell_of(error, inputs, raw) if error is not None else None
    recorded = _recorded_errors(shell)
    if recorded is not None:
        if latest not in recorded:
            return None
        if error is not None and error_cell == latest and max(recorded) == latest:
            return _one_line(error), short_traceback(error)
        stored = recorded[latest]
        return f"{stored.get('ename', 'an error')}: {stored.get('evalue', '')}".rstrip(": "), ""
    if error is not None and error_cell == latest:
        return _one_line(error), short_traceback(error)
    return None


def _one_line(error: BaseException) -> str:
    """``NameError: name 'x' is not defined`` (the last line of the exception's summary)."""
    return traceback.format_exception_only(error)[-1].strip()


# --------------------------------------------------------------------------------------------------
# The learner API
# --------------------------------------------------------------------------------------------------


def learner_namespace() -> dict[str, Any]:
    """The globals of the first calling frame outside sqolab (the notebook's namespace)."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if not (name == "sqolab" or name.startswith("sqolab.")):
            return frame.f_globals
        frame = frame.f_back
    return {}  # pragma: no cover - there is always a caller
