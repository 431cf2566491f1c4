"""Stub: being written."""
DEFAULT_WEIGHTS = {}
def lead_score(leads, weights=None): raise NotImplementedError
