"""Seeded generator of the sample pipelines, their campaigns and the orchard.

The generative model is documented in ``datasets/README.md`` with the published figure each part is
calibrated to. In short: every lead has a hidden quality ``q`` (shifted by the campaign that brought
it); the columns a salesperson sees (fit, engagement, authority, need, budget, timeline) are noisy
readings of ``q``; the chance to win rises with those columns, falls with competitors, and carries a
hidden part no criterion sees (champion, internal politics), so wins and losses are noisy across
every criterion. Competitors are drawn to high-fit, high-value leads. Losses split into lost to a
competitor (more likely the more competitors there are) and no decision.

Run ``python -m sqolab.data`` to rewrite the files in ``datasets/``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sqolab.data.contexts import ContextProfile, profile
from sqolab.data.schema import (
    AUTHORITY_DTYPE,
    AUTHORITY_LEVELS,
    CONTEXTS,
    LEAD_COLUMN_NAMES,
    NEED_DTYPE,
    OUTCOME_DTYPE,
    SOURCE_DTYPE,
    UNKNOWN,
)
from sqolab.data.worlds import DEFAULT_WORLD, World

YEAR_START = np.datetime64("2025-10-01")  # the samples cover one fiscal year, Oct 2025 - Sep 2026


@dataclass(frozen=True)
class Campaign:
    """A campaign: its channel, the lead quality it brings, cost per lead and flight months."""

    name: str
    channel: str
    share: float  # share of its channel's leads
    quality: float  # shift of the hidden quality q
    engagement: float  # shift of the engagement score in points
    cost_per_lead_eur: float
    months: tuple[int, int] = (0, 11)  # first and last month of the fiscal year (0 = October)


CAMPAIGNS: dict[str, tuple[Campaign, ...]] = {
    "startup": (
        Campaign("Organic search and blog", "inbound", 0.55, 0.2, 4, 45),
        Campaign("Free trial sign-ups", "inbound", 0.45, 0.35, 10, 60),
        Campaign("Google Ads: brand terms", "paid_search", 0.35, 0.35, 5, 90),
        Campaign("Google Ads: generic terms", "paid_search", 0.65, -0.5, 0, 110),
        Campaign("LinkedIn e-book lead-gen", "social", 1.0, -1.0, -4, 30, (2, 8)),
        Campaign("Webinar series: forecasting", "event", 0.6, 0.15, 8, 140, (4, 9)),
        Campaign("SaaS Summit booth", "event", 0.4, -0.25, -3, 320, (6, 6)),
        Campaign("SDR outbound: mid-market", "outbound", 1.0, -0.3, -10, 220),
        Campaign("Customer referral programme", "referral", 1.0, 0.9, 5, 40),
        Campaign("Reseller partners", "partner", 1.0, 0.4, 0, 150),
    ),
    "consultancy": (
        Campaign("Client referrals", "referral", 0.7, 0.7, 2, 50),
        Campaign("Alumni network", "referral", 0.3, 0.45, 0, 30),
        Campaign("Industry conference talks", "event", 0.6, 0.0, 5, 500, (1, 8)),
        Campaign("CFO roundtable dinners", "event", 0.4, 0.4, 6, 900, (3, 10)),
        Campaign("Whitepaper: supply-chain resilience", "inbound", 0.5, -0.9, -2, 25, (0, 6)),
        Campaign("Website enquiries", "inbound", 0.5, 0.2, 3, 150),
        Campaign("Software partner referrals", "partner", 1.0, 0.3, 0, 200),
        Campaign("Partner-led outreach", "outbound", 1.0, -0.4, -10, 600),
        Campaign("LinkedIn thought leadership", "social", 1.0, -0.7, -5, 90),
    ),
    "agency": (
        Campaign("Client referrals", "referral", 1.0, 0.7, 3, 40),
        Campaign("Website audit requests", "inbound", 0.55, 0.15, 6, 70),
        Campaign("Free SEO checklist download", "inbound", 0.45, -1.3, -4, 20, (3, 11)),
        Campaign("Instagram ads: local businesses", "social", 1.0, -1.2, -3, 30, (0, 7)),
        Campaign("Google Ads: marketing agency near me", "paid_search", 1.0, -0.1, 0, 95),
        Campaign("Local business expo", "event", 1.0, 0.0, 2, 180, (5, 6)),
        Campaign("Cold email: e-commerce shops", "outbound", 1.0, -0.6, -10, 110),
        Campaign("Web developer partners", "partner", 1.0, 0.3, 0, 80),
    ),
}


@dataclass(frozen=True)
class WinModel:
    """Log-odds of winning a lead if sales pursues it; one intercept per context."""

    intercept: dict[str, float]
    fit: float = 0.7  # per standard deviation of the fit score
    engagement: float = 0.45
    authority: tuple[float, float, float, float] = (
        -0.2,
        -0.6,
        0.0,
        0.5,
    )  # unknown, user, infl., dm
    need: tuple[float, float, float, float] = (
        -0.3,
        -1.4,
        -0.3,
        0.6,
    )  # unknown, none, latent, conf.
    timeline: float = -0.5  # per log-ratio of the timeline to the context's cycle
    timeline_unknown: float = -0.15
    budget: float = 0.6  # per log-ratio of stated budget to deal value (capped)
    budget_unknown: float = -0.1
    referral: float = 0.5
    per_competitor: float = -0.6
    hidden: float = 0.9  # what no column shows (champion, politics, luck)
    competitor_loss: float = 0.7  # P(lost to a competitor | lost) = 1 - exp(-this x competitors)


WIN_MODEL = WinModel(intercept={"startup": -1.15, "consultancy": -1.55, "agency": -1.2})

# Per context: chance that budget, timeline and authority are unknown, and competitor base rate.
UNKNOWN_BUDGET = {"startup": 0.28, "consultancy": 0.42, "agency": 0.30}
UNKNOWN_TIMELINE = {"startup": 0.20, "consultancy": 0.22, "agency": 0.25}
UNKNOWN_AUTHORITY = {"startup": 0.08, "consultancy": 0.05, "agency": 0.10}
UNKNOWN_NEED = 0.08
COMPETITOR_BASE = {"startup": 1.4, "consultancy": 1.2, "agency": 1.6}

COUNTRIES = {
    "startup": (
        ("DE", "AT", "CH", "NL", "FR", "GB", "PL"),
        (0.42, 0.1, 0.1, 0.12, 0.08, 0.12, 0.06),
    ),
    "consultancy": (("DE", "AT", "CH"), (0.7, 0.15, 0.15)),
    "agency": (("DE", "AT", "CH"), (0.8, 0.12, 0.08)),
}
LEGAL_FORM = {
    "DE": "GmbH",
    "AT": "GmbH",
    "CH": "AG",
    "NL": "B.V.",
    "FR": "SAS",
    "GB": "Ltd",
    "PL": "Sp. z o.o.",
}
NAME_PARTS = (
    (
        "Nord",
        "Alpen",
        "Rhein",
        "Hansa",
        "Vista",
        "Nova",
        "Kraft",
        "Lumen",
        "Terra",
        "Blau",
        "Falken",
        "Linden",
        "Stern",
        "Brücken",
        "Quell",
        "Weit",
        "Helix",
        "Orbit",
        "Ceder",
        "Polar",
    ),
    (
        "tech",
        "soft",
        "werk",
        "logistik",
        "data",
        "systeme",
        "labs",
        "handel",
        "bau",
        "media",
        "consult",
        "wave",
        "works",
        "line",
        "kontor",
    ),
)
TITLES = {
    "decision_maker": ("CEO", "Managing Director", "CFO", "VP Sales", "Head of Marketing", "Owner"),
    "influencer": (
        "Head of Operations",
        "IT Manager",
        "Marketing Manager",
        "Team Lead",
        "Controller",
    ),
    "user": ("Sales Representative", "Analyst", "Marketing Specialist", "Office Manager"),
    UNKNOWN: ("Project Manager", "Consultant", "Assistant", "Info"),
}
ID_PREFIX = {"startup": "ST", "consultancy": "CO", "agency": "AG"}


def _campaign_of_each_lead(
    rng: np.random.Generator, prof: ContextProfile, campaigns: tuple[Campaign, ...], n: int
) -> np.ndarray:
    """Index into ``campaigns`` for each lead: channel by the source shares, then campaign."""
    p = np.array([prof.source_shares.get(c.channel, 0.0) * c.share for c in campaigns])
    return rng.choice(len(campaigns), size=n, p=p / p.sum())


def _dates(
    rng: np.random.Generator, campaigns: tuple[Campaign, ...], idx: np.ndarray
) -> np.ndarray:
    """A creation date within each lead's campaign flight."""
    month_starts = np.array(
        [np.datetime64("2025-10") + np.timedelta64(m, "M") for m in range(13)],
        dtype="datetime64[D]",
    )
    first = np.array([c.months[0] for c in campaigns])[idx]
    last = np.array([c.months[1] for c in campaigns])[idx]
    start = month_starts[first]
    span = (month_starts[last + 1] - start).astype(int)
    return start + (rng.random(len(idx)) * span).astype("timedelta64[D]")


