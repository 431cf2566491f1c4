"""Stub: being written."""
def forecast_error(leads, is_sqo, n_quarters=1000, seed=0): raise NotImplementedError
def forecast_summary(errors): raise NotImplementedError
