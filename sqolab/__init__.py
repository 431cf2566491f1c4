"""SQO Lab: the engine and sample pipelines of the course on Sales Qualified Opportunities.

Rooms: ``sqolab.data`` (schema, samples, generator, loading) -> ``sqolab.engine`` (criteria,
qualification, outcomes, trade-offs, forecasts) -> ``sqolab.figures``, ``sqolab.labs``,
``sqolab.practice``, ``sqolab.workshop``. Nothing imports upward (see ARCHITECTURE.md).

The names below are imported when first used (PEP 562), so that a process that needs one room
(the grader's worker, a Voila server) does not pay for importing every other.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqolab.data.contexts import PROFILES, ContextProfile
    from sqolab.data.generator import generate_campaigns, generate_leads, generate_orchard
    from sqolab.data.loading import read_campaigns, read_leads, read_orchard, validate_leads
    from sqolab.data.samples import load_campaigns, load_orchard, load_sample, write_samples
    from sqolab.data.schema import (
        AUTHORITY_LEVELS,
        CONTEXTS,
        LEAD_COLUMNS,
        NEED_LEVELS,
        OUTCOMES,
        SOURCES,
        LeadDataError,
        Problem,
    )
    from sqolab.engine.criteria import (
        FRAMEWORKS,
        Criteria,
        Framework,
        criteria_met,
        preset,
        qualify,
    )
    from sqolab.engine.forecasts import forecast_error, forecast_summary
    from sqolab.engine.outcomes import Outcome, evaluate
    from sqolab.engine.reports import campaign_report, competition_effect
    from sqolab.engine.scoring import DEFAULT_WEIGHTS, lead_score
    from sqolab.engine.tradeoffs import best_threshold, tradeoff_curve

_WHERE = {
    "AUTHORITY_LEVELS": "sqolab.data.schema",
    "CONTEXTS": "sqolab.data.schema",
    "ContextProfile": "sqolab.data.contexts",
    "Criteria": "sqolab.engine.criteria",
    "DEFAULT_WEIGHTS": "sqolab.engine.scoring",
    "FRAMEWORKS": "sqolab.engine.criteria",
    "Framework": "sqolab.engine.criteria",
    "LEAD_COLUMNS": "sqolab.data.schema",
    "LeadDataError": "sqolab.data.schema",
    "NEED_LEVELS": "sqolab.data.schema",
    "OUTCOMES": "sqolab.data.schema",
    "Outcome": "sqolab.engine.outcomes",
    "PROFILES": "sqolab.data.contexts",
    "Problem": "sqolab.data.schema",
    "SOURCES": "sqolab.data.schema",
    "best_threshold": "sqolab.engine.tradeoffs",
    "campaign_report": "sqolab.engine.reports",
    "competition_effect": "sqolab.engine.reports",
    "criteria_met": "sqolab.engine.criteria",
    "evaluate": "sqolab.engine.outcomes",
    "forecast_error": "sqolab.engine.forecasts",
    "forecast_summary": "sqolab.engine.forecasts",
    "generate_campaigns": "sqolab.data.generator",
    "generate_leads": "sqolab.data.generator",
    "generate_orchard": "sqolab.data.generator",
    "lead_score": "sqolab.engine.scoring",
    "load_campaigns": "sqolab.data.samples",
    "load_orchard": "sqolab.data.samples",
    "load_sample": "sqolab.data.samples",
    "preset": "sqolab.engine.criteria",
    "qualify": "sqolab.engine.criteria",
    "read_campaigns": "sqolab.data.loading",
    "read_leads": "sqolab.data.loading",
    "read_orchard": "sqolab.data.loading",
    "tradeoff_curve": "sqolab.engine.tradeoffs",
    "validate_leads": "sqolab.data.loading",
    "write_samples": "sqolab.data.samples",
}
"""Each public name and the module that defines it."""


def __getattr__(name: str) -> Any:
    """Import a public name on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'sqolab' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "AUTHORITY_LEVELS",
    "CONTEXTS",
    "DEFAULT_WEIGHTS",
    "FRAMEWORKS",
    "LEAD_COLUMNS",
    "NEED_LEVELS",
    "OUTCOMES",
    "PROFILES",
    "SOURCES",
    "ContextProfile",
    "Criteria",
    "Framework",
    "LeadDataError",
    "Outcome",
    "Problem",
    "best_threshold",
    "campaign_report",
    "competition_effect",
    "criteria_met",
    "evaluate",
    "forecast_error",
    "forecast_summary",
    "generate_campaigns",
    "generate_leads",
    "generate_orchard",
    "lead_score",
    "load_campaigns",
    "load_orchard",
    "load_sample",
    "preset",
    "qualify",
    "read_campaigns",
    "read_leads",
    "read_orchard",
    "tradeoff_curve",
    "validate_leads",
    "write_samples",
]
