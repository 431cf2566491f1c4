"""Stub: being written."""
def generate_leads(context, n=None, seed=0): raise NotImplementedError
def generate_campaigns(context, seed=0): raise NotImplementedError
def generate_orchard(n=None, seed=0): raise NotImplementedError
def write_samples(directory=None): raise NotImplementedError
