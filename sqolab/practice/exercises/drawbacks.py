"""Practice for chapter 3, the drawbacks: missed opportunities, over-reliance, competition."""

from __future__ import annotations

from typing import Any

from sqolab.data.samples import shared_world_sample
from sqolab.data.worlds import WORLDS
from sqolab.engine.criteria import Criteria, preset, qualify
from sqolab.engine.outcomes import evaluate
from sqolab.engine.reports import competition_effect
from sqolab.figures.style import new_figure
from sqolab.practice.checks import (
    Bars,
    Choice,
    Exercise,
    Misconception,
    Number,
    Question,
    Text,
)
from sqolab.practice.exercises._common import (
    criteria_spec,
    no_criteria,
    revenue_and_win_rate,
    sample,
)

CHAPTER = "drawbacks"
TARGET_REVENUE_SHARE = 0.8
TARGET_WIN_RATE = 0.3


def _bant() -> Criteria:
    return preset("BANT", "startup")


def _outcome() -> Any:
    leads = sample("startup")
    return evaluate(leads, qualify(leads, _bant()))


def _not_sqo_value() -> float:
    leads = sample("startup")
    return float(leads.loc[~qualify(leads, _bant()), "deal_value_eur"].sum())


def _bars(heights: Any) -> Any:
    """An Axes with the given bar heights and labelled axes (a sample wrong answer)."""
    _figure, ax = new_figure()
    ax.bar(range(len(heights)), list(heights))
    ax.set_xlabel("competitors [count]")
    ax.set_ylabel("value [count]")
    return ax


def _unknown_budget_won() -> int:
    leads = sample("startup")
    return int((leads["budget_eur"].isna() & (leads["outcome"] == "won")).sum())


q1 = Exercise(
    Question(
        id=f"{CHAPTER}.q1",
        var="missed_revenue",
        task="Revenue (EUR) of the startup leads that would have been won but BANT turns away.",
        spec=Number(unit=" EUR"),
        expected=lambda: _outcome().revenue_missed_eur,
        hints=(
            "Two conditions: the lead is not an SQO, and its outcome is won.",
            '`missed = ~is_sqo & (leads["outcome"] == "won")`; sum `deal_value_eur` over it.',
        ),
        solution=(
            'missed = ~is_sqo & (leads["outcome"] == "won")\n'
            'missed_revenue = leads.loc[missed, "deal_value_eur"].sum()'
        ),
        misconceptions=(
            Misconception(
                "That is a number of deals; the question asks for their revenue: sum "
                "`deal_value_eur`.",
                lambda: _outcome().missed,
            ),
            Misconception(
                "You summed every lead BANT turns away, also those that would have been lost. "
                "Keep only the ones whose outcome is won.",
                _not_sqo_value,
            ),
            Misconception(
                "That is the revenue BANT wins (the SQOs that are won), not the revenue it misses.",
                lambda: _outcome().revenue_won_eur,
            ),
        ),
    )
)

q2 = Exercise(
    Question(
        id=f"{CHAPTER}.q2",
        var="criteria",
        task=f"Criteria that keep at least {TARGET_REVENUE_SHARE:.0%} of winnable revenue at a "
        f"win rate of at least {TARGET_WIN_RATE:.0%} (startup).",
        spec=criteria_spec(revenue_and_win_rate("startup", TARGET_REVENUE_SHARE, TARGET_WIN_RATE)),
        hints=(
            "Start from BANT's diagnosis: which criterion turns away the most winners? Budget and "
            "timeline are often unknown, and unknown counts as not met.",
            "Try criteria that are known for every lead (need, engagement, fit) with moderate "
            "thresholds, and `unknown_meets=True`.",
            "Check each attempt yourself with `evaluate(leads, qualify(leads, criteria))` and "
            "`revenue_won_eur / winnable revenue`.",
        ),
        solution=(
            'criteria = Criteria(min_need="latent", min_engagement=40, min_fit=40, '
            "unknown_meets=True)"
        ),
        misconceptions=(
            Misconception(
                "With no criteria every lead is an SQO: you keep all the revenue, but the win "
                "rate falls to that of all leads. Apply some criteria.",
                Criteria,
                no_criteria,
            ),
            Misconception(
                "That is the BANT preset unchanged, the starting point: it turns away too many "
                "winners. Loosen it or choose other criteria.",
                _bant,
                lambda answer: isinstance(answer, Criteria) and answer == _bant(),
            ),
        ),
        explanation="Several policies reach both targets: strictness is a trade-off, not a rule.",
    )
)