def _levels(latent: np.ndarray, cuts: tuple[float, float], unknown: np.ndarray) -> np.ndarray:
    """Category codes 1..3 from a latent value and two cut points; 0 where unknown."""
    codes = 1 + (latent > cuts[0]).astype(np.int8) + (latent > cuts[1]).astype(np.int8)
    return np.where(unknown, 0, codes).astype(np.int8)


def _unknown(draws: np.ndarray, share: float, q: np.ndarray, hiding: float) -> np.ndarray:
    """Which values are unknown: ``share`` of them at random, or more often for weak buyers.

    With ``hiding`` > 0 the chance is ``logistic(a - hiding x q)``: a buyer of low hidden quality
    ``q`` hides the value more often (missing not at random); ``a`` is set so that ``share`` of all
    values are still unknown, so only *who* hides changes, not how many.
    """
    if hiding == 0 or len(q) == 0:
        return draws < share
    low, high = -20.0, 20.0
    for _ in range(60):  # bisection: the mean chance rises with a
        a = (low + high) / 2
        if np.mean(1 / (1 + np.exp(hiding * q - a))) < share:
            low = a
        else:
            high = a
    return draws < 1 / (1 + np.exp(hiding * q - (low + high) / 2))


def seen_logit(
    context: str,
    fit: np.ndarray,
    engagement: np.ndarray,
    authority: np.ndarray,
    need: np.ndarray,
    timeline: np.ndarray,
    budget: np.ndarray,
    deal: np.ndarray,
    referral: np.ndarray,
    competitors: np.ndarray,
    world: World = DEFAULT_WORLD,
) -> np.ndarray:
    """The log-odds of winning from what the columns show (step 8 without the hidden part).

    ``authority`` and ``need`` are category codes (0 = unknown); ``timeline`` and ``budget`` are
    NaN where unknown.
    """
    m = WIN_MODEL
    prof = profile(context)
    fit_z = (fit - 50) / 17
    return (
        m.intercept[context]
        + world.signal * m.fit * fit_z
        + world.signal * m.engagement * (engagement - 48) / 18
        + np.asarray(m.authority)[authority]
        + np.asarray(m.need)[need]
        + np.where(
            np.isnan(timeline),
            m.timeline_unknown,
            np.clip(m.timeline * np.log(timeline / prof.cycle_months), -1.0, 0.8),
        )
        + np.where(
            np.isnan(budget),
            m.budget_unknown,
            m.budget * np.clip(np.log((budget + 1) / deal), -2, 0.5),
        )
        + m.referral * referral
        + m.per_competitor * competitors
    )


