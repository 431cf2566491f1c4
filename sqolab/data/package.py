"""The Frictionless Data Package descriptor of the shipped datasets, built from the schema."""

from __future__ import annotations

import json
from typing import Any

from sqolab.data.schema import CAMPAIGN_COLUMNS, CONTEXTS, LEAD_COLUMNS, ORCHARD_COLUMNS, Column

FRICTIONLESS_TYPES = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "date": "date",
    "category": "string",
}


def _field(column: Column) -> dict[str, Any]:
    """A Table Schema field for one column."""
    field: dict[str, Any] = {
        "name": column.name,
        "type": FRICTIONLESS_TYPES[column.kind],
        "description": column.description + (f" Unit: {column.unit}." if column.unit else ""),
    }
    constraints: dict[str, Any] = {}
    if not column.nullable:
        constraints["required"] = True
    if column.unique:
        constraints["unique"] = True
    if column.minimum is not None:
        key = "exclusiveMinimum" if column.exclusive_minimum else "minimum"
        constraints[key] = column.minimum
    if column.maximum is not None:
        constraints["maximum"] = column.maximum
    if column.categories:
        constraints["enum"] = list(column.categories)
    if column.kind == "date":
        field["format"] = "%Y-%m-%d"
    if constraints:
        field["constraints"] = constraints
    return field


def _schema(columns: tuple[Column, ...], key: str) -> dict[str, Any]:
    return {"fields": [_field(c) for c in columns], "primaryKey": [key], "missingValues": [""]}


def datapackage_descriptor() -> dict[str, Any]:
    """The descriptor of ``datasets/``: the three pipelines, their campaigns and the orchard."""
    resources = []
    for context in CONTEXTS:
        resources.append(
            {
                "name": context,
                "path": f"{context}.csv",
                "title": f"Simulated leads of the {context} context",
                "description": "One row per lead that reached sales (MQL level). Simulated: the "
                "outcome column says what would happen if sales pursued the lead, which a real "
                "CRM never records for disqualified leads.",
                "format": "csv",
                "encoding": "utf-8",
                "schema": _schema(LEAD_COLUMNS, "lead_id"),
            }
        )
        resources.append(
            {
                "name": f"{context}_campaigns",
                "path": f"{context}_campaigns.csv",
                "title": f"Marketing campaigns of the {context} context",
                "format": "csv",
                "encoding": "utf-8",
                "schema": _schema(CAMPAIGN_COLUMNS, "campaign"),
            }
        )
    resources.append(
        {
            "name": "orchard",
            "path": "orchard.csv",
            "title": "The farmer's orchard (the article's analogy)",
            "format": "csv",
            "encoding": "utf-8",
            "schema": _schema(ORCHARD_COLUMNS, "fruit_id"),
        }
    )
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": "sqo-lab-samples",
        "title": "SQO Lab sample pipelines",
        "description": "Simulated lead pipelines of a B2B SaaS startup, a consultancy and a "
        "digital marketing agency, calibrated to published benchmarks (see README.md).",
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0",
            }
        ],
        "resources": resources,
    }


def datapackage_json() -> str:
    """The descriptor as the JSON text written to ``datasets/datapackage.json``."""
    return json.dumps(datapackage_descriptor(), indent=2, ensure_ascii=False) + "\n"


def _type_text(column: Column) -> str:
    """The type column of the data dictionary, e.g. 'int 0-100, required'."""
    text = {
        "str": "text",
        "int": "whole number",
        "float": "number",
        "date": "date (YYYY-MM-DD)",
        "category": "category",
    }[column.kind]
    if column.minimum is not None and column.maximum is not None:
        text += f" {column.minimum:g}-{column.maximum:g}"
    elif column.minimum is not None:
        text += f" {'>' if column.exclusive_minimum else '>='} {column.minimum:g}"
    if column.categories:
        text += ": " + ", ".join(f"`{c}`" for c in column.categories)
    if column.unique:
        text += ", unique"
    if column.nullable:
        text += ", empty = unknown" if column.kind in ("int", "float") else ", may be empty"
    if not column.required:
        text += ", column optional"
    return text


def data_dictionary(columns: tuple[Column, ...] = LEAD_COLUMNS) -> str:
    """The data dictionary of a table as a Markdown table, built from the schema."""
    lines = ["| column | type | unit | meaning |", "|---|---|---|---|"]
    for column in columns:
        lines.append(
            f"| `{column.name}` | {_type_text(column)} | {column.unit or '-'} | "
            f"{column.description} |"
        )
    return "\n".join(lines)
