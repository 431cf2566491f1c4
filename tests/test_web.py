"""The live labs' build side: packed arrays, number texts, the lab pages' markers, page weight."""

from __future__ import annotations

import json
import math

import nbformat
import numpy as np
import pytest
from docutils import nodes
from web_book import LAB_PAGES, ROOT

from sqolab.data.schema import CONTEXTS
from sqolab.web.discovery import WEB_SETS, write_discovery_files
from sqolab.web.payload import LABS, NUMBERS, data_script, fmt, pack, payload, unpack
from sqolab.web.sphinx_ext import page_labs

PAGE_BUDGET = 1.5e6  # bytes of data and scripts per lab page


@pytest.mark.parametrize(
    "values, kind",
    [
        (np.array([0, 3, -1, 2]), "i8"),
        (np.array([0, 300, -1]), "i16"),
        (np.array([0.5, 13.0, np.nan, 2.5]), "f32"),
        (np.array([0.1, 1 / 3, np.nan]), "f64"),
        (np.array([True, False]), "i8"),
        (np.array([70_000.0, 1e9]), "i32"),
    ],
)
def test_pack_keeps_every_value_in_the_narrowest_type(values, kind):
    packed = pack(values)
    assert packed["t"] == kind
    back = unpack(packed)
    assert np.array_equal(back, values.astype(back.dtype), equal_nan=back.dtype.kind == "f")


def test_number_texts_follow_python_formatting():
    assert fmt(0.1225, "pct") == "12.2%"  # 12.25 rounds half to even, as Python does
    assert fmt(1234567.5, "eur") == "1,234,568 EUR"
    assert fmt(2.5, "int") == "2"
    assert fmt(math.nan, "pct") == "n/a"
    assert fmt(None, "fail") == "not applied"
    assert fmt(None, "points") == "none fits"
    assert fmt(68.25, "points") == "68.2 points"


def test_payload_holds_the_engines_presets_and_every_lab():
    data = payload("qualify")
    bant = data["contexts"]["consultancy"]["presets"]["BANT"]
    assert bant["budget"] == 35_000  # half the consultancy's median deal of 70,000 EUR
    assert bant["min_met"] == 4 and bant["unknown"] is False
    assert data["levels"]["authority"] == {"user": 1, "influencer": 2, "decision_maker": 3}
    with pytest.raises(ValueError, match="Unknown live lab 'nope'"):
        payload("nope")
    # the page needs no NaN in JSON (allow_nan=False): missing values travel inside the arrays
    text = data_script("tradeoff")
    json.loads(text.split(".tradeoff=", 1)[1].split(";window.sqolabLiveInit", 1)[0])


@pytest.mark.parametrize("lab", LABS)
def test_a_lab_page_loads_at_most_1_5_mb(lab):
    static = (ROOT / "sqolab" / "web" / "static").glob("*")
    weight = len(data_script(lab).encode()) + sum(p.stat().st_size for p in static)
    assert weight <= PAGE_BUDGET, f"{lab}: {weight:,} bytes"


@pytest.mark.parametrize("page", sorted(LAB_PAGES))
def test_each_lab_page_asks_for_its_live_lab_in_a_markdown_cell(page):
    notebook = nbformat.read(ROOT / f"{page}.ipynb", as_version=4)
    cells = [c for c in notebook.cells if "sqolab-live" in c.source]
    assert len(cells) == 1 and cells[0].cell_type == "markdown"
    found = page_labs(_as_doctree(cells[0].source))
    assert [lab for _node, lab in found] == [LAB_PAGES[page]]
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")


def test_lab_7_asks_for_the_discovery_player_in_a_markdown_cell():
    notebook = nbformat.read(ROOT / "notebooks" / "07_discovery_call.ipynb", as_version=4)
    cells = [c for c in notebook.cells if "sqolab-live" in c.source]
    assert len(cells) == 1 and cells[0].cell_type == "markdown"
    assert [lab for _node, lab in page_labs(_as_doctree(cells[0].source))] == ["discovery"]


def test_the_discovery_page_loads_at_most_1_5_mb(tmp_path):
    files = write_discovery_files(tmp_path)
    case_sets = [f for f in files if f.name not in ("discovery.js", "discovery-common.js")]
    assert len(case_sets) == len(CONTEXTS) * WEB_SETS
    static = (ROOT / "sqolab" / "web" / "static").glob("*")
    first = tmp_path / "discovery-common.js"
    weight = first.stat().st_size + max(f.stat().st_size for f in case_sets)
    weight += sum(p.stat().st_size for p in static)
    assert weight <= PAGE_BUDGET, f"{weight:,} bytes"


def _as_doctree(html: str) -> nodes.document:
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    document = new_document("test", get_default_settings(Parser))
    document += nodes.raw("", html, format="html")
    return document


def test_every_number_has_a_kind_the_page_knows():
    for lab, numbers in NUMBERS.items():
        keys = [key for key, _label, _kind in numbers]
        assert len(keys) == len(set(keys)), lab
        assert {kind for _k, _l, kind in numbers} <= {
            "int",
            "pct",
            "eur",
            "hours",
            "points",
            "fail",
        }
