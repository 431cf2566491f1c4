# %% [markdown]
# # Practice 7: from criteria to conversation
#
# Listen to a discovery call as a seller does: tag what each line of the buyer reveals, then code a
# rejection so that marketing learns the right thing. Replace every `____` with your answer, run
# the cell, then the check. `q1.hint()` gives a hint (call it again for the next one),
# `q1.solution()` a solution.

# %% [install]

# %%
from sqolab.practice.checks import ____, progress  # noqa: F401, RUF100
from sqolab.practice.exercises.conversation import (
    LINES,
    REASON_CODES,
    TAGS,
    VERDICTS,
    bant,
    lead_row,
    q1,
    q2,
    q3,
)

# %% [markdown]
# ## Question 1: tag the call
#
# These are the buyer's answers on a discovery call, in a shuffled order. Which criterion does each
# line reveal: budget, authority, need, timeline, competition, or nothing (small talk)? Store a dict
# `{line: tag}` in `tags`, with the lines and tags printed below.

# %%
for number, line in enumerate(LINES, start=1):
    print(f"{number}. {line}")
print("tags:", TAGS)

# %%
# SOLUTION conversation.q1

# %%
q1.check()

# %% [markdown]
# ## Question 2: the rule's verdict
#
# On what the buyer said in question 1's call, does the startup's BANT preset (printed below) make
# the lead an SQO? Store one of the answers printed below in `verdict`.

# %%
print("BANT:", bant().describe())
print("answers:", VERDICTS)

# %%
# SOLUTION conversation.q2

# %%
q2.check()

# %% [markdown]
# ## Question 3: code the rejection
#
# The startup's BANT preset turns the lead below away. Which reason code goes into the CRM? Store
# one of the codes printed below in `reason`.

# %%
for code, meaning in REASON_CODES.items():
    print(f"{code}: {meaning}")
lead_row()

# %%
# SOLUTION conversation.q3

# %%
q3.check()

# %% [markdown]
# ## Your progress

# %% tags=["remove-output"]
progress("conversation")
