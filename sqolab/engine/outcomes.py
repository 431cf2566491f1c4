"""Stub: being written."""
class Outcome: pass
def evaluate(leads, is_sqo, capacity_hours=None, priority=None): raise NotImplementedError
