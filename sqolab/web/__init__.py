"""The labs live on the website: in-page versions that run in the reader's browser, no kernel.

:mod:`sqolab.web.payload` turns the samples into compact per-lead arrays, read through the engine's
own column readers (category codes, numeric columns, the lead score, the trade-off curve), plus each
lab's controls and key numbers. :mod:`sqolab.web.sphinx_ext` writes those files and the script
(``static/live.js``) into the built book and adds them to the pages that hold a live lab. The
script re-does only the counting of :func:`~sqolab.engine.criteria.qualify` and
:func:`~sqolab.engine.outcomes.evaluate` (with numpy's summation order), and the oracle test
(``tests/test_web_oracle.py``) checks every number it shows against the engine.
"""