def generate_leads(
    context: str, n: int | None = None, seed: int = 0, world: World | None = None
) -> pd.DataFrame:
    """Simulate ``n`` leads of a context (default: the sample size), with their outcomes.

    ``world`` switches the modelling choices behind some of the course's conclusions (see
    :mod:`sqolab.data.worlds`); the default world gives the shipped samples.
    """
    prof = profile(context)
    world = DEFAULT_WORLD if world is None else world
    if not isinstance(world, World):
        raise TypeError(f"world must be a sqolab World, got {type(world).__name__}.")
    n = prof.n_leads if n is None else n
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ValueError(f"n must be a whole number >= 0, got {n!r}.")
    rng = np.random.default_rng([seed, CONTEXTS.index(context)])
    campaigns = CAMPAIGNS[context]
    cidx = _campaign_of_each_lead(rng, prof, campaigns, n)
    channel = np.array([c.channel for c in campaigns])[cidx]
    q = rng.normal(np.array([c.quality for c in campaigns])[cidx], 1.0)

    def noisy(weight: float) -> np.ndarray:
        return weight * q + np.sqrt(1 - weight**2) * rng.standard_normal(n)

    fit = np.clip(np.rint(50 + 17 * noisy(0.75)), 0, 100).astype(np.int64)
    eng_shift = np.array([c.engagement for c in campaigns])[cidx]
    engagement = np.clip(np.rint(48 + 18 * noisy(0.55) + eng_shift), 0, 100).astype(np.int64)
    authority = _levels(noisy(0.45), (-0.4, 0.65), rng.random(n) < UNKNOWN_AUTHORITY[context])
    need = _levels(noisy(0.6), (-0.7, 0.35), rng.random(n) < UNKNOWN_NEED)

    employees = np.maximum(1, np.rint(prof.median_employees * np.exp(rng.normal(0, 1.0, n))))
    size_effect = 0.25 * np.log(employees / prof.median_employees)
    log_deal = np.log(prof.median_deal_eur) + size_effect + prof.deal_sigma * rng.standard_normal(n)
    deal = np.maximum(500.0, np.round(np.exp(log_deal), -2))

    timeline = prof.cycle_months * np.exp(-0.3 * q + 0.7 * rng.standard_normal(n))
    timeline = np.maximum(0.5, np.round(timeline * 2) / 2)
    timeline[_unknown(rng.random(n), UNKNOWN_TIMELINE[context], q, world.hiding)] = np.nan

    budget = deal * np.exp(0.35 * q - 0.15 + 0.5 * rng.standard_normal(n))
    budget = np.round(budget / 500) * 500
    budget[_unknown(rng.random(n), UNKNOWN_BUDGET[context], q, world.hiding)] = np.nan

    fit_z = (fit - 50) / 17
    referral = channel == "referral"
    lam = COMPETITOR_BASE[context] * np.exp(
        world.crowding * (0.45 * fit_z + 0.35 * (log_deal - np.log(prof.median_deal_eur)))
    )
    lam = np.where(referral, 0.6**world.crowding * lam, lam)
    competitors = np.minimum(rng.poisson(lam), 8).astype(np.int64)

    hours = prof.median_sales_hours * (deal / prof.median_deal_eur) ** 0.4
    hours = hours * np.exp(0.35 * rng.standard_normal(n)) * (1 + 0.1 * competitors)
    hours = np.maximum(0.5, np.round(hours * 2) / 2)

    m = WIN_MODEL
    seen = seen_logit(
        context, fit, engagement, authority, need, timeline, budget, deal, referral, competitors,
        world,
    )  # fmt: skip
    logit = seen + m.hidden * rng.standard_normal(n)
    won = rng.random(n) < 1 / (1 + np.exp(-logit))
    to_competitor = rng.random(n) < 1 - np.exp(-m.competitor_loss * competitors)
    outcome = np.where(won, 0, np.where(to_competitor, 1, 2)).astype(np.int8)

    country_names, country_p = COUNTRIES[context]
    country = np.asarray(country_names)[rng.choice(len(country_names), size=n, p=country_p)]
    first, second = (np.asarray(p, dtype=object) for p in NAME_PARTS)
    legal = np.vectorize(LEGAL_FORM.get, otypes=[object])(country) if n else country
    company = (
        first[rng.integers(0, len(first), n)]
        + second[rng.integers(0, len(second), n)]
        + " "
        + legal
    )
    industries = np.asarray(prof.industries, dtype=object)
    title = np.empty(n, dtype=object)
    draws = rng.random(n)
    for code, level in enumerate((UNKNOWN, *AUTHORITY_LEVELS)):
        options = np.asarray(TITLES[level], dtype=object)
        pick = authority == code
        title[pick] = options[(draws[pick] * len(options)).astype(int)]

    prefix = ID_PREFIX[context]
    leads = pd.DataFrame(
        {
            "lead_id": pd.array([f"{prefix}-{i:06d}" for i in range(1, n + 1)], dtype="str"),
            "company": pd.array(company, dtype="str"),
            "industry": pd.array(industries[rng.integers(0, len(industries), n)], dtype="str"),
            "country": pd.array(country, dtype="str"),
            "contact_title": pd.array(title, dtype="str"),
            "employees": employees.astype(np.int64),
            "source": pd.Categorical(channel, dtype=SOURCE_DTYPE),
            "campaign": pd.array(
                np.array([c.name for c in campaigns], dtype=object)[cidx], dtype="str"
            ),
            "created_on": pd.to_datetime(_dates(rng, campaigns, cidx)).astype("datetime64[ns]"),
            "budget_eur": budget,
            "authority": pd.Categorical.from_codes(authority, dtype=AUTHORITY_DTYPE),
            "need": pd.Categorical.from_codes(need, dtype=NEED_DTYPE),
            "timeline_months": timeline,
            "engagement_score": engagement,
            "fit_score": fit,
            "competitors": competitors,
            "deal_value_eur": deal,
            "sales_hours": hours,
            "outcome": pd.Categorical.from_codes(outcome, dtype=OUTCOME_DTYPE),
        },
        columns=list(LEAD_COLUMN_NAMES),
    )
    return leads


