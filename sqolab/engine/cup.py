"""The Qualification Cup: teams' policies scored on a held-out next quarter and ranked.

Each team submits criteria for one context and a sales capacity (hours). The policy is scored on
the context's *next quarter*: leads generated with a seed derived from the **instructor's Cup
secret** (:func:`cup_secret`), which no chapter, lab, exercise, the capstone or a participant's
notebook has, so no team can tune its criteria to them: without the secret,
:func:`holdout_quarter` and :func:`score_policy` on the hidden quarter refuse
(:class:`CupSecretMissing`). The SQOs are worked in order of arrival until the capacity runs out
(the capacity rule of :func:`sqolab.engine.outcomes.evaluate`).

A round is a context and an *exact* capacity: 1,500.4 hours is another round than 1,500 hours.
Team names are the same team when they are equal after Unicode compatibility normalisation
(NFKC), ignoring letter case and runs of spaces (:func:`team_identity`): "Team A" and "team  a" are
one team, "team-a", "TEAM_A", "M ller" and "quipe" are others. Names in any script are accepted.

Ranking, within a round (the same context and capacity):

1. won revenue within the capacity, highest first;
2. then missed revenue (winnable deals not won), lowest first;
3. then sales hours spent, fewest first;
4. then the earlier submission first (and, for identical timestamps, the team name).

Within a round the quarter's winnable revenue is fixed, so missed revenue is that total minus the
won revenue: teams tied on won revenue are tied on missed revenue too, and in practice the hours
decide. Missed revenue stays on the board because it is the lesson's other side.

Bad entries never stop the scoreboard. A policy with no SQOs or with every lead an SQO is scored and
ranked like any other, with a note that says what it means; an entry that cannot be scored (unknown
context, invalid criteria, a capacity that is not a positive number) is listed unranked with the
reason.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import math
import numbers
import os
import stat
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sqolab.data.contexts import PROFILES
from sqolab.data.generator import generate_leads
from sqolab.data.schema import CONTEXTS
from sqolab.engine.criteria import Criteria, qualify
from sqolab.engine.outcomes import evaluate

SECRET_ENV = "SQOLAB_CUP_SECRET"
"""Environment variable holding the instructor's Cup secret (set it for the instructor only)."""
SECRET_FILE_ENV = "SQOLAB_CUP_SECRET_FILE"
"""Environment variable naming a file holding the secret (default ``~/.sqolab/cup-secret``)."""
MIN_SECRET_CHARS = 16


class CupSecretMissing(PermissionError):
    """The hidden quarter was asked for where the instructor's Cup secret is not available."""


def secret_file() -> Path:
    """Where the instructor's secret file is looked for."""
    custom = os.environ.get(SECRET_FILE_ENV)
    return Path(custom) if custom else Path.home() / ".sqolab" / "cup-secret"


def cup_secret() -> str:
    """The instructor's Cup secret: ``$SQOLAB_CUP_SECRET``, else the secret file.

    Raises :class:`CupSecretMissing`, saying how to set one up, where there is none (a
    participant's notebook), and when the file is readable by other users.
    """
    value = os.environ.get(SECRET_ENV, "").strip()
    if not value:
        path = secret_file()
        try:
            mode = path.stat().st_mode
            value = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            mode, value = 0, ""
        if value and mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise CupSecretMissing(
                f"The Cup secret file {path.name} is readable by other users; "
                "make it private (chmod 600) so participants cannot read it."
            )
    if len(value) < MIN_SECRET_CHARS:
        raise CupSecretMissing(
            "The Cup's hidden quarter and the reveal belong to the instructor: they need the "
            f"instructor's Cup secret (at least {MIN_SECRET_CHARS} characters) in ${SECRET_ENV} "
            "or in the file ~/.sqolab/cup-secret (create it with "
            "`python -m sqolab.workshop.cup secret`). Participants' notebooks do not have it."
        )
    return value


