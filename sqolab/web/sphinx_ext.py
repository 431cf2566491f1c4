"""Sphinx extension: the live labs in the built book (``sphinx: extra_extensions`` in _config.yml).

A page asks for a live lab with one line of HTML in a Markdown cell (invisible in Jupyter, where
the ipywidgets lab runs instead)::

    <div class="sqolab-live" data-lab="qualify"></div>

After the page is resolved, the extension adds the lab's data script, ``live.js`` and
``live.css`` right after that element (relative links: the site works from any folder and
offline). When the HTML build finishes, it writes those files into ``_static/sqolab-live``.
Other builders (LaTeX, PDF) drop raw HTML, so they keep the static snapshot only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.osutil import relative_uri

from sqolab.web.discovery import write_discovery_files
from sqolab.web.payload import LABS, write_site_files

FOLDER = "_static/sqolab-live"
PLAYER = "discovery"
"""The discovery call's player (discovery.js with its case sets), beside the live labs."""
MARKER = re.compile(r"<div\b[^>]*\bclass=\"sqolab-live\"[^>]*\bdata-lab=\"([^\"]*)\"")


class LiveLabError(ValueError):
    """A page names a live lab that does not exist."""


def page_labs(doctree: nodes.Node) -> list[tuple[nodes.raw, str]]:
    """The raw HTML nodes of a page that ask for a live lab, with the lab's name."""
    found = []
    for node in doctree.findall(nodes.raw):
        if "html" not in node.get("format", "").split():
            continue
        for name in MARKER.findall(node.astext()):
            found.append((node, name))
    return found


def add_scripts(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """After each live-lab element, the tags that load its data, the script and the style."""
    if app.builder.format != "html":
        return
    labs = page_labs(doctree)
    if not labs:
        return
    here = app.builder.get_target_uri(docname)
    for node, lab in labs:
        if lab not in (*LABS, PLAYER):
            raise LiveLabError(
                f"{docname}: unknown live lab {lab!r} in data-lab; use one of: "
                f"{', '.join((*LABS, PLAYER))}."
            )

        def link(name: str) -> str:
            return relative_uri(here, f"{FOLDER}/{name}")

        if lab == PLAYER:  # the script loads its case sets itself, when chosen
            tags = (
                f'<link rel="stylesheet" href="{link("live.css")}">\n'
                f'<script async src="{link("discovery.js")}"></script>\n'
            )
        else:
            tags = (
                f'<link rel="stylesheet" href="{link("live.css")}">\n'
                f'<script async src="{link(f"data-{lab}.js")}"></script>\n'
                f'<script async src="{link("live.js")}"></script>\n'
            )
        node.parent.insert(node.parent.index(node) + 1, nodes.raw("", tags, format="html"))


def write_files(app: Sphinx, exception: Exception | None) -> None:
    """Write the script, the style and the labs' data into the HTML output."""
    if exception is None and app.builder.format == "html":
        write_site_files(Path(app.outdir) / FOLDER)
        write_discovery_files(Path(app.outdir) / FOLDER)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the hooks."""
    app.connect("doctree-resolved", add_scripts)
    app.connect("build-finished", write_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
