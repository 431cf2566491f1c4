"""Stub: being written."""
def tradeoff_curve(leads, score): raise NotImplementedError
def best_threshold(curve, capacity_hours): raise NotImplementedError
