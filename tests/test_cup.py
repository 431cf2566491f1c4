"""The Qualification Cup: scoring on the held-out quarter, ranking, bad entries, files, widgets."""

from __future__ import annotations

import json
import math
import os
import time

import pandas as pd
import pytest

from sqolab import Criteria, evaluate, generate_leads, load_sample, preset, qualify
from sqolab.engine import cup
from sqolab.engine.cup import (
    ALL_SQOS,
    DEFAULT_CAPACITY_HOURS,
    NO_SQOS,
    SECRET_ENV,
    SECRET_FILE_ENV,
    TIE_BREAK_LABELS,
    CupSecretMissing,
    criteria_from_dict,
    criteria_to_dict,
    entry,
    holdout_quarter,
    leaderboard,
    score_policy,
)
from sqolab.workshop import cup as workshop_cup
from sqolab.workshop.cup import (
    CupEntry,
    NameTaken,
    Scoreboard,
    entry_file,
    read_submissions,
    submit,
)

BANT = preset("BANT", "startup")
SECRET = "instructor-only-secret-0123456789"


@pytest.fixture(autouse=True)
def instructor(monkeypatch, tmp_path_factory):
    """The instructor's secret is set (tests of participants remove it); keys stay in tmp."""
    monkeypatch.setenv(SECRET_ENV, SECRET)
    monkeypatch.setenv(SECRET_FILE_ENV, str(tmp_path_factory.mktemp("secret") / "missing"))
    monkeypatch.setenv(workshop_cup.KEYS_ENV, str(tmp_path_factory.mktemp("keys") / "k.json"))


def test_the_holdout_is_a_private_next_quarter_unlike_the_sample_and_the_capstone():
    quarter = holdout_quarter("startup")
    assert len(quarter) == len(load_sample("startup")) // 4
    sample = load_sample("startup")
    assert not quarter["deal_value_eur"].head(50).equals(sample["deal_value_eur"].head(50))
    capstone = generate_leads("startup", len(quarter), seed=730_129)
    assert not quarter["deal_value_eur"].equals(capstone["deal_value_eur"])
    assert holdout_quarter("startup") is quarter  # generated once
    other = holdout_quarter("startup", secret="another-secret-of-another-class")
    assert not other["deal_value_eur"].equals(quarter["deal_value_eur"])


def test_the_hidden_quarter_refuses_without_the_instructors_secret(monkeypatch, tmp_path):
    monkeypatch.delenv(SECRET_ENV)
    with pytest.raises(CupSecretMissing, match="instructor"):
        holdout_quarter("startup")
    with pytest.raises(CupSecretMissing):
        score_policy(BANT, "startup", 1_500)
    with pytest.raises(CupSecretMissing):
        leaderboard([_entry("A", BANT, 1)])
    assert leaderboard([_entry("A", BANT, 1)], score=False).loc[0, "note"] == ""  # checked only
    secret = tmp_path / "cup-secret"
    secret.write_text(SECRET)
    secret.chmod(0o644)
    monkeypatch.setenv(SECRET_FILE_ENV, str(secret))
    with pytest.raises(CupSecretMissing, match="chmod 600"):
        holdout_quarter("startup")
    secret.chmod(0o600)
    assert holdout_quarter("startup") is holdout_quarter("startup", SECRET)


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
    receipt = submit("The Closers!", BANT, "startup", 1_500, folder=tmp_path)
    assert receipt.path == tmp_path / entry_file("The Closers!") and not receipt.replaced
    data = json.loads(receipt.path.read_text())
    assert data["team"] == "The Closers!" and data["context"] == "startup"
    assert "submitted_at" not in data  # the server's file time counts, not a time in the file
    assert criteria_from_dict(data["criteria"]) == BANT
    again = submit("the  closers!", Criteria(min_fit=10), "startup", 1_500, folder=tmp_path)
    assert again.replaced and again.key == receipt.key  # the same user's key was remembered
    assert [p.name for p in tmp_path.iterdir()] == [entry_file("The Closers!")]  # replaced
    for bad in [("", BANT, "startup", 1), ("!!", BANT, "startup", 1), ("T", "BANT", "startup", 1)]:
        with pytest.raises(ValueError):
            submit(*bad, folder=tmp_path)
    with pytest.raises(ValueError, match="context"):
        submit("T", BANT, "bakery", 1, folder=tmp_path)
    with pytest.raises(ValueError, match="positive"):
        submit("T", BANT, "startup", 0, folder=tmp_path)
    with pytest.raises(ValueError, match="invisible"):
        submit("Team\u202eA", BANT, "startup", 1, folder=tmp_path)  # a right-to-left override


