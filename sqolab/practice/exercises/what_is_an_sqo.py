"""Practice for chapter 1, What is an SQO?: the funnel, criteria applied by hand and in code."""

from __future__ import annotations

from sqolab.engine.criteria import (
    CRITERION_COLUMNS,
    CRITERION_FIELDS,
    FRAMEWORKS,
    Criteria,
    criteria_met,
    preset,
    qualify,
)
from sqolab.practice.checks import Choice, Exercise, Items, Misconception, Number, Question
from sqolab.practice.exercises._common import sample

CHAPTER = "what_is_an_sqo"
FUNNEL = ("lead", "MQL", "SAL", "SQL", "SQO", "won")
"""The course's funnel stages, first to last."""
SHUFFLED_FUNNEL = ["SQO", "lead", "won", "SAL", "SQL", "MQL"]
"""The stages as the exercise hands them out."""
LEAD_ID = "ST-000046"
"""The startup lead the learner qualifies by hand."""
CRITERIA = ("budget", "authority", "need", "timeline", "engagement", "fit")


def _bant() -> Criteria:
    return preset("BANT", "startup")


def _n_sqo(criteria: Criteria) -> int:
    leads = sample("startup")
    return int(qualify(leads, criteria).sum())


def _failed(criteria: Criteria) -> list[str]:
    leads = sample("startup")
    met = criteria_met(leads[leads["lead_id"] == LEAD_ID], criteria).iloc[0]
    return [name for name, ok in met.items() if not ok]


def _met(criteria: Criteria) -> list[str]:
    leads = sample("startup")
    met = criteria_met(leads[leads["lead_id"] == LEAD_ID], criteria).iloc[0]
    return [name for name, ok in met.items() if ok]


def _shown(name: str, value: object) -> str:
    """A lead's value or a threshold, in the words of the printed table."""
    if value is None or (isinstance(value, float) and value != value):
        return "unknown"
    if name == "budget":
        return f"{float(value):,.0f} EUR"
    if name == "timeline":
        return f"{float(value):g} months"
    return str(value)


def _why_not_failed(item: str) -> str:
    """Why ``item`` is not a criterion the lead fails (it names the learner's item, no other)."""
    bant = _bant()
    if item not in bant.applied:
        return f"`{item}` is not a BANT criterion: BANT checks budget, authority, need, timeline."
    leads = sample("startup")
    value = leads.loc[leads["lead_id"] == LEAD_ID, CRITERION_COLUMNS[item]].iloc[0]
    limit = "maximum" if item == "timeline" else "minimum"
    threshold = getattr(bant, CRITERION_FIELDS[item])
    return (
        f"`{item}` is met by this lead: its {item} is {_shown(item, value)}, the {limit} is "
        f"{_shown(item, threshold)}."
    )


q1 = Exercise(
    Question(
        id=f"{CHAPTER}.q1",
        var="n_sqo",
        task="How many startup leads are SQOs under the BANT preset?",
        spec=Number(whole=True, unit=" SQOs"),
        expected=lambda: _n_sqo(_bant()),
        hints=(
            "`qualify(leads, criteria)` returns one True/False per lead: True means SQO.",
            "Summing booleans counts the True values: `qualify(leads, bant).sum()`.",
        ),
        solution=(
            'bant = preset("BANT", context="startup")\nn_sqo = int(qualify(leads, bant).sum())'
        ),
        misconceptions=(
            Misconception(
                "That is every lead in the sample. Count only the leads `qualify` marks True, "
                "e.g. `qualify(leads, bant).sum()`.",
                lambda: len(sample("startup")),
            ),
            Misconception(
                "You counted the leads that would be won. The outcome is not a criterion: an SQO "
                "is decided before anyone knows how the deal ends.",
                lambda: int((sample("startup")["outcome"] == "won").sum()),
            ),
            Misconception(
                "You let unknown budgets and timelines count as met. The BANT preset counts them "
                "as not met (`unknown_meets=False`): use the preset as it is.",
                lambda: _n_sqo(_bant().replace(unknown_meets=True)),
            ),
            Misconception(
                "You counted leads that meet at least one criterion. Under BANT an SQO must meet "
                "all four (Budget, Authority, Need, Timeline).",
                lambda: _n_sqo(_bant().replace(min_met=1)),
            ),
        ),
    )
)

