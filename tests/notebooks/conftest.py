"""The notebooks here are test data, run only by the tests that use them.

``attack.ipynb`` is a hostile submission for ``tests/test_grading.py``: it must run inside the
grader's containment, never directly under ``--nbval-lax``.
"""

collect_ignore = ["attack.ipynb"]
