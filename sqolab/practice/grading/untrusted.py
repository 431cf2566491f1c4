"""Reading files that learners control: regular files only, bounded in size and nesting.

Used by the grader (submitted notebooks) and the Qualification Cup (teams' entry files). A file is
opened without following a symlink and without blocking (a FIFO named ``x.json`` would otherwise
hang the reader), checked to be a regular file, and read up to a limit; JSON is parsed with its
nesting depth bounded before the parser recurses. Every failure is an :class:`UntrustedFileError`
with a sentence a person can act on. Text that ends up in a CSV file is neutralised so that a
spreadsheet shows it instead of evaluating it (OWASP "CSV injection").
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

MAX_JSON_DEPTH = 64
"""Deepest nesting of objects and arrays accepted in a learner's JSON file."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
"""A spreadsheet may evaluate a cell that starts with one of these (OWASP: CSV injection)."""


class UntrustedFileError(ValueError):
    """A learner's file that cannot be read safely; the message says why."""


def read_regular_file(path: str | Path, max_bytes: int) -> bytes:
    """The bytes of ``path`` if it is a regular file (not a symlink) of at most ``max_bytes``."""
    return read_regular(path, max_bytes)[0]


def read_regular(path: str | Path, max_bytes: int) -> tuple[bytes, os.stat_result]:
    """:func:`read_regular_file`, with the file's status (size, times) from the same open file."""
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if os.path.islink(path):
            raise UntrustedFileError(f"{path.name} is a link, not a file.") from None
        raise UntrustedFileError(f"{path.name} cannot be opened ({error.strerror}).") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise UntrustedFileError(f"{path.name} is not a regular file.")
        if info.st_size > max_bytes:
            raise UntrustedFileError(
                f"{path.name} has {info.st_size:,} bytes; at most {max_bytes:,} are read."
            )
        chunks, size = [], 0
        while size <= max_bytes:  # read to the end, never beyond the limit (a growing file)
            chunk = os.read(descriptor, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise UntrustedFileError(f"{path.name} has more than {max_bytes:,} bytes.")
        return b"".join(chunks), info
    finally:
        os.close(descriptor)


def json_depth_problem(text: str, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """None when the JSON text nests at most ``max_depth`` levels, else what is wrong.

    Counts brackets outside strings without parsing, so a file nested 100,000 levels deep never
    reaches the recursive parser.
    """
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return f"the JSON is nested more than {max_depth} levels deep"
        elif char in "]}":
            depth -= 1
    return None


def loads_json(data: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse learner JSON (UTF-8) with bounded nesting; UntrustedFileError on any problem."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as error:
        raise UntrustedFileError(f"the file is not UTF-8 text ({error.reason}).") from None
    problem = json_depth_problem(text, max_depth)
    if problem:
        raise UntrustedFileError(problem + ".")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise UntrustedFileError(f"the file is not valid JSON ({error}).") from None


def read_json_file(path: str | Path, max_bytes: int, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """:func:`read_regular_file` then :func:`loads_json`, errors naming the file."""
    data = read_regular_file(path, max_bytes)
    try:
        return loads_json(data, max_depth)
    except UntrustedFileError as error:
        raise UntrustedFileError(f"{Path(path).name}: {error}") from None


def csv_safe(value: object) -> str:
    """``value`` as CSV cell text a spreadsheet shows as text, never runs as a formula.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a line break gets a leading
    apostrophe, as OWASP recommends; everything else is unchanged.
    """
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
