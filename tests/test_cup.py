"""The Qualification Cup: scoring on the held-out quarter, ranking, bad entries, files, widgets."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from sqolab import Criteria, evaluate, generate_leads, load_sample, preset, qualify
from sqolab.engine import cup
from sqolab.engine.cup import (
    ALL_SQOS,
    DEFAULT_CAPACITY_HOURS,
    HOLDOUT_SEED,
    NO_SQOS,
    TIE_BREAK_LABELS,
    criteria_from_dict,
    criteria_to_dict,
    entry,
    holdout_quarter,
    leaderboard,
    score_policy,
)
from sqolab.workshop.cup import CupEntry, Scoreboard, read_submissions, submit, team_slug

BANT = preset("BANT", "startup")


def test_the_holdout_is_a_private_next_quarter_unlike_the_sample_and_the_capstone():
    assert HOLDOUT_SEED != 730_129  # the capstone's seed
    quarter = holdout_quarter("startup")
    assert len(quarter) == len(load_sample("startup")) // 4
    sample = load_sample("startup")
    assert not quarter["deal_value_eur"].head(50).equals(sample["deal_value_eur"].head(50))
    capstone = generate_leads("startup", len(quarter), seed=730_129)
    assert not quarter["deal_value_eur"].equals(capstone["deal_value_eur"])
    assert holdout_quarter("startup") is quarter  # generated once


def test_score_policy_is_evaluate_within_capacity_on_the_next_quarter():
    quarter = holdout_quarter("startup")
    expected = evaluate(quarter, qualify(quarter, BANT), capacity_hours=800)
    score = score_policy(BANT, "startup", 800)
    assert score.won_revenue_eur == expected.revenue_won_eur
    assert score.missed_revenue_eur == expected.revenue_missed_eur
    assert (score.n_sqo, score.n_worked, score.won) == (
        expected.n_sqo,
        expected.n_worked,
        expected.won,
    )
    assert score.hours_spent <= 800
    assert score.policy == BANT.describe()
    assert score.note == ""


def test_no_sqos_and_all_sqos_are_scored_with_a_note():
    nobody = score_policy(Criteria(min_fit=100, min_engagement=100), "agency", 3_000)
    assert nobody.n_sqo == 0 and nobody.won_revenue_eur == 0 and nobody.note == NO_SQOS
    assert math.isnan(nobody.win_rate)
    everybody = score_policy(Criteria(), "agency", 3_000)
    assert everybody.n_sqo == everybody.n_leads and everybody.note == ALL_SQOS
    assert everybody.hours_spent <= 3_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((BANT, "bakery", 100), "Unknown context"),
        ((BANT, "startup", -5), "positive"),
        ((BANT, "startup", float("nan")), "positive"),
        ((BANT, "startup", "lots"), "number of hours"),
        (({"min_fit": 50}, "startup", 100), "Criteria"),
    ],
)
def test_score_policy_rejects_what_cannot_be_scored(args, message):
    with pytest.raises(ValueError, match=message):
        score_policy(*args)


def test_criteria_survive_a_round_trip_through_json():
    criteria = Criteria(min_budget_eur=5_000, min_need="latent", min_fit=40, min_met=2)
    data = json.loads(json.dumps(criteria_to_dict(criteria)))
    assert criteria_from_dict(data) == criteria
    with pytest.raises(ValueError, match="Unknown criteria field"):
        criteria_from_dict({"min_fitness": 3})
    with pytest.raises(ValueError):
        criteria_from_dict({"min_fit": "high"})
    with pytest.raises(ValueError):
        criteria_from_dict([1, 2])


def _entry(team, criteria, at, context="startup", capacity=1_500.0):
    return entry(team, criteria, context, capacity, f"2026-01-01T10:00:{at:02d}.000+00:00")


def test_the_board_ranks_by_won_revenue_and_breaks_ties_as_documented():
    loose = Criteria(min_fit=30)
    strict = Criteria(min_fit=70, min_engagement=60)
    entries = [
        _entry("Strict", strict, 1),
        _entry("Loose", loose, 2),
        _entry("Loose twin late", loose, 5),
        _entry("Loose twin early", loose, 3),
    ]
    board = leaderboard(entries)
    scores = {t: score_policy(c, "startup", 1_500) for t, c in [("s", strict), ("l", loose)]}
    assert scores["s"].won_revenue_eur != scores["l"].won_revenue_eur
    ranked = board[board["ranked"]]
    assert list(ranked["rank"]) == [1, 2, 3, 4]
    revenue = list(ranked["won_revenue_eur"])
    assert revenue == sorted(revenue, reverse=True)
    twins = [t for t in ranked["team"] if t.startswith("Loose")]
    assert twins == ["Loose", "Loose twin early", "Loose twin late"]  # earliest submission first
    late = ranked.set_index("team").loc["Loose twin late"]
    assert late["decided_by"] == TIE_BREAK_LABELS["submitted_at"]


def test_equal_revenue_is_decided_by_fewer_hours():
    # Leads with a fit of 50-59 never win here, so min_fit=50 wins what min_fit=60 wins, with
    # more hours spent: the cheaper policy must rank first.
    leads = generate_leads("startup", 400, seed=5).copy()
    band = leads["fit_score"].between(50, 59.999)
    assert band.any()
    leads.loc[band, "outcome"] = "no_decision"
    holdout = {"startup": leads}
    entries = [
        _entry("Wider", Criteria(min_fit=50), 1, capacity=1e6),
        _entry("Narrower", Criteria(min_fit=60), 2, capacity=1e6),
    ]
    board = leaderboard(entries, holdout=holdout).set_index("team")
    assert board.loc["Wider", "won_revenue_eur"] == board.loc["Narrower", "won_revenue_eur"]
    assert board.loc["Wider", "hours_spent"] > board.loc["Narrower", "hours_spent"]
    assert board.loc["Narrower", "rank"] == 1 and board.loc["Wider", "rank"] == 2
    assert board.loc["Wider", "decided_by"] == TIE_BREAK_LABELS["hours_spent"]


def test_rounds_are_ranked_apart_and_bad_entries_are_listed_with_a_reason():
    good = _entry("A", BANT, 1)
    other_round = _entry("B", preset("FAINT", "agency"), 2, context="agency", capacity=3_000)
    bad = [
        {**_entry("C", BANT, 3), "context": "bakery"},
        {**_entry("D", BANT, 4), "capacity_hours": -1},
        {**_entry("E", BANT, 5), "criteria": {"min_fit": 300}},
        {**_entry("F", BANT, 6), "criteria": None},
        {"team": "G", "error": "g.json is not a readable entry"},
        _entry("", BANT, 7),
    ]
    board = leaderboard([good, other_round, *bad])
    assert len(board) == 8
    ranked = board[board["ranked"]]
    assert set(ranked["team"]) == {"A", "B"}
    assert list(ranked["rank"]) == [1, 1]  # each leads its own round
    unranked = board[~board["ranked"]]
    assert (unranked["rank"] == 0).all()
    assert all(note.startswith("Not scored:") for note in unranked["note"])
    notes = dict(zip(unranked["team"], unranked["note"], strict=True))
    assert "bakery" in notes["C"] and "positive" in notes["D"] and "min_fit" in notes["E"]
    assert "readable" in notes["G"] and "team name" in notes["(no team name)"]


def test_a_team_that_submits_again_replaces_its_entry():
    first = _entry("Team X", BANT, 1)
    second = _entry(" team x ", Criteria(min_fit=40), 9)
    board = leaderboard([second, first])
    assert len(board) == 1
    assert board.loc[0, "policy"] == Criteria(min_fit=40).describe()


def test_an_empty_board_has_the_columns():
    board = leaderboard([])
    assert board.empty and list(board.columns) == list(cup.BOARD_COLUMNS)


def test_submit_writes_one_file_per_team_and_validates(tmp_path):
    path = submit("The Closers!", BANT, "startup", 1_500, folder=tmp_path)
    assert path == tmp_path / "the-closers.json"
    data = json.loads(path.read_text())
    assert data["team"] == "The Closers!" and data["context"] == "startup"
    assert criteria_from_dict(data["criteria"]) == BANT
    submit("the closers", Criteria(min_fit=10), "startup", 1_500, folder=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["the-closers.json"]  # replaced
    for bad in [("", BANT, "startup", 1), ("!!", BANT, "startup", 1), ("T", "BANT", "startup", 1)]:
        with pytest.raises(ValueError):
            submit(*bad, folder=tmp_path)
    with pytest.raises(ValueError, match="context"):
        submit("T", BANT, "bakery", 1, folder=tmp_path)
    with pytest.raises(ValueError, match="positive"):
        submit("T", BANT, "startup", 0, folder=tmp_path)
    assert team_slug("Équipe 7") == "quipe-7"


def test_read_submissions_reports_broken_files_instead_of_crashing(tmp_path):
    submit("Alpha", BANT, "startup", 1_500, folder=tmp_path)
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "huge.json").write_text(" " * 70_000)
    (tmp_path / "notes.txt").write_text("ignored")
    entries = read_submissions(tmp_path)
    assert len(entries) == 4
    errors = [e for e in entries if "error" in e]
    assert {e["file"] for e in errors} == {"broken.json", "list.json", "huge.json"}
    assert read_submissions(tmp_path / "missing") == []


def test_the_scoreboard_hides_scores_until_the_reveal_and_refreshes(tmp_path):
    submit("Alpha", BANT, "startup", 1_500, folder=tmp_path)
    (tmp_path / "broken.json").write_text("{")
    board = Scoreboard(folder=tmp_path)
    assert "Alpha" in board.tables.value
    assert "scores hidden" in board.tables.value
    assert "EUR" not in board.tables.value
    assert "could not be scored" in board.tables.value
    board.reveal.value = True
    won = leaderboard(read_submissions(tmp_path)).iloc[0]["won_revenue_eur"]
    assert f"{won:,.0f} EUR" in board.tables.value
    submit("Beta", Criteria(min_fit=30), "startup", 1_500, folder=tmp_path)
    submit("Gamma", preset("FAINT", "agency"), "agency", 3_000, folder=tmp_path)
    assert "Beta" not in board.tables.value
    board.refresh_button.click()
    assert "Beta" in board.tables.value and "Gamma" in board.tables.value
    assert "startup, 1,500 h" in board.round.options and "agency, 3,000 h" in board.round.options
    board.round.value = "agency, 3,000 h"
    assert "Gamma" in board.tables.value and "Beta" not in board.tables.value
    board.close()


def test_an_empty_folder_shows_an_empty_board(tmp_path):
    board = Scoreboard(folder=tmp_path / "nothing-yet")
    assert "no entries yet" in board.tables.value
    board.close()


def test_the_entry_form_submits_the_labs_criteria(tmp_path):
    form = CupEntry(folder=tmp_path)
    form.send()
    assert "name" in form.status.value and not list(tmp_path.iterdir())
    form.team.value = "Delta"
    form.lab.set_values(use_fit=True, fit=65)
    assert form.send() == tmp_path / "delta.json"
    data = json.loads((tmp_path / "delta.json").read_text())
    assert data["criteria"]["min_fit"] == 65
    assert data["capacity_hours"] == DEFAULT_CAPACITY_HOURS["startup"]
    assert "received" in form.status.value
    form.close()


def test_scores_do_not_depend_on_row_order():
    quarter = holdout_quarter("consultancy")
    shuffled = quarter.sample(frac=1, random_state=3)
    a = score_policy(BANT, "consultancy", 10**9)
    b = score_policy(BANT, "consultancy", 10**9, holdout=shuffled)
    assert a.won_revenue_eur == pytest.approx(b.won_revenue_eur)
    assert isinstance(pd.DataFrame([a.to_dict()]), pd.DataFrame)