def generate_campaigns(context: str, n: int | None = None, seed: int = 0) -> pd.DataFrame:
    """The campaigns table of a context: channel and yearly spend for a pipeline of ``n`` leads."""
    prof = profile(context)
    n = prof.n_leads if n is None else n
    campaigns = CAMPAIGNS[context]
    rng = np.random.default_rng([seed, CONTEXTS.index(context), 1])
    share = np.array([prof.source_shares.get(c.channel, 0.0) * c.share for c in campaigns])
    share = share / share.sum()
    cpl = np.array([c.cost_per_lead_eur for c in campaigns])
    spend = np.round(cpl * share * n * np.exp(rng.normal(0, 0.1, len(campaigns))), -2)
    return pd.DataFrame(
        {
            "campaign": pd.array([c.name for c in campaigns], dtype="str"),
            "channel": pd.Categorical([c.channel for c in campaigns], dtype=SOURCE_DTYPE),
            "spend_eur": spend.astype(float),
        }
    )


def generate_orchard(n: int | None = None, seed: int = 0) -> pd.DataFrame:
    """The farmer's orchard: fruit with the ripeness the farmer sees and whether it would sell."""
    n = 2000 if n is None else n
    rng = np.random.default_rng([seed, 99])
    true_ripeness = rng.beta(2.2, 1.8, n)  # 0 = green, 1 = perfectly ripe
    seen = np.clip(np.rint(100 * (true_ripeness + rng.normal(0, 0.12, n))), 0, 100).astype(np.int64)
    sells = rng.random(n) < 1 / (1 + np.exp(-12 * (true_ripeness - 0.6)))
    trees = 40
    return pd.DataFrame(
        {
            "fruit_id": pd.array([f"F-{i:05d}" for i in range(1, n + 1)], dtype="str"),
            "tree": pd.array([f"T-{t:02d}" for t in rng.integers(1, trees + 1, n)], dtype="str"),
            "ripeness": seen,
            "pick_minutes": np.maximum(0.2, np.round(rng.gamma(4, 0.25, n), 1)),
            "price_eur": np.round(rng.uniform(0.4, 1.2, n), 2),
            "sells": pd.Categorical(np.where(sells, "yes", "no"), categories=("yes", "no")),
        }
    )


def to_csv_text(frame: pd.DataFrame) -> str:
    """The canonical CSV text of a generated table (comma, ISO dates, empty = unknown)."""
    return frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d")
