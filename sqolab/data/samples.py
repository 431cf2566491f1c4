"""The course's sample files: where they live, writing them, loading them, and the one cache.

The samples are the three simulated pipelines (``startup``, ``consultancy``, ``agency``), their
campaign tables and the orchard of the fruit analogy. They are read from ``datasets/`` when the
repository is there, and generated (byte for byte the same content) when only the package is
installed, e.g. on Colab.

``shared_sample`` and ``shared_campaigns`` hand out the course's single cached copy: every lab and
exercise check that only reads a sample uses them. Callers must not modify what they get, and
learner code must only ever receive a ``.copy()`` (``load_sample`` returns one).
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from sqolab.data.generator import (
    generate_campaigns,
    generate_leads,
    generate_orchard,
    to_csv_text,
)
from sqolab.data.loading import CAMPAIGNS, LEADS, ORCHARD, read_table, validate_frame
from sqolab.data.package import datapackage_json
from sqolab.data.schema import CONTEXTS
from sqolab.data.worlds import DEFAULT_WORLD, WORLDS

__all__ = [
    "DATASETS_DIR",
    "campaigns_file",
    "leads_file",
    "load_campaigns",
    "load_orchard",
    "load_sample",
    "shared_campaigns",
    "shared_sample",
    "write_samples",
]

DATASETS_DIR = Path(__file__).resolve().parents[2] / "datasets"
ORCHARD_FILE = "orchard.csv"


def leads_file(context: str) -> str:
    """The file name of a sample pipeline in ``datasets/`` (``startup.csv``)."""
    return f"{context}.csv"


def campaigns_file(context: str) -> str:
    """The file name of a sample's campaign table in ``datasets/`` (``startup_campaigns.csv``)."""
    return f"{context}_campaigns.csv"


def _check_context(name: str) -> None:
    if name not in CONTEXTS:
        raise ValueError(
            f"Unknown sample {name!r}. Valid names: {', '.join(repr(c) for c in CONTEXTS)}."
        )


def _generated(kind: str, name: str) -> pd.DataFrame:
    """The table the generator makes for a sample file (what the file holds)."""
    if kind == "leads":
        return generate_leads(name)
    if kind == "campaigns":
        return generate_campaigns(name)
    return generate_orchard()


@functools.cache
def _load(kind: str, name: str) -> pd.DataFrame:
    """Read a bundled dataset once, or generate it when the repository's files are not there.

    The course's one sample cache: the frames it returns are shared, never modified.
    """
    if kind == "leads":
        file, table = leads_file(name), LEADS
    elif kind == "campaigns":
        file, table = campaigns_file(name), CAMPAIGNS
    else:
        file, table = ORCHARD_FILE, ORCHARD
    path = DATASETS_DIR / file
    if path.is_file():
        return read_table(path, table)
    return validate_frame(_generated(kind, name), table, f"generated {file}")


def shared_sample(context: str) -> pd.DataFrame:
    """The cached lead table of the sample ``context``, shared by the whole course.

    Callers must not modify it; learner code must only ever get a ``.copy()`` (see load_sample).
    """
    _check_context(context)
    return _load("leads", context)


def shared_campaigns(context: str) -> pd.DataFrame:
    """The cached campaign table of the sample ``context``, shared by the whole course.

    Callers must not modify it; learner code must only ever get a ``.copy()``.
    """
    _check_context(context)
    return _load("campaigns", context)


@functools.cache
def _world_leads(context: str, world: str) -> pd.DataFrame:
    """The sample's leads generated again in another world (same context, size and seed)."""
    return validate_frame(
        generate_leads(context, world=WORLDS[world]), LEADS, f"{context} leads, world '{world}'"
    )


def shared_world_sample(context: str, world: str) -> pd.DataFrame:
    """The cached leads of ``context`` in the named world of :data:`WORLDS` (shared, do not
    modify). The default world is the sample itself; the others differ only by their switch."""
    _check_context(context)
    if world not in WORLDS:
        raise ValueError(f"Unknown world {world!r}; use one of: {', '.join(map(repr, WORLDS))}.")
    if WORLDS[world] == DEFAULT_WORLD:
        return shared_sample(context)
    return _world_leads(context, world)


def load_sample(name: str) -> pd.DataFrame:
    """The sample pipeline ``name`` ("startup", "consultancy" or "agency") as a lead table."""
    return shared_sample(name).copy()


def load_campaigns(name: str) -> pd.DataFrame:
    """The campaign table (campaign, channel, spend_eur) of the sample pipeline ``name``."""
    return shared_campaigns(name).copy()


def load_orchard() -> pd.DataFrame:
    """The orchard table of the fruit analogy."""
    return _load("orchard", "").copy()


def write_samples(directory: str | Path | None = None, seed: int = 0) -> list[Path]:
    """Write every sample, campaign table, the orchard and datapackage.json; return the paths."""
    out = Path(directory) if directory is not None else DATASETS_DIR
    out.mkdir(parents=True, exist_ok=True)
    tables: dict[str, pd.DataFrame] = {}
    for context in CONTEXTS:
        tables[leads_file(context)] = generate_leads(context, seed=seed)
        tables[campaigns_file(context)] = generate_campaigns(context, seed=seed)
    tables[ORCHARD_FILE] = generate_orchard(seed=seed)
    texts = {name: to_csv_text(frame) for name, frame in tables.items()}
    texts["datapackage.json"] = datapackage_json()
    paths = []
    for name, text in texts.items():
        path = out / name
        path.write_text(text, encoding="utf-8", newline="")
        paths.append(path)
    return paths
