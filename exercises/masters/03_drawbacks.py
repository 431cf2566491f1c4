# %% [markdown]
# # Practice 3: the drawbacks of SQOs
#
# Count what strict criteria miss, find criteria that miss less, and show how competition
# concentrates on the best leads. Replace every `____` with your answer, run the cell, then the
# check. `q1.hint()` gives a hint (call it again for the next one), `q1.solution()` a solution.

# %% [install]

# %%
from sqolab import (  # noqa: F401, RUF100
    Criteria,
    competition_effect,
    evaluate,
    load_sample,
    preset,
    qualify,
)
from sqolab.data.worlds import WORLD_NOTES, WORLDS  # noqa: F401, RUF100
from sqolab.figures.style import ROLE, label, new_figure, percent_axis  # noqa: F401, RUF100
from sqolab.practice.checks import ____, progress  # noqa: F401, RUF100
from sqolab.practice.exercises.drawbacks import (
    TARGET_REVENUE_SHARE,
    TARGET_WIN_RATE,
    q1,
    q2,
    q3,
    q4,
    q5,
    q6,
    unknown_budget_odds,  # noqa: F401, RUF100
)

leads = load_sample("startup")
bant = preset("BANT", context="startup")
is_sqo = qualify(leads, bant)
print(bant.describe())

# %% [markdown]
# ## Question 1: missed opportunities
#
# Some leads that BANT turns away would have been won. What is their revenue? Store it in
# `missed_revenue` (EUR).

# %%
# SOLUTION drawbacks.q1

# %%
q1.check()

# %% [markdown]
# ## Question 2: criteria that miss less
#
# Find criteria that keep at least the share of winnable revenue printed below at a win rate of at
# least the rate printed below. Store them in `criteria`, e.g. `Criteria(min_need="latent", ...)`.
# The check tells you which target you miss and by how much.

# %%
print(f"revenue target: {TARGET_REVENUE_SHARE:.0%}, win-rate target: {TARGET_WIN_RATE:.0%}")
winnable_revenue = leads.loc[leads["outcome"] == "won", "deal_value_eur"].sum()

# %%
# SOLUTION drawbacks.q2

# %%
q2.check()

# %% [markdown]
# ## Question 3: competition, as a chart
#
# Draw a bar chart of the win rate of the startup's leads by number of competitors
# (`competition_effect(leads)` has one row per number; the last row is "5 or more"). Make the
# figure with `new_figure()`, label both axes with their unit with `label(ax, ...)`, and keep the
# axes in `ax`.

# %%
# SOLUTION drawbacks.q3
# BLANK
ax = ____  # make a figure with new_figure(), draw the bars on its axes, keep the axes in `ax`
# END

# %%
q3.check()

# %% [markdown]
# ## Question 4: over-reliance on a budget
#
# How many leads with an unknown budget would be won if pursued? Store the count in
# `won_unknown_budget`.

# %%
# SOLUTION drawbacks.q4

# %%
q4.check()

# %% [markdown]
# ## Question 5: think it through
#
# Why do the most qualified leads attract competitors, and what can a sales team do about it?
# Write two or three sentences in `competition_answer`; the check then shows a model answer.

# %%
# SOLUTION drawbacks.q5

# %%
q5.check()

# %% [markdown]
# ## Question 6: what if the world were different?
#
# The simulation can be run in other worlds, each with one assumption changed (printed below; Labs
# 2 and 4 have the same switch). In which world is an unknown budget a warning sign: startup leads
# with an unknown budget win clearly less often than leads with a known one? Store the world's
# name in `warning_world`.

# %%
for name, note in WORLD_NOTES.items():
    print(f"{name}: {note}")

# %%
# SOLUTION drawbacks.q6

# %%
q6.check()

# %% [markdown]
# ## Your progress

# %% tags=["remove-output"]
progress("drawbacks")
