"""Column names: matching the file's headers to the schema, mappings and suggested renames."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

from sqolab.data.loading.tables import Context, Table, column_letter
from sqolab.data.schema import (
    Problem,
)

# Common CRM export and German header names of the schema columns, for suggested mappings.
# Compared after _match_key (no case, units in brackets, spaces, hyphens or underscores).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "lead_id": ("Lead Nr", "Lead Nummer", "Lead Number"),
    "company": ("Firma", "Firmenname", "Unternehmen", "Company", "Company Name", "Account Name"),
    "industry": ("Branche", "Industry"),
    "country": ("Land", "Country"),
    "contact_title": ("Position", "Title", "Job Title", "Jobtitel", "Titel"),
    "employees": (
        "Mitarbeiter",
        "Mitarbeiterzahl",
        "Anzahl Mitarbeiter",
        "Employees",
        "Number of Employees",
        "NumberOfEmployees",
    ),
    "source": ("Quelle", "Lead Quelle", "Leadquelle", "Lead Source", "LeadSource"),
    "campaign": ("Kampagne", "Campaign", "Campaign Name"),
    "created_on": ("Erstellt am", "Erstelldatum", "Created Date", "CreatedDate", "Created On"),
    "budget_eur": ("Budget",),
    "authority": ("Entscheider", "Authority"),
    "need": ("Bedarf", "Need"),
    "timeline_months": ("Zeitrahmen", "Timeline"),
    "engagement_score": ("Engagement",),
    "fit_score": ("Fit",),
    "competitors": ("Wettbewerber", "Competitors"),
    "deal_value_eur": ("Auftragswert", "Amount", "Deal Value", "Deal Size"),
    "sales_hours": ("Vertriebsstunden", "Sales Hours"),
    "outcome": ("Ergebnis", "Outcome"),
    "channel": ("Kanal", "Channel"),
    "spend_eur": ("Ausgaben", "Kosten", "Spend"),
}


CLOSE_RATIO = 0.8  # difflib ratio of match keys above which a name counts as a confident match
MAX_LISTED = 20  # unmatched file columns listed in the missing-columns problem


def normalise_name(label: object) -> str:
    """Header name as compared with the schema: lowercase, stripped, _ for spaces/hyphens."""
    return re.sub(r"[\s\-]+", "_", str(label).strip().lower())


def _match_key(label: object) -> str:
    """A name as compared for suggestions: lowercase, without units in brackets ("(EUR)"),
    spaces, hyphens and underscores ("Budget (EUR)" -> "budget", "lead_id" -> "leadid")."""
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", "", str(label).lower())
    return re.sub(r"[\s\-_]+", "", text)


SYNONYM_KEYS: dict[str, str] = {
    _match_key(word): name for name, words in SYNONYMS.items() for word in words
}


def _match_score(label: object, name: str) -> float:
    """How surely the file's column ``label`` holds the schema column ``name``; 0: not sure.

    2 for a known synonym, 1.5 for the same key (e.g. "Budget EUR"), else the difflib ratio
    of the keys if it reaches CLOSE_RATIO.
    """
    key, target = _match_key(label), _match_key(name)
    if not key:
        return 0.0
    if SYNONYM_KEYS.get(key) == name:
        return 2.0
    if key == target:
        return 1.5
    ratio = difflib.SequenceMatcher(None, key, target).ratio()
    return ratio if ratio >= CLOSE_RATIO else 0.0


def suggest_names(labels: list[Any], names: list[str]) -> dict[Any, str]:
    """Confident renames {file column: schema column}: pairs that are each other's only best
    match, so no file column is suggested twice and no schema column gets two file columns."""
    scores = {(i, n): _match_score(label, n) for i, label in enumerate(labels) for n in names}
    scores = {pair: score for pair, score in scores.items() if score}

    def unique_best(pairs: list[tuple[tuple[int, str], float]]) -> tuple[int, str] | None:
        best = max((score for _, score in pairs), default=0.0)
        top = [pair for pair, score in pairs if score == best]
        return top[0] if len(top) == 1 else None

    suggested: dict[Any, str] = {}
    for i, label in enumerate(labels):
        pair = unique_best([(p, v) for p, v in scores.items() if p[0] == i])
        if pair and unique_best([(p, v) for p, v in scores.items() if p[1] == pair[1]]) == pair:
            suggested[label] = pair[1]
    return suggested


def literal(renames: dict[Any, str]) -> str:
    """A dict literal as the user would type it: {"Firma": "company"}."""

    def quote(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)

    return "{" + ", ".join(f"{quote(k)}: {quote(v)}" for k, v in renames.items()) + "}"


@dataclass
class _Names:
    """The result of naming a table's columns."""

    names: list[Any]  # new name per position: a schema column or the label as it was
    problems: list[Problem]
    skip: set[int]  # positions not to read (duplicate names)
    mapped: dict[Any, str]  # the mapping's entries that were applied: label -> schema column
    unresolved: set[str]  # schema columns the mapping names with a key the file does not have


