"""Practice for chapter 2, the benefits: efficiency, marketing alignment and better forecasts."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sqolab.data.samples import load_campaigns
from sqolab.engine.criteria import preset, qualify
from sqolab.engine.forecasts import PIPELINES, forecast_error, forecast_summary
from sqolab.engine.outcomes import evaluate
from sqolab.engine.reports import campaign_report
from sqolab.figures.style import ROLE, label, new_figure
from sqolab.practice.checks import (
    Choice,
    Exercise,
    Frame,
    Function,
    Misconception,
    MultiPart,
    Number,
    Question,
    Text,
)
from sqolab.practice.exercises._common import sample

CHAPTER = "benefits"
STAGE_PROBABILITY: dict[str, float] = {
    "appointment scheduled": 0.2,
    "qualified to buy": 0.4,
    "presentation scheduled": 0.6,
    "decision maker bought-in": 0.8,
    "contract sent": 0.9,
}
"""HubSpot's default deal-stage probabilities (benchmarks.md; book key hubspot2024dealstages)."""
COST_COLUMNS = ("campaign", "leads", "sqos", "cost_per_lead_eur", "cost_per_sqo_eur")


def bant_sqos(leads: pd.DataFrame | None = None) -> pd.Series:
    """The BANT SQOs (startup preset) of ``leads`` (default: the startup sample)."""
    leads = sample("startup") if leads is None else leads
    return qualify(leads, preset("BANT", "startup"))


def open_deals() -> pd.DataFrame:
    """Ten open deals for the weighted-forecast question: the first BANT SQOs of the year.

    Stages are handed out in turn, from "appointment scheduled" to "contract sent".
    """
    leads = sample("startup")
    sqos = leads[bant_sqos(leads)].sort_values(["created_on", "lead_id"]).head(10)
    stages = list(STAGE_PROBABILITY)
    return pd.DataFrame(
        {
            "lead_id": sqos["lead_id"].to_numpy(),
            "company": sqos["company"].to_numpy(),
            "deal_value_eur": sqos["deal_value_eur"].to_numpy(),
            "stage": [stages[i % len(stages)] for i in range(len(sqos))],
        }
    )


def _weighted(deals: pd.DataFrame, scale: float = 1.0) -> float:
    probability = deals["stage"].map(STAGE_PROBABILITY) * scale
    return float((deals["deal_value_eur"] * probability).sum())


@functools.cache
def _forecast_summary() -> pd.DataFrame:
    leads = sample("startup")
    return forecast_summary(forecast_error(leads, bant_sqos(leads)))


def forecast_error_figure() -> Figure:
    """Histograms of the quarterly forecast error, all leads vs BANT SQOs (startup)."""
    leads = sample("startup")
    errors = forecast_error(leads, bant_sqos(leads))
    figure, ax = new_figure(7.5, 4.0)
    bins = np.arange(-60, 62.5, 5.0)
    ax.axvspan(-10, 10, color=ROLE["accent"], alpha=0.2, label="within ±10% of actual")
    for pipeline, colour, style in zip(
        PIPELINES, (ROLE["not_sqo"], ROLE["sqo"]), ("--", "-"), strict=True
    ):
        values = errors.loc[errors["pipeline"] == pipeline, "error_pct"].dropna()
        ax.hist(
            values.clip(-60, 60),
            bins=bins,
            histtype="step",
            linestyle=style,
            linewidth=2,
            color=colour,
            label=f"pipeline: {pipeline}",
        )
    ax.legend(loc="upper right")
    label(ax, "forecast error [% of actual revenue]", "quarters [count]", "500 simulated quarters")
    return figure


def _revenue_per_hour(leads: pd.DataFrame, is_sqo: pd.Series) -> float:
    return evaluate(leads, is_sqo).revenue_per_hour_eur


def _cases() -> list[tuple[str, tuple]]:
    from sqolab.practice.exercises._common import context_preset

    cases = []
    for context in ("startup", "consultancy", "agency"):
        leads = sample(context)
        cases.append(
            (
                f"the {context} leads and its preset",
                (leads, qualify(leads, context_preset(context))),
            )
        )
    return cases


