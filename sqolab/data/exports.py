"""Read a real CRM export: only a lead id is required, columns and values are mapped by the user.

A real export (HubSpot, Salesforce, a German Excel list) never has every column of the simulated
schema. This module turns such a file into a lead table the engine can use, with only what the
file has:

* :func:`read_export` reads a CSV (comma, semicolon or tab; UTF-8 or Windows-1252) or an .xlsx
  workbook into a table of text cells, bounded in size (:data:`MAX_BYTES`).
* :func:`suggest_mapping` suggests, with a confidence between 0 and 1, which course column each
  header holds and which course category each value means (lead sources; authority from job
  titles; need; outcome from deal stages such as "Closed Won", "Closed Lost - No Decision" or
  "Engaging"; undecided stages stay *open*).
* :func:`apply_mapping` builds the lead table: mapped columns parsed (``€``, German decimal
  commas, ``dd.mm.yyyy`` dates), open outcomes kept as missing outcome with ``outcome_status``
  "open", and derived columns (an engagement percentile from visits and time on site) listed in
  ``frame.attrs["derived"]``. Bad values raise :class:`~sqolab.data.schema.LeadDataError` naming
  column, rows, values and fix.
* :func:`join_tables` joins two tables (leads + deals) on a key the user picks and reports the
  rows that did not join.
* :class:`Mapping` is saved to and loaded from a small JSON file, to reuse on next month's export.
* :func:`write_demo_exports` writes the project's own seeded demo exports (datasets/exports/).
"""

from __future__ import annotations

import difflib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sqolab.data.schema import (
    AUTHORITY_DTYPE,
    AUTHORITY_LEVELS,
    NEED_DTYPE,
    NEED_LEVELS,
    OUTCOME_DTYPE,
    OUTCOMES,
    SOURCE_DTYPE,
    SOURCES,
    UNKNOWN,
    LeadDataError,
    Problem,
)

MAX_BYTES = 20 * 1024 * 1024
"""Largest export accepted (20 MB): larger files are refused before they are parsed."""

OPEN = "open"
"""The value-mapping target of an undecided deal stage: the lead is kept, its outcome unknown."""

IGNORE = ""
"""The column-mapping target of a header the user does not want to use."""

# Course column -> header names seen in real exports (normalised: lowercase, words only).
TARGETS: dict[str, tuple[str, ...]] = {
    "lead_id": ("lead id", "record id", "contact id", "id", "lead nr", "lead nummer", "kontakt id"),
    "company": ("company", "company name", "account name", "firma", "unternehmen", "account"),
    "industry": ("industry", "branche"),
    "country": ("country", "country region", "land"),
    "contact_title": ("title", "job title", "position", "role", "funktion", "jobtitel"),
    "employees": ("employees", "number of employees", "mitarbeiter", "anzahl mitarbeiter"),
    "source": ("source", "lead source", "original source", "quelle", "lead quelle", "kanal"),
    "campaign": ("campaign", "campaign name", "kampagne"),
    "created_on": ("created on", "create date", "created date", "erstellt am", "angelegt am"),
    "budget_eur": ("budget", "budget eur", "stated budget"),
    "authority": ("authority", "decision role", "entscheidungsbefugnis"),
    "need": ("need", "pain", "bedarf", "need confirmed", "rating"),
    "timeline_months": ("timeline months", "timeline", "zeitrahmen monate", "zeitrahmen"),
    "engagement_score": ("engagement score", "engagement"),
    "fit_score": ("fit score", "fit", "lead score", "hubspot score", "rating score"),
    "deal_value_eur": ("amount", "deal value", "close value", "auftragswert", "betrag", "umsatz"),
    "outcome": ("deal stage", "stage", "phase", "outcome", "status", "opportunity stage"),
    "closed_on": ("close date", "closed on", "abschlussdatum"),
    "visits": ("number of sessions", "visits", "page views", "number of pageviews", "besuche"),
    "time_on_site": ("time on site", "time on site minutes", "verweildauer", "zeit auf website"),
}
"""Course columns an export may fill, with the header names real exports use for them."""

NUMBER_TARGETS = (
    "employees",
    "budget_eur",
    "timeline_months",
    "engagement_score",
    "fit_score",
    "deal_value_eur",
    "visits",
    "time_on_site",
)
DATE_TARGETS = ("created_on", "closed_on")
CATEGORY_TARGETS: dict[str, tuple[str, ...]] = {
    "source": SOURCES,
    "authority": (*AUTHORITY_LEVELS, UNKNOWN),
    "need": (*NEED_LEVELS, UNKNOWN),
    "outcome": (*OUTCOMES, OPEN),
}

