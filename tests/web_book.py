"""Helpers of the live-lab tests and benchmark: a small book with every live lab, and the engine's
answer for any setting of a lab (what the page must show).

The small book uses the project's _config.yml (so the same extensions and theme) with one page per
lab holding the lab's marker element; it builds in seconds, unlike the whole course.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sqolab.data.contexts import PROFILES
from sqolab.data.samples import load_orchard, load_sample
from sqolab.data.schema import AUTHORITY_LEVELS, CONTEXTS, NEED_LEVELS
from sqolab.engine.criteria import CRITERIA_NAMES, FRAMEWORKS, Criteria, criteria_met, preset
from sqolab.engine.criteria import qualify as engine_qualify
from sqolab.engine.outcomes import WON, evaluate, outcome_codes
from sqolab.engine.scoring import lead_score
from sqolab.engine.tradeoffs import best_threshold, tradeoff_curve
from sqolab.labs.orchard import orchard_pipeline
from sqolab.labs.tradeoff import _Pipeline
from sqolab.web.payload import LABS, NUMBERS, payload

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = str(Path(sys.executable).with_name("jupyter-book"))
EXTENSION = "sqolab.web.sphinx_ext"
LAB_PAGES = {  # the course's lab pages and the live lab each holds
    "notebooks/00_start_here": "start",
    "notebooks/01_qualify_leads": "qualify",
    "notebooks/02_tradeoff_explorer": "tradeoff",
    "notebooks/03_benefits": "benefits",
    "notebooks/04_drawbacks": "drawbacks",
    "notebooks/05_contexts": "contexts",
    "notebooks/06_orchard": "orchard",
}


def build_live_book(folder: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Build a book with one page per live lab (``labs/<lab>.html``) into ``folder``."""
    source = folder / "src"
    (source / "labs").mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] = "Live labs"
    config["bibtex_bibfiles"] = ["refs.bib"]
    favicon = config.get("html", {}).get("favicon")
    if favicon:
        (source / favicon).parent.mkdir(parents=True, exist_ok=True)
        (source / favicon).write_bytes((ROOT / favicon).read_bytes())
    (source / "_config.yml").write_text(yaml.safe_dump(config))
    pages = [*LABS, "discovery"]  # the live labs and the discovery call's player
    chapters = "".join(f"  - file: labs/{lab}\n" for lab in pages)
    (source / "_toc.yml").write_text(f"format: jb-book\nroot: index\nchapters:\n{chapters}")
    (source / "refs.bib").write_text("@misc{x, title={X}, year={2020}}\n")
    (source / "index.md").write_text("# Live labs\n\nOne page per live lab.\n")
    for lab in pages:
        marker = f'<div class="sqolab-live" data-lab="{lab}"></div>'
        (source / "labs" / f"{lab}.md").write_text(
            f"# Lab {lab}\n\nBefore.\n\n{marker}\n\nAfter.\n"
        )
    result = subprocess.run(
        [JUPYTER_BOOK, "build", str(source), "-W", "-n", "--keep-going", "--path-output", folder],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return folder / "_build" / "html", result


# ------------------------------------------------------------------------ random settings


def random_settings(lab: str, rng: random.Random) -> dict[str, Any]:
    """A random setting of a lab's controls (keys as the page's ``data-control``)."""
    ctx = rng.choice(CONTEXTS)
    if lab == "start":
        return {"context": ctx, "preset": rng.choice(list(FRAMEWORKS))}
    if lab == "qualify":
        if rng.random() < 0.25:
            return {"context": ctx, "preset": rng.choice(list(FRAMEWORKS))}
        leads = sample(ctx)
        budgets = leads["budget_eur"].dropna().to_numpy()
        median = PROFILES[ctx].median_deal_eur
        out: dict[str, Any] = {"context": ctx, "preset": "custom"}
        for name in ("budget", "timeline", "engagement", "fit"):
            out[f"{name}_on"] = rng.random() < 0.6
        out["budget"] = (
            float(rng.choice(budgets)) if rng.random() < 0.5 else rng.uniform(0, 2 * median)
        )
        out["authority"] = rng.choice(["off", *AUTHORITY_LEVELS])
        out["need"] = rng.choice(["off", *NEED_LEVELS])
        out["timeline"] = rng.choice([rng.uniform(0, 24), float(rng.randint(0, 12))])
        out["engagement"] = rng.randint(0, 100)
        out["fit"] = rng.randint(0, 100)
        out["unknown"] = rng.random() < 0.5
        out["min_met"] = rng.randint(0, 6)
        return out
    if lab == "tradeoff":
        return {"context": ctx, "threshold": rng.randint(0, 100), "capacity": rng.uniform(0, 4e4)}
    if lab == "benefits":
        return {"context": ctx, "threshold": 5 * rng.randint(0, 20)}
    if lab == "drawbacks":
        return {
            "context": ctx,
            "framework": rng.choice(list(FRAMEWORKS)),
            "k": rng.randint(1, 6),
            "threshold": rng.randint(0, 100),
            "unknown": rng.random() < 0.5,
        }
    if lab == "contexts":
        out = {f"framework_{c}": rng.choice(list(FRAMEWORKS)) for c in CONTEXTS}
        out.update({f"unknown_{c}": rng.random() < 0.5 for c in CONTEXTS})
        return out
    if lab == "orchard":
        return {"threshold": rng.randint(0, 100), "hours": rng.uniform(0, 40)}
    raise ValueError(lab)


# ------------------------------------------------------------------ the engine's answers

_SAMPLES: dict[str, pd.DataFrame] = {}


def sample(context: str) -> pd.DataFrame:
    """The shipped sample, loaded once."""
    if context not in _SAMPLES:
        _SAMPLES[context] = load_sample(context)
    return _SAMPLES[context]


def _outcome_numbers(out: Any) -> dict[str, Any]:
    return {
        "n_sqo": out.n_sqo,
        "n_leads": out.n_leads,
        "share_sqo": out.n_sqo / max(out.n_leads, 1),
        "won": out.won,
        "win_rate": out.win_rate,
        "missed": out.missed,
        "revenue_per_hour": out.revenue_per_hour_eur,
    }


def lab_criteria(s: dict[str, Any]) -> Criteria:
    """Lab 1's criteria from the page's settings (as QualifyLab.criteria does)."""
    on = {
        "budget": s["budget_on"],
        "authority": s["authority"] != "off",
        "need": s["need"] != "off",
        "timeline": s["timeline_on"],
        "engagement": s["engagement_on"],
        "fit": s["fit_on"],
    }
    return Criteria(
        min_budget_eur=float(s["budget"]) if on["budget"] else None,
        min_authority=s["authority"] if on["authority"] else None,
        min_need=s["need"] if on["need"] else None,
        max_timeline_months=float(s["timeline"]) if on["timeline"] else None,
        min_engagement=s["engagement"] if on["engagement"] else None,
        min_fit=s["fit"] if on["fit"] else None,
        min_met=min(int(s["min_met"]), sum(on.values())),
        unknown_meets=bool(s["unknown"]),
    )


def reference(lab: str, s: dict[str, Any]) -> dict[str, Any]:
    """The engine's value of every number lab ``lab`` shows for settings ``s``."""
    if lab == "orchard":
        pipe = orchard_pipeline(load_orchard())
        ripeness = pipe["ripeness"].to_numpy()
        out = evaluate(
            pipe, ripeness >= s["threshold"], capacity_hours=s["hours"], priority=ripeness
        )
        return {
            "n_sqo": out.n_sqo,
            "n_leads": out.n_leads,
            "picked": out.n_worked,
            "sold": out.won,
            "waste": out.n_worked - out.won,
            "missed": out.missed,
            "revenue": out.revenue_won_eur,
            "revenue_missed": out.revenue_missed_eur,
            "wasted_hours": out.wasted_hours,
        }
    if lab == "contexts":
        values: dict[str, Any] = {}
        for ctx in CONTEXTS:
            leads = sample(ctx)
            crit = preset(s[f"framework_{ctx}"], ctx).replace(unknown_meets=s[f"unknown_{ctx}"])
            out = evaluate(leads, engine_qualify(leads, crit))
            for key, value in {
                **_outcome_numbers(out),
                "capture_rate": out.capture_rate,
                "revenue_missed": out.revenue_missed_eur,
            }.items():
                values[f"{key}_{ctx}"] = value
        return {k: v for k, v in values.items() if not k.startswith(("won_", "missed_"))}
    leads = sample(s["context"])
    if lab in ("start", "qualify"):
        crit = (
            preset(s["preset"], s["context"])
            if lab == "start" or s["preset"] != "custom"
            else lab_criteria(s)
        )
        values = _outcome_numbers(evaluate(leads, engine_qualify(leads, crit)))
        if lab == "qualify":
            met = criteria_met(leads, crit)
            for name in CRITERIA_NAMES:
                values[f"fail_{name}"] = (
                    int((~met[name].to_numpy()).sum()) if name in met.columns else None
                )
        return values
    score = lead_score(leads)
    if lab == "tradeoff":
        t, cap = s["threshold"], s["capacity"]
        out = evaluate(leads, score.to_numpy() >= t, capacity_hours=cap, priority=score)
        pipe = _Pipeline(leads)
        row = pipe.row_at(t)
        best = best_threshold(tradeoff_curve(leads, score), cap)
        return {
            "n_sqo": out.n_sqo,
            "n_leads": out.n_leads,
            "n_worked": out.n_worked,
            "win_rate": out.win_rate,
            "capture_rate": out.capture_rate,
            "revenue_missed": out.revenue_missed_eur,
            "wasted_hours": out.wasted_hours,
            "revenue_per_hour": out.revenue_per_hour_eur,
            "best_threshold": None if best is None else float(best["threshold"]),
            "win_rate_all": None if row is None else float(row["win_rate"]),
            "capture_rate_all": None if row is None else float(row["capture_rate"]),
        }
    if lab == "benefits":
        every = evaluate(leads, np.ones(len(leads), dtype=bool))
        sqo = evaluate(leads, score.to_numpy() >= s["threshold"])
        return {
            "n_sqo": sqo.n_sqo,
            "n_leads": sqo.n_leads,
            "win_rate_sqo": sqo.win_rate,
            "win_rate_all": every.win_rate,
            "revenue_per_hour_sqo": sqo.revenue_per_hour_eur,
            "revenue_per_hour_all": every.revenue_per_hour_eur,
            "hours_sqo": sqo.hours_spent,
            "hours_all": every.hours_spent,
            "revenue_won_sqo": sqo.revenue_won_eur,
            "revenue_won_all": every.revenue_won_eur,
        }
    if lab == "drawbacks":
        gate = preset(s["framework"], s["context"]).replace(
            min_met=None, unknown_meets=bool(s["unknown"])
        )
        kofn = gate.replace(min_met=min(int(s["k"]), len(gate.applied)))
        selections = {
            "gate": engine_qualify(leads, gate).to_numpy(),
            "kofn": engine_qualify(leads, kofn).to_numpy(),
            "score": score.to_numpy() >= s["threshold"],
        }
        values = {}
        for name, selection in selections.items():
            out = evaluate(leads, selection)
            values.update(
                {
                    f"{name}_n_sqo": out.n_sqo,
                    f"{name}_won": out.won,
                    f"{name}_win_rate": out.win_rate,
                    f"{name}_capture_rate": out.capture_rate,
                    f"{name}_revenue_missed": out.revenue_missed_eur,
                }
            )
        winners = outcome_codes(leads, "test") == WON
        excluded = ~selections["gate"] & winners
        values["excluded_winners"] = int(excluded.sum())
        met = criteria_met(leads, gate)
        for name in CRITERIA_NAMES:
            values[f"cut_{name}"] = (
                int((excluded & ~met[name].to_numpy()).sum()) if name in met.columns else None
            )
        return values
    raise ValueError(lab)


def number_keys(lab: str) -> list[str]:
    """The keys of the numbers lab ``lab`` shows."""
    return [key for key, _label, _kind in NUMBERS[lab]]


def kinds(lab: str) -> dict[str, str]:
    """How each number of lab ``lab`` is formatted."""
    return {key: kind for key, _label, kind in NUMBERS[lab]}


__all__ = ["LABS", "LAB_PAGES", "build_live_book", "payload", "random_settings", "reference"]
