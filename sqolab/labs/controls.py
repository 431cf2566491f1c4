"""The labs' controls: labelled sliders, dropdowns and checkboxes, and their values in words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

_STYLE = {"description_width": "initial"}  # the label takes the width its words need: never cut
_SLIDER = {"width": "100%", "max_width": "1400px"}  # the track gets the rest: long enough to aim
_DROPDOWN = {"width": "100%", "max_width": "640px"}


def slider(
    description: str,
    tooltip: str,
    minimum: float,
    maximum: float,
    step: float,
    value: float,
    *,
    integer: bool = True,
    readout_format: str | None = None,
) -> widgets.IntSlider | widgets.FloatSlider:
    """A labelled slider that only reports when released (a drag would flood the kernel)."""
    cls = widgets.IntSlider if integer else widgets.FloatSlider
    kwargs: dict[str, Any] = {}
    if readout_format:
        kwargs["readout_format"] = readout_format
    return cls(
        value=value,
        min=minimum,
        max=maximum,
        step=step,
        description=description,
        tooltip=tooltip,
        continuous_update=False,
        style=_STYLE,
        layout=widgets.Layout(**_SLIDER),
        **kwargs,
    )


def dropdown(
    description: str, tooltip: str, options: Sequence[Any], value: Any
) -> widgets.Dropdown:
    """A labelled dropdown (options may be ``(label, value)`` pairs)."""
    return widgets.Dropdown(
        options=options,
        value=value,
        description=description,
        tooltip=tooltip,
        style=_STYLE,
        layout=widgets.Layout(**_DROPDOWN),
    )


def checkbox(description: str, tooltip: str, value: bool) -> widgets.Checkbox:
    """A labelled checkbox."""
    return widgets.Checkbox(
        value=value,
        description=description,
        tooltip=tooltip,
        indent=False,
        layout=widgets.Layout(width="auto"),
    )


def split_unit(description: str) -> tuple[str, str]:
    """``"min budget [EUR]"`` as ``("min budget", "EUR")`` (no unit: ``""``)."""
    match = re.fullmatch(r"\s*(.*?)\s*\[([^\]]*)\]\s*", description)
    return (match.group(1), match.group(2)) if match else (description.strip(), "")


def on_off(value: bool) -> str:
    """A checkbox in words."""
    return "on" if value else "off"


def unknown_text(value: bool) -> str:
    """The "unknown counts as met" checkbox in words."""
    return "unknown values count as met" if value else "unknown values count as not met"
