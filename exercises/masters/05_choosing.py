# %% [markdown]
# # Practice 5: choosing your criteria
#
# Choose a policy for a context and a sales capacity: with a lead score and a threshold, and with
# criteria. Replace every `____` with your answer, run the cell, then the check. `q1.hint()` gives
# a hint (call it again for the next one), `q1.solution()` a solution.

# %% [install]

# %%
from sqolab import (  # noqa: F401, RUF100
    Criteria,
    best_threshold,
    evaluate,
    lead_score,
    load_sample,
    preset,
    qualify,
    tradeoff_curve,
)
from sqolab.practice.checks import ____, progress  # noqa: F401, RUF100
from sqolab.practice.exercises.choosing import (
    AGENCY_CAPACITY_HOURS,
    AGENCY_FACTOR,
    STARTUP_CAPACITY_HOURS,
    q1,
    q2,
    q3,
)

# %% [markdown]
# ## Question 1: a score threshold for a capacity
#
# The startup scores its leads with `lead_score` and makes every lead with a score at or above a
# threshold an SQO; all SQOs are worked. Which threshold wins the most revenue with no more sales
# hours than the capacity printed below? Store it in `threshold`.

# %%
leads = load_sample("startup")
print(f"capacity: {STARTUP_CAPACITY_HOURS:,.0f} hours")

# %%
# SOLUTION choosing.q1

# %%
q1.check()

# %% [markdown]
# ## Question 2: criteria for the agency's capacity
#
# The agency works its SQOs in order of arrival until its hours run out. Find criteria that win at
# least the multiple of the GPCTBA/C&I preset's revenue printed below, within its capacity. Store
# them in `agency_criteria`.

# %%
agency = load_sample("agency")
gpct = preset("GPCTBA/C&I", context="agency")
print(f"capacity: {AGENCY_CAPACITY_HOURS:,.0f} hours; target: {AGENCY_FACTOR:.0%} of the preset")
print(evaluate(agency, qualify(agency, gpct), capacity_hours=AGENCY_CAPACITY_HOURS).summary())

# %%
# SOLUTION choosing.q2

# %%
q2.check()

# %% [markdown]
# ## Question 3: think it through
#
# A sales team doubles its capacity. How should its criteria change, and why? Write two or three
# sentences in `policy_answer`; the check then shows a model answer.

# %%
# SOLUTION choosing.q3

# %%
q3.check()

# %% [markdown]
# ## Your progress

# %% tags=["remove-output"]
progress("choosing")
