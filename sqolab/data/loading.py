"""Stub: being written."""
def read_leads(path_or_buffer, mapping=None): raise NotImplementedError
def validate_leads(df, source=None): raise NotImplementedError
def read_campaigns(path_or_buffer): raise NotImplementedError
def load_sample(name): raise NotImplementedError
def load_campaigns(name): raise NotImplementedError
def load_orchard(): raise NotImplementedError
