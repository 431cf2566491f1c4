"""What several labs share: context and framework choices, the control texts, slider steps."""

from __future__ import annotations

import numpy as np

from sqolab.data.contexts import PROFILES
from sqolab.data.schema import CONTEXTS
from sqolab.engine.criteria import FRAMEWORKS

CUSTOM = "custom"
"""Value of the preset dropdown when the criteria were set by hand."""

CONTEXT_OPTIONS: list[tuple[str, str]] = [(PROFILES[c].title, c) for c in CONTEXTS]
FRAMEWORK_OPTIONS: list[tuple[str, str]] = [(name, name) for name in FRAMEWORKS]

TIPS: dict[str, str] = {
    "context": "The business whose simulated leads you qualify: a B2B SaaS startup, a consultancy "
    "or a digital marketing agency. Each has its own deal sizes, sales cycle and lead sources.",
    "preset": "Fill in the criteria of a classic qualification framework (BANT, ANUM, CHAMP, "
    "GPCTBA/C&I, FAINT, MEDDIC), scaled to this context's deal size and sales cycle. Changing a "
    "criterion by hand switches this to 'custom'.",
    "use_budget": "Apply the budget criterion: the buyer must have stated a budget of at least the "
    "amount on the slider.",
    "budget": "Budget: the smallest budget the buyer must have stated, in euros. Leads with an "
    "unknown budget meet it only if 'unknown counts as met' is ticked.",
    "authority": "Authority: the contact must be at least this senior in the buying decision "
    "(user < influencer < decision maker). 'not applied' ignores authority.",
    "need": "Need: the buyer must have at least this need for the offer (none < latent < "
    "confirmed). 'not applied' ignores need.",
    "use_timeline": "Apply the timeline criterion: the buyer must intend to decide within the "
    "months on the slider.",
    "timeline": "Timeline: the latest the buyer may decide, in months from now. Leads with an "
    "unknown timeline meet it only if 'unknown counts as met' is ticked.",
    "use_engagement": "Apply the engagement criterion (behaviour: visits, downloads, replies).",
    "engagement": "Engagement: the smallest engagement score (0-100 points) the lead must have "
    "earned through visits, downloads and replies.",
    "use_fit": "Apply the fit criterion (match with the ideal customer profile).",
    "fit": "Fit: the smallest fit score (0-100 points): how well the company matches the ideal "
    "customer profile (size, industry, country).",
    "min_met": "How many of the applied criteria a lead must meet to become an SQO. The maximum "
    "is the number of criteria applied (a strict gate); fewer makes it a flexible k-of-n rule.",
    "unknown_meets": "What to do when sales does not know a value (budget, timeline, authority or "
    "need): ticked, the unknown value counts as met (qualify in); unticked, as not met.",
    "threshold": "Lead score threshold: a lead is an SQO when its score (0-100 points, combining "
    "fit, engagement, budget, authority, need and timeline) is at least this. Higher is stricter.",
    "capacity": "Sales capacity: the hours the sales team can spend in the period. SQOs are "
    "worked best score first until the hours run out.",
}


def nice_step(value: float) -> float:
    """A round slider step of about ``value`` (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** np.floor(np.log10(value))
    for m in (1, 2, 5, 10):
        if value <= m * power:
            return float(m * power)
    return float(10 * power)
