# %% [markdown]
# # Practice 4: the examples
#
# Qualify for a consultancy with a limited sales team, and translate the farmer's analogy into
# sales terms. Replace every `____` with your answer, run the cell, then the check. `q1.hint()`
# gives a hint (call it again for the next one), `q1.solution()` a solution.

# %% [install]

# %%
from sqolab import Criteria, evaluate, load_orchard, load_sample, preset, qualify  # noqa: F401, RUF100
from sqolab.practice.checks import ____, progress  # noqa: F401, RUF100
from sqolab.practice.exercises.examples import (
    ANALOGY_TERMS,
    CONSULTANCY_CAPACITY_HOURS,
    RIPENESS_THRESHOLD,
    SQO_TERMS,
    q1,
    q2,
    q3,
    q4,
)

# %% [markdown]
# ## Question 1: a consultancy with limited hours
#
# The consultancy's team has the sales hours printed below for the year. It works its SQOs in
# order of arrival and stops when the hours run out. Find criteria that win more revenue than the
# consultancy's FAINT preset within these hours. Store them in `consultancy_criteria`.

# %%
leads = load_sample("consultancy")
faint = preset("FAINT", context="consultancy")
print(f"capacity: {CONSULTANCY_CAPACITY_HOURS:,.0f} hours; FAINT: {faint.describe()}")
print(evaluate(leads, qualify(leads, faint), capacity_hours=CONSULTANCY_CAPACITY_HOURS).summary())

# %%
# SOLUTION examples.q1

# %%
q1.check()

# %% [markdown]
# ## Question 2: the farmer's analogy
#
# A farmer with limited time picks the ripest fruit. Match each term of the analogy to its meaning
# in sales: store a dict `{term: meaning}` in `analogy`, using the terms and meanings printed below.

# %%
print("terms:", ANALOGY_TERMS)
print("meanings:", SQO_TERMS)

# %%
# SOLUTION examples.q2

# %%
q2.check()

# %% [markdown]
# ## Question 3: the orchard in numbers
#
# The farmer picks every fruit at least as ripe as the threshold printed below. How many picked
# fruits do not sell? Store the count in `wasted_picks`.

# %%
orchard = load_orchard()
print(f"threshold: {RIPENESS_THRESHOLD}")
orchard.head()

# %%
# SOLUTION examples.q3

# %%
q3.check()

# %% [markdown]
# ## Question 4: think it through
#
# The consultancy's FAINT preset counts an unknown budget as met; the startup's BANT preset does
# not. Why? Write two or three sentences in `unknown_answer`; the check then shows a model answer.

# %%
# SOLUTION examples.q4

# %%
q4.check()

# %% [markdown]
# ## Your progress

# %% tags=["remove-output"]
progress("examples")
