"""Root pytest configuration: keep test runs from touching a learner's own progress file."""

import os
import tempfile

# Notebooks run under nbval inherit this, so exercise checks record progress in a throwaway file.
os.environ.setdefault(
    "SQOLAB_PROGRESS", os.path.join(tempfile.mkdtemp(prefix="sqolab-tests-"), "progress.json")
)