# Value words -> course category, checked in order (first match wins). Confidence 0.9.
VALUE_RULES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "source": (
        ("partner", ("partner",)),
        ("referral", ("referral", "referrals", "empfehlung", "word of mouth")),
        ("paid_search", ("paid search", "google ads", "adwords", "sea", "advertisement", "ppc")),
        ("social", ("social", "linkedin", "facebook", "xing", "twitter")),
        ("event", ("event", "trade show", "messe", "webinar", "seminar", "conference", "offline")),
        ("outbound", ("outbound", "cold", "kaltakquise", "purchased list", "phone", "telefon")),
        ("inbound", ("inbound", "organic", "web", "direct", "email", "seo", "website", "blog")),
    ),
    "authority": (
        (
            "decision_maker",
            (
                "ceo",
                "cfo",
                "cto",
                "coo",
                "founder",
                "owner",
                "managing director",
                "geschaftsfuhrer",
                "geschäftsführer",
                "inhaber",
                "vorstand",
                "president",
                "vp",
                "vice president",
                "head of",
                "director",
                "decision maker",
                "chief",
                "partner",
            ),
        ),
        ("influencer", ("manager", "lead", "leiter", "leiterin", "influencer", "consultant")),
        ("user", ("assistant", "specialist", "representative", "referent", "sachbearbeiter")),
        ("user", ("user", "analyst", "associate", "coordinator", "mitarbeiter")),
    ),
    "need": (
        ("confirmed", ("confirmed", "yes", "ja", "bestätigt", "high", "hoch", "hot", "akut")),
        ("latent", ("latent", "maybe", "vielleicht", "medium", "mittel", "warm", "vermutet")),
        ("none", ("none", "no", "nein", "low", "niedrig", "cold", "kein")),
    ),
    "outcome": (
        ("no_decision", ("no decision", "keine entscheidung", "no budget", "nurture")),
        ("won", ("won", "gewonnen", "closed won", "auftrag")),
        ("lost_competitor", ("lost", "verloren", "closed lost", "competitor", "wettbewerb")),
        (
            OPEN,
            (
                "open",
                "offen",
                "engaging",
                "qualification",
                "qualifizierung",
                "proposal",
                "angebot",
                "negotiation",
                "verhandlung",
                "appointment",
                "presentation",
                "decision maker bought in",
                "contract sent",
                "prospecting",
                "needs analysis",
                "value proposition",
                "new",
                "neu",
                "working",
            ),
        ),
    ),
}

UNKNOWN_WORDS = frozenset({"", "n/a", "na", "nan", "null", "unknown", "-", "none", "unbekannt"})


def _norm(text: object) -> str:
    """Lowercase words only: 'Budget (€)' -> 'budget', 'Lead-Source' -> 'lead source'."""
    text = re.sub(r"\(.*?\)", " ", str(text).lower())
    return " ".join(re.findall(r"[a-z0-9äöüß]+", text))


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def read_export(source: str | Path | bytes, name: str = "") -> pd.DataFrame:
    """Read a CSV or .xlsx export into a table of text cells (empty cell = ""), size-bounded."""
    if isinstance(source, bytes):
        data, name = source, name or "the uploaded file"
    else:
        path = Path(source)
        if path.stat().st_size > MAX_BYTES:
            raise LeadDataError(_too_big(path.stat().st_size), str(path))
        data, name = path.read_bytes(), name or path.name
    if len(data) > MAX_BYTES:
        raise LeadDataError(_too_big(len(data)), name)
    frame = _read_xlsx(data, name) if data.startswith(b"PK\x03\x04") else _read_csv(data, name)
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty or not len(frame.columns):
        raise LeadDataError(
            Problem(None, "The file has no rows below its header.", "export the data again."), name
        )
    frame.attrs["source"] = name
    return frame


def _too_big(size: int) -> Problem:
    return Problem(
        None,
        f"The file has {size / 1e6:.1f} MB; at most {MAX_BYTES // (1024 * 1024)} MB are read.",
        "export fewer rows or columns (for example one year, or only the columns you map).",
    )


def _read_csv(data: bytes, name: str) -> pd.DataFrame:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    lines = text.splitlines()
    if lines and lines[0].lower().startswith("sep="):
        sep, text = lines[0][4:5] or ",", "\n".join(lines[1:])
    else:
        head = lines[0] if lines else ""
        sep = max((",", ";", "\t"), key=head.count)
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise LeadDataError(
            Problem(None, f"The file is not a readable table ({error}).", "save it as CSV."), name
        ) from None