def name_columns(labels: list[Any], table: Table, mapping: dict[str, str] | None) -> _Names:
    """New names for the labels (mapping, then normalisation), problems, positions to skip."""
    problems: list[Problem] = []
    skip: set[int] = set()
    mapped: dict[Any, str] = {}
    unresolved: set[str] = set()
    names = list(labels)
    by_normal = {normalise_name(label): i for i, label in enumerate(labels)}
    for source, target in (mapping or {}).items():
        if target not in table.by_name:
            close = difflib.get_close_matches(normalise_name(target), list(table.by_name), 1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            problems.append(
                Problem(
                    str(target),
                    f"mapping sends '{source}' to '{target}', "
                    f"which is not a column of the {table.name} table.{hint}",
                    f"map to one of: {', '.join(table.by_name)}.",
                )
            )
            continue
        position = labels.index(source) if source in labels else None
        if position is None:
            position = by_normal.get(normalise_name(source))
        if position is None:
            keys = {_match_key(label): label for label in labels}
            close = difflib.get_close_matches(_match_key(source), list(keys), 1, CLOSE_RATIO)
            hint = f" Did you mean '{keys[close[0]]}'?" if close else ""
            problems.append(
                Problem(
                    target,
                    f"mapping names the column '{source}', but the file has no such column.{hint} "
                    f"Available columns: {', '.join(map(str, labels))}.",
                    "spell the mapping's key exactly like the column in the file's header.",
                )
            )
            unresolved.add(target)
            continue
        names[position] = target
        mapped[labels[position]] = target
    renamed = {labels.index(s) for s in (mapping or {}) if s in labels}
    for i, label in enumerate(labels):
        if i not in renamed and normalise_name(label) in table.by_name:
            names[i] = normalise_name(label)
    # Duplicate names are found here, not by pandera: a DataFrame with two columns of one
    # name cannot be validated column by column.
    positions: dict[Any, list[int]] = {}
    for i, name in enumerate(names):
        positions.setdefault(name, []).append(i)
    for name, where in positions.items():
        if len(where) > 1:
            skip.update(where)
            shown = ", ".join(f"{column_letter(i)} ('{labels[i]}')" for i in where)
            problems.append(
                Problem(
                    str(name),
                    f"The column appears {len(where)} times: spreadsheet columns {shown}.",
                    "delete or rename the extra column(s) so that each name appears once "
                    "(check the mapping too).",
                )
            )
    return _Names(names, problems, skip, mapped, unresolved)


def missing_columns(table: Table, named: _Names, ctx: Context) -> None:
    """One problem for all absent required columns: which are missing, which columns of the
    file match none, and one suggested rename of confident matches only.

    Columns that the mapping names with a key the file lacks are already reported.
    """
    names = named.names
    missing = [
        c.name
        for c in table.columns
        if c.required and c.name not in names and c.name not in named.unresolved
    ]
    if not missing:
        return
    unmatched = list(dict.fromkeys(n for n in names if n not in table.by_name))
    absent = [c.name for c in table.columns if c.name not in names]  # optional ones too
    suggested = suggest_names(unmatched, absent)
    if len(missing) == 1:
        message = "Required column is missing."
    else:
        message = f"{len(missing)} required columns are missing: {', '.join(missing)}."
    if unmatched:
        shown = ", ".join(map(str, unmatched[:MAX_LISTED]))
        more = f" and {len(unmatched) - MAX_LISTED} more" if len(unmatched) > MAX_LISTED else ""
        message += f" Columns that match no {table.name} column: {shown}{more}."
    else:
        message += f" Every column present matches a {table.name} column."
    guessed = set(suggested.values())
    unsure = [name for name in missing if name not in guessed]
    if suggested and unsure:
        message += f" No column looks like: {', '.join(unsure)}."
    suggestion, fix = ctx.rename_hint({**named.mapped, **suggested} if suggested else {})
    if suggestion:
        message += f" Suggested from the names (check it): {suggestion}."
    ctx.problems.append(Problem(missing[0] if len(missing) == 1 else None, message, fix))


def names_fix(what: str = "file") -> str:
    """The end of the missing-columns fix."""
    return f"columns the {what} does not have must be added."
