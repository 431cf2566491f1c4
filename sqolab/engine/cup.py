"""The Qualification Cup: teams' policies scored on a held-out next quarter and ranked.

Each team submits criteria for one context and a sales capacity (hours). The policy is scored on
the context's *next quarter*: leads generated with a private seed that no chapter, lab, exercise or
the capstone uses, so no team can have tuned its criteria to them. The SQOs are worked in order of
arrival until the capacity runs out (the capacity rule of :func:`sqolab.engine.outcomes.evaluate`).

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
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sqolab.data.contexts import PROFILES
from sqolab.data.generator import generate_leads
from sqolab.data.schema import CONTEXTS
from sqolab.engine.criteria import Criteria, qualify
from sqolab.engine.outcomes import evaluate

HOLDOUT_SEED = 260_517
"""Seed of the Cup's next-quarter leads; used nowhere else (the capstone has its own)."""

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


@functools.cache
def holdout_quarter(context: str) -> pd.DataFrame:
    """The Cup's held-out next-quarter leads of ``context`` (generated once per process)."""
    _check_context(context)
    n = PROFILES[context].n_leads // QUARTERS_PER_SAMPLE
    return generate_leads(context, n, seed=HOLDOUT_SEED)


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
) -> CupScore:
    """Score ``criteria`` on the next quarter of ``context`` (or on ``holdout``) within capacity.

    Raises ValueError for an unknown context, a capacity that is not a positive number, or
    criteria that are not a :class:`Criteria`. No SQOs or all leads SQOs are scored, with a note.
    """
    _check_context(context)
    capacity = check_capacity(capacity_hours)
    if not isinstance(criteria, Criteria):
        raise ValueError(f"criteria must be a Criteria(...), got {type(criteria).__name__}.")
    leads = holdout_quarter(context) if holdout is None else holdout
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
    team: str, criteria: Criteria, context: str, capacity_hours: float, submitted_at: str
) -> dict[str, Any]:
    """A team's entry as a JSON-able dict (``submitted_at``: an ISO 8601 UTC timestamp)."""
    return {
        "team": team,
        "context": context,
        "capacity_hours": capacity_hours,
        "criteria": criteria_to_dict(criteria),
        "submitted_at": submitted_at,
    }


def score_entry(item: Mapping[str, Any], holdout: pd.DataFrame | None = None) -> dict[str, Any]:
    """One scoreboard row for an entry; an entry that cannot be scored gets ``ranked=False``."""
    row: dict[str, Any] = {
        "team": str(item.get("team") or "(no team name)"),
        "context": item.get("context"),
        "capacity_hours": item.get("capacity_hours"),
        "submitted_at": str(item.get("submitted_at") or ""),
    }
    problem = item.get("error")
    if not problem and not str(item.get("team") or "").strip():
        problem = "the entry has no team name."
    if not problem:
        try:
            criteria = criteria_from_dict(item.get("criteria"))
            score = score_policy(criteria, item.get("context"), item.get("capacity_hours"), holdout)
        except ValueError as error:
            problem = str(error)
    if problem:
        return {**row, "note": f"Not scored: {problem}", "ranked": False}
    return {**row, **score.to_dict(), "ranked": True}


def latest_per_team(entries: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Each team's latest entry (team names compared without case and surrounding spaces)."""
    latest: dict[str, Mapping[str, Any]] = {}
    for item in entries:
        key = str(item.get("team") or "").strip().casefold()
        if not key:
            key = f"\0{len(latest)}"  # nameless entries stay apart (and are reported)
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
    entries: Iterable[Mapping[str, Any]], holdout: Mapping[str, pd.DataFrame] | None = None
) -> pd.DataFrame:
    """The scoreboard: each team's latest entry scored, ranked within its round.

    A round is a (context, capacity) pair: only entries that played the same round are compared.
    Rows are ordered by round, then rank; unscorable entries come at the end, with ``rank`` 0,
    ``ranked`` False and the reason in ``note``. ``holdout`` optionally
    maps a context to the leads to score on (tests use it).
    """
    rows = [
        score_entry(item, None if holdout is None else holdout.get(item.get("context")))
        for item in latest_per_team(entries)
    ]
    board = pd.DataFrame(rows, columns=[c for c in BOARD_COLUMNS if c not in ("rank",)])
    if board.empty:
        return pd.DataFrame(columns=list(BOARD_COLUMNS))
    ranked = board[board["ranked"].astype(bool)]
    parts = [
        rank_rows(group)
        for _key, group in ranked.groupby(["context", "capacity_hours"], sort=True, dropna=False)
    ]
    rest = board[~board["ranked"].astype(bool)].assign(rank=0, decided_by="")
    result = pd.concat([*parts, rest], ignore_index=True) if parts else rest
    result["note"] = result["note"].fillna("")
    return result[list(BOARD_COLUMNS)].reset_index(drop=True)