def _read_xlsx(data: bytes, name: str) -> pd.DataFrame:
    import openpyxl  # only for workbooks

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a damaged workbook: any openpyxl/zip error
        raise LeadDataError(
            Problem(None, f"The workbook cannot be read ({type(error).__name__}).", "save again."),
            name,
        ) from None
    rows = [
        r for r in book.worksheets[0].iter_rows(values_only=True) if any(c is not None for c in r)
    ]
    book.close()
    if not rows:
        return pd.DataFrame()
    cells = [["" if c is None else _cell_text(c) for c in row] for row in rows[1:]]
    return pd.DataFrame(cells, columns=[str(c or "") for c in rows[0]], dtype=object)


def _cell_text(value: Any) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------------------------------
# Mapping: suggestions, saving, loading
# --------------------------------------------------------------------------------------------------


@dataclass
class Mapping:
    """The user's mapping: header -> course column, and per course column value -> category."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)  # header or "column=value" -> 0..1

    def to_json(self) -> str:
        """The mapping as small, readable JSON (columns and values only)."""
        return json.dumps(
            {"columns": self.columns, "values": self.values}, indent=1, ensure_ascii=False
        )

    def save(self, path: str | Path) -> Path:
        """Write the mapping to ``path`` (JSON) and return the path."""
        path = Path(path)
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def from_json(cls, text: str) -> Mapping:
        """Read a mapping written by :meth:`to_json`; a malformed one raises LeadDataError."""
        try:
            data = json.loads(text)
            columns = {str(k): str(v) for k, v in data["columns"].items()}
            values = {
                str(c): {str(k): str(v) for k, v in m.items()} for c, m in data["values"].items()
            }
        except (ValueError, KeyError, TypeError, AttributeError):
            raise LeadDataError(
                Problem(
                    None,
                    "The mapping file is not a mapping saved by the course.",
                    'use a file with {"columns": {...}, "values": {...}}, or make a new mapping.',
                )
            ) from None
        return cls(columns, values)

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        """Read a mapping saved with :meth:`save`."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def suggest_columns(headers: list[str]) -> dict[str, tuple[str, float]]:
    """Per header, the suggested course column and a confidence (IGNORE, 0 when none fits).

    Exact known names score 1.0, close names (difflib ratio >= 0.75) their ratio; each course
    column is given to the header that fits it best.
    """
    best: dict[str, tuple[str, float]] = {}
    for header in headers:
        key = _norm(header)
        choice, score = IGNORE, 0.0
        for target, names in TARGETS.items():
            for known in (target.replace("_", " "), *names):
                ratio = 1.0 if key == known else difflib.SequenceMatcher(None, key, known).ratio()
                if ratio > score and ratio >= 0.75:
                    choice, score = target, ratio
        best[header] = (choice, round(score, 2))
    taken: dict[str, str] = {}
    for header, (target, _score) in sorted(best.items(), key=lambda kv: -kv[1][1]):
        if target and target in taken:
            best[header] = (IGNORE, 0.0)
        elif target:
            taken[target] = header
    return best


def suggest_value(target: str, value: str) -> tuple[str, float]:
    """The course category a value most likely means, with a confidence (``""``, 0 when unsure)."""
    key = _norm(value)
    categories = CATEGORY_TARGETS[target]
    if target in ("authority", "need") and key in UNKNOWN_WORDS:
        return UNKNOWN, 1.0
    if key.replace(" ", "_") in categories:
        return key.replace(" ", "_"), 1.0
    words = f" {key} "
    for category, cues in VALUE_RULES[target]:
        if any(f" {_norm(cue)} " in words for cue in cues):
            return category, 0.9
    if target == "authority":
        return "user", 0.4  # a title without a cue: most likely a user, said with low confidence
    return "", 0.0


def suggest_mapping(frame: pd.DataFrame) -> Mapping:
    """Suggested column and value mapping for an export read by :func:`read_export`."""
    mapping = Mapping()
    for header, (target, score) in suggest_columns(list(frame.columns)).items():
        mapping.columns[header] = target
        mapping.confidence[header] = score
    by_target = {t: h for h, t in mapping.columns.items() if t}
    for target in CATEGORY_TARGETS:
        header = by_target.get(target) or (
            by_target.get("contact_title") if target == "authority" else None
        )
        if header is None:
            continue
        values = mapping.values.setdefault(target, {})
        for value in _distinct(frame[header]):
            values[value], mapping.confidence[f"{target}={value}"] = suggest_value(target, value)
    return mapping


def _distinct(column: pd.Series, limit: int = 200) -> list[str]:
    """The column's distinct non-empty values, most frequent first (at most ``limit``)."""
    text = column.astype(str).str.strip()
    return list(text[text != ""].value_counts().index[:limit])


