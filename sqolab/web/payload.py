"""What a live lab page loads: compact per-lead arrays, the presets, the labels of its numbers.

Every array is read through the engine (:func:`~sqolab.engine.columns.category_codes`,
:func:`~sqolab.engine.columns.float_column`, :func:`~sqolab.engine.outcomes.outcome_codes`,
:func:`~sqolab.engine.scoring.lead_score`, :func:`~sqolab.engine.tradeoffs.tradeoff_curve`) and
the presets come from :func:`~sqolab.engine.criteria.preset`, so the page holds the engine's
numbers, not a copy of its rules. Arrays travel as base64 of the narrowest little-endian type
that holds every value exactly (a float64 score stays float64, a 0-100 score becomes int8).
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sqolab.data.contexts import PROFILES
from sqolab.data.samples import load_orchard, load_sample
from sqolab.data.schema import AUTHORITY_DTYPE, CONTEXTS, NEED_DTYPE
from sqolab.engine.columns import category_codes, float_column
from sqolab.engine.criteria import CRITERIA_NAMES, CRITERION_FIELDS, FRAMEWORKS, preset
from sqolab.engine.outcomes import outcome_codes
from sqolab.engine.scoring import lead_score
from sqolab.engine.tradeoffs import tradeoff_curve
from sqolab.figures.style import ROLE

STATIC = Path(__file__).with_name("static")
"""The script and stylesheet every live lab page loads."""

WHAT = "the live lab"
CURVE_FIELDS = ("threshold", "win_rate", "capture_rate", "hours_spent", "revenue_won_eur")

OUTCOME_NUMBERS: list[tuple[str, str, str]] = [
    ("n_sqo", "SQOs", "int"),
    ("n_leads", "leads", "int"),
    ("share_sqo", "share of leads", "pct"),
    ("won", "SQOs won", "int"),
    ("win_rate", "win rate", "pct"),
    ("missed", "winners missed", "int"),
    ("revenue_per_hour", "revenue per sales hour", "eur"),
]
"""The numbers of qualifying one pipeline (the start page; Lab 1 adds why leads fail)."""

NUMBERS: dict[str, list[tuple[str, str, str]]] = {
    # lab -> its key numbers: (key, label, kind); kinds: int, pct, eur, hours, points, fail
    "start": OUTCOME_NUMBERS,
    "qualify": [
        *OUTCOME_NUMBERS,
        *[(f"fail_{name}", f"failing {name}", "fail") for name in CRITERIA_NAMES],
    ],
    "tradeoff": [
        ("n_sqo", "SQOs", "int"),
        ("n_leads", "leads", "int"),
        ("n_worked", "worked within capacity", "int"),
        ("win_rate", "win rate", "pct"),
        ("capture_rate", "capture rate", "pct"),
        ("revenue_missed", "missed revenue", "eur"),
        ("wasted_hours", "wasted hours", "hours"),
        ("revenue_per_hour", "revenue per hour", "eur"),
        ("best_threshold", "best threshold under capacity", "points"),
        ("win_rate_all", "win rate if all SQOs were worked", "pct"),
        ("capture_rate_all", "capture rate if all SQOs were worked", "pct"),
    ],
    "benefits": [
        ("n_sqo", "SQOs", "int"),
        ("n_leads", "leads", "int"),
        ("win_rate_sqo", "win rate, SQOs", "pct"),
        ("win_rate_all", "win rate, all leads", "pct"),
        ("revenue_per_hour_sqo", "revenue per sales hour, SQOs", "eur"),
        ("revenue_per_hour_all", "revenue per sales hour, all leads", "eur"),
        ("hours_sqo", "sales hours, SQOs", "hours"),
        ("hours_all", "sales hours, all leads", "hours"),
        ("revenue_won_sqo", "revenue won, SQOs", "eur"),
        ("revenue_won_all", "revenue won, all leads", "eur"),
    ],
    "drawbacks": [
        *[
            (f"{p}_{key}", f"{name}: {label}", kind)
            for p, name in (("gate", "gate"), ("kofn", "k of n"), ("score", "score"))
            for key, label, kind in (
                ("n_sqo", "SQOs", "int"),
                ("won", "won", "int"),
                ("win_rate", "win rate", "pct"),
                ("capture_rate", "capture rate", "pct"),
                ("revenue_missed", "revenue missed", "eur"),
            )
        ],
        ("excluded_winners", "winners the gate excluded", "int"),
        *[(f"cut_{name}", f"excluded winners failing {name}", "fail") for name in CRITERIA_NAMES],
    ],
    "contexts": [
        (f"{key}_{ctx}", f"{PROFILES[ctx].title}: {label}", kind)
        for ctx in CONTEXTS
        for key, label, kind in (
            ("n_sqo", "SQOs", "int"),
            ("n_leads", "leads", "int"),
            ("share_sqo", "share of leads", "pct"),
            ("win_rate", "win rate", "pct"),
            ("capture_rate", "capture rate", "pct"),
            ("revenue_missed", "revenue missed", "eur"),
            ("revenue_per_hour", "revenue per sales hour", "eur"),
        )
    ],
    "orchard": [
        ("n_sqo", "ripe enough", "int"),
        ("n_leads", "fruit", "int"),
        ("picked", "picked in time", "int"),
        ("sold", "sold", "int"),
        ("waste", "picked, not sold", "int"),
        ("missed", "sellable fruit left", "int"),
        ("revenue", "sales", "eur"),
        ("revenue_missed", "sales left on the tree", "eur"),
        ("wasted_hours", "hours on fruit not sold", "hours"),
    ],
}
LABS: tuple[str, ...] = tuple(NUMBERS)
"""The live labs, by the name a page gives in ``data-lab``."""

ABSENT = {"fail": "not applied", "points": "none fits"}


def fmt(value: float | None, kind: str) -> str:
    """A number as the page shows it (the script's ``fmt`` must give the same text)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ABSENT.get(kind, "n/a")
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "eur":
        return f"{value:,.0f} EUR"
    if kind == "points":
        return f"{value:.1f} points"
    return f"{value:,.0f}"  # int, fail, hours


# -------------------------------------------------------------------------------------- arrays


def pack(values: np.ndarray) -> dict[str, str]:
    """An array as ``{"t": type, "b": base64}`` in the narrowest type that keeps every value."""
    values = np.asarray(values)
    if values.dtype.kind == "b":
        values = values.astype(np.int8)
    for name, dtype in (("i8", "<i1"), ("i16", "<i2"), ("i32", "<i4"), ("f32", "<f4")):
        if name.startswith("i") and values.dtype.kind == "f" and np.isnan(values).any():
            continue
        try:
            narrow = values.astype(dtype)
        except (OverflowError, ValueError):
            continue
        if np.array_equal(narrow.astype(values.dtype), values, equal_nan=values.dtype.kind == "f"):
            return {"t": name, "b": base64.b64encode(narrow.tobytes()).decode("ascii")}
    wide = values.astype("<f8")
    return {"t": "f64", "b": base64.b64encode(wide.tobytes()).decode("ascii")}


def unpack(packed: Mapping[str, str]) -> np.ndarray:
    """The array :func:`pack` packed (as float64 or int64)."""
    dtype = {"i8": "<i1", "i16": "<i2", "i32": "<i4", "f32": "<f4", "f64": "<f8"}[packed["t"]]
    raw = np.frombuffer(base64.b64decode(packed["b"]), dtype=dtype)
    return raw.astype(np.float64 if packed["t"].startswith("f") else np.int64)


def criteria_dict(crit: Any) -> dict[str, Any]:
    """A Criteria as the page's settings: one threshold per criterion (None = off), k, unknown."""
    out: dict[str, Any] = {name: getattr(crit, CRITERION_FIELDS[name]) for name in CRITERIA_NAMES}
    out["min_met"] = crit.required_met
    out["unknown"] = bool(crit.unknown_meets)
    return out


def leads_data(leads: pd.DataFrame, context: str | None, curve: bool = False) -> dict[str, Any]:
    """One pipeline for the page: the criterion columns, outcome, deal, hours and lead score."""
    data: dict[str, Any] = {"n": len(leads)}
    for name in ("budget", "timeline", "engagement", "fit"):
        column = {"budget": "budget_eur", "timeline": "timeline_months"}.get(name, f"{name}_score")
        data[name] = pack(float_column(leads, column, WHAT).astype(np.float64))
    data["authority"] = pack(category_codes(leads, "authority", AUTHORITY_DTYPE, WHAT))
    data["need"] = pack(category_codes(leads, "need", NEED_DTYPE, WHAT))
    data["outcome"] = pack(outcome_codes(leads, WHAT))
    data["deal"] = pack(float_column(leads, "deal_value_eur", WHAT).astype(np.float64))
    data["hours"] = pack(float_column(leads, "sales_hours", WHAT).astype(np.float64))
    score = lead_score(leads)
    data["score"] = pack(score.to_numpy())
    if curve:
        table = tradeoff_curve(leads, score)
        data["curve"] = {f: pack(table[f].to_numpy(dtype=np.float64)) for f in CURVE_FIELDS}
        total = float(table["hours_spent"].iloc[-1]) if len(table) else 0.0
        step = float(f"{max(total / 200, 1.0):.0e}")  # one significant digit
        data["capacity"] = {"max": math.ceil(total / step) * step or step, "step": step}
    if context is not None:
        prof = PROFILES[context]
        data["title"] = prof.title
        data["framework"] = prof.framework
        data["median_deal_eur"] = prof.median_deal_eur
        data["presets"] = {fw: criteria_dict(preset(fw, context)) for fw in FRAMEWORKS}
    return data


def orchard_data(orchard: pd.DataFrame) -> dict[str, Any]:
    """The orchard's raw columns (the page maps them onto SQO terms, checked by the oracle test)."""
    sells = orchard["sells"].astype(str).to_numpy() == "yes"
    minutes = orchard["pick_minutes"].to_numpy(dtype=float)
    total_hours = float((minutes / 60.0).sum())
    return {
        "n": len(orchard),
        "ripeness": pack(orchard["ripeness"].to_numpy(dtype=float)),
        "sells": pack(sells),
        "price": pack(orchard["price_eur"].to_numpy(dtype=float)),
        "minutes": pack(minutes),
        "hours_max": max(0.5, math.ceil(total_hours * 2) / 2),
    }


def payload(lab: str, leads: Mapping[str, pd.DataFrame] | None = None) -> dict[str, Any]:
    """Everything lab page ``lab`` needs; ``leads`` replaces samples (e.g. for the benchmark)."""
    if lab not in NUMBERS:
        raise ValueError(f"Unknown live lab {lab!r}; use one of: {', '.join(LABS)}.")
    given = dict(leads or {})
    out: dict[str, Any] = {
        "lab": lab,
        "numbers": [{"key": k, "label": label, "kind": kind} for k, label, kind in NUMBERS[lab]],
        "absent": ABSENT,
        "colours": ROLE,
        "criteria": list(CRITERIA_NAMES),
        "levels": {
            "authority": {v: i for i, v in enumerate(AUTHORITY_DTYPE.categories) if i},
            "need": {v: i for i, v in enumerate(NEED_DTYPE.categories) if i},
        },
        "frameworks": list(FRAMEWORKS),
    }
    if lab == "orchard":
        out["orchard"] = orchard_data(given["orchard"] if "orchard" in given else load_orchard())
        return out
    out["contexts"] = {
        ctx: leads_data(given[ctx] if given else load_sample(ctx), ctx, curve=lab == "tradeoff")
        for ctx in (CONTEXTS if not given else [c for c in CONTEXTS if c in given])
    }
    return out


def data_script(lab: str, leads: Mapping[str, pd.DataFrame] | None = None) -> str:
    """The page's data as a script (works from file:// too, where fetch() of JSON does not).

    Page and script load asynchronously in either order; the data starts the lab if the script
    came first.
    """
    text = json.dumps(payload(lab, leads), separators=(",", ":"), allow_nan=False)
    store = "window.SQOLAB_LIVE_DATA"
    ready = "window.sqolabLiveInit&&window.sqolabLiveInit();"  # live.js may have come first
    return f"{store}={store}||{{}};{store}.{lab}={text};{ready}\n"


def write_site_files(folder: Path) -> list[Path]:
    """Write the script, the stylesheet and one data file per lab into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("live.js", "live.css"):
        target = folder / name
        target.write_bytes((STATIC / name).read_bytes())
        written.append(target)
    for lab in LABS:
        target = folder / f"data-{lab}.js"
        target.write_text(data_script(lab), encoding="utf-8")
        written.append(target)
    return written
