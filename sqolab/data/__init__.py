"""Data layer: the lead schema, the context profiles, the sample generator and the loader."""
