"""The Qualification Cup in class: teams submit policies as files, the instructor projects a board.

Submissions are small JSON files, one per team, in a folder: ``$SQOLAB_CUP_DIR`` if set (on a
JupyterHub, a folder every participant can write to), else ``~/sqolab-cup``. Teams submit with
:func:`submit` from their own notebooks or with the :class:`CupEntry` dashboard; the instructor
projects the :class:`Scoreboard`, which reads the folder on Refresh. No server beyond Jupyter or
Voilà is involved: an instructor without a shared folder collects the files (e-mail, USB stick)
into one. Scoring and ranking are in :mod:`sqolab.engine.cup`.

The folder is participants' territory, so it is read defensively (:func:`read_submissions`):

- each team has one file, named by a collision-proof key of its name
  (:func:`sqolab.engine.cup.team_key`); a file whose content names another team is invalid, so no
  file can replace another team's entry;
- a team's first submission gets a *team key* (six digits, shown once); replacing the entry needs
  it, so a name already taken is reported as taken, not silently overwritten;
- only regular files of bounded size are read (no links, no FIFOs), JSON of bounded nesting;
  every file that fails is listed as an invalid entry with the reason, never a crash;
- the submission time is the file's modification time, set by the server when the file is
  written (never in the future), not a time written in the file.

The scores stay hidden until the instructor reveals them with the Cup secret
(:func:`sqolab.engine.cup.cup_secret`), which participants' kernels do not have.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import hmac
import html
import json
import math
import os
import re
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from sqolab.data.schema import CONTEXTS
from sqolab.engine.criteria import Criteria
from sqolab.engine.cup import (
    DEFAULT_CAPACITY_HOURS,
    MIN_SECRET_CHARS,
    CupSecretMissing,
    check_capacity,
    clean_team_name,
    cup_secret,
    entry,
    leaderboard,
    secret_file,
    team_identity,
    team_key,
)
from sqolab.engine.formatting import fmt_eur, fmt_int, fmt_pct
from sqolab.labs.html import html_table
from sqolab.labs.qualify import QualifyLab
from sqolab.practice.grading.untrusted import UntrustedFileError, loads_json, read_regular

MAX_FILE_BYTES = 64_000
"""Larger files in the folder are not read (a submission is well under 1 kB)."""
MAX_FILES = 500
"""At most this many files of the folder are read on a Refresh (the rest are reported)."""
ENTRY_FILE = re.compile(r"team-[0-9a-f]{32}\.json")
KEYS_ENV = "SQOLAB_CUP_KEYS"
"""Environment variable naming the file where :func:`submit` remembers a user's team keys."""

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


def entry_file(team: str) -> str:
    """The file name of ``team``'s entry: ``team-<key>.json`` (any script, no collisions)."""
    return f"team-{team_key(team)}.json"


class NameTaken(ValueError):
    """The team name belongs to an entry submitted with another team key."""


@dataclass(frozen=True)
class Receipt:
    """A submission as stored: the file, the team's name, its team key, whether it replaced one."""

    path: Path
    team: str
    key: str
    replaced: bool


def _claim(team: str, key: str) -> str:
    return hashlib.sha256(f"{team_identity(team)}|{key}".encode()).hexdigest()


def _keys_file() -> Path:
    custom = os.environ.get(KEYS_ENV)
    return Path(custom) if custom else Path.home() / ".sqolab" / "cup-keys.json"


def _remembered_keys() -> dict[str, str]:
    try:
        data = loads_json(read_regular(_keys_file(), MAX_FILE_BYTES)[0])
    except UntrustedFileError:
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def _remember_key(team: str, key: str) -> None:
    """Keep the team key in the user's own keys file (0600); a file that cannot be written is ok."""
    keys = {**_remembered_keys(), team_identity(team): key}
    path = _keys_file()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".cup-keys-")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(keys, stream)
        os.replace(temporary, path)


def _existing_entry(path: Path) -> dict[str, Any] | None:
    try:
        data = loads_json(read_regular(path, MAX_FILE_BYTES)[0])
    except UntrustedFileError:
        return None  # nothing readable there: a broken file is replaced
    return data if isinstance(data, dict) else None


