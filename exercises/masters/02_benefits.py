# %% [markdown]
# # Practice 2: the benefits of SQOs
#
# Measure the three benefits on the startup's pipeline: efficiency (win rate and revenue per sales
# hour), marketing alignment (cost per SQO instead of cost per lead) and better forecasts.
# Replace every `____` with your answer, run the cell, then run the check. `q1.a.hint()` gives a
# hint (call it again for the next one), `q1.a.solution()` a solution.

# %% [install]

# %%
import pandas as pd

from sqolab import evaluate, forecast_summary, load_campaigns, load_sample  # noqa: F401, RUF100
from sqolab.practice.checks import ____, progress  # noqa: F401, RUF100
from sqolab.practice.exercises.benefits import (
    STAGE_PROBABILITY,
    bant_sqos,
    forecast_error_figure,
    open_deals,
    q1,
    q2,
    q3,
    q4,
    q5,
    q6,
)

leads = load_sample("startup")
is_sqo = bant_sqos(leads)  # the BANT SQOs of the startup, one True/False per lead
print(f"{len(leads)} leads, {is_sqo.sum()} SQOs")

# %% [markdown]
# ## Question 1: efficiency
#
# a) What would the win rate be if sales worked every lead? Give a share between 0 and 1 in
# `win_rate_all`.
#
# b) What is the win rate if sales works only the SQOs? Store it in `win_rate_sqo`.

# %%
# SOLUTION benefits.q1.a
# SOLUTION benefits.q1.b

# %%
q1.check()

# %% [markdown]
# ## Question 2: revenue per sales hour
#
# Write a function `revenue_per_hour(leads, is_sqo)` that returns the revenue won per sales hour
# spent on the SQOs. The check calls it on all three samples.


# %%
# SOLUTION benefits.q2
# BLANK
def revenue_per_hour(leads: pd.DataFrame, is_sqo: pd.Series) -> float:
    return ____


# END

# %%
q2.check()

# %% [markdown]
# ## Question 3: marketing alignment
#
# a) Build a table `cost_table` with one row per campaign and the columns `campaign`, `leads`,
# `sqos`, `cost_per_lead_eur` and `cost_per_sqo_eur`, from the leads and the campaign spend below.
#
# b) Which campaign drops the most places when campaigns are ranked by cost per SQO instead of
# cost per lead? Store its name in `cheap_but_costly`.

# %%
campaigns = load_campaigns("startup")
campaigns  # noqa: B018

# %%
# SOLUTION benefits.q3.a

# %%
q3.a.check()

# %%
# SOLUTION benefits.q3.b

# %%
q3.b.check()

# %% [markdown]
# ## Question 4: a stage-weighted forecast
#
# Below are ten open deals with their stage. A stage-weighted forecast sums each deal's value
# times the probability of its stage. `STAGE_PROBABILITY` holds HubSpot's default deal-stage
# probabilities (source: the book's references, `hubspot2024dealstages`). Store the forecast in
# `weighted_forecast` (EUR).

# %%
deals = open_deals()
print(STAGE_PROBABILITY)
deals  # noqa: B018

# %%
# SOLUTION benefits.q4

# %%
q4.check()

# %% [markdown]
# ## Question 5: read a plot
#
# The plot shows the forecast error of 500 simulated quarters, for a pipeline of all leads and for
# a pipeline of SQOs only. Which pipeline's forecast more often lands within ±10% of the actual
# revenue (the shaded band)? Answer `"all leads"` or `"SQOs only"` in `steadier`.

# %%
forecast_error_figure()

# %%
# SOLUTION benefits.q5

# %%
q5.check()

# %% [markdown]
# ## Question 6: think it through
#
# In two or three sentences: why does gating the pipeline on SQOs narrow the forecast error?
# Write your answer as a string in `why_gating_helps`; the check then shows a model answer.

# %%
# SOLUTION benefits.q6

# %%
q6.check()

# %% [markdown]
# ## Your progress

# %% tags=["remove-output"]
progress("benefits")
