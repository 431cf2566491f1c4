"""Stub: being written."""
def campaign_report(leads, campaigns, is_sqo): raise NotImplementedError
def competition_effect(leads, is_sqo=None): raise NotImplementedError
