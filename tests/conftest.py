"""Shared fixtures, and the number of test workers."""

from __future__ import annotations

import os

from browser import browser  # noqa: F401  (the Chromium fixture for browser tests)


def pytest_xdist_auto_num_workers(config) -> int:
    """``-n auto``: one worker per core and one more. Many tests wait on a kernel, a server or
    Chromium (processes of their own), so a core would otherwise idle while its worker waits."""
    return (os.cpu_count() or 1) + 1
