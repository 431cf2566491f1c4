"""Deprecated: now ``sqolab.workshop.deploy``; the old name works in this release only."""

import sys

from sqolab.views import moved, run_moved

if __name__ == "__main__":
    sys.exit(run_moved("sqolab.views.deploy"))
else:
    sys.modules[__name__] = moved(__name__)
