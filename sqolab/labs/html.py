"""The labs' HTML: the shared style sheet and small tables rebuilt on every refresh."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

LAB_CSS = """<style>
.sqolab-lab {max-width: 100%;}
.sqolab-lab .jupyter-matplotlib, .sqolab-lab .jupyter-matplotlib-figure,
.sqolab-lab .jupyter-matplotlib-canvas-container {max-width: 100%; min-width: 0;}
.sqolab-lab .jupyter-matplotlib-canvas-div, .sqolab-lab .jupyter-matplotlib-canvas-div canvas {
  max-width: 100% !important; height: auto !important;}
.sqolab-lab .jupyter-matplotlib-canvas-div canvas:first-child {position: relative !important;}
.sqolab-numbers {font-size: 1.05em; margin: 4px 0;}
.sqolab-numbers .sqolab-key {display: inline-block; margin: 2px 14px 2px 0;}
.sqolab-numbers b {font-size: 1.15em;}
.sqolab-table {border-collapse: collapse; font-size: 0.85em; margin: 4px 0;}
.sqolab-table-wrap {max-width: 100%; overflow-x: auto;}
.sqolab-table th, .sqolab-table td {border-bottom: 1px solid #ddd; padding: 2px 6px;
  text-align: left; white-space: normal; overflow-wrap: normal; word-break: normal;}
.sqolab-table td:first-child {white-space: nowrap;}
.sqolab-table caption {text-align: left; font-weight: bold; padding: 4px 0;}
.sqolab-error {border: 2px solid #D55E00; padding: 6px 10px; margin: 4px 0;}
.sqolab-note {font-style: italic; margin: 6px 0;}
.sqolab-binds {border-left: 4px solid #D55E00; padding: 2px 8px; margin: 4px 0;}
.sqolab-lab .widget-inline-hbox > .widget-label {flex-shrink: 0;}
</style>"""
"""The style sheet of the labs, live and static."""

LIVE_CSS = "<style>.sqolab-static-only {display: none;}</style>"
"""Only where a lab runs live (JupyterLab, Voila): hides what the static snapshot alone needs,
such as the note that moving the controls needs a running kernel."""


def html_table(
    rows: Iterable[Sequence[object]], header: Sequence[str], caption: str | None = None
) -> str:
    """A small HTML table (cells escaped); quicker than ``DataFrame.to_html`` for live updates."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<div class="sqolab-table-wrap"><table class="sqolab-table">{cap}'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