q3 = Exercise(
    Question(
        id=f"{CHAPTER}.q3",
        var="ax",
        task="Bar chart: win rate of the startup leads by number of competitors (5 = 5 or more).",
        spec=Bars(),
        expected=lambda: competition_effect(sample("startup"))["win_rate"].to_numpy(),
        facts=lambda: (
            competition_effect(sample("startup"))[["leads", "won"]]
            .rename_axis("competitors")
            .reset_index()
        ),
        hints=(
            "`competition_effect(leads)` has one row per number of competitors, with `win_rate`.",
            '`fig, ax = new_figure()`, then `ax.bar(table.index, table["win_rate"])` and '
            '`label(ax, "competitors [count]", "win rate [share]")`.',
        ),
        solution=(
            "table = competition_effect(leads)\n"
            "fig, ax = new_figure()\n"
            'ax.bar(table.index, table["win_rate"], color=ROLE["won"])\n'
            'label(ax, "competitors [count]", "win rate [share]", "More competitors, fewer wins")\n'
            "percent_axis(ax)\n"
            "fig"
        ),
        misconceptions=(
            Misconception(
                "Your bars count the leads in each group; the question asks for the win rate "
                "(won / leads).",
                lambda: _bars(competition_effect(sample("startup"))["leads"]),
                lambda ax: Bars().shows(ax, competition_effect(sample("startup"))["leads"]),
            ),
            Misconception(
                "Your bars count the won leads; divide by the leads of each group to get the win "
                "rate.",
                lambda: _bars(competition_effect(sample("startup"))["won"]),
                lambda ax: Bars().shows(ax, competition_effect(sample("startup"))["won"]),
            ),
        ),
    )
)

q4 = Exercise(
    Question(
        id=f"{CHAPTER}.q4",
        var="won_unknown_budget",
        task="How many startup leads with an unknown budget would be won if pursued?",
        spec=Number(whole=True, unit=" leads"),
        expected=_unknown_budget_won,
        hints=(
            'An unknown budget is an empty cell: `leads["budget_eur"].isna()`.',
            'Combine it with `leads["outcome"] == "won"` using `&`, then `.sum()`.',
        ),
        solution=(
            'won_unknown_budget = int((leads["budget_eur"].isna() & '
            '(leads["outcome"] == "won")).sum())'
        ),
        misconceptions=(
            Misconception(
                "That counts every lead with an unknown budget; keep only those that would be won.",
                lambda: int(sample("startup")["budget_eur"].isna().sum()),
            ),
            Misconception(
                "That is a share; the question asks for a number of leads.",
                lambda: _unknown_budget_won() / int(sample("startup")["budget_eur"].isna().sum()),
            ),
        ),
        explanation=(
            "Each of these is a winner that a rigid budget gate turns away: an unknown is not a no."
        ),
    )
)

q5 = Exercise(
    Question(
        id=f"{CHAPTER}.q5",
        var="competition_answer",
        task="Why do the most qualified leads attract competitors, and what can a sales team do "
        "about it?",
        spec=Text(
            min_words=25,
            key_ideas=(
                (r"fit|budget|attractive|valu", "qualified leads are attractive to every vendor"),
                (r"win rate|lower|fewer wins|lose", "competition lowers the win rate"),
                (r"differen|value proposition|unique|earl", "differentiate or engage early"),
            ),
        ),
        solution=(
            'competition_answer = """The leads that pass every criterion - a clear budget, a '
            "good fit, an\nurgent need - are the ones every vendor wants, so they are also the "
            "ones most often contested,\nand contested deals are won less often. A team should "
            "not drop them, but differentiate: engage\nearly, before the buyer has a shortlist, "
            'and show a value the others cannot."""'
        ),
        explanation=(
            "Model answer: the criteria that make a lead an SQO (fit, budget, urgent need) are "
            "what every vendor looks for, so the best-qualified leads are the most contested, "
            "and each extra competitor lowers the chance to win. Qualification should therefore "
            "not be read as a promise of an easy win. Teams respond by differentiating (a value "
            "proposition the others cannot match), by engaging early, before the buyer has a "
            "shortlist, and by also working less contested leads that fall just short of the "
            "criteria."
        ),
    )
)


def unknown_budget_odds(world: str) -> float:
    """Win rate of startup leads with an unknown budget over that of leads with a known one."""
    leads = shared_world_sample("startup", world)
    won = leads["outcome"] == "won"
    unknown = leads["budget_eur"].isna()
    return float(won[unknown].mean() / won[~unknown].mean())


def _warning_world() -> str:
    return min(WORLDS, key=unknown_budget_odds)


q6 = Exercise(
    Question(
        id=f"{CHAPTER}.q6",
        var="warning_world",
        task=(
            "In which world of the simulation is an unknown budget a warning sign: startup leads "
            "without a known budget win clearly less often than leads with one?"
        ),
        spec=Choice(tuple(WORLDS)),
        expected=_warning_world,
        hints=(
            "Compare, world by world, the win rate of leads whose budget is unknown with that of "
            "leads whose budget is known: `unknown_budget_odds(world)` gives their ratio.",
            "In the course's samples unknown values are unknown at random. Which switch changes "
            "who hides a budget?",
        ),
        solution="warning_world = min(WORLDS, key=unknown_budget_odds)",
        misconceptions=(
            Misconception(
                "In the course's samples an unknown budget is unknown at random: those leads win "
                "nearly as often as the others, so there unknown is not no. Look for the world "
                "where who hides the budget depends on the buyer.",
                lambda: "as in the samples",
            ),
        ),
        explanation=(
            "Whether 'unknown' is a warning sign is not a law: it depends on why values are "
            "missing in your pipeline. Test your criteria on your own won and lost deals."
        ),
    )
)

QUESTIONS = (q1, q2, q3, q4, q5, q6)
