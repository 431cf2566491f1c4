"""Shared fixtures."""

from browser import browser  # noqa: F401  (the Chromium fixture for browser tests)
