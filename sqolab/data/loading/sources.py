"""Where a table comes from: paths, bytes and open files, and decoding their text."""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path
from typing import IO

from sqolab.data.loading.tables import EMPTY_FIX
from sqolab.data.schema import (
    LeadDataError,
    Problem,
)

PathOrBuffer = str | os.PathLike[str] | bytes | bytearray | IO[str] | IO[bytes]


XLSX_MAGIC = b"PK\x03\x04"  # a zip archive: .xlsx (and other Office Open XML files)
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # an OLE compound file: old binary .xls


def read_source(path_or_buffer: PathOrBuffer) -> tuple[bytes | str, str]:
    """The raw content (bytes, or text from a text handle) of the input, and a name for messages."""
    if isinstance(path_or_buffer, bytes | bytearray | memoryview):
        return bytes(path_or_buffer), "the given data"
    if isinstance(path_or_buffer, str | os.PathLike):
        path = Path(path_or_buffer)
        if isinstance(path_or_buffer, str) and "\n" in path_or_buffer:
            raise FileNotFoundError(
                "Expected a file path but got text with line breaks. "
                "To read CSV text, wrap it: io.StringIO(text)."
            )
        if path.is_dir():
            raise IsADirectoryError(f"{path} is a folder, not a CSV file or workbook.")
        if not path.is_file():
            raise FileNotFoundError(
                f"No file at {path} (absolute: {path.resolve()}). Check the name and folder."
            )
        return path.read_bytes(), path.name
    if hasattr(path_or_buffer, "read"):
        name = str(getattr(path_or_buffer, "name", "") or "the given file object")
        try:
            data = path_or_buffer.read()
        except UnicodeDecodeError:  # a text file opened with the wrong encoding
            data = _reread_bytes(path_or_buffer, name)
        return (data if isinstance(data, str) else bytes(data)), name
    raise TypeError(
        f"Expected a file path, bytes or an open file, not {type(path_or_buffer).__name__}."
    )


def _reread_bytes(handle: IO[str], source: str) -> bytes:
    """The raw bytes behind a text file whose encoding did not fit, if they can be re-read."""
    try:
        handle.buffer.seek(0)  # type: ignore[attr-defined]
        return handle.buffer.read()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        raise LeadDataError(
            Problem(
                None,
                "The file was opened with an encoding that does not fit its bytes.",
                "pass the path, or open the file in binary mode: open(path, 'rb').",
            ),
            source,
        ) from None


def decode(data: bytes, source: str) -> str:
    """Decode UTF-8 (BOM or not), UTF-16 with BOM, or Windows-1252."""
    if data.startswith(XLS_MAGIC):
        raise LeadDataError(
            Problem(
                None,
                "This is an old binary Excel workbook (.xls), which cannot be read.",
                "open it in Excel, save as .xlsx or CSV (File > Save As > 'Excel Workbook' or "
                "'CSV UTF-8 (comma delimited)') and read that file.",
            ),
            source,
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            return check_text(data.decode(encoding), source)
        except UnicodeDecodeError:
            continue
    raise LeadDataError(
        Problem(
            None,
            "The file's bytes are neither UTF-8 nor Windows-1252 text; "
            "it may be a binary file or damaged.",
            "save the data as CSV (UTF-8) from your spreadsheet or CRM and read that file.",
        ),
        source,
    )


def check_text(text: str, source: str) -> str:
    """Reject empty and binary-looking text; drop a byte-order mark."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise LeadDataError(
            Problem(
                None,
                "The file is empty.",
                EMPTY_FIX,
            ),
            source,
        )
    controls = len(re.findall(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", text))
    if "\x00" in text or controls > max(2, len(text) // 100):
        raise LeadDataError(
            Problem(
                None,
                "The file contains binary data, not text.",
                "save the data as CSV (UTF-8) from your spreadsheet or CRM and read that file.",
            ),
            source,
        )
    return text
