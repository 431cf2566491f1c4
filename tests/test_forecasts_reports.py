"""Forecasts with and without SQO gating, the campaign report and the competition effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sqolab import (
    CONTEXTS,
    PROFILES,
    LeadDataError,
    campaign_report,
    competition_effect,
    forecast_error,
    forecast_summary,
    generate_campaigns,
    generate_leads,
    preset,
    qualify,
)


@pytest.fixture(scope="module", params=CONTEXTS)
def sample(request):
    context = request.param
    leads = generate_leads(context)
    is_sqo = qualify(leads, preset(PROFILES[context].framework, context))
    return context, leads, is_sqo


def test_forecast_rows_and_definitions(sample):
    _, leads, is_sqo = sample
    errors = forecast_error(leads, is_sqo, n_quarters=50, seed=1)
    assert len(errors) == 100
    assert set(errors["pipeline"]) == {"all leads", "SQOs only"}
    gated = errors[errors["pipeline"] == "SQOs only"]
    ungated = errors[errors["pipeline"] == "all leads"]
    # a quarter's SQO pipeline is a subset of its whole pipeline
    assert (gated["n_deals"].to_numpy() <= ungated["n_deals"].to_numpy()).all()
    assert (gated["actual_eur"].to_numpy() <= ungated["actual_eur"].to_numpy() + 1e-6).all()
    expected = 100 * (errors["forecast_eur"] - errors["actual_eur"]) / errors["actual_eur"]
    np.testing.assert_allclose(errors["error_pct"], expected)


def test_forecast_is_unbiased_on_average_and_gating_narrows_the_error(sample):
    _, leads, is_sqo = sample
    errors = forecast_error(leads, is_sqo, n_quarters=400, seed=2)
    summary = forecast_summary(errors)
    error = summary["mean_abs_error_pct"]
    assert error["SQOs only"] < error["all leads"]
    # the stage probabilities are the historical rates, so the forecast is right on average
    for _, group in errors.groupby("pipeline"):
        ratio = group["forecast_eur"].sum() / group["actual_eur"].sum()
        assert 0.9 < ratio < 1.1


def test_forecast_is_reproducible_and_seeded(sample):
    _, leads, is_sqo = sample
    a = forecast_error(leads, is_sqo, n_quarters=20, seed=5)
    pd.testing.assert_frame_equal(a, forecast_error(leads, is_sqo, n_quarters=20, seed=5))
    assert not a.equals(forecast_error(leads, is_sqo, n_quarters=20, seed=6))


def test_forecast_with_no_sqos_gives_nan_not_an_error():
    leads = generate_leads("startup", 400, seed=1)
    errors = forecast_error(leads, np.zeros(len(leads), dtype=bool), n_quarters=10)
    gated = errors[errors["pipeline"] == "SQOs only"]
    assert gated["error_pct"].isna().all() and (gated["n_deals"] == 0).all()


def test_forecast_needs_outcomes_and_checks_arguments():
    leads = generate_leads("startup", 200, seed=1)
    is_sqo = leads["fit_score"] >= 50
    with pytest.raises(LeadDataError, match="outcome"):
        forecast_error(leads.drop(columns="outcome"), is_sqo)
    with pytest.raises(ValueError, match="n_quarters"):
        forecast_error(leads, is_sqo, n_quarters=0)
    with pytest.raises(ValueError, match="is_sqo"):
        forecast_error(leads, is_sqo.iloc[:10])


def test_campaign_report_counts_and_costs(sample):
    context, leads, is_sqo = sample
    campaigns = generate_campaigns(context)
    report = campaign_report(leads, campaigns, is_sqo)
    assert len(report) == len(campaigns)
    assert report["leads"].sum() == len(leads)
    assert report["sqos"].sum() == is_sqo.sum()
    won = (leads["outcome"] == "won") & is_sqo
    assert report["won"].sum() == won.sum()
    assert report["won_revenue_eur"].sum() == pytest.approx(leads.loc[won, "deal_value_eur"].sum())
    row = report.iloc[0]
    by_hand = leads[leads["campaign"] == row["campaign"]]
    assert row["leads"] == len(by_hand)
    assert row["cost_per_lead_eur"] == pytest.approx(row["spend_eur"] / len(by_hand))
    assert row["cost_per_sqo_eur"] == pytest.approx(row["spend_eur"] / is_sqo[by_hand.index].sum())
    assert report["cost_per_sqo_eur"].is_monotonic_increasing  # cheapest per SQO first


def test_the_cheapest_campaign_per_lead_is_not_the_cheapest_per_sqo(sample):
    context, leads, is_sqo = sample
    report = campaign_report(leads, generate_campaigns(context), is_sqo)
    cheapest_per_lead = report.loc[report["rank_per_lead"] == 1, "campaign"].iloc[0]
    assert report.loc[report["campaign"] == cheapest_per_lead, "rank_per_sqo"].iloc[0] > 1


def test_campaign_report_without_outcome_and_with_unknown_campaign():
    leads = generate_leads("agency", 300, seed=2)
    campaigns = generate_campaigns("agency")
    is_sqo = leads["engagement_score"] >= 50
    report = campaign_report(leads.drop(columns="outcome"), campaigns, is_sqo)
    assert "won" not in report.columns and report["sqos"].sum() == is_sqo.sum()
    with pytest.raises(LeadDataError, match="Client referrals"):
        campaign_report(leads, campaigns[campaigns["campaign"] != "Client referrals"], is_sqo)


def test_campaign_without_leads_or_sqos_has_nan_cost():
    leads = generate_leads("startup", 300, seed=3)
    campaigns = pd.concat(
        [
            generate_campaigns("startup"),
            pd.DataFrame({"campaign": ["Unused"], "channel": ["event"], "spend_eur": [500.0]}),
        ],
        ignore_index=True,
    )
    report = campaign_report(leads, campaigns, np.zeros(len(leads), dtype=bool))
    assert report["cost_per_sqo_eur"].isna().all()
    unused = report[report["campaign"] == "Unused"].iloc[0]
    assert unused["leads"] == 0 and np.isnan(unused["cost_per_lead_eur"])


def test_competition_concentrates_on_the_best_leads_and_lowers_win_rates(sample):
    _, leads, is_sqo = sample
    table = competition_effect(leads, is_sqo)
    assert table["leads"].sum() == len(leads) and table["sqos"].sum() == is_sqo.sum()
    by_hand = leads[leads["competitors"] == 1]
    assert table.loc[1, "win_rate"] == pytest.approx((by_hand["outcome"] == "won").mean())
    # competitors go where the fit is best ...
    assert table.loc[3, "mean_fit"] > table.loc[0, "mean_fit"]
    # ... and the win rate falls as they come
    assert table.loc[0, "win_rate"] > table.loc[3, "win_rate"]
    # SQOs face more competitors than leads in general
    mean_competitors_sqo = (table.index * table["share_of_sqos"]).sum()
    mean_competitors_all = (table.index * table["share_of_leads"]).sum()
    assert mean_competitors_sqo > mean_competitors_all


def test_competition_effect_groups_the_tail_and_handles_empty_selections():
    leads = generate_leads("startup", 500, seed=4)
    table = competition_effect(leads, np.zeros(len(leads), dtype=bool), max_competitors=2)
    assert list(table.index) == [0, 1, 2]
    assert table.loc[2, "leads"] == (leads["competitors"] >= 2).sum()
    assert table["sqo_win_rate"].isna().all() and table["share_of_sqos"].isna().all()
    with pytest.raises(LeadDataError, match="outcome"):
        competition_effect(leads.drop(columns="outcome"))