# --------------------------------------------------------------------------------------------------
# Applying a mapping
# --------------------------------------------------------------------------------------------------


def apply_mapping(frame: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """The lead table from an export and a mapping; only ``lead_id`` is required.

    Unmapped values of a category column, unreadable numbers and dates, and missing or repeated
    lead ids raise one :class:`LeadDataError` listing every problem (column, rows, values, fix).
    ``attrs["derived"]`` names the derived columns and how they were derived.
    """
    source = str(frame.attrs.get("source", "the export"))
    unknown_headers = [h for h, t in mapping.columns.items() if t and h not in frame.columns]
    problems: list[Problem] = [
        Problem(
            None,
            f"The mapping names a column '{h}' the file does not have.",
            "map another column, or export the file with this column.",
        )
        for h in unknown_headers
    ]
    chosen = {t: h for h, t in mapping.columns.items() if t and h in frame.columns}
    if "lead_id" not in chosen:
        problems.append(
            Problem(
                "lead_id",
                "No column is mapped to lead_id (what identifies a lead).",
                "map your id column (such as 'Record ID' or 'Lead ID') to lead_id.",
            )
        )
        raise LeadDataError(problems, source)
    out = pd.DataFrame(index=frame.index)
    for target, header in chosen.items():
        text = frame[header].astype(str).str.strip()
        if target in NUMBER_TARGETS:
            out[target] = _numbers(text, target, header, problems)
        elif target in DATE_TARGETS:
            out[target] = _dates(text, target, header, problems)
        elif target in CATEGORY_TARGETS:
            out[target] = _categories(text, target, header, mapping, problems)
        else:
            out[target] = text.where(text != "", None)
    if "authority" not in chosen and "contact_title" in chosen and "authority" in mapping.values:
        header = chosen["contact_title"]
        text = frame[header].astype(str).str.strip()
        out["authority"] = _categories(text, "authority", header, mapping, problems)
    ids = out["lead_id"]
    rows = np.flatnonzero(ids.isna().to_numpy() | ids.duplicated(keep="first").to_numpy())
    if len(rows):
        problems.append(
            Problem(
                "lead_id",
                "Lead ids must be present and unique.",
                "give every row its own id (or map another column to lead_id).",
                rows=tuple(int(r) + 2 for r in rows[:5]),
                values=tuple(str(ids.iloc[r]) for r in rows[:5]),
                header=chosen["lead_id"],
            )
        )
    if problems:
        raise LeadDataError(problems, source)
    return _finish(out.reset_index(drop=True), chosen)


def _rows_problem(
    column: str, header: str, bad: np.ndarray, text: pd.Series, message: str, fix: str
) -> Problem:
    rows = np.flatnonzero(bad)
    return Problem(
        column,
        f"{message} ({len(rows)} rows).",
        fix,
        rows=tuple(int(r) + 2 for r in rows[:5]),
        values=tuple(str(text.iloc[r]) for r in rows[:5]),
        header=header,
    )


def _numbers(text: pd.Series, target: str, header: str, problems: list[Problem]) -> pd.Series:
    """Numbers with €/EUR, spaces, German or English separators; unknown words are missing."""
    clean = text.str.replace(r"(?i)€|eur|\s|\u00a0", "", regex=True)
    german = clean.str.contains(r",\d{1,2}$|\.\d{3}(?:,|$)", regex=True)
    clean = clean.where(
        ~german, clean.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    )
    clean = clean.where(german, clean.str.replace(",", "", regex=False))
    missing = text.str.lower().isin(UNKNOWN_WORDS)
    values = pd.to_numeric(clean.where(~missing, None), errors="coerce")
    bad = (values.isna() & ~missing).to_numpy()
    if bad.any():
        problems.append(
            _rows_problem(
                target,
                header,
                bad,
                text,
                "Cells that are not numbers",
                "write plain numbers such as 12500 or 12.500,00 €, or leave the cell empty.",
            )
        )
    return values.astype(float)


def _dates(text: pd.Series, target: str, header: str, problems: list[Problem]) -> pd.Series:
    """ISO (2025-03-01, optionally with time) or German (01.03.2025) dates."""
    missing = text.str.lower().isin(UNKNOWN_WORDS)
    iso = pd.to_datetime(text.str[:10], format="%Y-%m-%d", errors="coerce")
    german = pd.to_datetime(text.str[:10], format="%d.%m.%Y", errors="coerce")
    us = pd.to_datetime(text.str[:10], format="%m/%d/%Y", errors="coerce")
    values = iso.fillna(german).fillna(us)
    bad = (values.isna() & ~missing).to_numpy()
    if bad.any():
        problems.append(
            _rows_problem(
                target,
                header,
                bad,
                text,
                "Cells that are not dates",
                "write dates as 2025-03-01 or 01.03.2025, or leave the cell empty.",
            )
        )
    return values


def _categories(
    text: pd.Series, target: str, header: str, mapping: Mapping, problems: list[Problem]
) -> pd.Series:
    values = mapping.values.get(target, {})
    allowed = CATEGORY_TARGETS[target]
    mapped = text.map(lambda v: values.get(v, "") if v else (UNKNOWN if UNKNOWN in allowed else ""))
    empty = (text == "").to_numpy()
    bad = ~mapped.isin(allowed).to_numpy() & ~empty
    if bad.any():
        problems.append(
            _rows_problem(
                target,
                header,
                bad,
                text,
                "Values without a course category",
                f"map each of them to one of: {', '.join(allowed)}.",
            )
        )
    mapped = mapped.where(mapped.isin(allowed), None)
    if target == "outcome":
        return mapped
    dtype = {"source": SOURCE_DTYPE, "authority": AUTHORITY_DTYPE, "need": NEED_DTYPE}[target]
    return mapped.astype(dtype)


def _finish(out: pd.DataFrame, chosen: dict[str, str]) -> pd.DataFrame:
    """Split outcome into status (won/lost/open) and course outcome; derive engagement."""
    derived: dict[str, str] = {}
    if "outcome" in out:
        stage = out["outcome"]
        decided = stage.notna() & (stage != OPEN)
        out["outcome_status"] = np.where(stage == "won", "won", np.where(decided, "lost", OPEN))
        out["outcome"] = stage.where(decided, None).astype(OUTCOME_DTYPE)
    if "engagement_score" not in out and ("visits" in out or "time_on_site" in out):
        parts = [out[c].rank(pct=True) for c in ("visits", "time_on_site") if c in out]
        score = (sum(parts) / len(parts) * 100).round()
        out["engagement_score"] = score
        used = " and ".join(chosen[c] for c in ("visits", "time_on_site") if c in chosen)
        derived["engagement_score"] = f"percentile (0-100) of {used} among your leads"
    out.attrs["derived"] = derived
    out.attrs["columns"] = dict(chosen)
    return out


# --------------------------------------------------------------------------------------------------
# Joining tables
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JoinReport:
    """What a join did: rows of each table without a partner, with their keys."""

    left_rows: int
    right_rows: int
    joined_rows: int
    left_unjoined: tuple[str, ...]
    right_unjoined: tuple[str, ...]

    def describe(self) -> str:
        """One paragraph in plain words."""
        text = f"{self.joined_rows} of {self.left_rows} rows found a partner."
        if self.left_unjoined:
            some = ", ".join(self.left_unjoined[:3])
            text += (
                f" {len(self.left_unjoined)} rows without a partner (kept, no deal data): {some}."
            )
        if self.right_unjoined:
            some = ", ".join(self.right_unjoined[:3])
            text += f" {len(self.right_unjoined)} rows of the second table matched none: {some}."
        return text


def join_tables(
    left: pd.DataFrame, right: pd.DataFrame, left_key: str, right_key: str
) -> tuple[pd.DataFrame, JoinReport]:
    """Left-join ``right`` onto ``left`` on the chosen keys; every left row is kept.

    A right key that occurs more than once (two deals for one contact) keeps its last row. Missing
    key columns raise LeadDataError.
    """
    for frame, key, which in ((left, left_key, "first"), (right, right_key, "second")):
        if key not in frame.columns:
            raise LeadDataError(
                Problem(
                    key,
                    f"The {which} table has no column '{key}'.",
                    f"pick one of: {', '.join(map(str, frame.columns[:12]))}.",
                )
            )
    lk = left[left_key].astype(str).str.strip()
    rk = right[right_key].astype(str).str.strip()
    deduped = right.assign(_key=rk).drop_duplicates("_key", keep="last")
    deduped = deduped.drop(
        columns=[c for c in deduped.columns if c in left.columns and c != "_key"]
    )
    joined = left.assign(_key=lk).merge(deduped, on="_key", how="left", indicator=True)
    found = joined.pop("_merge").eq("both")
    added = [c for c in deduped.columns if c != "_key"]
    joined[added] = joined[added].fillna("")
    joined = joined.drop(columns="_key")
    joined.attrs = dict(left.attrs)
    report = JoinReport(
        len(left),
        len(right),
        int(found.sum()),
        tuple(lk[~found.to_numpy()].tolist()),
        tuple(rk[~rk.isin(set(lk))].tolist()),
    )
    return joined, report
