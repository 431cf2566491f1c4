# %% [markdown]
# # Practice 1: What is an SQO?
#
# Qualify leads by hand and with code, place the stages of the funnel, and pick a framework.
# Each question ends with a check: run it to get feedback at once. Stuck? `q1.hint()` gives a hint
# (call it again for the next one) and `q1.solution()` shows a solution.
#
# Replace every `____` with your answer, then run the cell and the check below it.

# %% [install]

# %%
from sqolab import FRAMEWORKS, criteria_met, load_sample, preset, qualify  # noqa: F401, RUF100
from sqolab.practice.checks import ____, progress  # noqa: F401, RUF100
from sqolab.practice.exercises.what_is_an_sqo import LEAD_ID, SHUFFLED_FUNNEL, q1, q2, q3, q4

leads = load_sample("startup")
bant = preset("BANT", context="startup")
print(bant.describe())

# %% [markdown]
# ## Question 1: count the SQOs
#
# How many of the startup's leads are SQOs under the BANT preset above? Store the count in `n_sqo`.

# %%
# SOLUTION what_is_an_sqo.q1

# %%
q1.check()

# %%
# q1.hint()
# q1.solution()

# %% [markdown]
# ## Question 2: qualify a lead by hand
#
# Look at the lead printed below. Which BANT criteria does it fail? Store their names in a list
# `failed`, using the names `"budget"`, `"authority"`, `"need"`, `"timeline"`.

# %%
lead = leads[leads["lead_id"] == LEAD_ID]
lead[["lead_id", "budget_eur", "authority", "need", "timeline_months", "outcome"]]

# %%
# SOLUTION what_is_an_sqo.q2

# %%
q2.check()

# %% [markdown]
# ## Question 3: the funnel
#
# Put these stages in order, from the first contact to the signed deal. Store the list in `funnel`.

# %%
print(SHUFFLED_FUNNEL)

# %%
# SOLUTION what_is_an_sqo.q3

# %%
q3.check()

# %% [markdown]
# ## Question 4: pick a framework
#
# A consultancy sells projects to buyers who often have money but no budget line for the
# project yet. Which framework was made for them? Store its name (a key of `FRAMEWORKS`, printed
# below) in `framework`.

# %%
for name, fw in FRAMEWORKS.items():
    print(f"{name}: {fw.fits}")

# %%
# SOLUTION what_is_an_sqo.q4

# %%
q4.check()

# %% [markdown]
# ## Your progress
#
# `progress()` shows which questions you have solved. It is kept only on this computer.

# %% tags=["remove-output"]
progress("what_is_an_sqo")
