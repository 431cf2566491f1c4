"""Quiz data: one JSON file per chapter (package data of sqolab.practice)."""