NAMES = [
    "Team A",
    "team-a",
    "TEAM_A",
    "Müller",
    "M ller",
    "Équipe",
    "quipe",
    "営業チーム",
    "Команда продаж",
    "فريق المبيعات",
    "<b>Bold</b> & co",
]


def test_different_names_never_share_an_entry_and_every_script_is_welcome(tmp_path):
    for i, name in enumerate(NAMES):
        submit(name, Criteria(min_fit=10 + i), "startup", 1_500, folder=tmp_path, remember=False)
    entries = read_submissions(tmp_path)
    assert sorted(e["team"] for e in entries) == sorted(NAMES)
    assert len({p.name for p in tmp_path.iterdir()}) == len(NAMES)
    board = Scoreboard(folder=tmp_path)
    for name in NAMES[:-1]:
        assert name in board.tables.value  # shown as typed
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in board.tables.value and "<b>Bold" not in (
        board.tables.value
    )
    board.close()


def test_a_name_already_taken_is_reported_not_overwritten(tmp_path):
    first = submit("Team A", BANT, "startup", 1_500, folder=tmp_path, remember=False)
    for same in ["Team A", "team a", " TEAM   A ", "Ｔｅａｍ Ａ"]:  # case, spaces, full width
        with pytest.raises(NameTaken, match="already taken"):
            submit(same, Criteria(min_fit=90), "startup", 1_500, folder=tmp_path, remember=False)
    with pytest.raises(NameTaken, match='as "Team A"'):
        submit("team a", BANT, "startup", 1_500, folder=tmp_path, remember=False, key="000000")
    assert criteria_from_dict(json.loads(first.path.read_text())["criteria"]) == BANT
    mine = submit("team a", Criteria(min_fit=40), "startup", 1_500, folder=tmp_path, key=first.key)
    assert mine.replaced and mine.path == first.path
    assert read_submissions(tmp_path)[0]["team"] == "team a"


def test_the_folder_is_read_defensively_and_every_bad_file_is_listed(tmp_path):
    real = submit("Alpha", BANT, "startup", 1_500, folder=tmp_path, remember=False)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-private.json"
    elsewhere.write_text(json.dumps({"team": "Secret", "password": "hunter2"}))
    (tmp_path / "deep.json").write_text("[" * 1000 + "]" * 1000)
    (tmp_path / "deeper.json").write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    os.mkfifo(tmp_path / "x.json")
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    (tmp_path / "peek.json").symlink_to(elsewhere)
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "huge.json").write_text(" " * 70_000)
    (tmp_path / "notes.txt").write_text("ignored")
    forged = entry("Alpha", Criteria(min_fit=99), "startup", 1_500, "2999-01-01T00:00:00+00:00")
    (tmp_path / "alpha-2.json").write_text(json.dumps(forged))
    start = time.monotonic()
    entries = read_submissions(tmp_path)
    assert time.monotonic() - start < 5  # no hang on the FIFO, no endless read of /dev/zero
    good = [e for e in entries if "error" not in e]
    assert [e["team"] for e in good] == ["Alpha"]
    assert criteria_from_dict(good[0]["criteria"]) == BANT  # the forged file replaced nothing
    errors = {e["file"]: e["error"] for e in entries if "error" in e}
    assert set(errors) == {
        "deep.json",
        "deeper.json",
        "x.json",
        "zero.json",
        "peek.json",
        "broken.json",
        "list.json",
        "huge.json",
        "alpha-2.json",
    }
    assert "nested" in errors["deep.json"] and "regular file" in errors["x.json"]
    assert "link" in errors["zero.json"] and "link" in errors["peek.json"]
    assert "another file" in errors["alpha-2.json"]
    board = Scoreboard(folder=tmp_path, key=SECRET)
    assert board.tables.value.count("could not be scored") == 1
    assert "hunter2" not in board.tables.value and "Secret" not in board.tables.value
    assert str(tmp_path) not in board.status.value + board.tables.value  # no server path
    assert real.path.name in {e["file"] for e in good}
    board.close()


def test_the_submission_time_is_the_servers_not_the_files(tmp_path):
    receipt = submit("Alpha", BANT, "startup", 1_500, folder=tmp_path, remember=False)
    data = json.loads(receipt.path.read_text())
    data["submitted_at"] = "2000-01-01T00:00:00+00:00"  # an early bird by its own account
    receipt.path.write_text(json.dumps(data))
    future = time.time() + 10 * 365 * 86_400
    os.utime(receipt.path, (future, future))  # and a file time in the future
    (read,) = read_submissions(tmp_path)
    assert not read["submitted_at"].startswith("2000")
    assert read["submitted_at"] <= pd.Timestamp.now(tz="UTC").isoformat()