def submit(
    team: str,
    criteria: Criteria,
    context: str,
    capacity_hours: float,
    folder: str | Path | None = None,
    key: str | None = None,
    remember: bool = True,
) -> Receipt:
    """Write (or replace) ``team``'s entry in the submissions folder.

    The first submission of a name creates the team and its team key (in the receipt). Replacing
    the entry needs that key: given as ``key`` or, with ``remember``, kept from an earlier
    submission by the same user. Raises :class:`NameTaken` when the name belongs to another team,
    ValueError (saying what to fix) for a bad name, criteria that are not a ``Criteria``, an
    unknown context or a capacity that is not a positive number of hours.
    """
    name = clean_team_name(team)
    if not isinstance(criteria, Criteria):
        raise ValueError("`criteria` must be a Criteria(...) object.")
    if context not in CONTEXTS:
        raise ValueError(f"`context` must be one of {', '.join(map(repr, CONTEXTS))}.")
    capacity = check_capacity(capacity_hours)
    target = Path(folder) if folder is not None else default_folder()
    target.mkdir(parents=True, exist_ok=True)
    path = target / entry_file(name)
    key = (key or "").strip() or (_remembered_keys().get(team_identity(name)) if remember else None)
    existing = _existing_entry(path) if os.path.lexists(path) else None
    replaced = existing is not None
    claim = existing.get("claim") if existing is not None else None
    if isinstance(claim, str) and not (key and hmac.compare_digest(claim, _claim(name, key))):
        holder = str(existing.get("team") or "")[:60]  # type: ignore[union-attr]
        same = "" if holder == name else f' (as "{holder}": case and spaces do not count)'
        raise NameTaken(
            f'The team name "{name}" is already taken{same}. Choose another name, or enter '
            "your team key (shown at your first submission) to replace your entry."
        )
    key = key or f"{secrets.randbelow(10**6):06d}"
    data = {**entry(name, criteria, context, capacity), "claim": _claim(name, key)}
    # Write to a temporary file and rename: the scoreboard never reads half a file.
    handle, temporary = tempfile.mkstemp(dir=target, prefix=".submit-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(data, stream, indent=2, ensure_ascii=False)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)  # its modification time is the server's submission time
    if remember:
        _remember_key(name, key)
    return Receipt(path, name, key, replaced)


def _utc(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="milliseconds")


def read_submissions(folder: str | Path | None = None) -> list[dict[str, Any]]:
    """Every entry in the folder, read defensively; each file that fails is an ``error`` entry.

    Only ``*.json`` names are considered (temporary files are not), at most :data:`MAX_FILES`.
    ``submitted_at`` is the file's modification time (the server's clock, never in the future),
    whatever the file says.
    """
    target = Path(folder) if folder is not None else default_folder()
    try:
        with os.scandir(target) as found:
            names = sorted(e.name for e in found if e.name.endswith(".json"))
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as error:
        return [{"team": "", "error": f"The folder cannot be read ({error.strerror})."}]
    entries: list[dict[str, Any]] = []
    if len(names) > MAX_FILES:
        entries.append({"team": "", "error": f"{len(names) - MAX_FILES} more files not read."})
        names = names[:MAX_FILES]
    now = time.time()
    for name in names:
        try:
            data, info = read_regular(target / name, MAX_FILE_BYTES)
            item = loads_json(data)
            if not isinstance(item, dict):
                raise UntrustedFileError("the file does not hold a JSON object")
            team = item.get("team")
            if not isinstance(team, str) or not team.strip():
                raise UntrustedFileError("the entry has no team name")
            if name != entry_file(team):
                raise UntrustedFileError(
                    f'it names the team "{team[:40]}", whose entry is another file'
                )
        except UntrustedFileError as error:
            reason = str(error).removeprefix(f"{name}: ").removeprefix(f"{name} ")
            entries.append({"team": f"file {name[:60]}", "file": name, "error": reason + "."})
            continue
        item.pop("claim", None)
        entries.append({**item, "file": name, "submitted_at": _utc(min(info.st_mtime, now))})
    return entries


def _hours(value: Any) -> str:
    """A capacity exactly as entered (1,500.4 h is not 1,500 h)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)[:40]
    text = format(number, ",")
    return f"{text.removesuffix('.0')} h"


def round_label(context: Any, capacity: Any) -> str:
    """``startup, 1,500 h``; every distinct capacity has its own label."""
    return f"{str(context)[:40]}, {_hours(capacity)}"


def _note(row: pd.Series) -> str:
    parts = [row["note"]] if row["note"] else []
    if row["decided_by"] and row["decided_by"] != "won revenue":
        parts.append(row["decided_by"])
    return " ".join(p[0].upper() + p[1:] for p in parts)


def _rate(value: Any) -> str:
    return fmt_pct(float(value)) if value is not None and not pd.isna(value) else "n/a"


def board_html(board: pd.DataFrame, reveal: bool, caption: str) -> str:
    """The scoreboard as a big HTML table (every cell escaped); scores hidden until ``reveal``."""
    if board.empty:
        return f"<p>{html.escape(caption)}: no entries yet.</p>"
    if not reveal:
        rows = [
            (
                r["team"],
                round_label(r["context"], r["capacity_hours"]),
                str(r["submitted_at"])[:19].replace("T", " "),
                r["note"] or "received",
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

    Scores stay hidden (only who has submitted is shown) until the instructor enters the Cup
    secret and presses Reveal: a participant who opens the board cannot reveal the scores, and
    no team can tune its criteria to the hidden quarter by watching it.
    """

    def __init__(self, folder: str | Path | None = None, key: str | None = None) -> None:
        super().__init__()
        self.add_class("sqolab-cup")
        self.folder = Path(folder) if folder is not None else default_folder()
        self.board = pd.DataFrame()
        self._secret: str | None = None
        self.refresh_button = widgets.Button(
            description="Refresh", tooltip="Read the submissions folder again.", icon="refresh"
        )
        self.key = widgets.Password(
            description="Instructor key",
            placeholder="the Cup secret, to reveal",
            tooltip="Only the instructor's Cup secret reveals the scores.",
        )
        self.reveal = widgets.ToggleButton(
            value=False,
            description="Reveal scores",
            tooltip="Show the scores on the next quarter (needs the instructor key).",
            icon="eye",
        )
        self.round = widgets.Dropdown(
            options=[ALL_ROUNDS],
            value=ALL_ROUNDS,
            description="Round",
            tooltip="Only entries of the same context and exact capacity are compared.",
        )
        self.message = widgets.HTML()
        self.status = widgets.HTML()
        self.tables = widgets.HTML()
        self.refresh_button.on_click(lambda _button: self.refresh())
        self.reveal.observe(self._on_reveal, names="value")
        self.round.observe(lambda _change: self.show(), names="value")
        self.children = [
            widgets.HTML(f"{CUP_CSS}<h2>Qualification Cup</h2>"),
            widgets.HBox([self.refresh_button, self.key, self.reveal, self.round]),
            self.message,
            self.status,
            self.tables,
        ]
        if key is not None:
            self.key.value = key
            self.reveal.value = True  # refreshes
        else:
            self.refresh()

    @property
    def revealed(self) -> bool:
        """True once the instructor's key opened the scores."""
        return self._secret is not None

    def _on_reveal(self, change: dict[str, Any]) -> None:
        self._secret = None
        if change["new"]:
            self.message.value = ""
            try:
                secret = cup_secret()
            except CupSecretMissing as error:
                self.message.value = f'<p class="sqolab-error">{html.escape(str(error))}</p>'
            else:
                if hmac.compare_digest(self.key.value.strip().encode(), secret.encode()):
                    self._secret = secret
                else:
                    self.message.value = (
                        '<p class="sqolab-error">That is not the instructor key: the scores '
                        "stay hidden.</p>"
                    )
            self.key.value = ""
            if self._secret is None:
                self.reveal.value = False  # back up; observed again with new=False
                return
        self.refresh()

    def refresh(self) -> None:
        """Read the folder's entries (and score them once revealed), then show them."""
        entries = read_submissions(self.folder)
        if self._secret is not None:
            self.board = leaderboard(entries, secret=self._secret)
        else:
            self.board = leaderboard(entries, score=False)
        valid = self._valid(self.board)
        pairs = valid[["context", "capacity_hours"]].drop_duplicates()
        rounds = [round_label(c, h) for c, h in pairs.itertuples(index=False)]
        current = self.round.value
        self.round.options = [ALL_ROUNDS, *rounds]
        self.round.value = current if current in self.round.options else ALL_ROUNDS
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        self.status.value = (
            f'<p class="sqolab-cup-status">{len(self.board)} entries, read at {stamp}.</p>'
        )
        self.show()

    @staticmethod
    def _valid(board: pd.DataFrame) -> pd.DataFrame:
        if board.empty:
            return board
        return board[board["ranked"].astype(bool) | board["note"].eq("")]

    def show(self) -> None:
        """Render the tables for the chosen round (one table per round)."""
        board = self.board
        if board.empty:
            self.tables.value = board_html(board, self.revealed, "Scoreboard")
            return
        valid = self._valid(board)
        parts = []
        for (context, capacity), group in valid.groupby(["context", "capacity_hours"], sort=False):
            label = round_label(context, capacity)
            if self.round.value in (ALL_ROUNDS, label):
                parts.append(board_html(group, self.revealed, f"Round: {label}"))
        bad = board.drop(valid.index)
        if len(bad):
            parts.append(board_html(bad, self.revealed, "Entries that could not be scored"))
        self.tables.value = "\n".join(parts)


class CupEntry(widgets.VBox):
    """A team's entry form: explore criteria with lab 1 on the sample, then submit them.

    The lab shows the context's *sample*; the entry is scored on the unseen next quarter. The
    form keeps the team keys of its own submissions (not the server user's keys file), so
    another team at another screen cannot replace an entry by typing its name.
    """

    def __init__(self, folder: str | Path | None = None, lab: QualifyLab | None = None) -> None:
        super().__init__()
        self.add_class("sqolab-cup")
        self.folder = Path(folder) if folder is not None else default_folder()
        self.lab = lab if lab is not None else QualifyLab()
        self._keys: dict[str, str] = {}
        self.team = widgets.Text(
            description="Team", placeholder="your team's name", tooltip="Your team's name."
        )
        self.team_key = widgets.Text(
            description="Team key",
            placeholder="only to change an entry",
            tooltip="The six digits shown at your first submission (needed on another page).",
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
            widgets.HBox([self.team, self.team_key, self.capacity, self.submit_button]),
            self.status,
            self.lab,
        ]

    def send(self) -> Receipt | None:
        """Submit the lab's current criteria; show the result or a kind message."""
        if math.isnan(self.capacity.value):
            self.status.value = "<p>Enter the round's capacity in hours.</p>"
            return None
        try:
            identity = team_identity(clean_team_name(self.team.value))
            receipt = submit(
                self.team.value,
                self.lab.criteria(),
                self.lab.context.value,
                self.capacity.value,
                self.folder,
                key=self.team_key.value.strip() or self._keys.get(identity),
                remember=False,
            )
        except (ValueError, OSError) as error:
            self.status.value = f'<p class="sqolab-error">{html.escape(str(error))}</p>'
            return None
        self._keys[identity] = receipt.key
        self.status.value = (
            f"<p>Entry of team <b>{html.escape(receipt.team)}</b> "
            f"{'replaced' if receipt.replaced else 'received'}: "
            f"{html.escape(self.lab.criteria().describe())}, context "
            f"{html.escape(self.lab.context.value)}, {html.escape(_hours(self.capacity.value))}. "
            f"Your team key is <b>{receipt.key}</b>: keep it to change your entry from another "
            "page.</p>"
        )
        return receipt


def main(argv: list[str] | None = None) -> int:
    """``python -m sqolab.workshop.cup secret``: create (or show) the instructor's Cup secret."""
    parser = argparse.ArgumentParser(prog="python -m sqolab.workshop.cup")
    parser.add_argument("command", choices=["secret"], help="create or show the Cup secret")
    parser.parse_args(argv)
    path = secret_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(18) + "\n")
    try:
        secret = cup_secret()
    except CupSecretMissing as error:
        print(error, file=sys.stderr)
        return 1
    assert len(secret) >= MIN_SECRET_CHARS
    print(f"The Cup secret (in {path}, readable by you only); type it to reveal the scores:")
    print(secret)
    return 0


if __name__ == "__main__":
    sys.exit(main())
