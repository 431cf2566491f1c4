"""Views layer: plots, labs and exercise checks (built on the engine)."""
