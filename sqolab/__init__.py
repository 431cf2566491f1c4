"""SQO Lab: the engine and sample pipelines of the course on Sales Qualified Opportunities.

Rooms: ``sqolab.data`` (schema, samples, generator, loading) -> ``sqolab.engine`` (criteria,
qualification, outcomes, trade-offs, forecasts) -> ``sqolab.figures``, ``sqolab.labs``,
``sqolab.practice``, ``sqolab.workshop``. Nothing imports upward (see ARCHITECTURE.md).
"""

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
from sqolab.engine.criteria import FRAMEWORKS, Criteria, Framework, criteria_met, preset, qualify
from sqolab.engine.forecasts import forecast_error, forecast_summary
from sqolab.engine.outcomes import Outcome, evaluate
from sqolab.engine.reports import campaign_report, competition_effect
from sqolab.engine.scoring import DEFAULT_WEIGHTS, lead_score
from sqolab.engine.tradeoffs import best_threshold, tradeoff_curve

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
