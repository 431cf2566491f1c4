"""The "Your pipeline" lab driven in Python: upload, mapping dropdowns, criteria, hindsight."""

from __future__ import annotations

import datetime
import json
import re

import pytest

from sqolab.data.demo_exports import DEMO_FILES, demo_path
from sqolab.data.exports import MAX_BYTES
from sqolab.labs.pipeline import PRIVACY_NOTE, PipelineLab


def _text(widget) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", widget.value))


def _upload(upload, path) -> None:
    """Set a FileUpload's value as the browser does."""
    upload.value = (
        {
            "name": path.name,
            "type": "",
            "size": path.stat().st_size,
            "content": memoryview(path.read_bytes()),
            "last_modified": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        },
    )


@pytest.mark.parametrize("name", list(DEMO_FILES))
def test_demo_export_shows_funnel_and_hindsight(name):
    lab = PipelineLab()
    lab.load_demo(name)
    unset = [key for key, box in lab.value_boxes.items() if not box.value]
    assert len(unset) <= 2
    for target, value in unset:
        lab.set_value(target, value, "outbound")
    assert lab.leads is not None and len(lab.leads) == 400
    lab.set_criterion("authority", "influencer")
    results = _text(lab.results)
    assert "Leads SQOs SQO share 400" in results
    assert re.search(r"turned away \d+ won deals worth [\d,]+ EUR", results)
    assert "authority not met" in results and "never worked" in results
    assert re.search(r"Working \d+ of them, picked at random", results)


def test_upload_widget_and_mouse_style_mapping():
    lab = PipelineLab()
    _upload(lab.upload, demo_path("German CSV list (semicolon)")[0])
    assert lab.column_boxes["Firma"].value == "company"
    assert "confidence 100%" in _text(lab.columns_box.children[1].children[1])
    lab.set_criterion("budget", 20000.0)
    before = _text(lab.results)
    lab.set_column("Budget (€)", "")  # the user drops the budget column
    assert lab.criteria["budget"].disabled
    assert "budget: unavailable" in _text(lab.available)
    assert "Left out (unavailable in your data): budget" in _text(lab.results)
    assert _text(lab.results) != before


def test_two_uploaded_files_are_joined_on_the_guessed_key():
    lab = PipelineLab()
    contacts, deals = demo_path("HubSpot contacts + deals")
    _upload(lab.upload, contacts)
    _upload(lab.upload_deals, deals)
    assert lab.right_key.value == "Associated Contact ID"
    assert "231 of 400 rows found a partner" in _text(lab.join_note)


def test_leads_without_columns_never_raise_and_show_criteria_unavailable():
    lab = PipelineLab()
    lab.load_bytes(b"Lead ID,Job Title\n1,CEO\n2,Intern\n", "two.csv")
    for name in ("budget", "need", "timeline", "fit"):
        lab.set_criterion(name, lab.criteria[name].options[1][1])
    lab.set_criterion("authority", "decision_maker")
    assert lab.criteria["need"].disabled and not lab.criteria["authority"].disabled
    assert "Leads SQOs SQO share 2 1 50.0%" in _text(lab.results)
    assert "no outcome column" in _text(lab.results)


def test_bad_input_shows_column_rows_values_and_fix():
    lab = PipelineLab()
    lab.load_bytes(b"Lead ID,Amount\n1,10\n1,ten\n", "bad.csv")
    message = _text(lab.message)
    assert "could not be used" in message and "Amount" in message and "ten" in message
    assert "Fix:" in message and lab.leads is None
    lab.load_bytes(b"x" * (MAX_BYTES + 1), "huge.csv")
    assert "at most 20 MB" in _text(lab.message)


def test_privacy_note_and_saving_only_the_mapping(tmp_path):
    lab = PipelineLab()
    assert "DSGVO" in PRIVACY_NOTE and "never written to disk" in _text(lab.children[0])
    lab.load_demo("Salesforce leads + opportunities")
    saved = json.loads(lab.save_mapping(tmp_path).read_text())
    assert saved["columns"]["Lead ID"] == "lead_id" and "Anna" not in json.dumps(saved)
    assert list(tmp_path.iterdir()) == [tmp_path / "sqolab-mapping.json"]
