"""Qualification criteria, the classic frameworks expressed with them, and the SQO decision.

A :class:`Criteria` holds up to six thresholds on the lead columns. Each *applied* criterion is met
or not per lead; a lead is an SQO when at least ``required_met`` of the applied criteria are met.

============ ====================== ===================================================
criterion    column                 met when
============ ====================== ===================================================
budget       ``budget_eur``         budget_eur >= min_budget_eur
authority    ``authority``          authority >= min_authority (user < influencer < decision_maker)
need         ``need``               need >= min_need (none < latent < confirmed)
timeline     ``timeline_months``    timeline_months <= max_timeline_months
engagement   ``engagement_score``   engagement_score >= min_engagement
fit          ``fit_score``          fit_score >= min_fit
============ ====================== ===================================================

An unknown value (empty budget or timeline, authority or need "unknown") meets its criterion exactly
when ``unknown_meets`` is True.

The six frameworks of the course (BANT, ANUM, CHAMP, GPCTBA/C&I, FAINT, MEDDIC) are in
:data:`FRAMEWORKS`; :func:`preset` builds one for a context, because money and time thresholds only
make sense relative to the context's typical deal size and sales cycle.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sqolab.data.contexts import profile
from sqolab.data.schema import (
    AUTHORITY_DTYPE,
    AUTHORITY_LEVELS,
    NEED_DTYPE,
    NEED_LEVELS,
    UNKNOWN,
)
from sqolab.engine.columns import category_codes, float_column, is_number
from sqolab.engine.formatting import prose_html

CRITERIA_NAMES: tuple[str, ...] = ("budget", "authority", "need", "timeline", "engagement", "fit")
"""Criterion names, in the fixed order used by :attr:`Criteria.applied` and :func:`criteria_met`."""

CRITERION_COLUMNS: dict[str, str] = {
    "budget": "budget_eur",
    "authority": "authority",
    "need": "need",
    "timeline": "timeline_months",
    "engagement": "engagement_score",
    "fit": "fit_score",
}
"""The lead column each criterion reads."""

CRITERION_FIELDS: dict[str, str] = {
    "budget": "min_budget_eur",
    "authority": "min_authority",
    "need": "min_need",
    "timeline": "max_timeline_months",
    "engagement": "min_engagement",
    "fit": "min_fit",
}


# --------------------------------------------------------------------------------------------------
# Criteria
# --------------------------------------------------------------------------------------------------


def _check_number(name: str, value: object, low: float | None, high: float | None) -> None:
    if value is None:
        return
    if not is_number(value):
        raise ValueError(f"{name} must be a number or None, got {value!r}.")
    if math.isnan(value):
        raise ValueError(f"{name} must be a number or None, got NaN.")
    if low is not None and value < low:
        where = f"between {low:g} and {high:g}" if high is not None else f">= {low:g}"
        raise ValueError(f"{name} must be {where}, got {value!r}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value!r}.")


def _check_level(name: str, value: object, levels: tuple[str, ...]) -> None:
    if value is None:
        return
    if not isinstance(value, str) or value not in levels:
        hint = " ('unknown' is not a level: it is the absence of one)" if value == UNKNOWN else ""
        raise ValueError(
            f"{name} must be one of {', '.join(levels)} (or None), got {value!r}{hint}."
        )


@dataclass(frozen=True)
class Criteria:
    """Thresholds that make a lead an SQO. ``None`` means the criterion is not applied.

    A value meets its criterion when it is >= the minimum (<= for the timeline). A lead is an SQO
    when at least ``min_met`` applied criteria are met (``None``: all of them). Unknown values meet
    their criterion exactly when ``unknown_meets`` is True.
    """

    min_budget_eur: float | None = None
    min_authority: str | None = None
    min_need: str | None = None
    max_timeline_months: float | None = None
    min_engagement: float | None = None
    min_fit: float | None = None
    min_met: int | None = None
    unknown_meets: bool = False

    def __post_init__(self) -> None:
        _check_number("min_budget_eur", self.min_budget_eur, 0, None)
        _check_level("min_authority", self.min_authority, AUTHORITY_LEVELS)
        _check_level("min_need", self.min_need, NEED_LEVELS)
        _check_number("max_timeline_months", self.max_timeline_months, 0, None)
        _check_number("min_engagement", self.min_engagement, 0, 100)
        _check_number("min_fit", self.min_fit, 0, 100)
        if not isinstance(self.unknown_meets, bool | np.bool_):
            raise ValueError(f"unknown_meets must be True or False, got {self.unknown_meets!r}.")
        k = self.min_met
        if k is None:
            return
        if isinstance(k, bool | np.bool_) or not isinstance(k, numbers.Integral):
            raise ValueError(f"min_met must be a whole number or None, got {k!r}.")
        if k < 0:
            raise ValueError(f"min_met must be >= 0, got {k}.")
        applied = self.applied
        if k > len(applied):
            names = ", ".join(applied) if applied else "none"
            raise ValueError(
                f"min_met={k} but only {len(applied)} criteria are applied ({names}); "
                f"min_met must be between 0 and {len(applied)}."
            )

    @property
    def applied(self) -> tuple[str, ...]:
        """Names of the applied criteria, in the order of :data:`CRITERIA_NAMES`."""
        return tuple(n for n in CRITERIA_NAMES if getattr(self, CRITERION_FIELDS[n]) is not None)

    @property
    def required_met(self) -> int:
        """How many applied criteria a lead must meet to be an SQO (the effective ``min_met``)."""
        return len(self.applied) if self.min_met is None else int(self.min_met)

    def _repr_html_(self) -> str:
        return prose_html(self.describe())

    def describe(self) -> str:
        """A plain-English one-liner: ``budget >= 10,000 EUR, ... (all 4 must be met; ...)``."""
        parts = []
        for name in self.applied:
            value = getattr(self, CRITERION_FIELDS[name])
            if name == "budget":
                parts.append(f"budget >= {value:,.0f} EUR")
            elif name == "timeline":
                unit = "month" if value == 1 else "months"
                parts.append(f"timeline <= {value:g} {unit}")
            elif name in ("authority", "need"):
                parts.append(f"{name} >= {value}")
            else:
                parts.append(f"{name} >= {value:g}")
        n, k = len(parts), self.required_met
        if n == 0:
            return "no criteria (every lead is an SQO)"
        unknown = "unknown counts as met" if self.unknown_meets else "unknown counts as not met"
        if k == n:
            need = "it must be met" if n == 1 else f"all {n} must be met"
        elif k == 0:
            need = f"0 of {n} need be met, so every lead is an SQO"
        else:
            need = f"at least {k} of {n} must be met"
        return f"{', '.join(parts)} ({need}; {unknown})"

    def replace(self, **changes: Any) -> Criteria:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


# --------------------------------------------------------------------------------------------------
# Qualification
# --------------------------------------------------------------------------------------------------


def _met_arrays(leads: pd.DataFrame, criteria: Criteria) -> list[tuple[str, np.ndarray]]:
    """Per applied criterion, a fresh numpy boolean array: does each lead meet it?"""
    unknown_meets = bool(criteria.unknown_meets)
    what = f"qualifying by {criteria.describe()}"
    out: list[tuple[str, np.ndarray]] = []
    for name in criteria.applied:
        threshold = getattr(criteria, CRITERION_FIELDS[name])
        column = CRITERION_COLUMNS[name]
        if name in ("authority", "need"):
            dtype = AUTHORITY_DTYPE if name == "authority" else NEED_DTYPE
            codes = category_codes(leads, column, dtype, what)
            level = dtype.categories.get_loc(threshold)  # 1.. ; 0 = unknown, -1 = missing
            met = codes >= level
            if unknown_meets:
                met |= codes <= 0
        else:
            values = float_column(leads, column, what)
            if name == "timeline":
                # NaN compares False: "not > max" is met for unknown, "<= max" is not.
                met = ~(values > threshold) if unknown_meets else values <= threshold
            elif name == "budget":
                met = ~(values < threshold) if unknown_meets else values >= threshold
            else:  # engagement and fit have no unknown; a missing value never meets
                met = values >= threshold
        out.append((name, np.asarray(met, dtype=bool)))
    return out


def criteria_met(leads: pd.DataFrame, criteria: Criteria) -> pd.DataFrame:
    """Boolean table: one column per applied criterion (in order), one row per lead."""
    arrays = _met_arrays(leads, criteria)
    return pd.DataFrame(dict(arrays), index=leads.index, columns=[n for n, _ in arrays])


def qualify(leads: pd.DataFrame, criteria: Criteria) -> pd.Series:
    """Which leads are SQOs: at least ``criteria.required_met`` applied criteria met.

    Returns a boolean Series named ``is_sqo`` on the leads' index. Without applied criteria (or
    with ``min_met=0``) every lead is an SQO.
    """
    arrays = [a for _, a in _met_arrays(leads, criteria)]
    k = criteria.required_met
    n = len(leads)
    if k == 0:
        result = np.ones(n, dtype=bool)
    elif k == len(arrays):
        result = arrays[0]
        for a in arrays[1:]:
            result &= a
    elif k == 1:
        result = arrays[0]
        for a in arrays[1:]:
            result |= a
    else:
        count = arrays[0].view(np.uint8).copy()
        for a in arrays[1:]:
            count += a.view(np.uint8)
        result = count >= k
    return pd.Series(result, index=leads.index, name="is_sqo", copy=False)


# --------------------------------------------------------------------------------------------------
# Frameworks
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Framework:
    """A qualification framework and how far our lead columns can express it.

    ``letters`` holds (letter or term, what it means, how it maps onto our columns or "not
    expressible"). ``criteria`` is the mapping for the startup context; money and time thresholds
    scale with the context (``budget_share`` x median deal, ``timeline_cycles`` x sales cycle), so
    use :meth:`for_context` or :func:`preset` for another context.
    """

    name: str
    origin: str
    letters: tuple[tuple[str, str, str], ...]
    cannot_express: tuple[str, ...]
    fits: str
    criteria: Criteria
    budget_share: float | None = None
    timeline_cycles: float | None = None

    def for_context(self, context: str = "startup") -> Criteria:
        """The framework's criteria with money and time thresholds scaled to ``context``."""
        prof = profile(context)
        changes: dict[str, float] = {}
        if self.budget_share is not None:
            changes["min_budget_eur"] = float(round(self.budget_share * prof.median_deal_eur, 2))
        if self.timeline_cycles is not None:
            changes["max_timeline_months"] = float(self.timeline_cycles * prof.cycle_months)
        return self.criteria.replace(**changes)


def _framework(
    template: Criteria, budget_share: float | None, timeline_cycles: float | None, **kw: Any
) -> Framework:
    base = Framework(
        criteria=template,
        budget_share=budget_share,
        timeline_cycles=timeline_cycles,
        **kw,
    )
    return dataclasses.replace(base, criteria=base.for_context("startup"))


_NOT = "not expressible"

# Shares and multiples shared by the presets (documented in each entry).
_BUDGET_SHARE = 0.5  # a stated budget of at least half the median deal of the context
_LOW_BUDGET_SHARE = 0.25  # ANUM: money matters least, a quarter of the median deal will do
_TIMELINE_CYCLES = 2.0  # deciding within two typical sales cycles
_URGENT_CYCLES = 1.0  # ANUM urgency: within one typical cycle
_FAINT_CYCLES = 3.0  # FAINT timing: a looser horizon, the seller creates the timing

FRAMEWORKS: dict[str, Framework] = {
    "BANT": _framework(
        Criteria(
            min_budget_eur=0.0,
            min_authority="influencer",
            min_need="latent",
            max_timeline_months=0.0,
        ),
        _BUDGET_SHARE,
        _TIMELINE_CYCLES,
        name="BANT",
        origin="Commonly attributed to IBM (1950s-60s), not documented; the classic checklist.",
        letters=(
            ("Budget", "Can the buyer pay?", "budget_eur >= 0.5 x the context's median deal"),
            ("Authority", "Are we talking to someone who decides?", "authority >= influencer"),
            ("Need", "Does the buyer have a problem we solve?", "need >= latent"),
            ("Timeline", "Will they decide soon?", "timeline_months <= 2 x the sales cycle"),
        ),
        cannot_express=(
            "Whether the stated budget is really approved (we only see the amount stated).",
            "Budgets that could be found if the value case is strong: BANT drops those leads.",
        ),
        fits="Transactional sales with a known price and short cycles (the startup context).",
    ),
    "ANUM": _framework(
        Criteria(
            min_budget_eur=0.0,
            min_authority="decision_maker",
            min_need="latent",
            max_timeline_months=0.0,
            min_met=3,
        ),
        _LOW_BUDGET_SHARE,
        _URGENT_CYCLES,
        name="ANUM",
        origin="InsideSales.com (about 2012): BANT reordered, authority first, money last.",
        letters=(
            ("Authority", "Reach the decision maker first.", "authority >= decision_maker"),
            ("Need", "Is there a need?", "need >= latent"),
            ("Urgency", "How pressing is it?", "timeline_months <= 1 x the sales cycle"),
            ("Money", "Can they pay? Checked last.", "budget_eur >= 0.25 x the median deal"),
        ),
        cannot_express=(
            "The ranking A > N > U > M: our k-of-n rule treats the letters as equals, so authority "
            "cannot be a must-have while money stays optional (we use any 3 of 4).",
            "Urgency as pain felt now; we only see the months until the decision.",
        ),
        fits="Inside sales with many leads and a clear economic buyer to reach quickly.",
    ),
    "CHAMP": _framework(
        Criteria(
            min_budget_eur=0.0,
            min_authority="influencer",
            min_need="confirmed",
            max_timeline_months=0.0,
            min_met=3,
        ),
        _BUDGET_SHARE,
        _TIMELINE_CYCLES,
        name="CHAMP",
        origin="InsightSquared: challenges first, money negotiable.",
        letters=(
            ("CHallenges", "What problem hurts the buyer?", "need = confirmed"),
            ("Authority", "Who takes part in the decision?", "authority >= influencer"),
            ("Money", "Is there money? Negotiable.", "budget_eur >= 0.5 x the median deal"),
            ("Prioritization", "Is it a priority now?", "timeline_months <= 2 x the sales cycle"),
        ),
        cannot_express=(
            "That money in particular is the negotiable letter: 3 of 4 lets any one letter miss.",
            "Priority relative to the buyer's other projects; we only see the timeline.",
        ),
        fits="Solution sales where the problem drives the deal and budgets can be made.",
    ),
    "GPCTBA/C&I": _framework(
        Criteria(
            min_budget_eur=0.0,
            min_authority="influencer",
            min_need="latent",
            max_timeline_months=0.0,
            min_engagement=50,
            min_met=4,
        ),
        _BUDGET_SHARE,
        _TIMELINE_CYCLES,
        name="GPCTBA/C&I",
        origin="HubSpot: for inbound buyers who research before they talk to sales.",
        letters=(
            ("Goals", "What the buyer wants to achieve.", "need >= latent"),
            ("Plans", "How they plan to get there.", "engagement_score >= 50 (active planning)"),
            ("Challenges", "What stands in their way.", "need >= latent (same column as goals)"),
            ("Timeline", "When they act.", "timeline_months <= 2 x the sales cycle"),
            ("Budget", "Can they pay?", "budget_eur >= 0.5 x the median deal"),
            ("Authority", "Who decides.", "authority >= influencer"),
            ("Consequences & Implications", "What happens if they do nothing / succeed.", _NOT),
        ),
        cannot_express=(
            "Consequences & Implications: the cost of doing nothing is not a column.",
            "Goals, plans and challenges separately: one need level stands for all three.",
            "Plans directly: engagement is only a proxy for active planning.",
        ),
        fits="Consultative inbound sales, e.g. an agency selling projects (any 4 of 5 met).",
    ),
    "FAINT": _framework(
        Criteria(
            min_authority="influencer",
            min_need="latent",
            max_timeline_months=0.0,
            min_engagement=40,
            min_fit=60,
            unknown_meets=True,
        ),
        None,
        _FAINT_CYCLES,
        name="FAINT",
        origin="RAIN Group: Funds, not a budget line; for selling to buyers not yet buying.",
        letters=(
            ("Funds", "Can the company pay, with or without a budget line?", "fit_score >= 60"),
            ("Authority", "Can the contact reach the decision?", "authority >= influencer"),
            ("Interest", "Is the buyer interested?", "engagement_score >= 40"),
            ("Need", "Is there a need?", "need >= latent"),
            ("Timing", "Is there a time to act?", "timeline_months <= 3 x the sales cycle"),
        ),
        cannot_express=(
            "Funds directly: the fit score (company size and profile) is our proxy for a company "
            "that could pay; no budget criterion is applied.",
            "Interest the seller creates: engagement only shows interest already there.",
        ),
        fits="Proactive, high-value sales such as consulting, where budgets are made, not found "
        "(unknown counts as met: you qualify in, not out).",
    ),
    "MEDDIC": _framework(
        Criteria(min_authority="decision_maker", min_need="confirmed", min_engagement=60),
        None,
        None,
        name="MEDDIC",
        origin="PTC (Dick Dunkel, Jack Napoli, 1990s); MEDDPICC adds paper process & competition.",
        letters=(
            ("Metrics", "The quantified gain for the buyer.", "need = confirmed"),
            ("Economic buyer", "The person who signs.", "authority = decision_maker"),
            ("Decision criteria", "How they will compare offers.", _NOT),
            ("Decision process", "Steps and people until signature.", _NOT),
            ("Identify pain", "The pain behind the purchase.", "need = confirmed"),
            ("Champion", "An insider who sells for us.", "engagement_score >= 60 (proxy)"),
        ),
        cannot_express=(
            "Decision criteria and decision process: no column records them.",
            "A champion directly: engagement is only a proxy.",
            "Metrics as numbers: we only know whether the need is confirmed.",
        ),
        fits="Complex enterprise deals with long cycles and many stakeholders (all met).",
    ),
}

_ALIASES: dict[str, str] = {
    "BANT": "BANT",
    "ANUM": "ANUM",
    "CHAMP": "CHAMP",
    "GPCTBACI": "GPCTBA/C&I",
    "GPCTBA": "GPCTBA/C&I",
    "GPCT": "GPCTBA/C&I",
    "FAINT": "FAINT",
    "MEDDIC": "MEDDIC",
    "MEDDICC": "MEDDIC",
    "MEDDPICC": "MEDDIC",
}


def framework(name: str) -> Framework:
    """The framework called ``name`` (case-insensitive; "gpctba", "meddpicc" ... accepted)."""
    key = re.sub(r"[^A-Z]", "", name.upper()) if isinstance(name, str) else None
    try:
        return FRAMEWORKS[_ALIASES[key]]
    except KeyError:
        raise ValueError(
            f"Unknown framework {name!r}. Use one of: {', '.join(FRAMEWORKS)}."
        ) from None


def preset(name: str, context: str = "startup") -> Criteria:
    """The criteria of framework ``name`` for ``context`` (thresholds scaled to the context)."""
    return framework(name).for_context(context)
