"""Hypothesis strategies for typed lead frames and valid criteria, shared by the engine tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from sqolab.data.schema import (
    AUTHORITY_DTYPE,
    AUTHORITY_LEVELS,
    LEAD_COLUMN_NAMES,
    NEED_DTYPE,
    NEED_LEVELS,
    OUTCOME_DTYPE,
    OUTCOMES,
    SOURCE_DTYPE,
    SOURCES,
    UNKNOWN,
)
from sqolab.engine.criteria import Criteria

NAN = float("nan")

# Few distinct values on purpose: ties and exact threshold hits are where bugs hide.
_budgets = st.one_of(
    st.just(NAN),
    st.sampled_from([0.0, 5_000.0, 7_500.0, 10_000.0, 35_000.0, 60_000.0]),
    st.floats(0, 200_000, allow_nan=False),
)
_timelines = st.one_of(
    st.just(NAN),
    st.sampled_from([0.0, 0.5, 1.5, 3.0, 4.0, 6.0, 12.0]),
    st.floats(0, 36, allow_nan=False),
)
_dates = st.one_of(
    st.just(pd.NaT),
    st.integers(0, 30).map(lambda d: pd.Timestamp("2025-10-01") + pd.Timedelta(days=d)),
)
_scores = st.one_of(st.sampled_from([0, 40, 50, 60, 100]), st.integers(0, 100))
_positive = st.one_of(st.sampled_from([1.0, 2.5, 10.0]), st.floats(0.5, 100, allow_nan=False))
_deals = st.one_of(st.sampled_from([1_000.0, 15_000.0]), st.floats(100, 100_000, allow_nan=False))


@st.composite
def lead_frames(
    draw: st.DrawFn, min_size: int = 0, max_size: int = 60, with_outcome: bool = True
) -> pd.DataFrame:
    """A valid lead frame with the schema's columns and dtypes (NaN budgets, unknown levels ...).

    The index is a shuffled set of integer labels (not 0..n-1) so that tests catch code that
    confuses positions with labels.
    """
    n = draw(st.integers(min_size, max_size))

    def column(strategy: st.SearchStrategy) -> list:
        return draw(st.lists(strategy, min_size=n, max_size=n))

    authority = column(st.sampled_from((UNKNOWN, *AUTHORITY_LEVELS)))
    need = column(st.sampled_from((UNKNOWN, *NEED_LEVELS)))
    data = {
        "lead_id": pd.array([f"L-{i:04d}" for i in range(n)], dtype="string"),
        "company": pd.array([f"Company {i}" for i in range(n)], dtype="string"),
        "industry": pd.array(["Software"] * n, dtype="string"),
        "country": pd.array(["DE"] * n, dtype="string"),
        "contact_title": pd.array(["CEO"] * n, dtype="string"),
        "employees": np.array(column(st.integers(1, 5000)), dtype=np.int64),
        "source": pd.Categorical(column(st.sampled_from(SOURCES)), dtype=SOURCE_DTYPE),
        "campaign": pd.array(["Webinar"] * n, dtype="string"),
        "created_on": pd.Series(column(_dates), dtype="datetime64[ns]").to_numpy(),
        "budget_eur": np.array(column(_budgets), dtype=np.float64),
        "authority": pd.Categorical(authority, dtype=AUTHORITY_DTYPE),
        "need": pd.Categorical(need, dtype=NEED_DTYPE),
        "timeline_months": np.array(column(_timelines), dtype=np.float64),
        "engagement_score": np.array(column(_scores), dtype=np.int64),
        "fit_score": np.array(column(_scores), dtype=np.int64),
        "competitors": np.array(column(st.integers(0, 8)), dtype=np.int64),
        "deal_value_eur": np.array(column(_deals), dtype=np.float64),
        "sales_hours": np.array(column(_positive), dtype=np.float64),
    }
    if with_outcome:
        data["outcome"] = pd.Categorical(column(st.sampled_from(OUTCOMES)), dtype=OUTCOME_DTYPE)
    labels = draw(st.permutations(list(range(100, 100 + 3 * n, 3)))) if n else []
    columns = [c for c in LEAD_COLUMN_NAMES if c in data]
    return pd.DataFrame(data, columns=columns, index=pd.Index(labels, dtype=np.int64))


@st.composite
def criteria_strategy(draw: st.DrawFn) -> Criteria:
    """A valid Criteria: any subset of the six criteria, any valid min_met, unknown_meets."""
    budget = draw(st.none() | st.sampled_from([0.0, 7_500.0, 10_000.0]) | st.floats(0, 150_000))
    authority = draw(st.none() | st.sampled_from(AUTHORITY_LEVELS))
    need = draw(st.none() | st.sampled_from(NEED_LEVELS))
    timeline = draw(st.none() | st.sampled_from([0.0, 1.5, 3.0, 6.0]) | st.floats(0, 24))
    engagement = draw(st.none() | st.sampled_from([0, 40, 50, 60]) | st.integers(0, 100))
    fit = draw(st.none() | st.sampled_from([0, 50, 60, 100]) | st.floats(0, 100))
    n_applied = sum(v is not None for v in (budget, authority, need, timeline, engagement, fit))
    min_met = draw(st.none() | st.integers(0, n_applied))
    return Criteria(
        min_budget_eur=budget,
        min_authority=authority,
        min_need=need,
        max_timeline_months=timeline,
        min_engagement=engagement,
        min_fit=fit,
        min_met=min_met,
        unknown_meets=draw(st.booleans()),
    )


_DEFAULTS = {
    "budget_eur": NAN,
    "authority": UNKNOWN,
    "need": UNKNOWN,
    "timeline_months": NAN,
    "engagement_score": 50,
    "fit_score": 50,
    "competitors": 0,
    "deal_value_eur": 10_000.0,
    "sales_hours": 10.0,
    "created_on": None,
    "outcome": "no_decision",
}


def typed_frame(rows: list[dict], index: list | None = None, outcome: bool = True) -> pd.DataFrame:
    """A typed lead frame from a few hand-written rows; unspecified columns get dull defaults."""
    n = len(rows)

    def get(name: str) -> list:
        return [r.get(name, _DEFAULTS.get(name)) for r in rows]

    data = {
        "lead_id": pd.array([f"H-{i}" for i in range(n)], dtype="string"),
        "company": pd.array(["Acme"] * n, dtype="string"),
        "industry": pd.array(["Software"] * n, dtype="string"),
        "country": pd.array(["DE"] * n, dtype="string"),
        "contact_title": pd.array(["CEO"] * n, dtype="string"),
        "employees": np.full(n, 10, dtype=np.int64),
        "source": pd.Categorical(["inbound"] * n, dtype=SOURCE_DTYPE),
        "campaign": pd.array(["Webinar"] * n, dtype="string"),
        "created_on": pd.Series(get("created_on"), dtype="datetime64[ns]").to_numpy(),
        "budget_eur": np.array(get("budget_eur"), dtype=np.float64),
        "authority": pd.Categorical(get("authority"), dtype=AUTHORITY_DTYPE),
        "need": pd.Categorical(get("need"), dtype=NEED_DTYPE),
        "timeline_months": np.array(get("timeline_months"), dtype=np.float64),
        "engagement_score": np.array(get("engagement_score"), dtype=np.int64),
        "fit_score": np.array(get("fit_score"), dtype=np.int64),
        "competitors": np.array(get("competitors"), dtype=np.int64),
        "deal_value_eur": np.array(get("deal_value_eur"), dtype=np.float64),
        "sales_hours": np.array(get("sales_hours"), dtype=np.float64),
    }
    if outcome:
        data["outcome"] = pd.Categorical(get("outcome"), dtype=OUTCOME_DTYPE)
    columns = [c for c in LEAD_COLUMN_NAMES if c in data]
    return pd.DataFrame(data, columns=columns, index=index)


# Shared hypothesis settings: no per-example deadline (CI machines vary), default example count.
SETTINGS = settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
