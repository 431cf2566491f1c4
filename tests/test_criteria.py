"""Tests of criteria, qualification and the framework presets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import SETTINGS, criteria_strategy, lead_frames, typed_frame

from sqolab.data.contexts import PROFILES
from sqolab.data.schema import AUTHORITY_LEVELS, CONTEXTS, NEED_LEVELS, LeadDataError
from sqolab.engine.criteria import (
    CRITERIA_NAMES,
    FRAMEWORKS,
    Criteria,
    Framework,
    criteria_met,
    framework,
    preset,
    qualify,
)

AUTH_RANK = {"user": 1, "influencer": 2, "decision_maker": 3}
NEED_RANK = {"none": 1, "latent": 2, "confirmed": 3}


# --------------------------------------------------------------------------------------------------
# A slow, independent reference: one row at a time, plain Python.
# --------------------------------------------------------------------------------------------------


def _unknown(value: object) -> bool:
    return value is None or value == "unknown" or (isinstance(value, float) and math.isnan(value))


def reference_met(row: dict, c: Criteria) -> dict[str, bool]:
    met: dict[str, bool] = {}
    checks = [
        ("budget", c.min_budget_eur, "budget_eur", lambda v, t: v >= t),
        ("authority", c.min_authority, "authority", lambda v, t: AUTH_RANK[v] >= AUTH_RANK[t]),
        ("need", c.min_need, "need", lambda v, t: NEED_RANK[v] >= NEED_RANK[t]),
        ("timeline", c.max_timeline_months, "timeline_months", lambda v, t: v <= t),
        ("engagement", c.min_engagement, "engagement_score", lambda v, t: v >= t),
        ("fit", c.min_fit, "fit_score", lambda v, t: v >= t),
    ]
    for name, threshold, column, test in checks:
        if threshold is None:
            continue
        value = row[column]
        met[name] = c.unknown_meets if _unknown(value) else bool(test(value, threshold))
    return met


def reference_qualify(leads: pd.DataFrame, c: Criteria) -> dict:
    out = {}
    for label, row in zip(leads.index, leads.to_dict("records"), strict=True):
        met = reference_met(row, c)
        k = len(met) if c.min_met is None else c.min_met
        out[label] = sum(met.values()) >= k
    return out


# --------------------------------------------------------------------------------------------------
# Hand-built examples
# --------------------------------------------------------------------------------------------------

ROWS = [
    # 0: meets everything (also every preset of every context)
    dict(
        budget_eur=100_000,
        authority="decision_maker",
        need="confirmed",
        timeline_months=1,
        engagement_score=70,
        fit_score=80,
    ),
    # 1: exactly on every threshold
    dict(budget_eur=5_000, authority="influencer", need="latent", timeline_months=3),
    # 2: everything unknown
    dict(),
    # 3: just below on budget, a user, no need, too late
    dict(budget_eur=4_999.99, authority="user", need="none", timeline_months=3.01),
    # 4: budget and authority met, need and timeline unknown
    dict(budget_eur=50_000, authority="decision_maker"),
]
BANTISH = Criteria(
    min_budget_eur=5_000, min_authority="influencer", min_need="latent", max_timeline_months=3
)


@pytest.fixture
def hand() -> pd.DataFrame:
    return typed_frame(ROWS, index=[10, 20, 30, 40, 50])


def test_criteria_met_table_by_hand(hand: pd.DataFrame) -> None:
    met = criteria_met(hand, BANTISH)
    expected = pd.DataFrame(
        {
            "budget": [True, True, False, False, True],
            "authority": [True, True, False, False, True],
            "need": [True, True, False, False, False],
            "timeline": [True, True, False, False, False],
        },
        index=[10, 20, 30, 40, 50],
    )
    pd.testing.assert_frame_equal(met, expected)


def test_unknown_meets_turns_unknowns_into_met(hand: pd.DataFrame) -> None:
    met = criteria_met(hand, BANTISH.replace(unknown_meets=True))
    assert met.loc[30].tolist() == [True, True, True, True]
    assert met.loc[50].tolist() == [True, True, True, True]
    assert met.loc[40].tolist() == [False, False, False, False]  # known and failing stays failing
    assert qualify(hand, BANTISH.replace(unknown_meets=True)).tolist() == [
        True, True, True, False, True,
    ]  # fmt: skip


def test_qualify_all_k_of_n_and_any(hand: pd.DataFrame) -> None:
    assert qualify(hand, BANTISH).tolist() == [True, True, False, False, False]
    # met counts per lead: 4, 4, 0, 0, 2
    assert qualify(hand, BANTISH.replace(min_met=2)).tolist() == [True, True, False, False, True]
    assert qualify(hand, BANTISH.replace(min_met=3)).tolist() == [True, True, False, False, False]
    assert qualify(hand, BANTISH.replace(min_met=1)).tolist() == [True, True, False, False, True]
    assert qualify(hand, BANTISH.replace(min_met=0)).all()


def test_qualify_series_shape_and_no_mutation(hand: pd.DataFrame) -> None:
    before = hand.copy(deep=True)
    result = qualify(hand, BANTISH)
    assert result.name == "is_sqo"
    assert result.dtype == bool
    assert result.index.equals(hand.index)
    pd.testing.assert_frame_equal(hand, before)
    criteria_met(hand, BANTISH)
    pd.testing.assert_frame_equal(hand, before)


def test_no_criteria_makes_everyone_sqo(hand: pd.DataFrame) -> None:
    c = Criteria()
    assert c.applied == ()
    assert c.required_met == 0
    assert qualify(hand, c).all()
    met = criteria_met(hand, c)
    assert met.shape == (5, 0)
    assert met.index.equals(hand.index)


def test_engagement_and_fit_thresholds() -> None:
    leads = typed_frame(
        [
            dict(engagement_score=39, fit_score=60),
            dict(engagement_score=40, fit_score=59),
            dict(engagement_score=100, fit_score=100),
        ]
    )
    c = Criteria(min_engagement=40, min_fit=60)
    met = criteria_met(leads, c)
    assert met["engagement"].tolist() == [False, True, True]
    assert met["fit"].tolist() == [True, False, True]
    assert qualify(leads, c).tolist() == [False, False, True]
    assert qualify(leads, c.replace(min_met=1)).tolist() == [True, True, True]


def test_columns_in_fixed_order() -> None:
    c = Criteria(min_fit=1, min_budget_eur=1, max_timeline_months=1)
    assert c.applied == ("budget", "timeline", "fit")
    leads = typed_frame([dict()])
    assert list(criteria_met(leads, c).columns) == ["budget", "timeline", "fit"]


def test_plain_strings_give_the_same_result(hand: pd.DataFrame) -> None:
    plain = hand.assign(authority=hand["authority"].astype(str), need=hand["need"].astype(object))
    assert plain["authority"].dtype != hand["authority"].dtype
    pd.testing.assert_series_equal(qualify(plain, BANTISH), qualify(hand, BANTISH))
    pd.testing.assert_frame_equal(criteria_met(plain, BANTISH), criteria_met(hand, BANTISH))


def test_missing_level_value_counts_as_unknown(hand: pd.DataFrame) -> None:
    plain = hand.assign(authority=hand["authority"].astype(object))
    plain.loc[10, "authority"] = None
    c = Criteria(min_authority="user")
    assert not qualify(plain, c).loc[10]
    assert qualify(plain, c.replace(unknown_meets=True)).loc[10]


def test_invalid_level_value_raises(hand: pd.DataFrame) -> None:
    plain = hand.assign(authority=hand["authority"].astype(object))
    plain.loc[20, "authority"] = "ceo"
    with pytest.raises(LeadDataError, match=r"authority.*'ceo'"):
        qualify(plain, Criteria(min_authority="user"))


def test_missing_column_raises_lead_data_error(hand: pd.DataFrame) -> None:
    without = hand.drop(columns=["timeline_months"])
    with pytest.raises(LeadDataError, match="timeline_months"):
        qualify(without, BANTISH)
    with pytest.raises(LeadDataError, match="timeline_months"):
        criteria_met(without, BANTISH)
    # A column no applied criterion reads may be missing.
    assert qualify(without, BANTISH.replace(max_timeline_months=None)).tolist() == [
        True, True, False, False, False,
    ]  # fmt: skip


def test_empty_frame() -> None:
    leads = typed_frame([])
    assert len(qualify(leads, BANTISH)) == 0
    assert list(criteria_met(leads, BANTISH).columns) == list(BANTISH.applied)


# --------------------------------------------------------------------------------------------------
# Criteria: validation, description, replace
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(min_budget_eur=1, min_need="latent", min_met=3), r"2 criteria.*budget, need"),
        (dict(min_met=1), r"only 0 criteria are applied \(none\)"),
        (dict(min_fit=10, min_met=-1), ">= 0"),
        (dict(min_fit=10, min_met=1.0), "whole number"),
        (dict(min_fit=10, min_met=True), "whole number"),
        (dict(min_authority="ceo"), "user, influencer, decision_maker"),
        (dict(min_authority="unknown"), "not a level"),
        (dict(min_need="unknown"), "none, latent, confirmed"),
        (dict(min_need="Confirmed"), "none, latent, confirmed"),
        (dict(min_budget_eur=-1), "min_budget_eur must be >= 0"),
        (dict(max_timeline_months=-0.5), "max_timeline_months must be >= 0"),
        (dict(min_engagement=101), "between 0 and 100"),
        (dict(min_fit=-1), "between 0 and 100"),
        (dict(min_budget_eur=True), "must be a number"),
        (dict(min_engagement=False), "must be a number"),
        (dict(min_fit="50"), "must be a number"),
        (dict(min_budget_eur=float("nan")), "NaN"),
        (dict(unknown_meets="yes"), "True or False"),
    ],
)
def test_invalid_criteria_raise(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Criteria(**kwargs)


def test_valid_edge_criteria() -> None:
    c = Criteria(min_budget_eur=0, max_timeline_months=0, min_engagement=0, min_fit=100, min_met=0)
    assert c.applied == ("budget", "timeline", "engagement", "fit")
    assert c.required_met == 0
    assert Criteria(min_fit=np.int64(5), min_met=np.int64(1)).required_met == 1


def test_applied_and_required_met() -> None:
    c = Criteria(min_need="latent", min_engagement=30, min_authority="user")
    assert c.applied == ("authority", "need", "engagement")
    assert c.required_met == 3
    assert c.replace(min_met=2).required_met == 2


def test_describe() -> None:
    c = Criteria(
        min_budget_eur=10_000, min_authority="influencer", min_need="latent", max_timeline_months=3
    )
    assert c.describe() == (
        "budget >= 10,000 EUR, authority >= influencer, need >= latent, timeline <= 3 months "
        "(all 4 must be met; unknown counts as not met)"
    )
    assert (
        c.replace(min_met=3, unknown_meets=True)
        .describe()
        .endswith("(at least 3 of 4 must be met; unknown counts as met)")
    )
    assert Criteria(min_fit=60, max_timeline_months=1).describe() == (
        "timeline <= 1 month, fit >= 60 (all 2 must be met; unknown counts as not met)"
    )
    assert Criteria().describe() == "no criteria (every lead is an SQO)"
    assert "every lead is an SQO" in Criteria(min_fit=5, min_met=0).describe()


def test_replace_returns_new_validated_criteria() -> None:
    c = Criteria(min_fit=50)
    d = c.replace(min_fit=70)
    assert (c.min_fit, d.min_fit) == (50, 70)
    with pytest.raises(ValueError):
        c.replace(min_met=2)
    with pytest.raises(AttributeError):
        c.min_fit = 1  # type: ignore[misc]


# --------------------------------------------------------------------------------------------------
# Frameworks and presets
# --------------------------------------------------------------------------------------------------

# Expected money/time thresholds: (budget share of the median deal, timeline in sales cycles).
EXPECTED_SCALING = {
    "BANT": (0.5, 2.0),
    "ANUM": (0.25, 1.0),
    "CHAMP": (0.5, 2.0),
    "GPCTBA/C&I": (0.5, 2.0),
    "FAINT": (None, 3.0),
    "MEDDIC": (None, None),
}


def test_registry_has_the_six_frameworks() -> None:
    assert list(FRAMEWORKS) == ["BANT", "ANUM", "CHAMP", "GPCTBA/C&I", "FAINT", "MEDDIC"]
    for name, fw in FRAMEWORKS.items():
        assert isinstance(fw, Framework)
        assert fw.name == name
        assert fw.origin and fw.fits
        assert fw.letters and all(len(entry) == 3 for entry in fw.letters)
        assert fw.cannot_express
        assert fw.criteria == preset(name, "startup")


@pytest.mark.parametrize("name", list(FRAMEWORKS))
@pytest.mark.parametrize("context", CONTEXTS)
def test_every_preset_builds_for_every_context_and_qualifies(name: str, context: str) -> None:
    c = preset(name, context)
    prof = PROFILES[context]
    share, cycles = EXPECTED_SCALING[name]
    if share is None:
        assert c.min_budget_eur is None
    else:
        assert c.min_budget_eur == pytest.approx(share * prof.median_deal_eur)
    if cycles is None:
        assert c.max_timeline_months is None
    else:
        assert c.max_timeline_months == pytest.approx(cycles * prof.cycle_months)
    leads = typed_frame(ROWS)
    result = qualify(leads, c)
    assert result.dtype == bool and len(result) == len(ROWS)
    assert result.iloc[0]  # strong on every column
    assert not result.iloc[3]  # a user with no need, too late


def test_preset_mappings() -> None:
    bant = preset("BANT")
    assert (bant.min_budget_eur, bant.min_authority, bant.min_need) == (
        7_500,
        "influencer",
        "latent",
    )
    assert (bant.max_timeline_months, bant.required_met, bant.unknown_meets) == (3.0, 4, False)
    anum = preset("ANUM", "agency")
    assert anum.min_authority == "decision_maker"
    assert (anum.min_budget_eur, anum.max_timeline_months, anum.min_met) == (15_000, 2.0, 3)
    champ = preset("CHAMP", "consultancy")
    assert champ.min_need == "confirmed" and champ.min_met == 3 and len(champ.applied) == 4
    gpct = preset("GPCTBA/C&I", "agency")
    assert gpct.applied == ("budget", "authority", "need", "timeline", "engagement")
    assert gpct.min_met == 4
    faint = preset("FAINT", "consultancy")
    assert faint.min_budget_eur is None and faint.min_fit is not None
    assert faint.unknown_meets and faint.max_timeline_months == 9.0
    assert faint.applied == ("authority", "need", "timeline", "engagement", "fit")
    meddic = preset("MEDDIC", "consultancy")
    assert (meddic.min_authority, meddic.min_need, meddic.required_met) == (
        "decision_maker", "confirmed", 3,
    )  # fmt: skip
    assert any("Decision" in text for text in FRAMEWORKS["MEDDIC"].cannot_express)
    assert any("Consequences" in text for text in FRAMEWORKS["GPCTBA/C&I"].cannot_express)


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("bant", "BANT"),
        (" Anum ", "ANUM"),
        ("champ", "CHAMP"),
        ("gpctba", "GPCTBA/C&I"),
        ("GPCTBA/C&I", "GPCTBA/C&I"),
        ("gpctba/c&i", "GPCTBA/C&I"),
        ("faint", "FAINT"),
        ("meddic", "MEDDIC"),
        ("MEDDPICC", "MEDDIC"),
    ],
)
def test_preset_aliases(alias: str, name: str) -> None:
    assert framework(alias) is FRAMEWORKS[name]
    assert preset(alias, "agency") == preset(name, "agency")


def test_unknown_preset_and_context_raise() -> None:
    with pytest.raises(ValueError, match=r"Unknown framework 'SPIN'.*BANT, ANUM"):
        preset("SPIN")
    with pytest.raises(ValueError, match="startup, consultancy, agency"):
        preset("BANT", "bakery")
    with pytest.raises(ValueError, match="Unknown framework"):
        preset(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------


@st.composite
def stricter_pairs(draw: st.DrawFn) -> tuple[Criteria, Criteria]:
    """A criteria and a stricter version of it (one or more changes that can only remove SQOs)."""
    c = draw(criteria_strategy())
    n = len(c.applied)
    options = [name for name in c.applied]
    if c.required_met < n:
        options.append("min_met")
    if c.unknown_meets:
        options.append("unknown_meets")
    assume(options)
    changes: dict = {}
    for option in draw(st.lists(st.sampled_from(options), min_size=1, unique=True)):
        if option == "budget":
            changes["min_budget_eur"] = c.min_budget_eur + draw(st.floats(0, 50_000))
        elif option == "authority":
            i = AUTHORITY_LEVELS.index(c.min_authority)
            changes["min_authority"] = draw(st.sampled_from(AUTHORITY_LEVELS[i:]))
        elif option == "need":
            i = NEED_LEVELS.index(c.min_need)
            changes["min_need"] = draw(st.sampled_from(NEED_LEVELS[i:]))
        elif option == "timeline":
            changes["max_timeline_months"] = draw(st.floats(0, c.max_timeline_months))
        elif option == "engagement":
            changes["min_engagement"] = draw(st.floats(c.min_engagement, 100))
        elif option == "fit":
            changes["min_fit"] = draw(st.floats(c.min_fit, 100))
        elif option == "min_met":
            changes["min_met"] = draw(st.integers(c.required_met, n))
        else:
            changes["unknown_meets"] = False
    return c, c.replace(**changes)


@SETTINGS
@given(leads=lead_frames(), pair=stricter_pairs())
def test_stricter_criteria_never_add_an_sqo(leads: pd.DataFrame, pair: tuple) -> None:
    loose, strict = pair
    before = qualify(leads, loose)
    after = qualify(leads, strict)
    assert not (after & ~before).any()


@SETTINGS
@given(leads=lead_frames(), c=criteria_strategy())
def test_qualify_agrees_with_criteria_met(leads: pd.DataFrame, c: Criteria) -> None:
    met = criteria_met(leads, c)
    assert tuple(met.columns) == c.applied
    assert all(met[col].dtype == bool for col in met.columns)
    expected = met.sum(axis=1) >= c.required_met
    pd.testing.assert_series_equal(qualify(leads, c), expected.rename("is_sqo"))


@SETTINGS
@given(leads=lead_frames(), c=criteria_strategy())
def test_qualify_agrees_with_row_by_row_reference(leads: pd.DataFrame, c: Criteria) -> None:
    expected = reference_qualify(leads, c)
    result = qualify(leads, c)
    assert result.to_dict() == expected
    met = criteria_met(leads, c)
    for label, row in zip(leads.index, leads.to_dict("records"), strict=True):
        assert met.loc[label].to_dict() == reference_met(row, c)


@SETTINGS
@given(leads=lead_frames(max_size=30), c=criteria_strategy())
def test_string_columns_agree_with_categoricals(leads: pd.DataFrame, c: Criteria) -> None:
    plain = leads.assign(authority=leads["authority"].astype(str), need=leads["need"].astype(str))
    pd.testing.assert_series_equal(qualify(plain, c), qualify(leads, c))


def test_criteria_names_constant() -> None:
    assert CRITERIA_NAMES == ("budget", "authority", "need", "timeline", "engagement", "fit")


def test_criteria_show_themselves_as_prose():
    import html

    from sqolab.engine.criteria import preset

    bant = preset("BANT", "startup")
    shown = bant._repr_html_()
    assert shown.startswith("<p ") and "<pre" not in shown
    assert html.escape(bant.describe()) in shown