def test_a_capacity_of_1500_4_hours_is_its_own_round_and_table(tmp_path):
    submit("Exact", BANT, "startup", 1_500, folder=tmp_path, remember=False)
    submit("Odd", BANT, "startup", 1_500.4, folder=tmp_path, remember=False)
    board = Scoreboard(folder=tmp_path, key=SECRET)
    assert {"startup, 1,500 h", "startup, 1,500.4 h"} <= set(board.round.options)
    board.round.value = "startup, 1,500 h"
    assert "Exact" in board.tables.value and "Odd" not in board.tables.value
    assert board.tables.value.count("<tr><td>1</td>") == 1  # one rank 1 in this round's table
    board.round.value = "startup, 1,500.4 h"
    assert "Odd" in board.tables.value and "Exact" not in board.tables.value
    board.close()


def test_only_the_instructors_key_reveals_the_scores(tmp_path, monkeypatch):
    submit("Alpha", BANT, "startup", 1_500, folder=tmp_path, remember=False)
    board = Scoreboard(folder=tmp_path)
    board.reveal.value = True  # a participant presses Reveal without the key
    assert not board.reveal.value and not board.revealed
    assert "EUR" not in board.tables.value and "not the instructor key" in board.message.value
    board.key.value = "guess-guess-guess-guess"
    board.reveal.value = True
    assert not board.revealed and "EUR" not in board.tables.value
    board.key.value = SECRET
    board.reveal.value = True
    assert board.revealed and "EUR" in board.tables.value and board.key.value == ""
    board.reveal.value = False
    assert "EUR" not in board.tables.value
    board.close()
    monkeypatch.delenv(SECRET_ENV)  # a participant's server: no secret at all
    board = Scoreboard(folder=tmp_path)
    board.key.value = SECRET
    board.reveal.value = True
    assert not board.revealed and "Cup secret" in board.message.value
    board.close()


def test_the_secret_command_creates_a_private_secret(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(SECRET_ENV)
    path = tmp_path / "sub" / "cup-secret"
    monkeypatch.setenv(SECRET_FILE_ENV, str(path))
    assert workshop_cup.main(["secret"]) == 0
    secret = capsys.readouterr().out.splitlines()[-1]
    assert path.read_text().strip() == secret and (path.stat().st_mode & 0o777) == 0o600
    assert workshop_cup.main(["secret"]) == 0 and capsys.readouterr().out.splitlines()[-1] == secret


def test_odd_values_in_an_entry_become_a_note_not_a_crash():
    odd = [
        {**_entry("A", BANT, 1), "criteria": {"min_fit": [1]}},
        {**_entry("B", BANT, 2), "capacity_hours": "1e999"},
        {**_entry("C", BANT, 3), "capacity_hours": 1e309},
        {**_entry("D", BANT, 4), "context": ["startup"]},
        {**_entry("E", BANT, 5), "team": {"x": 1}},
        {**_entry("F", BANT, 6), "criteria": {"min_need": {"deep": [1, 2]}}},
    ]
    board = leaderboard(odd)
    assert len(board) == 6 and not board["ranked"].any()
    assert all(note.startswith("Not scored:") for note in board["note"])


def test_the_scoreboard_hides_scores_until_the_reveal_and_refreshes(tmp_path):
    submit("Alpha", BANT, "startup", 1_500, folder=tmp_path)
    (tmp_path / "broken.json").write_text("{")
    board = Scoreboard(folder=tmp_path)
    assert "Alpha" in board.tables.value
    assert "scores hidden" in board.tables.value
    assert "EUR" not in board.tables.value
    assert "could not be scored" in board.tables.value
    board.key.value = SECRET
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
    receipt = form.send()
    assert receipt.path == tmp_path / entry_file("Delta")
    data = json.loads(receipt.path.read_text())
    assert data["criteria"]["min_fit"] == 65
    assert data["capacity_hours"] == DEFAULT_CAPACITY_HOURS["startup"]
    assert "received" in form.status.value and receipt.key in form.status.value
    form.lab.set_values(use_fit=True, fit=70)
    assert form.send().replaced  # the same form replaces its own entry
    other = CupEntry(folder=tmp_path, lab=form.lab)  # another team, another screen
    other.team.value = "delta"
    assert other.send() is None and "already taken" in other.status.value
    other.team_key.value = receipt.key  # the Delta team on another page, with its key
    assert other.send().replaced
    form.close()


def test_scores_do_not_depend_on_row_order():
    quarter = holdout_quarter("consultancy")
    shuffled = quarter.sample(frac=1, random_state=3)
    a = score_policy(BANT, "consultancy", 10**9)
    b = score_policy(BANT, "consultancy", 10**9, holdout=shuffled)
    assert a.won_revenue_eur == pytest.approx(b.won_revenue_eur)
    assert isinstance(pd.DataFrame([a.to_dict()]), pd.DataFrame)
