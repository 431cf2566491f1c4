"""Oracle: every number each live lab shows equals the engine's, over 200 random settings per lab.

The page counts in JavaScript (sqolab/web/static/live.js), so this test sets 200 random settings
per lab through the page's controls (``window.sqolabLive[lab].apply``; the controls snap values to
their steps, and the settings the page reports back are what the engine gets), reads every
``[data-key]`` element (exact value in ``data-value``, text as shown) and compares both with
:func:`web_book.reference`, the engine's answer: zero differences allowed.
"""

from __future__ import annotations

import math
import random

import pytest
from browser import serve_directory
from web_book import LABS, build_live_book, kinds, number_keys, random_settings, reference

from sqolab.web.payload import fmt

SETTINGS_PER_LAB = 200

READ_JS = """([lab, settings]) => settings.map(s => {
  const effective = window.sqolabLive[lab].apply(s);
  const shown = {};
  for (const node of document.querySelectorAll('.sqolab-live [data-key]')) {
    shown[node.getAttribute('data-key')] = [node.getAttribute('data-value'), node.textContent];
  }
  return [effective, shown];
})"""


@pytest.fixture(scope="module")
def live_book(tmp_path_factory):
    html, result = build_live_book(tmp_path_factory.mktemp("live_book"))
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return html


def same(page_value: str, engine_value: object) -> bool:
    """The page's exact value (JavaScript's shortest round-trip text) equals the engine's."""
    if engine_value is None:
        return page_value == "null"
    if page_value in ("null", "NaN"):
        return isinstance(engine_value, float) and math.isnan(engine_value)
    return float(page_value) == float(engine_value)


@pytest.mark.parametrize("lab", LABS)
def test_every_number_equals_the_engine(live_book, browser, lab):
    rng = random.Random(f"oracle-{lab}")
    settings = [random_settings(lab, rng) for _ in range(SETTINGS_PER_LAB)]
    with serve_directory(live_book) as base:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/labs/{lab}.html")
        page.wait_for_selector(f'.sqolab-live[data-lab="{lab}"][data-ready="true"]')
        results = page.evaluate(READ_JS, [lab, settings])
        page.close()
    assert errors == []
    keys, kind = number_keys(lab), kinds(lab)
    differences = []
    distinct = set()
    for effective, shown in results:
        assert sorted(shown) == sorted(keys), f"{lab} shows {sorted(shown)}"
        expected = reference(lab, effective)
        distinct.add(tuple(sorted((k, str(v)) for k, v in expected.items())))
        for key in keys:
            value, text = shown[key]
            if not same(value, expected[key]) or text != fmt(expected[key], kind[key]):
                differences.append((effective, key, value, text, expected[key]))
    assert differences == [], f"{len(differences)} differences, first: {differences[:3]}"
    # the random settings really explored the lab (the start page has 3 contexts x 6 frameworks)
    assert len(distinct) >= (18 if lab == "start" else SETTINGS_PER_LAB // 4)