def _hour_facts() -> pd.DataFrame:
    """Per case of question 2, the sums a learner without code works from (no ratio given)."""
    rows = []
    for description, (leads, is_sqo) in _cases():
        won = is_sqo & (leads["outcome"] == "won")
        rows.append(
            {
                "case": description,
                "SQOs": int(is_sqo.sum()),
                "SQOs won": int(won.sum()),
                "deal value of all SQOs (EUR)": float(leads.loc[is_sqo, "deal_value_eur"].sum()),
                "deal value of won SQOs (EUR)": float(leads.loc[won, "deal_value_eur"].sum()),
                "sales hours on all SQOs": float(leads.loc[is_sqo, "sales_hours"].sum()),
                "sales hours on won SQOs": float(leads.loc[won, "sales_hours"].sum()),
            }
        )
    return pd.DataFrame(rows)


def _campaign_facts() -> pd.DataFrame:
    """Per startup campaign: spend, leads and BANT SQOs (question 3's no-code form)."""
    return _cost_table()[["campaign", "spend_eur", "leads", "sqos"]]


def _all_sqo_value_per_hour(leads: pd.DataFrame, is_sqo: pd.Series) -> float:
    return float(leads.loc[is_sqo, "deal_value_eur"].sum() / leads.loc[is_sqo, "sales_hours"].sum())


def _won_hours_only(leads: pd.DataFrame, is_sqo: pd.Series) -> float:
    won = is_sqo & (leads["outcome"] == "won")
    return float(leads.loc[won, "deal_value_eur"].sum() / leads.loc[won, "sales_hours"].sum())


def _win_rate_all() -> float:
    leads = sample("startup")
    return evaluate(leads, pd.Series(True, index=leads.index)).win_rate


def _win_rate_sqo() -> float:
    return evaluate(sample("startup"), bant_sqos()).win_rate


def _cost_table() -> pd.DataFrame:
    leads = sample("startup")
    return campaign_report(leads, load_campaigns("startup"), bant_sqos(leads))


def _cheap_but_costly() -> str:
    table = _cost_table()
    drop = table["rank_per_sqo"] - table["rank_per_lead"]
    return str(table.loc[drop.astype(float).idxmax(), "campaign"])


def _campaign_names() -> tuple[str, ...]:
    return tuple(load_campaigns("startup")["campaign"])


q1 = MultiPart(
    "q1",
    a=Exercise(
        Question(
            id=f"{CHAPTER}.q1.a",
            var="win_rate_all",
            task="Win rate if sales worked every startup lead (a share between 0 and 1).",
            spec=Number(),
            expected=_win_rate_all,
            hints=(
                "The win rate is the share of worked leads that are won.",
                '`(leads["outcome"] == "won").mean()` is the share of True values.',
            ),
            solution='win_rate_all = (leads["outcome"] == "won").mean()',
            misconceptions=(
                Misconception(
                    "That looks like a percentage. Give the win rate as a share between 0 and "
                    "1 (e.g. 0.25, not 25).",
                    lambda: 100 * _win_rate_all(),
                ),
                Misconception(
                    "That is the number of won leads, not a rate: divide by the number of leads.",
                    lambda: int((sample("startup")["outcome"] == "won").sum()),
                ),
            ),
        )
    ),
    b=Exercise(
        Question(
            id=f"{CHAPTER}.q1.b",
            var="win_rate_sqo",
            task="Win rate if sales worked only the BANT SQOs.",
            spec=Number(),
            expected=_win_rate_sqo,
            hints=(
                "Keep only the SQO rows, then take the share won among them.",
                '`leads.loc[is_sqo, "outcome"].eq("won").mean()`, or `evaluate(leads, '
                "is_sqo).win_rate`.",
            ),
            solution='win_rate_sqo = (leads.loc[is_sqo, "outcome"] == "won").mean()',
            misconceptions=(
                Misconception(
                    "That looks like a percentage. Give the win rate as a share between 0 and 1.",
                    lambda: 100 * _win_rate_sqo(),
                ),
                Misconception(
                    "You divided the won SQOs by all leads. The win rate divides by the SQOs "
                    "worked: the other leads were never pursued.",
                    lambda: float(
                        (bant_sqos() & (sample("startup")["outcome"] == "won")).sum()
                        / len(sample("startup"))
                    ),
                ),
                Misconception(
                    "That is the capture rate: won SQOs divided by all winnable leads. The win "
                    "rate divides the won SQOs by the number of SQOs.",
                    lambda: evaluate(sample("startup"), bant_sqos()).capture_rate,
                ),
            ),
            explanation="Compare with q1.a: the SQOs win a larger share of what sales works.",
        )
    ),
)

