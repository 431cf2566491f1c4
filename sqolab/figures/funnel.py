"""Figures and tables of chapter 1 (What is an SQO?): the funnel of a sample and the frameworks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import FuncFormatter

from sqolab.engine.criteria import FRAMEWORKS, Criteria, Framework, qualify
from sqolab.engine.outcomes import require_outcome
from sqolab.figures.style import ROLE, label, new_figure

WON_STAGE = "Won (if pursued)"
NOT_EXPRESSIBLE = "not expressible"  # the mapping of a letter our columns cannot hold

# The course's funnel gate in front of the SQO decision: marketing's fit + engagement threshold.
MQL_GATE = Criteria(min_fit=40, min_engagement=40)


def funnel_counts(leads: pd.DataFrame, stages: Sequence[tuple[str, Criteria]]) -> pd.DataFrame:
    """Leads left at each stage of a funnel, each stage a subset of the one before.

    The first row counts all leads; each ``(name, criteria)`` keeps the leads of the previous
    stage that :func:`~sqolab.engine.criteria.qualify` under ``criteria``; the last row keeps the
    leads of the last stage whose simulated ``outcome`` is ``won``. Columns: ``stage, leads,
    share_of_previous, share_of_all``.
    """
    require_outcome(leads, "funnel_counts")
    names = ["All leads"]
    kept = np.ones(len(leads), dtype=bool)
    counts = [len(leads)]
    for name, criteria in stages:
        kept = kept & qualify(leads, criteria).to_numpy()
        names.append(name)
        counts.append(int(kept.sum()))
    kept = kept & (leads["outcome"] == "won").to_numpy()
    names.append(WON_STAGE)
    counts.append(int(kept.sum()))
    n = np.asarray(counts, dtype=float)
    previous = np.concatenate(([n[0]], n[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        share_prev = np.where(previous > 0, n / previous, np.nan)
        share_all = np.where(n[0] > 0, n / n[0], np.nan)
    return pd.DataFrame(
        {
            "stage": names,
            "leads": np.asarray(counts, dtype=np.int64),
            "share_of_previous": share_prev,
            "share_of_all": share_all,
        }
    )


def funnel_figure(
    counts: pd.DataFrame,
    title: str = "The funnel of a sample",
    *,
    first_stage: str | None = None,
    before: Sequence[str] = (),
    between: Sequence[str] = (),
    recycle: bool = False,
) -> Figure:
    """Centred horizontal bars, widest at the top, each labelled with its count and conversion.

    ``first_stage`` renames the first row of ``counts``. ``before`` and ``between`` are stages the
    data does not record, drawn as dashed outlines (no count) above the first row and between the
    first and second rows. ``recycle`` draws the way back: the leads of the first row that do not
    reach the second return to nurture, with their count.
    """
    stages = counts["stage"].tolist()
    if first_stage is not None and stages:
        stages[0] = first_stage
    # rows from the top: (kind, index into counts or label)
    rows: list[tuple[str, object]] = [("outline", name) for name in before]
    for i in range(len(counts)):
        rows.append(("bar", i))
        if i == 0:
            rows += [("outline", name) for name in between]
    n = len(rows)
    fig, ax = new_figure(7.5, 0.75 * n + 1.2)
    widths = counts["leads"].to_numpy(dtype=float)
    half = widths.max() / 2 if len(widths) else 1.0
    y_of: dict[int, float] = {}
    for r, (kind, item) in enumerate(rows):
        y = float(n - 1 - r)
        if kind == "outline":
            ax.add_patch(
                FancyBboxPatch(
                    (-half, y - 0.25),
                    2 * half,
                    0.5,
                    boxstyle="round,pad=0,rounding_size=0.05",
                    fill=False,
                    linestyle="--",
                    edgecolor=ROLE["not_sqo"],
                )
            )
            ax.text(
                0,
                y,
                f"{item}: not recorded in the sample",
                ha="center",
                va="center",
                fontsize=9,
                style="italic",
            )
            continue
        i = int(item)  # type: ignore[call-overload]
        y_of[i] = y
        stage = counts["stage"].iloc[i]
        colour, hatch = ROLE["not_sqo"], ""
        if stage == WON_STAGE:
            colour, hatch = ROLE["won"], "//"
        elif "SQO" in stage:
            colour = ROLE["sqo"]
        ax.barh(
            y,
            widths[i],
            left=-widths[i] / 2,
            height=0.5,
            color=colour,
            hatch=hatch,
            edgecolor="white",
        )
        text = f"{stages[i]}: {int(widths[i]):,}"
        if i > 0:
            text += f" ({counts['share_of_previous'].iloc[i]:.0%} of the stage before)"
        ax.text(0, y + 0.3, text, ha="center", va="bottom", fontsize=9)
    if recycle and len(widths) > 1:
        back = int(widths[0] - widths[1])
        x = half * 1.02
        ax.add_patch(
            FancyArrowPatch(
                (x, y_of[1]),
                (x, y_of[0]),
                connectionstyle="arc3,rad=0.35",
                arrowstyle="-|>",
                mutation_scale=14,
                color=ROLE["current"],
            )
        )
        ax.text(
            x * 1.2,
            (y_of[0] + y_of[1]) / 2,
            f"way back:\nnot (yet) an SQO,\nrecycled to nurture\n{back:,}",
            ha="left",
            va="center",
            fontsize=8,
        )
    right = half * (1.6 if recycle else 1.05)
    ax.set_xlim(-half * 1.05, right)
    ax.set_ylim(-0.6, n - 0.1)
    ax.set_yticks([])
    ax.set_xticks([t for t in ax.get_xticks() if abs(t) <= half * 1.001])
    ax.grid(False)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{abs(v):,.0f}"))
    label(ax, "leads at the stage [count], bars centred on 0", "funnel stage [top = first]", title)
    return fig


def _mapping(fw: Framework) -> str:
    """The letters that map onto columns, as 'Letter: rule' items."""
    items = [f"{letter}: {rule}" for letter, _, rule in fw.letters if rule != NOT_EXPRESSIBLE]
    return "; ".join(items)


def framework_table(
    frameworks: Mapping[str, Framework] = FRAMEWORKS, context: str = "startup"
) -> pd.DataFrame:
    """One row per framework: origin, letters, column mapping, what the data cannot express, fit.

    The ``rule`` column is the framework's criteria for ``context`` in plain English
    (:meth:`~sqolab.engine.criteria.Criteria.describe`).
    """
    rows = []
    for name, fw in frameworks.items():
        rows.append(
            {
                "framework": name,
                "origin": fw.origin,
                "letters": ", ".join(letter for letter, _, _ in fw.letters),
                "maps onto our columns": _mapping(fw),
                "cannot express": " ".join(fw.cannot_express),
                "fits": fw.fits,
                f"rule ({context})": fw.for_context(context).describe(),
            }
        )
    return pd.DataFrame(rows)


def markdown_table(frame: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table (for a book page: it wraps, unlike a wide HTML table)."""

    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = [
        "| " + " | ".join(cell(c) for c in frame.columns) + " |",
        "|" + "---|" * len(frame.columns),
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join(lines)
