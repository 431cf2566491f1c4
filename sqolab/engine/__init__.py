"""Engine layer: criteria, qualification, outcomes, trade-offs, forecasts and reports."""