q2 = Exercise(
    Question(
        id=f"{CHAPTER}.q2",
        var="revenue_per_hour",
        task="Write revenue_per_hour(leads, is_sqo): revenue won per sales hour spent on SQOs.",
        spec=Function(_cases),
        expected=lambda: _revenue_per_hour,
        facts=_hour_facts,
        hints=(
            "Revenue counts only the SQOs that are won; hours count every SQO worked, won or not.",
            'Two masks: `is_sqo` and `won = is_sqo & (leads["outcome"] == "won")`. Sum '
            "`deal_value_eur` over `won` and `sales_hours` over `is_sqo`.",
        ),
        solution=(
            "def revenue_per_hour(leads: pd.DataFrame, is_sqo: pd.Series) -> float:\n"
            '    won = is_sqo & (leads["outcome"] == "won")\n'
            '    revenue = leads.loc[won, "deal_value_eur"].sum()\n'
            '    hours = leads.loc[is_sqo, "sales_hours"].sum()\n'
            "    return revenue / hours"
        ),
        misconceptions=(
            Misconception(
                "You counted the value of every SQO, won or not. Only won deals bring revenue; "
                "lost ones only cost hours.",
                lambda: _all_sqo_value_per_hour,
            ),
            Misconception(
                "You divided by the hours of won deals only. The hours spent on SQOs that were "
                "lost were spent too: divide by the hours of all SQOs.",
                lambda: _won_hours_only,
            ),
        ),
    )
)

q3 = MultiPart(
    "q3",
    a=Exercise(
        Question(
            id=f"{CHAPTER}.q3.a",
            var="cost_table",
            task="Per startup campaign: leads, SQOs (BANT), cost per lead and cost per SQO.",
            spec=Frame(COST_COLUMNS, key="campaign"),
            expected=_cost_table,
            facts=_campaign_facts,
            hints=(
                "Count leads and SQOs per campaign with "
                '`leads.assign(sqo=is_sqo).groupby("campaign").agg(...)`.',
                '`.agg(leads=("sqo", "size"), sqos=("sqo", "sum"))`, then merge with the '
                'campaigns table on "campaign" to get `spend_eur`.',
                "cost per lead = spend / leads; cost per SQO = spend / SQOs.",
            ),
            solution=(
                "counts = (\n"
                "    leads.assign(sqo=is_sqo)\n"
                '    .groupby("campaign", observed=True)\n'
                '    .agg(leads=("sqo", "size"), sqos=("sqo", "sum"))\n'
                "    .reset_index()\n"
                ")\n"
                'cost_table = campaigns.merge(counts, on="campaign")\n'
                'cost_table["cost_per_lead_eur"] = cost_table["spend_eur"] / cost_table["leads"]\n'
                'cost_table["cost_per_sqo_eur"] = cost_table["spend_eur"] / cost_table["sqos"]'
            ),
            misconceptions=(
                Misconception(
                    "Your cost per SQO divides the spend by all leads of the campaign: divide it "
                    "by the campaign's SQOs.",
                    lambda: _cost_table().assign(
                        cost_per_sqo_eur=_cost_table()["cost_per_lead_eur"]
                    ),
                ),
            ),
        )
    ),
    b=Exercise(
        Question(
            id=f"{CHAPTER}.q3.b",
            var="cheap_but_costly",
            task="Which campaign drops the most places from the cost-per-lead to the cost-per-SQO "
            "ranking?",
            spec=Choice(_campaign_names),
            expected=_cheap_but_costly,
            hints=(
                "Rank the campaigns twice: by cost per lead and by cost per SQO (1 = cheapest).",
                '`cost_table["cost_per_lead_eur"].rank()` and the same for cost per SQO; look '
                "for the largest difference.",
            ),
            solution=(
                'drop = cost_table["cost_per_sqo_eur"].rank() - '
                'cost_table["cost_per_lead_eur"].rank()\n'
                'cheap_but_costly = cost_table.loc[drop.idxmax(), "campaign"]'
            ),
            misconceptions=(
                Misconception(
                    "That campaign is the cheapest per SQO: it is cheap both ways, so it does not "
                    "drop. Look for one that looks cheap per lead but is not per SQO.",
                    lambda: str(_cost_table().sort_values("cost_per_sqo_eur")["campaign"].iloc[0]),
                ),
                Misconception(
                    "That campaign is the most expensive per SQO, but it is expensive per lead "
                    "too: its rank hardly changes.",
                    lambda: str(_cost_table().sort_values("cost_per_sqo_eur")["campaign"].iloc[-1]),
                ),
            ),
            explanation=(
                "Judged per lead, marketing would spend more on this campaign; judged per SQO, it "
                "buys leads that sales mostly turns away."
            ),
        )
    ),
)

