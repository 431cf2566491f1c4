"""Reading real CRM exports: suggested mappings, value mapping, joins, derived columns, errors."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from sqolab.data.demo_exports import DEMO_FILES, DEMO_KEYS, demo_path, write_demo_exports
from sqolab.data.exports import (
    MAX_BYTES,
    Mapping,
    apply_mapping,
    join_tables,
    read_export,
    suggest_columns,
    suggest_mapping,
    suggest_value,
)
from sqolab.data.schema import LeadDataError


def _frame(name: str) -> pd.DataFrame:
    frames = [read_export(p) for p in demo_path(name)]
    if len(frames) == 1:
        return frames[0]
    return join_tables(frames[0], frames[1], *DEMO_KEYS[name])[0]


def _unmapped(mapping: Mapping) -> list[tuple[str, str]]:
    return [(t, v) for t, vs in mapping.values.items() for v, c in vs.items() if not c]


@pytest.mark.parametrize("name", list(DEMO_FILES))
def test_each_demo_export_loads_with_the_suggested_mapping(name):
    frame = _frame(name)
    mapping = suggest_mapping(frame)
    unmapped = _unmapped(mapping)
    assert len(unmapped) <= 2, unmapped  # at most a few values to correct
    for target, value in unmapped:
        mapping.values[target][value] = "outbound"
    leads = apply_mapping(frame, mapping)
    assert len(leads) == 400 and leads["lead_id"].is_unique
    assert {"lead_id", "source", "authority", "outcome", "deal_value_eur"} <= set(leads.columns)
    # open deals are kept as open, not dropped; decided ones carry the course outcome
    status = leads["outcome_status"].value_counts()
    assert status["open"] > 0 and status["won"] > 0 and status["lost"] > 0
    assert leads.loc[leads["outcome_status"] == "open", "outcome"].isna().all()
    assert (leads.loc[leads["outcome_status"] == "won", "outcome"] == "won").all()


def test_german_export_reads_comma_decimals_euro_signs_and_german_dates():
    csv = read_export(demo_path("German CSV list (semicolon)")[0])
    xlsx = read_export(demo_path("German Excel list (.xlsx)")[0])
    a, b = (apply_mapping(f, suggest_mapping(f)) for f in (csv, xlsx))
    assert csv.loc[1, "Budget (€)"] == "36.500,00 €"
    assert a.loc[1, "budget_eur"] == 36500.0 and a.loc[1, "created_on"] == pd.Timestamp(
        "2026-03-01"
    )
    pd.testing.assert_series_equal(a["budget_eur"], b["budget_eur"])
    pd.testing.assert_series_equal(a["deal_value_eur"], b["deal_value_eur"])


def test_header_suggestions_know_crm_names_and_give_confidence():
    got = suggest_columns(["Record ID", "Deal Stage", "Firma", "Budget (€)", "Lead Sorce", "Notes"])
    assert got["Record ID"] == ("lead_id", 1.0)
    assert got["Deal Stage"] == ("outcome", 1.0)
    assert got["Firma"][0] == "company" and got["Budget (€)"][0] == "budget_eur"
    assert got["Lead Sorce"][0] == "source" and 0.75 <= got["Lead Sorce"][1] < 1
    assert got["Notes"] == ("", 0.0)


@pytest.mark.parametrize(
    ("target", "value", "expected"),
    [
        ("outcome", "Won", "won"),
        ("outcome", "Closed Won", "won"),
        ("outcome", "Lost", "lost_competitor"),
        ("outcome", "Closed Lost - No Decision", "no_decision"),
        ("outcome", "Engaging", "open"),
        ("authority", "Chief Revenue Officer", "decision_maker"),
        ("authority", "Marketing Manager", "influencer"),
        ("source", "Trade Show", "event"),
        ("need", "Hot", "confirmed"),
    ],
)
def test_value_suggestions_come_from_the_values(target, value, expected):
    assert suggest_value(target, value)[0] == expected


def test_join_reports_rows_that_did_not_join():
    leads = pd.DataFrame({"id": ["a", "b", "c"], "name": ["A", "B", "C"]})
    deals = pd.DataFrame({"lead": ["a", "c", "z"], "Stage": ["Won", "Lost", "Won"]})
    joined, report = join_tables(leads, deals, "id", "lead")
    assert list(joined["Stage"]) == ["Won", "", "Lost"]
    assert report.left_unjoined == ("b",) and report.right_unjoined == ("z",)
    assert "2 of 3" in report.describe()
    with pytest.raises(LeadDataError, match="no column 'nope'"):
        join_tables(leads, deals, "id", "nope")


def test_engagement_is_derived_from_visits_as_a_labelled_percentile():
    frame = pd.DataFrame({"Lead ID": ["1", "2", "3", "4"], "Visits": ["0", "2", "5", "9"]})
    leads = apply_mapping(frame, suggest_mapping(frame))
    assert list(leads["engagement_score"]) == [25, 50, 75, 100]
    assert "percentile" in leads.attrs["derived"]["engagement_score"]


def test_only_an_id_is_required_and_bad_values_name_column_rows_values_and_fix():
    only_id = apply_mapping(
        pd.DataFrame({"ID": ["x", "y"]}), suggest_mapping(pd.DataFrame({"ID": ["x", "y"]}))
    )
    assert list(only_id.columns) == ["lead_id"]
    frame = pd.DataFrame({"Lead ID": ["1", "1", "3"], "Amount": ["10", "ten", "5,5"]})
    with pytest.raises(LeadDataError) as error:
        apply_mapping(frame, suggest_mapping(frame))
    text = str(error.value)
    assert "your column 'Amount'" in text and "row 3 ('ten')" in text and "Fix:" in text
    assert "Column 'lead_id'" in text and "row 3 ('1')" in text
    with pytest.raises(LeadDataError, match="No column is mapped to lead_id"):
        apply_mapping(pd.DataFrame({"Notes": ["a"]}), Mapping())


def test_unmapped_values_are_reported_never_guessed():
    frame = pd.DataFrame({"Lead ID": ["1", "2"], "Stage": ["Closed Won", "Mystery"]})
    with pytest.raises(LeadDataError, match="row 3 \\('Mystery'\\)"):
        apply_mapping(frame, suggest_mapping(frame))


def test_mapping_round_trips_through_a_small_json_file(tmp_path):
    frame = _frame("Salesforce leads + opportunities")
    mapping = suggest_mapping(frame)
    again = Mapping.load(mapping.save(tmp_path / "m.json"))
    assert again.columns == mapping.columns and again.values == mapping.values
    pd.testing.assert_frame_equal(apply_mapping(frame, again), apply_mapping(frame, mapping))
    with pytest.raises(LeadDataError, match="not a mapping"):
        Mapping.from_json('{"columns": 3}')


def test_too_big_and_damaged_files_are_refused_clearly():
    with pytest.raises(LeadDataError, match="at most 20 MB"):
        read_export(b"a" * (MAX_BYTES + 1), "big.csv")
    with pytest.raises(LeadDataError, match="workbook cannot be read"):
        read_export(b"PK\x03\x04 not a workbook", "bad.xlsx")


def test_demo_exports_are_reproducible(tmp_path):
    for path in write_demo_exports(tmp_path):
        shipped = demo_path(next(n for n, f in DEMO_FILES.items() if path.name in f))
        (twin,) = [p for p in shipped if p.name == path.name]
        if path.suffix == ".csv":
            assert path.read_bytes() == twin.read_bytes()
        else:
            a, b = (openpyxl.load_workbook(io.BytesIO(p.read_bytes())).active for p in (path, twin))
            assert list(a.values) == list(b.values)