def holdout_seed(context: str, secret: str) -> int:
    """The seed of ``context``'s hidden quarter, derived from the secret (never stored)."""
    digest = hashlib.sha256(f"sqolab-cup|{context}|{secret}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


QUARTERS_PER_SAMPLE = 4
"""The next quarter has a quarter of the shipped sample's leads (the samples cover a year)."""

DEFAULT_CAPACITY_HOURS: dict[str, float] = {
    "startup": 1_500.0,
    "consultancy": 3_000.0,
    "agency": 3_000.0,
}
"""Suggested sales hours of a quarter per context (the instructor may announce another)."""

RANKING = ("won_revenue_eur", "missed_revenue_eur", "hours_spent", "submitted_at", "team")
"""The ranking keys in order: the first descending, the others ascending."""

TIE_BREAK_LABELS = {
    "won_revenue_eur": "won revenue",
    "missed_revenue_eur": "tie on won revenue, decided by missed revenue",
    "hours_spent": "tie on revenue, decided by hours spent",
    "submitted_at": "tie on revenue and hours, decided by the earlier submission",
    "team": "identical entries at the same time, decided by team name",
}
"""What decided a row's place against the row above it."""

NO_SQOS = "No SQOs: the team works nothing and wins nothing."
ALL_SQOS = (
    "Every lead is an SQO: that is no qualification at all; the leads are worked in order of "
    "arrival until the hours run out."
)

BOARD_COLUMNS = (
    "rank",
    "team",
    "context",
    "capacity_hours",
    "won_revenue_eur",
    "missed_revenue_eur",
    "hours_spent",
    "n_sqo",
    "n_worked",
    "won",
    "win_rate",
    "policy",
    "submitted_at",
    "decided_by",
    "note",
    "ranked",
)
"""Columns of :func:`leaderboard`."""


def holdout_quarter(context: str, secret: str | None = None) -> pd.DataFrame:
    """The Cup's hidden next-quarter leads of ``context``; needs the instructor's secret.

    ``secret`` defaults to :func:`cup_secret` (CupSecretMissing without one). Generated once per
    process and secret.
    """
    _check_context(context)
    return _quarter(context, holdout_seed(context, secret if secret is not None else cup_secret()))


@functools.lru_cache(maxsize=8)
def _quarter(context: str, seed: int) -> pd.DataFrame:
    n = PROFILES[context].n_leads // QUARTERS_PER_SAMPLE
    return generate_leads(context, n, seed=seed)


@dataclass(frozen=True)
class CupScore:
    """A policy's result on the next quarter. Rates of empty selections are NaN."""

    context: str
    capacity_hours: float
    n_leads: int
    n_sqo: int
    n_worked: int
    won: int
    won_revenue_eur: float
    missed_revenue_eur: float
    hours_spent: float
    wasted_hours: float
    win_rate: float
    capture_rate: float
    policy: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The figures as a plain dict (a scoreboard row)."""
        return dataclasses.asdict(self)


def _check_context(context: object) -> None:
    if context not in CONTEXTS:
        raise ValueError(f"Unknown context {context!r}; use one of {', '.join(CONTEXTS)}.")


def check_capacity(capacity_hours: object) -> float:
    """The capacity as a float, or a ValueError saying why it is not a positive number of hours."""
    if isinstance(capacity_hours, bool) or not isinstance(capacity_hours, numbers.Real):
        raise ValueError(f"The capacity must be a number of hours, got {capacity_hours!r}.")
    value = float(capacity_hours)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"The capacity must be a positive number of hours, got {value!r}.")
    return value


def score_policy(
    criteria: Criteria,
    context: str,
    capacity_hours: float,
    holdout: pd.DataFrame | None = None,
    secret: str | None = None,
) -> CupScore:
    """Score ``criteria`` on the hidden quarter of ``context`` (or on ``holdout``) within capacity.

    Raises ValueError for an unknown context, a capacity that is not a positive number, or
    criteria that are not a :class:`Criteria`; :class:`CupSecretMissing` for the hidden quarter
    without the instructor's secret. No SQOs or all leads SQOs are scored, with a note.
    """
    _check_context(context)
    capacity = check_capacity(capacity_hours)
    if not isinstance(criteria, Criteria):
        raise ValueError(f"criteria must be a Criteria(...), got {type(criteria).__name__}.")
    leads = holdout_quarter(context, secret) if holdout is None else holdout
    is_sqo = qualify(leads, criteria)
    result = evaluate(leads, is_sqo, capacity_hours=capacity)
    note = ""
    if result.n_sqo == 0:
        note = NO_SQOS
    elif result.n_sqo == result.n_leads:
        note = ALL_SQOS
    return CupScore(
        context=context,
        capacity_hours=capacity,
        n_leads=result.n_leads,
        n_sqo=result.n_sqo,
        n_worked=result.n_worked,
        won=result.won,
        won_revenue_eur=result.revenue_won_eur,
        missed_revenue_eur=result.revenue_missed_eur,
        hours_spent=result.hours_spent,
        wasted_hours=result.wasted_hours,
        win_rate=result.win_rate,
        capture_rate=result.capture_rate,
        policy=criteria.describe(),
        note=note,
    )


# --------------------------------------------------------------------------------------------------
# Team names
# --------------------------------------------------------------------------------------------------

MAX_TEAM_NAME = 40
"""Longest team name, in characters."""
REFUSED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}
"""Unicode categories refused in names: control, format (e.g. right-to-left overrides), private."""


def clean_team_name(team: object) -> str:
    """The name as shown: NFC, runs of spaces made one; ValueError saying what to fix."""
    if not isinstance(team, str):
        raise ValueError("Give your team a name (text).")
    name = " ".join(unicodedata.normalize("NFC", team).split())
    if not any(char.isalnum() for char in name):
        raise ValueError("Give your team a name with at least one letter or digit.")
    if len(name) > MAX_TEAM_NAME:
        raise ValueError(f"Team names have at most {MAX_TEAM_NAME} characters.")
    odd = [c for c in name if unicodedata.category(c) in REFUSED_CATEGORIES]
    if odd:
        raise ValueError(
            "Team names cannot contain invisible or control characters "
            f"(found U+{ord(odd[0]):04X})."
        )
    return name


def team_identity(team: str) -> str:
    """What makes two names one team: NFKC, case folded, single spaces (see the module doc)."""
    folded = unicodedata.normalize("NFKC", " ".join(team.split())).casefold()
    return unicodedata.normalize("NFKC", folded)


def team_key(team: str) -> str:
    """A collision-proof storage key of the team (hex SHA-256 of :func:`team_identity`)."""
    return hashlib.sha256(team_identity(team).encode("utf-8")).hexdigest()[:32]


# --------------------------------------------------------------------------------------------------
# Entries: what a team submits (plain JSON-able data)
# --------------------------------------------------------------------------------------------------

CRITERIA_FIELDS = tuple(f.name for f in dataclasses.fields(Criteria))


def criteria_to_dict(criteria: Criteria) -> dict[str, Any]:
    """The criteria as a JSON-able dict (every field, ``None`` for criteria not applied)."""
    return {name: getattr(criteria, name) for name in CRITERIA_FIELDS}


def criteria_from_dict(data: object) -> Criteria:
    """Criteria from :func:`criteria_to_dict`'s dict; ValueError naming what is wrong."""
    if not isinstance(data, Mapping):
        raise ValueError("The criteria must be a JSON object of Criteria fields.")
    unknown = sorted(set(data) - set(CRITERIA_FIELDS))
    if unknown:
        raise ValueError(
            f"Unknown criteria field(s) {', '.join(map(repr, unknown))}; "
            f"use {', '.join(CRITERIA_FIELDS)}."
        )
    try:
        return Criteria(**data)
    except TypeError as error:  # e.g. a comparison of a string with a number
        raise ValueError(f"Invalid criteria: {error}") from None


def entry(
    team: str,
    criteria: Criteria,
    context: str,
    capacity_hours: float,
    submitted_at: str | None = None,
) -> dict[str, Any]:
    """A team's entry as a JSON-able dict.

    ``submitted_at`` (ISO 8601 UTC) is the server's time of the submission: the folder reader
    sets it from the file's modification time, never from the file's content.
    """
    item = {
        "team": team,
        "context": context,
        "capacity_hours": capacity_hours,
        "criteria": criteria_to_dict(criteria),
    }
    if submitted_at is not None:
        item["submitted_at"] = submitted_at
    return item


def _shown(value: object, limit: int = 80) -> Any:
    """A value from a file as the board may show it: plain text or number, bounded."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:limit]


def score_entry(
    item: Mapping[str, Any],
    holdout: pd.DataFrame | None = None,
    secret: str | None = None,
    score: bool = True,
) -> dict[str, Any]:
    """One scoreboard row for an entry; an entry that cannot be scored gets ``ranked=False``.

    With ``score=False`` the entry is only checked (the board before the reveal): a valid entry
    gets ``ranked=False`` and no note. Nothing in an entry can stop the board: any failure becomes
    the row's note.
    """
    team = item.get("team")
    row: dict[str, Any] = {
        "team": _shown(team, MAX_TEAM_NAME * 2) if team else "(no team name)",
        "context": _shown(item.get("context")),
        "capacity_hours": _shown(item.get("capacity_hours")),
        "submitted_at": str(item.get("submitted_at") or "")[:40],
    }
    problem = str(item.get("error") or "")
    if not problem:
        try:
            clean_team_name(team)
        except ValueError as error:
            problem = "the entry has no team name." if not team else str(error)
    result: CupScore | None = None
    if not problem:
        try:
            criteria = criteria_from_dict(item.get("criteria"))
            _check_context(item.get("context"))
            capacity = check_capacity(item.get("capacity_hours"))
            if score:
                result = score_policy(criteria, str(item["context"]), capacity, holdout, secret)
        except CupSecretMissing:
            raise
        except Exception as error:  # one odd entry never stops the board
            problem = str(error) or type(error).__name__
    if problem:
        return {**row, "note": f"Not scored: {problem}", "ranked": False}
    if result is None:
        return {**row, "note": "", "ranked": False}
    return {**row, **result.to_dict(), "ranked": True}


def latest_per_team(entries: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Each team's latest entry (by :func:`team_identity` and the server's submission time)."""
    latest: dict[str, Mapping[str, Any]] = {}
    for item in entries:
        team = item.get("team")
        key = team_identity(team) if isinstance(team, str) and team.strip() else ""
        if not key or item.get("error"):
            key = f"\0{len(latest)}"  # nameless and unreadable entries stay apart (reported)
        kept = latest.get(key)
        if kept is None or str(item.get("submitted_at") or "") >= str(kept.get("submitted_at")):
            latest[key] = item
    return list(latest.values())


def _decided_by(previous: pd.Series, current: pd.Series) -> str:
    for key in RANKING:
        if previous[key] != current[key]:
            return TIE_BREAK_LABELS[key]
    return TIE_BREAK_LABELS["team"]


def rank_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Sort scored rows of one round by :data:`RANKING`; number them and say what decided ties."""
    ordered = rows.sort_values(
        list(RANKING), ascending=[False, True, True, True, True], kind="stable"
    ).reset_index(drop=True)
    ordered["rank"] = range(1, len(ordered) + 1)
    decided = [""]
    for i in range(1, len(ordered)):
        decided.append(_decided_by(ordered.iloc[i - 1], ordered.iloc[i]))
    ordered["decided_by"] = decided
    return ordered


def leaderboard(
    entries: Iterable[Mapping[str, Any]],
    holdout: Mapping[str, pd.DataFrame] | None = None,
    secret: str | None = None,
    score: bool = True,
) -> pd.DataFrame:
    """The scoreboard: each team's latest entry scored, ranked within its round.

    A round is a (context, exact capacity) pair: only entries that played the same round are
    compared. Rows are ordered by round, then rank; unscorable entries come at the end, with
    ``rank`` 0, ``ranked`` False and the reason in ``note``. ``holdout`` optionally maps a context
    to the leads to score on (tests use it); otherwise the hidden quarter needs the instructor's
    ``secret`` (default :func:`cup_secret`). ``score=False`` only checks the entries (no secret
    needed): the board before the reveal.
    """
    rows = [
        score_entry(
            item,
            None if holdout is None else holdout.get(item.get("context")),  # type: ignore[arg-type]
            secret,
            score,
        )
        for item in latest_per_team(entries)
    ]
    board = pd.DataFrame(rows, columns=[c for c in BOARD_COLUMNS if c not in ("rank",)])
    if board.empty:
        return pd.DataFrame(columns=list(BOARD_COLUMNS))
    board["ranked"] = board["ranked"].astype(bool)
    ranked = board[board["ranked"].astype(bool)]
    parts = [
        rank_rows(group)
        for _key, group in ranked.groupby(["context", "capacity_hours"], sort=True, dropna=False)
    ]
    rest = board[~board["ranked"].astype(bool)].assign(rank=0, decided_by="")
    result = pd.concat([*parts, rest], ignore_index=True) if parts else rest
    result["note"] = result["note"].fillna("")
    return result[list(BOARD_COLUMNS)].reset_index(drop=True)
