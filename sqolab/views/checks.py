"""Deprecated: now ``sqolab.practice.checks``; the old name works in this release only."""

import sys

from sqolab.views import moved

sys.modules[__name__] = moved(__name__)
