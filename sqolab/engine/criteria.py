"""Stub: being written."""
class Criteria: pass
class Framework: pass
FRAMEWORKS = {}
def preset(name, context="startup"): raise NotImplementedError
def criteria_met(leads, criteria): raise NotImplementedError
def qualify(leads, criteria): raise NotImplementedError
