"""SQO Lab: the engine and sample pipelines of the course on Sales Qualified Opportunities.

Rooms: ``sqolab.data`` (schema, samples, generator, loading) -> ``sqolab.engine`` (criteria,
qualification, outcomes, trade-offs, forecasts) -> ``sqolab.figures``, ``sqolab.labs``,
``sqolab.practice``, ``sqolab.workshop``. Nothing imports upward (see ARCHITECTURE.md).

The names below are imported when first used (PEP 562), so that a process that needs one room
(the grader's worker, a Voila server) does not pay for importing every other.
"""

from __future__ import annotations

import importlib
from typing import Any

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


__all__ = sorted(_WHERE)
