"""Report tables for the book (sqolab.figures.tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sqolab import criteria_met, load_sample, preset
from sqolab.figures.tables import NO, UNKNOWN, YES, cell_text, report_table


def test_cells_read_like_a_report():
    assert cell_text(True) == YES and cell_text(np.bool_(False)) == NO
    assert (
        cell_text(np.nan) == UNKNOWN and cell_text(None) == UNKNOWN and cell_text(pd.NA) == UNKNOWN
    )
    assert cell_text(7500.0) == "7,500" and cell_text(1.5) == "1.5"
    assert cell_text("decision_maker") == "decision maker"
    assert cell_text(0.334, "{:.1%}") == "33.4%"
    assert cell_text(12000, lambda v: f"{v / 1000:.0f}K") == "12K"


def test_report_table_titles_formats_and_hides_the_index():
    frame = pd.DataFrame(
        {"budget_eur": [7500.0, np.nan], "is_sqo": [True, False], "other": [1, 2]},
        index=["ST-1", "ST-2"],
    )
    styler = report_table(
        frame, {"budget_eur": ("budget [EUR]", "{:,.0f}"), "is_sqo": "SQO"}, index="lead"
    )
    shown = styler.data
    assert list(shown.columns) == ["lead", "budget [EUR]", "SQO"]
    assert shown.to_dict("list") == {
        "lead": ["ST-1", "ST-2"],
        "budget [EUR]": ["7,500", UNKNOWN],
        "SQO": [YES, NO],
    }
    html = styler.to_html()
    assert "ST-1" in html and "nan" not in html.lower() and "True" not in html
    # no index column: the row labels 0, 1 are not rendered as header cells
    assert 'class="row_heading' not in html


def test_report_table_titles_every_column_by_default_and_names_a_missing_one():
    leads = load_sample("startup").head(3)
    met = criteria_met(leads, preset("BANT", "startup"))
    shown = report_table(met).data
    assert set(shown.stack()) <= {YES, NO}
    assert "_" not in "".join(shown.columns)
    with pytest.raises(KeyError, match="no column"):
        report_table(met, {"nonsense": "x"})
