"""The interactive labs of the course: one controller per lab, each built from :data:`LABS`.

``LABS[name]()`` builds a lab with its default sample; ``LABS[name](leads=...)`` with your own
leads (a mapping of context to leads for "contexts", an orchard table for "orchard"). A lab
is an ``ipywidgets`` widget: display it in a notebook (JupyterLab, Voilà) to play with it;
outside a kernel it shows a static snapshot of its current state.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets

from sqolab.labs.base import KERNEL_NOTE, SNAPSHOT_CAPTION, Lab
from sqolab.labs.benefits import BenefitsLab, benefits_lab
from sqolab.labs.canvas import LabCanvas, LabFigure
from sqolab.labs.contexts import ContextsLab, contexts_lab
from sqolab.labs.drawbacks import DrawbacksLab, drawbacks_lab
from sqolab.labs.orchard import OrchardLab, orchard_lab, orchard_pipeline
from sqolab.labs.qualify import QualifyLab, qualify_lab
from sqolab.labs.tradeoff import TradeoffLab, tradeoff_lab

LABS: dict[str, Callable[..., ipywidgets.Widget]] = {
    "qualify": qualify_lab,
    "tradeoff": tradeoff_lab,
    "benefits": benefits_lab,
    "drawbacks": drawbacks_lab,
    "contexts": contexts_lab,
    "orchard": orchard_lab,
}
"""Every lab by name, in course order; each callable builds the lab with its default sample."""

__all__ = [
    "KERNEL_NOTE",
    "LABS",
    "SNAPSHOT_CAPTION",
    "BenefitsLab",
    "ContextsLab",
    "DrawbacksLab",
    "Lab",
    "LabCanvas",
    "LabFigure",
    "OrchardLab",
    "QualifyLab",
    "TradeoffLab",
    "benefits_lab",
    "contexts_lab",
    "drawbacks_lab",
    "orchard_lab",
    "orchard_pipeline",
    "qualify_lab",
    "tradeoff_lab",
]
