"""Root pytest configuration: keep test runs from touching a learner's own progress file."""

import os
import tempfile

# Notebooks run under nbval or the book build inherit this, so exercise checks record progress in a
# throwaway file. Each pytest-xdist worker gets its own (a worker inherits the controller's
# environment, and two processes must not share one progress file).
_progress = os.path.join(tempfile.mkdtemp(prefix="sqolab-tests-"), "progress.json")
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["SQOLAB_PROGRESS"] = _progress
else:
    os.environ.setdefault("SQOLAB_PROGRESS", _progress)
