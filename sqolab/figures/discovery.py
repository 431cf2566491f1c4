"""The discovery lab's calibration chart: the learner's win probabilities against what happened."""

from __future__ import annotations

import base64
import io

import pandas as pd
from matplotlib.figure import Figure

from sqolab.figures.style import CYCLE_COLOURS, label, new_figure, percent_axis


def calibration_figure(table: pd.DataFrame, brier: float) -> Figure:
    """Share won per forecast bin (points sized by cases) against perfect calibration.

    ``table`` is :func:`sqolab.engine.calls.calibration`'s table.
    """
    figure, ax = new_figure(5.5, 4.0)
    ax.plot(
        [0, 1], [0, 1], color="0.6", linestyle="--", linewidth=1.2, label="perfectly calibrated"
    )
    shown = table[table["cases"] > 0]
    ax.scatter(
        shown["mean forecast"],
        shown["share won"],
        s=40 + 40 * shown["cases"],
        color=CYCLE_COLOURS[0],
        zorder=3,
        label="your cases (size: number of cases)",
    )
    for _, row in shown.iterrows():
        ax.annotate(
            f"{int(row['cases'])}",
            (row["mean forecast"], row["share won"]),
            textcoords="offset points",
            xytext=(8, -4),
            fontsize=9,
        )
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.03, 1.03)
    percent_axis(ax, "x")
    percent_axis(ax, "y")
    label(
        ax,
        "your win probability [%]",
        "share of these cases won [%]",
        f"Calibration (Brier score {brier:.3f}; 0 is perfect, 0.25 is always saying 50%)",
    )
    ax.legend(loc="upper left")
    return figure


def figure_png(figure: Figure) -> str:
    """The figure as a base64 PNG (for an ``<img>`` with alt text in a widget or snapshot)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")
