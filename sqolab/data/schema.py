"""The lead data model: columns, their types and allowed values, and the error raised on bad data.

One table per pipeline, one row per lead that reached sales (MQL level). This module is the single
source of truth for the columns; the loader, the generator, the data dictionary and the Frictionless
descriptor are all checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

# Ordered levels, weakest first. "unknown" is not a level: it means the salesperson does not know.
AUTHORITY_LEVELS: tuple[str, ...] = ("user", "influencer", "decision_maker")
NEED_LEVELS: tuple[str, ...] = ("none", "latent", "confirmed")
UNKNOWN = "unknown"
SOURCES: tuple[str, ...] = (
    "inbound",
    "referral",
    "paid_search",
    "social",
    "event",
    "outbound",
    "partner",
)
OUTCOMES: tuple[str, ...] = ("won", "lost_competitor", "no_decision")
CONTEXTS: tuple[str, ...] = ("startup", "consultancy", "agency")

# Categorical dtypes. Authority and need put "unknown" first so that category codes are
# 0 = unknown and 1.. = the ordered levels: the engine compares codes without string work.
AUTHORITY_DTYPE = pd.CategoricalDtype((UNKNOWN, *AUTHORITY_LEVELS), ordered=True)
NEED_DTYPE = pd.CategoricalDtype((UNKNOWN, *NEED_LEVELS), ordered=True)
SOURCE_DTYPE = pd.CategoricalDtype(SOURCES)
OUTCOME_DTYPE = pd.CategoricalDtype(OUTCOMES)

Kind = Literal["str", "int", "float", "date", "category"]


@dataclass(frozen=True)
class Column:
    """One column of the lead table, as the data dictionary describes it."""

    name: str
    kind: Kind
    description: str
    required: bool = True  # must the column be present in a file?
    nullable: bool = False  # may a cell be empty? (empty = unknown)
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False  # True: value must be > minimum
    categories: tuple[str, ...] = field(default_factory=tuple)
    unique: bool = False
    unit: str = ""


LEAD_COLUMNS: tuple[Column, ...] = (
    Column("lead_id", "str", "Unique identifier of the lead.", unique=True),
    Column("company", "str", "Company name.", nullable=True),
    Column("industry", "str", "Industry of the company.", nullable=True),
    Column("country", "str", "Country of the company (ISO 3166 alpha-2 code).", nullable=True),
    Column("contact_title", "str", "Job title of the contact person.", nullable=True),
    Column("employees", "int", "Company size in employees.", minimum=1, unit="employees"),
    Column(
        "source",
        "category",
        "Channel that brought the lead.",
        categories=SOURCES,
    ),
    Column("campaign", "str", "Marketing campaign that produced the lead.", nullable=True),
    Column("created_on", "date", "Date the lead reached sales (MQL date).", nullable=True),
    Column(
        "budget_eur",
        "float",
        "Budget the buyer stated; empty = unknown.",
        nullable=True,
        minimum=0,
        unit="EUR",
    ),
    Column(
        "authority",
        "category",
        "Buying authority of the contact: user < influencer < decision_maker, or unknown.",
        categories=(*AUTHORITY_LEVELS, UNKNOWN),
    ),
    Column(
        "need",
        "category",
        "Need for the offer: none < latent < confirmed, or unknown.",
        categories=(*NEED_LEVELS, UNKNOWN),
    ),
    Column(
        "timeline_months",
        "float",
        "Months until the buyer intends to decide; empty = unknown.",
        nullable=True,
        minimum=0,
        unit="months",
    ),
    Column(
        "engagement_score",
        "int",
        "Behaviour score: visits, downloads, replies.",
        minimum=0,
        maximum=100,
        unit="points",
    ),
    Column(
        "fit_score",
        "int",
        "Match with the ideal customer profile.",
        minimum=0,
        maximum=100,
        unit="points",
    ),
    Column("competitors", "int", "Competing vendors in the evaluation.", minimum=0, unit="vendors"),
    Column(
        "deal_value_eur",
        "float",
        "Contract value if won.",
        minimum=0,
        exclusive_minimum=True,
        unit="EUR",
    ),
    Column(
        "sales_hours",
        "float",
        "Sales effort to work the lead as an SQO.",
        minimum=0,
        exclusive_minimum=True,
        unit="hours",
    ),
    Column(
        "outcome",
        "category",
        "What happens if sales pursues the lead. Known only because the data is simulated.",
        required=False,
        categories=OUTCOMES,
    ),
)

COLUMNS_BY_NAME: dict[str, Column] = {c.name: c for c in LEAD_COLUMNS}
LEAD_COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in LEAD_COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in LEAD_COLUMNS if c.required)

CAMPAIGN_COLUMNS: tuple[Column, ...] = (
    Column("campaign", "str", "Campaign name, as in the leads' `campaign` column.", unique=True),
    Column("channel", "category", "Channel of the campaign.", categories=SOURCES),
    Column("spend_eur", "float", "Total spend on the campaign in the year.", minimum=0, unit="EUR"),
)

ORCHARD_COLUMNS: tuple[Column, ...] = (
    Column("fruit_id", "str", "Unique identifier of the fruit.", unique=True),
    Column("tree", "str", "Tree the fruit hangs on."),
    Column(
        "ripeness",
        "int",
        "Ripeness the farmer judges by colour and feel (the lead score).",
        minimum=0,
        maximum=100,
        unit="points",
    ),
    Column("pick_minutes", "float", "Time to pick and pack the fruit.", minimum=0, unit="minutes"),
    Column(
        "price_eur", "float", "Price a customer pays if the fruit sells.", minimum=0, unit="EUR"
    ),
    Column(
        "sells",
        "category",
        "Would a customer buy the fruit if it were picked today? (simulated, like `outcome`)",
        categories=("yes", "no"),
    ),
)


@dataclass(frozen=True)
class Problem:
    """One problem found in a lead file: where it is, what was found, and how to fix it."""

    column: str | None
    message: str
    fix: str
    rows: tuple[int, ...] = ()  # spreadsheet row numbers (header = row 1)
    values: tuple[str, ...] = ()
    header: str = ""  # the user's own header, where their mapping renamed it to `column`

    def describe(self) -> str:
        """A one-paragraph, human-readable description."""
        yours = f" (your column '{self.header}')" if self.header else ""
        where = f"Column '{self.column}'{yours}: " if self.column else ""
        text = where + self.message
        if self.rows:
            shown = [
                f"row {r} ({self.values[i]!r})" if i < len(self.values) else f"row {r}"
                for i, r in enumerate(self.rows)
            ]
            text += f" First offending rows: {', '.join(shown)}."
        return f"{text} Fix: {self.fix}"


class LeadDataError(ValueError):
    """Bad lead data. The message names each problem's column, rows and values, and the fix."""

    def __init__(self, problems: list[Problem] | Problem | str, source: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem(None, problems, "see the data dictionary in datasets/README.md.")]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        head = f"Problems in {source}:" if source else "Problems in the lead data:"
        if len(self.problems) == 1:
            head = head.replace("Problems", "A problem")
        body = "\n".join(f"- {p.describe()}" for p in self.problems)
        super().__init__(f"{head}\n{body}")
