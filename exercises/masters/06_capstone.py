# %% [markdown]
# # Capstone: your qualification policy
#
# Choose a context (`"startup"`, `"consultancy"` or `"agency"`) and design its qualification
# policy for next quarter's sales capacity. Your policy is scored on a held-out sample of next
# quarter's leads that you never see: explore on this year's sample, then commit. The score is
# the revenue your policy wins within the capacity, and the revenue it misses, compared with the
# context's own preset on the same leads. Then defend your policy in writing.

# %% [install]

# %%
from sqolab import (  # noqa: F401, RUF100
    DEFAULT_WEIGHTS,
    PROFILES,
    Criteria,
    evaluate,
    lead_score,
    load_sample,
    preset,
    qualify,
)
from sqolab.practice.checks import ____, progress  # noqa: F401, RUF100
from sqolab.practice.exercises.capstone import CAPACITY_HOURS, q1, q2

for context, hours in CAPACITY_HOURS.items():
    profile = PROFILES[context]
    print(f"{profile.title}: {hours:,.0f} sales hours next quarter; preset {profile.framework}")

# %% [markdown]
# ## Explore
#
# This year's sample covers four quarters, so compare policies with four times the quarter's
# capacity. Add cells as you like.

# %%
context = "agency"
leads = load_sample(context)
year_capacity = 4 * CAPACITY_HOURS[context]
base = preset(PROFILES[context].framework, context)
print(evaluate(leads, qualify(leads, base), capacity_hours=year_capacity).summary())

# %% [markdown]
# ## Question 1: your policy
#
# Fill in the plan: the context, your criteria and, optionally, lead-score weights
# (`priority_weights`, a dict for `lead_score`, e.g. `DEFAULT_WEIGHTS`) to work the SQOs best
# first; with `None` they are worked in order of arrival.

# %%
# SOLUTION capstone.q1
# BLANK
plan = {
    "context": "agency",
    "criteria": ____,  # e.g. Criteria(min_need="latent", ...)
    "priority_weights": None,
}
# END

# %%
q1.check()

# %% [markdown]
# ## Question 2: defend it
#
# Write at least a paragraph in `defence`: why these criteria for this context and capacity, what
# your policy misses and why you accept it, how it treats unknown budgets and timelines, and when
# you would review it. The check then shows a model answer to compare with.

# %%
# SOLUTION capstone.q2

# %%
q2.check()

# %% [markdown]
# ## Your progress

# %% tags=["remove-output"]
progress("capstone")
