"""Role-play cards: from the discovery cases, the truth hidden from the seller, one A4 page each."""

from __future__ import annotations

import io
import re

import pytest

from sqolab.data.samples import shared_sample
from sqolab.engine.discovery import draw_cases
from sqolab.workshop.roleplay import (
    OBJECTIONS,
    RUBRIC_ROWS,
    all_cards,
    cards_html,
    discovery_cards,
    rubric_card,
)


def test_seller_cards_never_show_the_hidden_truth():
    cards = discovery_cards("consultancy", seed=4, n=3)
    cases = draw_cases(shared_sample("consultancy"), "consultancy", 3, seed=4)
    assert [c.role for c in cards] == ["buyer", "seller"] * 3
    for case, buyer, seller in zip(cases, cards[::2], cards[1::2], strict=True):
        assert case.company in buyer.body and case.company in seller.body
        if case.budget_eur is not None:
            assert f"{case.budget_eur:,.0f}" in buyer.body
            assert f"{case.budget_eur:,.0f}" not in seller.body
        for hidden in ("Budget", "Authority", "Timeline", "Competition"):
            assert f">{hidden}<" in buyer.body and f">{hidden}<" not in seller.body


def test_cards_are_the_same_for_the_same_seed_and_escaped():
    assert cards_html(all_cards(seed=2)) == cards_html(all_cards(seed=2))
    assert cards_html(all_cards(seed=2)) != cards_html(all_cards(seed=3))
    assert "<script" not in cards_html(all_cards())


def test_the_rubric_scores_every_criterion_from_0_to_3():
    body = rubric_card().body
    for row in RUBRIC_ROWS:
        assert f">{row}<" in body
    assert body.count("&#9633;") == 4 * len(RUBRIC_ROWS)


@pytest.mark.slow
def test_each_card_prints_on_its_own_a4_page(browser):
    cards = all_cards(n=2)
    page = browser.new_page()
    try:
        page.set_content(f"<!doctype html><html><body>{cards_html(cards)}</body></html>")
        page.emulate_media(media="print")
        breaks = page.eval_on_selector_all(
            ".sqolab-card", "els => els.map(e => getComputedStyle(e).breakAfter)"
        )
        assert breaks == ["page"] * len(cards)
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
    finally:
        page.close()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == len(cards) == 2 * 2 + 2 * len(OBJECTIONS) + 2
    assert io.BytesIO(pdf).read(4) == b"%PDF"
