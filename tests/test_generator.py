"""The sample generator: reproducible files, sizes, types and the mechanisms the lessons need."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sqolab import CONTEXTS, generate_campaigns, generate_leads, generate_orchard, write_samples
from sqolab.data.package import datapackage_json
from sqolab.data.schema import AUTHORITY_DTYPE, LEAD_COLUMN_NAMES, NEED_DTYPE, OUTCOME_DTYPE

DATASETS = Path(__file__).resolve().parents[1] / "datasets"


def test_regenerating_gives_byte_identical_files(tmp_path):
    written = write_samples(tmp_path)
    assert {p.name for p in written} == {
        *(f"{c}.csv" for c in CONTEXTS),
        *(f"{c}_campaigns.csv" for c in CONTEXTS),
        "orchard.csv",
        "datapackage.json",
    }
    for path in written:
        committed = DATASETS / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{path.name} differs from datasets/"


def test_same_seed_same_leads_other_seed_other_leads():
    a = generate_leads("agency", 500, seed=3)
    b = generate_leads("agency", 500, seed=3)
    c = generate_leads("agency", 500, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["outcome"].equals(c["outcome"])


@pytest.mark.parametrize("context", CONTEXTS)
def test_sample_sizes_columns_and_types(context):
    leads = generate_leads(context)
    assert 1000 <= len(leads) <= 5000
    assert tuple(leads.columns) == LEAD_COLUMN_NAMES
    assert leads["lead_id"].is_unique
    assert leads["authority"].dtype == AUTHORITY_DTYPE
    assert leads["need"].dtype == NEED_DTYPE
    assert leads["outcome"].dtype == OUTCOME_DTYPE
    assert leads["engagement_score"].between(0, 100).all()
    assert leads["fit_score"].between(0, 100).all()
    assert (leads["employees"] >= 1).all()
    assert (leads["deal_value_eur"] > 0).all() and (leads["sales_hours"] > 0).all()
    assert (leads["competitors"] >= 0).all()
    assert (leads["budget_eur"].dropna() >= 0).all()
    assert (leads["timeline_months"].dropna() >= 0).all()
    assert leads["created_on"].between("2025-10-01", "2026-09-30").all()


def test_n_is_honoured_including_zero_and_large():
    assert len(generate_leads("startup", 0)) == 0
    assert len(generate_leads("consultancy", 12_345, seed=1)) == 12_345


@pytest.mark.parametrize("bad", [-1, 2.5, "10", True])
def test_bad_n_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="n must be a whole number"):
        generate_leads("startup", bad)


def test_unknown_context_names_the_valid_ones():
    with pytest.raises(ValueError, match="startup, consultancy, agency"):
        generate_leads("bakery")


@pytest.mark.parametrize("context", CONTEXTS)
def test_campaigns_cover_every_campaign_of_the_leads(context):
    leads = generate_leads(context)
    campaigns = generate_campaigns(context)
    assert campaigns["campaign"].is_unique
    assert set(leads["campaign"]) <= set(campaigns["campaign"])
    assert (campaigns["spend_eur"] > 0).all()
    # the channel of each campaign is the source of its leads
    pairs = leads.groupby("campaign", observed=True)["source"].agg(lambda s: set(s.astype(str)))
    channel = campaigns.set_index("campaign")["channel"].astype(str)
    for name, sources in pairs.items():
        assert sources == {channel[name]}


def test_orchard_has_ripe_and_unripe_fruit_and_ripeness_predicts_sales():
    orchard = generate_orchard()
    assert orchard["fruit_id"].is_unique and len(orchard) == 2000
    sells = orchard["sells"] == "yes"
    ripe = orchard["ripeness"] >= 60
    assert 0.2 < sells.mean() < 0.8
    assert sells[ripe].mean() > sells[~ripe].mean() + 0.3
    # noisy: some fruit judged ripe does not sell, some judged unripe would
    assert (ripe & ~sells).any() and (~ripe & sells).any()


def test_committed_datapackage_matches_the_schema():
    assert (DATASETS / "datapackage.json").read_text() == datapackage_json()


def test_datapackage_validates_the_samples_and_rejects_a_broken_copy(tmp_path):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.Package(str(DATASETS / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])[:5]
    # A copy with an engagement score of 101 and a negative deal value must fail.
    for path in DATASETS.iterdir():
        if path.is_file():  # the package's files; datasets/exports/ holds demo CRM exports
            (tmp_path / path.name).write_bytes(path.read_bytes())
    broken = tmp_path / "startup.csv"
    lines = broken.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("engagement_score")] = "101"
    cells[header.index("deal_value_eur")] = "0"
    lines[1] = ",".join(cells)
    broken.write_text("\n".join(lines) + "\n")
    report = frictionless.Package(str(tmp_path / "datapackage.json")).validate()
    errors = report.flatten(["fieldName"])
    assert ["engagement_score"] in errors and ["deal_value_eur"] in errors


def test_generation_of_a_million_leads_is_vectorised():
    leads = generate_leads("startup", 1_000_000, seed=7)
    assert len(leads) == 1_000_000 and leads["lead_id"].is_unique
    assert np.isclose((leads["outcome"] == "won").mean(), 0.18, atol=0.05)


def test_the_readme_data_dictionary_is_the_schema():
    from sqolab.data.package import data_dictionary
    from sqolab.data.schema import CAMPAIGN_COLUMNS, ORCHARD_COLUMNS

    readme = (DATASETS / "README.md").read_text()
    for columns in (None, CAMPAIGN_COLUMNS, ORCHARD_COLUMNS):
        table = data_dictionary() if columns is None else data_dictionary(columns)
        assert table in readme


@pytest.mark.parametrize("context", CONTEXTS)
def test_loading_a_sample_gives_exactly_the_generated_frame(context):
    from sqolab import load_campaigns, load_sample

    pd.testing.assert_frame_equal(load_sample(context), generate_leads(context))
    pd.testing.assert_frame_equal(load_campaigns(context), generate_campaigns(context))


def test_without_the_datasets_folder_samples_are_generated(tmp_path, monkeypatch):
    # e.g. on Colab, where only the package is installed
    from sqolab import load_orchard, load_sample
    from sqolab.data import samples

    monkeypatch.setattr(samples, "DATASETS_DIR", tmp_path / "missing")
    samples._load.cache_clear()
    try:
        pd.testing.assert_frame_equal(load_sample("agency"), generate_leads("agency"))
        pd.testing.assert_frame_equal(load_orchard(), generate_orchard())
    finally:
        samples._load.cache_clear()


def test_a_loaded_sample_is_a_copy():
    from sqolab import load_sample

    first = load_sample("startup")
    first.loc[0, "fit_score"] = -5
    assert load_sample("startup").loc[0, "fit_score"] >= 0
