"""Splitting CSV text into a header and padded rows (delimiter, quotes, row numbers)."""

from __future__ import annotations

import csv
import io

import numpy as np

from sqolab.data.loading.sources import check_text, decode
from sqolab.data.loading.tables import MAX_SHOWN, Sheet, layout
from sqolab.data.schema import (
    LeadDataError,
    Problem,
)


def _sniff_delimiter(text: str) -> str:
    """The delimiter that occurs most often in the header line, ignoring quoted parts."""
    counts = dict.fromkeys(";\t,", 0)
    quoted = False
    for char in text[:65536]:  # the header line only (scans characters, not data rows)
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: counts[d])  # ties: semicolon, then tab, then comma
    return best if counts[best] else ","


def _split_rows(
    text: str, delimiter: str, source: str
) -> tuple[list[str], list[list[str]], np.ndarray]:
    """Header, padded data rows and their spreadsheet row numbers; structural errors raise."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    lines: list[int] = []  # file line each record starts on
    start = 1
    try:
        for record in reader:  # tokenising: the csv module hands out one record at a time
            records.append(record)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        what = "is followed by more text in the same cell"
        if "expected after" not in str(error):  # end of data, or a huge cell: never closed
            what = "is never closed"
        raise LeadDataError(
            Problem(
                None,
                f'The row starting at line {start} of the file has a quote (") that {what}.',
                "put quotes around whole cells only, and write a quote inside a quoted cell "
                'twice ("").',
            ),
            source,
        ) from None
    header, data_numbers = layout(records, source)
    width = len(header)
    ragged = [n for n in data_numbers if any(c.strip() for c in records[n - 1][width:])]
    if ragged:
        shown = ", ".join(
            f"row {n} (line {lines[n - 1]}) has {len(records[n - 1])}" for n in ragged[:MAX_SHOWN]
        )
        raise LeadDataError(
            Problem(
                None,
                f"{len(ragged)} row(s) have more fields than the header's {width}: {shown}.",
                f"put quotes around cells that contain the delimiter {delimiter!r} "
                '(e.g. "Müller, Söhne") or remove the extra delimiters.',
                tuple(ragged[:MAX_SHOWN]),
                tuple(delimiter.join(records[n - 1][width:]) for n in ragged[:MAX_SHOWN]),
            ),
            source,
        )
    rows = [(records[n - 1] + [""] * width)[:width] for n in data_numbers]
    return header, rows, np.asarray(data_numbers)


def read_csv(data: bytes | str, source: str) -> Sheet:
    text = check_text(data, source) if isinstance(data, str) else decode(data, source)
    delimiter = _sniff_delimiter(text)
    header, rows, numbers = _split_rows(text, delimiter, source)
    return Sheet(source, header, rows, numbers, {";": ",", ",": "."}.get(delimiter))
