"""``python -m sqolab.practice.grading FOLDER -o results.csv``."""

import sys

from sqolab.practice.grading import main

sys.exit(main())