q2 = Exercise(
    Question(
        id=f"{CHAPTER}.q2",
        var="failed",
        task=f"Which BANT criteria does lead {LEAD_ID} fail?",
        spec=Items(
            CRITERIA,
            noun="criteria this lead fails",
            missing_hint="Compare each of its values with the BANT thresholds printed above.",
            why_not=_why_not_failed,
        ),
        expected=lambda: _failed(_bant()),
        hints=(
            "Print the lead's budget, authority, need and timeline, and the BANT thresholds "
            "with `bant.describe()`.",
            "An empty budget or timeline (NaN) is unknown. In the BANT preset, unknown counts as "
            "not met.",
            "`criteria_met(lead, bant)` shows True/False per criterion for a one-row table.",
        ),
        solution=(
            f'lead = leads[leads["lead_id"] == "{LEAD_ID}"]\n'
            "met = criteria_met(lead, bant).iloc[0]\n"
            "failed = [name for name, ok in met.items() if not ok]"
        ),
        misconceptions=(
            Misconception(
                "Those are the criteria the lead meets. List the ones it fails.",
                lambda: _met(_bant()),
            ),
            Misconception(
                "One is missing: the lead's budget is unknown (empty), and the BANT preset "
                "counts an unknown value as not met.",
                lambda: _failed(_bant().replace(unknown_meets=True)),
            ),
        ),
        explanation=(
            "This lead would have been won if pursued: strict criteria turn away some winners "
            "(the missed-opportunities drawback)."
        ),
    )
)

q3 = Exercise(
    Question(
        id=f"{CHAPTER}.q3",
        var="funnel",
        task="Put the funnel stages in order, first to last.",
        spec=Items(FUNNEL, ordered=True),
        expected=lambda: list(FUNNEL),
        hints=(
            "Marketing qualifies first, then sales accepts, then a salesperson qualifies, then an "
            "account executive accepts the deal into the forecast.",
            "MQL = marketing qualified, SAL = sales accepted, SQL = sales qualified lead, "
            "SQO = sales qualified opportunity.",
        ),
        solution="funnel = [" + ", ".join(f'"{s}"' for s in FUNNEL) + "]",
        misconceptions=(
            Misconception(
                "Close: the SQL comes before the SQO. A salesperson vets the lead and books a "
                "meeting (SQL); then an account executive accepts it into the pipeline (SQO).",
                lambda: ["lead", "MQL", "SAL", "SQO", "SQL", "won"],
            ),
            Misconception(
                "Close: marketing qualifies the lead first (MQL); then sales accepts the "
                "hand-off (SAL).",
                lambda: ["lead", "SAL", "MQL", "SQL", "SQO", "won"],
            ),
        ),
    )
)

q4 = Exercise(
    Question(
        id=f"{CHAPTER}.q4",
        var="framework",
        task="Which framework fits a consultancy whose buyers have money but no budget line?",
        spec=Choice(tuple(FRAMEWORKS)),
        expected=lambda: "FAINT",
        hints=(
            "Look for the framework that asks about Funds rather than a Budget.",
            "`FRAMEWORKS[name].fits` and `.origin` describe each one.",
        ),
        solution='framework = "FAINT"',
        misconceptions=(
            Misconception(
                "BANT starts from a budget line, which these buyers do not have yet: it would turn "
                "away buyers who could pay.",
                lambda: "BANT",
            ),
            Misconception(
                "MEDDIC is built for enterprise deals with buying committees; it asks for an "
                "economic buyer and a confirmed pain, not whether funds exist.",
                lambda: "MEDDIC",
            ),
            Misconception(
                "ANUM asks for Money like BANT does, and suits high-volume inside sales rather "
                "than consulting.",
                lambda: "ANUM",
            ),
            Misconception(
                "CHAMP does start from the buyer's challenges, which suits consulting, and calls "
                "money negotiable; but its M still asks whether there is money now. These buyers "
                "have no budget line yet: FAINT's Funds asks whether the company could pay at all, "
                "which is the question here.",
                lambda: "CHAMP",
            ),
            Misconception(
                "GPCTBA/C&I (HubSpot) explores goals, plans and the cost of doing nothing, for "
                "inbound buyers who research first; it still checks a Budget. For buyers with "
                "money but no budget line, a framework that asks for Funds fits better.",
                lambda: "GPCTBA/C&I",
            ),
        ),
        explanation=(
            "FAINT (RAIN Group) asks for Funds, not a budget line: decision makers find money "
            "for needs they had not budgeted."
        ),
    )
)

QUESTIONS = (q1, q2, q3, q4)
