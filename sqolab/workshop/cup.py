"""The Qualification Cup in class: teams submit policies as files, the instructor projects a board.

Submissions are small JSON files, one per team, in a folder: ``$SQOLAB_CUP_DIR`` if set (on a
JupyterHub, a folder every participant can write to), else ``~/sqolab-cup``. Teams submit with
:func:`submit` from their own notebooks or with the :class:`CupEntry` dashboard; the instructor
projects the :class:`Scoreboard`, which reads the folder on Refresh. No server beyond Jupyter or
Voilà is involved: an instructor without a shared folder collects the files (e-mail, USB stick)
into one. Scoring and ranking are in :mod:`sqolab.engine.cup`.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from sqolab.data.schema import CONTEXTS
from sqolab.engine.criteria import Criteria
from sqolab.engine.cup import DEFAULT_CAPACITY_HOURS, check_capacity, entry, leaderboard
from sqolab.engine.formatting import fmt_eur, fmt_int, fmt_pct
from sqolab.labs.html import html_table
from sqolab.labs.qualify import QualifyLab

MAX_TEAM_NAME = 40
MAX_FILE_BYTES = 64_000
"""Larger files in the folder are not read (a submission is well under 1 kB)."""

CUP_CSS = """<style>
.sqolab-cup .sqolab-table {font-size: 1.5em; width: 100%;}
.sqolab-cup .sqolab-table td, .sqolab-cup .sqolab-table th {padding: 6px 12px; white-space: normal;}
.sqolab-cup .sqolab-table tbody tr:first-child td {font-weight: bold;}
.sqolab-cup h2 {font-size: 2.2em; margin: 8px 0;}
.sqolab-cup .sqolab-cup-status {font-size: 1.2em;}
</style>"""


def default_folder() -> Path:
    """The submissions folder: ``$SQOLAB_CUP_DIR``, else ``~/sqolab-cup``."""
    return Path(os.environ.get("SQOLAB_CUP_DIR") or Path.home() / "sqolab-cup")


def team_slug(team: str) -> str:
    """The file name stem for ``team``: lower case letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", team.casefold()).strip("-")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def submit(
    team: str,
    criteria: Criteria,
    context: str,
    capacity_hours: float,
    folder: str | Path | None = None,
) -> Path:
    """Write (or replace) ``team``'s entry in the submissions folder; returns the file.

    Raises ValueError, with what to fix, for an empty or overlong team name, criteria that are not
    a ``Criteria``, an unknown context or a capacity that is not a positive number of hours.
    """
    if not isinstance(team, str) or not team_slug(team):
        raise ValueError("Give your team a name with at least one letter or digit.")
    team = " ".join(team.split())
    if len(team) > MAX_TEAM_NAME:
        raise ValueError(f"Team names have at most {MAX_TEAM_NAME} characters.")
    if not isinstance(criteria, Criteria):
        raise ValueError("`criteria` must be a Criteria(...) object.")
    if context not in CONTEXTS:
        raise ValueError(f"`context` must be one of {', '.join(map(repr, CONTEXTS))}.")
    capacity = check_capacity(capacity_hours)
    target = Path(folder) if folder is not None else default_folder()
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{team_slug(team)}.json"
    data = entry(team, criteria, context, capacity, _now())
    # Write to a temporary file and rename: the scoreboard never reads half a file.
    handle, temporary = tempfile.mkstemp(dir=target, prefix=".submit-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(data, stream, indent=2)
    os.chmod(temporary, 0o664)  # teammates on a shared folder may replace it
    os.replace(temporary, path)
    return path


def read_submissions(folder: str | Path | None = None) -> list[dict[str, Any]]:
    """Every ``*.json`` entry in the folder; unreadable files become entries with an ``error``."""
    target = Path(folder) if folder is not None else default_folder()
    if not target.is_dir():
        return []
    entries = []
    for path in sorted(target.glob("*.json")):
        fallback = {"team": path.stem, "file": path.name}
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ValueError("the file is too large to be a submission")
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("the file does not hold a JSON object")
        except (OSError, UnicodeDecodeError, ValueError) as error:
            entries.append({**fallback, "error": f"{path.name} is not a readable entry ({error})."})
            continue
        entries.append({**data, "file": path.name})
    return entries


def _hours(value: Any) -> str:
    try:
        return f"{float(value):,.0f} h"
    except (TypeError, ValueError):
        return str(value)


def round_label(context: Any, capacity: Any) -> str:
    """``startup, 1,500 h``."""
    return f"{context}, {_hours(capacity)}"


def _note(row: pd.Series) -> str:
    parts = [row["note"]] if row["note"] else []
    if row["decided_by"] and row["decided_by"] != "won revenue":
        parts.append(row["decided_by"])
    return " ".join(p[0].upper() + p[1:] for p in parts)


def _rate(value: Any) -> str:
    return fmt_pct(float(value)) if value is not None and not pd.isna(value) else "n/a"


def board_html(board: pd.DataFrame, reveal: bool, caption: str) -> str:
    """The scoreboard as a big HTML table; scores hidden until ``reveal``."""
    if board.empty:
        return f"<p>{html.escape(caption)}: no entries yet.</p>"
    if not reveal:
        rows = [
            (
                r["team"],
                round_label(r["context"], r["capacity_hours"]),
                r["submitted_at"][:19].replace("T", " "),
                "received" if r["ranked"] else r["note"],
            )
            for _, r in board.sort_values("team", key=lambda s: s.str.casefold()).iterrows()
        ]
        header = ["team", "round", "submitted (UTC)", "status"]
        return html_table(rows, header, caption + " (scores hidden until the reveal)")
    rows = []
    for _, r in board.iterrows():
        if r["ranked"]:
            rows.append(
                (
                    r["rank"],
                    r["team"],
                    fmt_eur(r["won_revenue_eur"]),
                    fmt_eur(r["missed_revenue_eur"]),
                    fmt_int(r["hours_spent"]),
                    f"{int(r['n_sqo']):,} / {int(r['n_worked']):,}",
                    _rate(r["win_rate"]),
                    _note(r),
                )
            )
        else:
            rows.append(("-", r["team"], "", "", "", "", "", r["note"]))
    header = [
        "rank",
        "team",
        "won revenue [EUR]",
        "missed revenue [EUR]",
        "hours spent [h]",
        "SQOs / worked",
        "win rate",
        "note",
    ]
    return html_table(rows, header, caption)


ALL_ROUNDS = "all rounds"


class Scoreboard(widgets.VBox):
    """The board the instructor projects: entries from the folder, ranked per round, on Refresh.

    Scores stay hidden (only who has submitted is shown) until the instructor presses Reveal, so
    teams cannot tune their criteria to the held-out quarter by watching the board.
    """

    def __init__(self, folder: str | Path | None = None, reveal: bool = False) -> None:
        super().__init__()
        self.add_class("sqolab-cup")
        self.folder = Path(folder) if folder is not None else default_folder()
        self.board = pd.DataFrame()
        self.refresh_button = widgets.Button(
            description="Refresh", tooltip="Read the submissions folder again.", icon="refresh"
        )
        self.reveal = widgets.ToggleButton(
            value=reveal,
            description="Reveal scores",
            tooltip="Show the scores on the next quarter (hide them while teams still submit).",
            icon="eye",
        )
        self.round = widgets.Dropdown(
            options=[ALL_ROUNDS],
            value=ALL_ROUNDS,
            description="Round",
            tooltip="Only entries of the same context and capacity are compared.",
        )
        self.status = widgets.HTML()
        self.tables = widgets.HTML()
        self.refresh_button.on_click(lambda _button: self.refresh())
        self.reveal.observe(lambda _change: self.show(), names="value")
        self.round.observe(lambda _change: self.show(), names="value")
        self.children = [
            widgets.HTML(f"{CUP_CSS}<h2>Qualification Cup</h2>"),
            widgets.HBox([self.refresh_button, self.reveal, self.round]),
            self.status,
            self.tables,
        ]
        self.refresh()

    def refresh(self) -> None:
        """Read and score the folder's entries, then show them."""
        self.board = leaderboard(read_submissions(self.folder))
        scored = self.board[self.board["ranked"].astype(bool)]
        pairs = scored[["context", "capacity_hours"]].drop_duplicates()
        rounds = [round_label(c, h) for c, h in pairs.itertuples(index=False)]
        current = self.round.value
        self.round.options = [ALL_ROUNDS, *rounds]
        self.round.value = current if current in self.round.options else ALL_ROUNDS
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        self.status.value = (
            f'<p class="sqolab-cup-status">{len(self.board)} entries in '
            f"<code>{html.escape(str(self.folder))}</code>, read at {stamp}.</p>"
        )
        self.show()

    def show(self) -> None:
        """Render the tables for the chosen round (one table per round)."""
        board = self.board
        if board.empty:
            self.tables.value = board_html(board, self.reveal.value, "Scoreboard")
            return
        labels = [
            round_label(c, h)
            for c, h in zip(board["context"], board["capacity_hours"], strict=True)
        ]
        board = board.assign(round=labels)
        scored = board[board["ranked"].astype(bool)]
        parts = []
        for label, group in scored.groupby("round", sort=False):
            if self.round.value in (ALL_ROUNDS, label):
                parts.append(board_html(group, self.reveal.value, f"Round: {label}"))
        bad = board[~board["ranked"].astype(bool)]
        if len(bad):
            parts.append(board_html(bad, self.reveal.value, "Entries that could not be scored"))
        self.tables.value = "\n".join(parts)


class CupEntry(widgets.VBox):
    """A team's entry form: explore criteria with lab 1 on the sample, then submit them.

    The lab shows the context's *sample*; the entry is scored on the unseen next quarter.
    """

    def __init__(self, folder: str | Path | None = None, lab: QualifyLab | None = None) -> None:
        super().__init__()
        self.add_class("sqolab-cup")
        self.folder = Path(folder) if folder is not None else default_folder()
        self.lab = lab if lab is not None else QualifyLab()
        self.team = widgets.Text(
            description="Team", placeholder="your team's name", tooltip="Your team's name."
        )
        start = DEFAULT_CAPACITY_HOURS[self.lab.context.value]
        self.capacity = widgets.BoundedFloatText(
            value=start,
            min=1,
            max=1_000_000,
            step=100,
            description="Capacity [h]",
            tooltip="The sales hours of the round, as the instructor announced them.",
        )
        self.submit_button = widgets.Button(
            description="Submit entry",
            tooltip="Send the criteria set above, for the context chosen above, to the scoreboard.",
            button_style="primary",
            icon="paper-plane",
        )
        self.status = widgets.HTML()
        self.submit_button.on_click(lambda _button: self.send())
        self.children = [
            widgets.HTML(
                f"{CUP_CSS}<h2>Qualification Cup: your entry</h2><p>Set your criteria in the lab "
                "below (it shows the context's sample), enter your team's name and the round's "
                "capacity, and submit. Your entry is scored on the <b>next quarter</b>, which "
                "nobody has seen. Submitting again replaces your entry.</p>"
            ),
            widgets.HBox([self.team, self.capacity, self.submit_button]),
            self.status,
            self.lab,
        ]

    def send(self) -> Path | None:
        """Submit the lab's current criteria; show the result or a kind message."""
        if math.isnan(self.capacity.value):
            self.status.value = "<p>Enter the round's capacity in hours.</p>"
            return None
        try:
            path = submit(
                self.team.value,
                self.lab.criteria(),
                self.lab.context.value,
                self.capacity.value,
                self.folder,
            )
        except (ValueError, OSError) as error:
            self.status.value = f'<p class="sqolab-error">{html.escape(str(error))}</p>'
            return None
        self.status.value = (
            f"<p>Entry of team <b>{html.escape(self.team.value.strip())}</b> received: "
            f"{html.escape(self.lab.criteria().describe())}, context "
            f"{html.escape(self.lab.context.value)}, {self.capacity.value:,.0f} h.</p>"
        )
        return path