q4 = Exercise(
    Question(
        id=f"{CHAPTER}.q4",
        var="weighted_forecast",
        task="Stage-weighted forecast of the ten open deals, in EUR.",
        spec=Number(unit=" EUR"),
        expected=lambda: _weighted(open_deals()),
        hints=(
            "A stage-weighted forecast sums deal value x the probability of the deal's stage.",
            '`deals["stage"].map(STAGE_PROBABILITY)` gives each deal its probability.',
        ),
        solution=(
            'probability = deals["stage"].map(STAGE_PROBABILITY)\n'
            'weighted_forecast = (deals["deal_value_eur"] * probability).sum()'
        ),
        misconceptions=(
            Misconception(
                "That is the total value of the deals, as if every deal were certain. Weight each "
                "deal by the probability of its stage.",
                lambda: float(open_deals()["deal_value_eur"].sum()),
            ),
            Misconception(
                "The probabilities are shares (0.2 = 20%); you seem to have used them as "
                "percentages, which makes the forecast 100 times too large.",
                lambda: _weighted(open_deals(), 100),
            ),
            Misconception(
                "That is an average per deal; the forecast is the sum over all deals.",
                lambda: _weighted(open_deals()) / len(open_deals()),
            ),
        ),
    )
)

q5 = Exercise(
    Question(
        id=f"{CHAPTER}.q5",
        var="steadier",
        task="Read the plot: which pipeline's forecast more often lands within ±10% of actual?",
        spec=Choice(PIPELINES),
        expected=lambda: str(_forecast_summary()["share_within_10pct"].idxmax()),
        hints=(
            "Compare how much of each outline lies inside the shaded band around 0%.",
            "A narrower, taller histogram around 0% means more quarters forecast closely.",
        ),
        solution='steadier = "SQOs only"',
        misconceptions=(
            Misconception(
                "Look again at the shaded band: the dashed outline (all leads) spreads wider, so "
                "fewer of its quarters fall within ±10% of the actual revenue.",
                lambda: "all leads",
            ),
        ),
        explanation=(
            "`forecast_summary(...)` gives the same answer in numbers: compare the column "
            "`share_within_10pct`."
        ),
    )
)

q6 = Exercise(
    Question(
        id=f"{CHAPTER}.q6",
        var="why_gating_helps",
        task="Explain in two or three sentences why gating the pipeline on SQOs narrows the "
        "forecast error.",
        spec=Text(
            min_words=25,
            key_ideas=(
                (r"mix|campaign|quarter", "the lead mix changes from quarter to quarter"),
                (r"win rate|convert|probabilit", "all leads convert at a rate that swings"),
                (r"steady|stable|similar|homogen|consistent", "SQOs are a steadier group"),
            ),
        ),
        solution=(
            'why_gating_helps = """The lead mix changes every quarter: a cheap campaign floods\n'
            "the funnel with weak leads, so a forecast that applies one historical win rate to\n"
            "all leads is off whenever the mix moves. SQOs are a more uniform group: weak leads\n"
            "are filtered out before they enter the pipeline, so the SQO win rate swings less\n"
            'and the forecast built on it misses by less."""'
        ),
        explanation=(
            "Model answer: the lead mix changes from quarter to quarter (campaigns start and stop, "
            "a cheap campaign floods the funnel). A forecast that applies one historical win rate "
            "to all leads misses whenever the mix moves, because weak and strong leads convert "
            "very differently. Qualification filters out the weak leads before they enter the "
            "pipeline, so the SQOs are a steadier group whose win rate swings less: the same "
            "stage-weighted method then misses by less. Gating does not make the forecast exact: "
            "deals inside the SQO pipeline still win or lose by chance."
        ),
    )
)

QUESTIONS = (q1, q2, q3, q4, q5, q6)
