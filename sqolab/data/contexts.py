"""The three business contexts of the article, with the published figures their samples follow.

Each profile records the figures the generator is calibrated to; `datasets/README.md` gives the
sources (see also the course's references).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqolab.data.schema import CONTEXTS


@dataclass(frozen=True)
class ContextProfile:
    """Typical figures of one context (EUR, months, hours)."""

    name: str
    title: str
    framework: str  # the qualification framework the context typically uses (a preset name)
    n_leads: int  # size of the shipped sample
    median_deal_eur: float
    deal_sigma: float  # log-normal spread of deal values
    cycle_months: float  # median months until the buyer decides
    median_sales_hours: float
    median_employees: float
    source_shares: dict[str, float]
    industries: tuple[str, ...]


PROFILES: dict[str, ContextProfile] = {
    "startup": ContextProfile(
        name="startup",
        title="B2B SaaS startup",
        framework="BANT",
        n_leads=3000,
        median_deal_eur=15_000,
        deal_sigma=0.75,
        cycle_months=1.5,
        median_sales_hours=9,
        median_employees=120,
        source_shares={
            "inbound": 0.30,
            "paid_search": 0.20,
            "outbound": 0.20,
            "social": 0.12,
            "event": 0.07,
            "referral": 0.08,
            "partner": 0.03,
        },
        industries=(
            "Software",
            "E-commerce",
            "Logistics",
            "Financial services",
            "Healthcare",
            "Manufacturing",
            "Education",
        ),
    ),
    "consultancy": ContextProfile(
        name="consultancy",
        title="Management consultancy",
        framework="FAINT",
        n_leads=1200,
        median_deal_eur=70_000,
        deal_sigma=0.5,
        cycle_months=3.0,
        median_sales_hours=35,
        median_employees=600,
        source_shares={
            "referral": 0.62,
            "event": 0.12,
            "inbound": 0.12,
            "partner": 0.07,
            "outbound": 0.05,
            "social": 0.02,
            "paid_search": 0.0,
        },
        industries=(
            "Manufacturing",
            "Financial services",
            "Public sector",
            "Energy",
            "Retail",
            "Healthcare",
            "Automotive",
        ),
    ),
    "agency": ContextProfile(
        name="agency",
        title="Digital marketing agency",
        framework="GPCTBA/C&I",
        n_leads=2000,
        median_deal_eur=60_000,
        deal_sigma=0.6,
        cycle_months=2.0,
        median_sales_hours=24,
        median_employees=45,
        source_shares={
            "referral": 0.42,
            "inbound": 0.20,
            "social": 0.13,
            "paid_search": 0.10,
            "event": 0.06,
            "outbound": 0.06,
            "partner": 0.03,
        },
        industries=(
            "Retail",
            "Hospitality",
            "E-commerce",
            "Real estate",
            "Healthcare",
            "Professional services",
            "Consumer goods",
        ),
    ),
}


def profile(context: str) -> ContextProfile:
    """The profile of a context ("startup", "consultancy" or "agency")."""
    try:
        return PROFILES[context]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown context {context!r}. Use one of: {', '.join(CONTEXTS)}."
        ) from None
