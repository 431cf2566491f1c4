"""Shared fixtures, and the order test files are handed to the workers."""

from __future__ import annotations

from browser import browser  # noqa: F401  (the Chromium fixture for browser tests)

LONGEST_FIRST = (
    "test_book.py",
    "test_exercises.py",
    "test_dashboards.py",
    "test_install.py",
    "test_benchmarks.py",
    "test_grading.py",
    "test_labs_browser.py",
    "test_loading.py",
    "test_discovery_browser.py",
    "test_web_oracle.py",
    "test_web_discovery.py",
    "test_web_browser.py",
    "test_forms_browser.py",
    "test_lab_pipeline_browser.py",
)
"""Test files that take longest (measured with --durations=0), longest first: with
``--dist loadfile --no-loadscope-reorder`` (pyproject's addopts) workers start with them, so no
long file starts last while the other workers idle."""


def pytest_collection_modifyitems(session, config, items) -> None:
    """The longest files first, the rest in their usual order."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
