"""Reason codes for rejected leads, per lead (against a row-by-row reference) and per campaign."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sqolab import load_sample, preset, qualify
from sqolab.engine.discovery import REASON_CODES
from sqolab.engine.reasons import REASON_OF_CRITERION, reasons_by_campaign, rejection_reasons

CASES = [
    ("startup", "BANT"),
    ("consultancy", "FAINT"),
    ("agency", "GPCTBA/C&I"),
    ("agency", "MEDDIC"),
]


def reference(row: pd.Series, criteria) -> str | None:
    """One lead at a time: the first criterion failed on a known value, else 'unconfirmed'."""
    checks = {
        "need": ("need", criteria.min_need, ["none", "latent", "confirmed"]),
        "authority": (
            "authority",
            criteria.min_authority,
            ["user", "influencer", "decision_maker"],
        ),
    }
    failed_unknown = False
    for name in REASON_OF_CRITERION:
        if name in ("need", "authority"):
            column, minimum, levels = checks[name]
            if minimum is None:
                continue
            value = str(row[column])
            if value == "unknown":
                failed_unknown |= not criteria.unknown_meets
                continue
            if levels.index(value) < levels.index(minimum):
                return REASON_OF_CRITERION[name]
        else:
            field = {
                "budget": "min_budget_eur",
                "timeline": "max_timeline_months",
                "fit": "min_fit",
                "engagement": "min_engagement",
            }[name]
            limit = getattr(criteria, field)
            if limit is None:
                continue
            column = {
                "budget": "budget_eur",
                "timeline": "timeline_months",
                "fit": "fit_score",
                "engagement": "engagement_score",
            }[name]
            value = row[column]
            if value is None or (isinstance(value, float) and math.isnan(value)):
                failed_unknown |= not criteria.unknown_meets
                continue
            bad = value > limit if name == "timeline" else value < limit
            if bad:
                return REASON_OF_CRITERION[name]
    return "unconfirmed" if failed_unknown else None


@pytest.mark.parametrize(("context", "framework"), CASES)
@pytest.mark.parametrize("unknown_meets", [False, True])
def test_reasons_agree_with_the_reference(context, framework, unknown_meets):
    leads = load_sample(context).iloc[:600]
    criteria = preset(framework, context=context).replace(unknown_meets=unknown_meets)
    reasons = rejection_reasons(leads, criteria)
    sqo = qualify(leads, criteria)
    assert reasons[sqo].isna().all()
    assert reasons[~sqo].notna().all()
    for (_, row), got in zip(leads[~sqo].iterrows(), reasons[~sqo], strict=True):
        assert got == reference(row, criteria), row["lead_id"]
    if unknown_meets:
        assert "unconfirmed" not in set(reasons.dropna())
    assert set(reasons.cat.categories) == set(REASON_CODES)


def test_by_campaign_adds_up():
    leads = load_sample("startup")
    criteria = preset("BANT", "startup")
    table = reasons_by_campaign(leads, criteria)
    reasons = rejection_reasons(leads, criteria)
    assert table["rejected"].sum() == int(reasons.notna().sum())
    codes = [c for c in table.columns if c in REASON_CODES]
    assert (table[codes].sum(axis=1) == table["rejected"]).all()
    for code in codes:
        assert table[code].sum() == int((reasons == code).sum())
    top = table.iloc[0]
    assert top["top reason"] == top[codes].astype(int).idxmax()
    assert list(table["rejected"]) == sorted(table["rejected"], reverse=True)


def test_without_a_campaign_column_the_error_says_so():
    leads = load_sample("startup").drop(columns="campaign")
    with pytest.raises(ValueError, match="no campaign column"):
        reasons_by_campaign(leads, preset("BANT", "startup"))


def test_nurture_candidates_are_rejected_leads_with_need_but_no_date():
    from sqolab.engine.reasons import nurture_candidates

    leads = load_sample("consultancy")
    criteria = preset("FAINT", "consultancy")
    candidates = nurture_candidates(leads, criteria, cycle_months=2.5)
    chosen = leads[candidates]
    assert len(chosen) > 0
    assert not qualify(chosen, criteria).any()
    assert set(chosen["need"].astype(str)) <= {"latent", "confirmed"}
    months = chosen["timeline_months"]
    assert (months.isna() | (months > 5)).all()
    others = leads[~candidates & ~qualify(leads, criteria)]
    soon = others["need"].astype(str).isin(["latent", "confirmed"]) & (
        others["timeline_months"] <= 5
    )
    no_need = ~others["need"].astype(str).isin(["latent", "confirmed"])
    assert (soon | no_need).all()
