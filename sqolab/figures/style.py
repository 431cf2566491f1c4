"""The course's one plotting style: Okabe-Ito colourblind-safe colours, labelled axes, no clutter.

Every figure of the book and the labs is made through :func:`new_figure`, so they all share the
style. Colours carry a fixed meaning across the course (:data:`ROLE`), and lines also differ by
marker or dash so that no message depends on colour alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
}

# One meaning per colour across the course.
ROLE: dict[str, str] = {
    "sqo": OKABE_ITO["blue"],
    "not_sqo": OKABE_ITO["grey"],
    "won": OKABE_ITO["bluish_green"],
    "lost_competitor": OKABE_ITO["vermillion"],
    "no_decision": OKABE_ITO["orange"],
    "missed": OKABE_ITO["reddish_purple"],
    "wasted": OKABE_ITO["vermillion"],
    "current": OKABE_ITO["black"],
    "accent": OKABE_ITO["sky_blue"],
}
CYCLE_COLOURS = [
    OKABE_ITO[k]
    for k in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue")
]
MARKERS = ["o", "s", "^", "D", "v", "P"]

STYLE: dict[str, Any] = {
    "axes.prop_cycle": cycler(color=CYCLE_COLOURS),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "font.size": 11,
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "savefig.bbox": "tight",
    "lines.linewidth": 2.0,
    "lines.markersize": 5,
}


@contextmanager
def styled() -> Iterator[None]:
    """Apply the course style inside a ``with`` block."""
    with mpl.rc_context(STYLE):
        yield


def new_figure(
    width: float = 7.0, height: float = 4.0, nrows: int = 1, ncols: int = 1, **kwargs: Any
) -> tuple[Figure, Any]:
    """A new figure in the course style, made without pyplot (nothing is kept alive globally).

    Returns ``(figure, axes)`` like ``plt.subplots``; ``axes`` is one Axes for a 1x1 grid.
    """
    with styled():
        figure = Figure(figsize=(width, height), layout="constrained")
        axes = figure.subplots(nrows, ncols, **kwargs)
    return figure, axes


def label(
    ax: Axes, x: str, y: str, title: str | None = None, *, category: str | None = None
) -> Axes:
    """Label both axes and the title. A quantity names its unit in brackets ("deal value [EUR]").

    ``category`` ("x" or "y") is the axis whose ticks are names (policies, criteria, stages): it
    gets a plain label ("policy"), because a unit such as "[-]" means nothing to a sales reader.
    """
    if category not in (None, "x", "y"):
        raise ValueError(f"category must be 'x', 'y' or None, got {category!r}")
    for axis, text in (("x", x), ("y", y)):
        if axis == category:
            if "[" in text:
                raise ValueError(f"the {axis} axis holds names: no unit in its label, got {text!r}")
        elif "[" not in text:
            raise ValueError(f"axis labels must name their unit in brackets, got {x!r} and {y!r}")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if title:
        ax.set_title(title)
    return ax


def percent_axis(ax: Axes, axis: str = "y") -> None:
    """Show a 0-1 axis as percentages."""
    from matplotlib.ticker import PercentFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(1.0, decimals=0))


def euro_axis(ax: Axes, axis: str = "y") -> None:
    """Show an axis in euros with thousands separators (12k, 1.2M)."""
    from matplotlib.ticker import FuncFormatter

    def fmt(value: float, _pos: int) -> str:
        if abs(value) >= 1e6:
            return f"{value / 1e6:.1f}M"
        if abs(value) >= 1e3:
            return f"{value / 1e3:.0f}k" if value % 1000 == 0 else f"{value / 1e3:.1f}k"
        return f"{value:.0f}"

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(fmt))
