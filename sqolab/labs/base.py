"""The lab controller shared by every lab: widgets, one refresh, in-place figures, static snapshot.

A lab is an ``ipywidgets.VBox`` that owns its controls. Every control's ``value`` is observed by one
:meth:`Lab.refresh`, which asks the engine for the new figures and updates the existing views in
place: plot artists (``set_height``, ``set_data``, ``set_text``), HTML tables and the key numbers.
No figure is ever re-created.

Figures are shown live through ipympl. :class:`LabCanvas` keeps the static part of a figure (axes,
ticks, labels, curves that do not depend on the controls) as a cached bitmap and redraws only the
artists that move, because the axes are fixed: that is what keeps a redraw within the time budget.

Outside a live kernel (the book, nbconvert) the widget cannot move; :meth:`Lab._repr_mimebundle_`
therefore adds a ``text/html`` snapshot of the current state (figures as PNG with alt text, the key
numbers and the tables) to the usual widget bundle.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import math
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets
import pandas as pd
from ipympl.backend_nbagg import Canvas, FigureManager
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sqolab.data.samples import shared_sample
from sqolab.data.schema import CONTEXTS
from sqolab.figures.style import new_figure, percent_axis

logger = logging.getLogger("sqolab.labs")

KERNEL_NOTE = (
    "Moving the controls needs a running kernel: use the launch buttons (Binder, Colab) at the top "
    "of the page or run the notebook locally."
)
"""How to move the controls. The notebooks say it above each lab, so the snapshot does not."""

SNAPSHOT_CAPTION = "Starting state of the lab (static)"
"""The one-line caption of every static snapshot."""

LAB_CSS = """<style>
.sqolab-lab {max-width: 100%;}
.sqolab-numbers {font-size: 1.05em; margin: 4px 0;}
.sqolab-numbers .sqolab-key {display: inline-block; margin: 2px 14px 2px 0;}
.sqolab-numbers b {font-size: 1.15em;}
.sqolab-table {border-collapse: collapse; font-size: 0.85em; margin: 4px 0;}
.sqolab-table th, .sqolab-table td {border-bottom: 1px solid #ddd; padding: 2px 6px;
  text-align: left; white-space: nowrap;}
.sqolab-table caption {text-align: left; font-weight: bold; padding: 4px 0;}
.sqolab-error {border: 2px solid #D55E00; padding: 6px 10px; margin: 4px 0;}
.sqolab-note {font-style: italic; margin: 6px 0;}
.sqolab-binds {border-left: 4px solid #D55E00; padding: 2px 8px; margin: 4px 0;}
</style>"""


# --------------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------------


def fmt_int(value: float) -> str:
    """12,345 (n/a for NaN)."""
    return "n/a" if value is None or math.isnan(value) else f"{value:,.0f}"


def fmt_pct(value: float, decimals: int = 1) -> str:
    """A 0-1 share as 12.3% (n/a for NaN, e.g. the win rate of no SQOs)."""
    return "n/a" if value is None or math.isnan(value) else f"{value:.{decimals}%}"


def fmt_eur(value: float) -> str:
    """1,234,567 EUR (n/a for NaN)."""
    return "n/a" if value is None or math.isnan(value) else f"{value:,.0f} EUR"


def fmt_number(value: float) -> str:
    """A control's value as text: 7,500 or 1.5 (at most two decimals, no trailing zeros)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


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
        f'<table class="sqolab-table">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


# --------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------


class LabCanvas(Canvas):
    """An ipympl canvas that caches the static part of its figure and redraws only what moves.

    Artists registered with :meth:`LabFigure.dynamic` are *animated*: a full draw leaves them out
    and the result is kept as the background. Each later :meth:`draw` restores that background and
    draws the animated artists on top (blitting), which is what the kernel does when the browser
    asks for a new image. Saving (the static snapshot) draws everything as usual.
    """

    def __init__(self, figure: Figure, **kwargs: Any) -> None:
        super().__init__(figure, **kwargs)
        self._background: Any = None
        self._background_key: tuple[float, ...] | None = None
        self.dynamic_artists: list[Artist] = []

    def invalidate(self) -> None:
        """Forget the cached background (after a static artist or an axis limit changed)."""
        self._background = None

    def draw(self) -> None:
        """Render the figure into the Agg buffer and send the changed pixels to the browser."""
        self._png_is_old = True
        try:
            renderer = self.get_renderer()
            key = (renderer.width, renderer.height, self.figure.dpi)
            if self._background is None or key != self._background_key:
                FigureCanvasAgg.draw(self)  # full draw without the animated artists
                if self.figure.get_layout_engine() is not None:
                    self.figure.set_layout_engine("none")  # freeze the layout: axes are fixed
                self._background = self.copy_from_bbox(self.figure.bbox)
                self._background_key = key
            else:
                self.restore_region(self._background)
            for artist in self.dynamic_artists:
                if artist.get_visible():
                    self.figure.draw_artist(artist)
        finally:
            self.manager.refresh_all()


class LabFigure:
    """A course-style figure shown live through an ipympl :class:`LabCanvas`.

    ``alt`` is the text alternative of the figure in the static snapshot; labs keep it up to date.
    """

    def __init__(self, width: float, height: float, nrows: int = 1, ncols: int = 1, **kw: Any):
        self.figure, self.axes = new_figure(width, height, nrows, ncols, **kw)
        self.canvas = LabCanvas(self.figure)
        with warnings.catch_warnings():  # ipympl's Toolbar passes traitlets an extra argument
            warnings.simplefilter("ignore", DeprecationWarning)
            self.manager = FigureManager(self.canvas, id(self.figure))
        self.canvas.header_visible = False
        self.canvas.footer_visible = False
        self.canvas.toolbar_visible = False
        self.canvas.resizable = False
        self.canvas.capture_scroll = False
        self.alt = ""

    def dynamic(self, *artists: Artist | Iterable[Artist]) -> None:
        """Register artists that change with the controls (drawn over the cached background)."""
        for item in artists:
            group = [item] if isinstance(item, Artist) else list(item)
            for artist in group:
                artist.set_animated(True)
                self.canvas.dynamic_artists.append(artist)

    def invalidate(self) -> None:
        """Static content changed: the next draw renders the whole figure again."""
        self.canvas.invalidate()

    def png_base64(self) -> str:
        """The current figure as a base64 PNG (everything drawn, animated artists included)."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.figure.dpi)
        return base64.b64encode(buffer.getvalue()).decode("ascii")

    def img_html(self) -> str:
        """An ``<img>`` of the figure with its alt text."""
        return (
            f'<img src="data:image/png;base64,{self.png_base64()}" '
            f'alt="{html.escape(self.alt or "figure of the lab", quote=True)}" '
            'style="max-width: 100%; height: auto;"/>'
        )

    def close(self) -> None:
        """Close the live canvas (the figure was never registered with pyplot)."""
        self.canvas.close()
        if self.manager.toolbar is not None:
            self.manager.toolbar.close()


# --------------------------------------------------------------------------------------------------
# Controls
# --------------------------------------------------------------------------------------------------

_STYLE = {"description_width": "170px"}
_WIDE = widgets.Layout(width="420px")


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
        layout=_WIDE,
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
        layout=_WIDE,
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


# --------------------------------------------------------------------------------------------------
# The controller
# --------------------------------------------------------------------------------------------------


class Lab(widgets.VBox):
    """Base controller: owns the controls, wires each to :meth:`refresh`, shows errors kindly.

    Subclasses create their controls with :meth:`control`, their figures with :meth:`add_figure`,
    lay out ``self.children``, implement :meth:`update` (and :meth:`adapt` when a control's range
    follows others), then call :meth:`refresh` once.
    """

    title = "Lab"

    def use_leads(self, leads: pd.DataFrame | None, context: str) -> None:
        """Check the starting ``context`` and keep the learner's own ``leads`` (None: samples)."""
        if context not in CONTEXTS:
            raise ValueError(f"Unknown context {context!r}; use one of {', '.join(CONTEXTS)}.")
        self._given = leads

    def leads_of(self, context: str) -> pd.DataFrame:
        """The leads the lab shows for ``context`` (your own leads, or the context's sample)."""
        return self._given if self._given is not None else shared_sample(context)

    def per_context(self, context: str, build: Callable[[str], Any]) -> Any:
        """``build(context)``, computed once per context and then only looked up."""
        if context not in self._per_context:
            self._per_context[context] = build(context)
        return self._per_context[context]

    def prepared(self) -> list[Any]:
        """Everything :meth:`per_context` has built so far (e.g. to fix axes for all contexts)."""
        return list(self._per_context.values())

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("sqolab-lab")
        self.controls: dict[str, widgets.ValueWidget] = {}
        self.figures: list[LabFigure] = []
        self.tables: dict[str, widgets.HTML] = {}
        self.numbers: dict[str, str] = {}
        self.error: str | None = None
        self.refresh_count = 0
        self._given: pd.DataFrame | None = None
        self._per_context: dict[str, Any] = {}
        self._defaults: dict[str, Any] = {}
        self._describe: dict[str, Callable[[Any], str | None]] = {}
        self._holding = 0
        self.headline = widgets.HTML()
        self.message = widgets.HTML(layout=widgets.Layout(display="none"))
        self.reset_button = widgets.Button(
            description="Reset",
            tooltip="Put every control of this lab back to its starting value.",
            icon="undo",
        )
        self.reset_button.on_click(lambda _button: self.reset())

    # -- building -----------------------------------------------------------------------------

    def control(
        self,
        name: str,
        widget: widgets.ValueWidget,
        describe: Callable[[Any], str | None] | None = None,
    ) -> widgets.ValueWidget:
        """Register a control: its changes refresh the lab; Reset returns it to its value now.

        ``describe`` turns the control's value into the words of the snapshot's settings line
        (``None`` leaves the control out); by default :meth:`setting_text` is used.
        """
        if not widget.tooltip:
            raise ValueError(f"control {name!r} needs a tooltip that explains it")
        self.controls[name] = widget
        if describe is not None:
            self._describe[name] = describe
        self._defaults[name] = widget.value
        widget.observe(self._changed, names="value")
        return widget

    def add_figure(self, width: float, height: float, nrows: int = 1, ncols: int = 1) -> LabFigure:
        """A new live figure of the lab (made once; later only its artists change)."""
        figure = LabFigure(width, height, nrows, ncols)
        self.figures.append(figure)
        return figure

    def table(self, name: str) -> widgets.HTML:
        """An HTML widget for a table that the refresh rewrites (also put in the snapshot)."""
        widget = widgets.HTML()
        self.tables[name] = widget
        return widget

    # -- refreshing ---------------------------------------------------------------------------

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Change several controls without a refresh per change (call :meth:`refresh` after)."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1

    def _changed(self, _change: dict[str, Any]) -> None:
        if not self._holding:
            self.refresh()

    def adapt(self) -> None:
        """Adjust control ranges that depend on other controls (e.g. k of n). Default: nothing."""

    def update(self) -> None:  # pragma: no cover - abstract
        """Recompute with the engine and update every view in place."""
        raise NotImplementedError

    def refresh(self) -> bool:
        """Update every view; on an error show a short, kind message instead of a traceback."""
        try:
            with self.hold():
                self.adapt()
            self.update()
        except Exception as exc:
            logger.exception("refresh of %s failed", type(self).__name__)
            self.error = f"{type(exc).__name__}: {exc}"
            text = " ".join(str(exc).split()) or type(exc).__name__
            if len(text) > 400:
                text = text[:400] + " ..."
            self.message.value = (
                '<div class="sqolab-error" role="alert"><b>This setting could not be shown.</b> '
                f"{html.escape(text)} The views show the last setting that worked; "
                "change a control or press Reset.</div>"
            )
            self.message.layout.display = None
            ok = False
        else:
            if self.error is not None:
                self.message.value = ""
                self.message.layout.display = "none"
            self.error = None
            ok = True
        for figure in self.figures:
            figure.canvas.draw_idle()
        self.refresh_count += 1
        return ok

    def reset(self) -> None:
        """Every control back to its starting value, then one refresh."""
        with self.hold():
            for name, value in self._defaults.items():
                self.controls[name].value = value
            self.adapt()
            for name, value in self._defaults.items():  # again: ranges may have changed
                self.controls[name].value = value
        self.refresh()

    def set_values(self, **values: Any) -> None:
        """Set several controls at once with a single refresh (for presets and scripts)."""
        with self.hold():
            for name, value in values.items():
                self.controls[name].value = value
        self.refresh()

    # -- views --------------------------------------------------------------------------------

    def show_numbers(self, items: Sequence[tuple[str, str, str]], note: str = "") -> None:
        """Show the key numbers: ``(key, label, formatted value)``; keys are in ``data-key``.

        ``note`` is an HTML paragraph shown above the numbers (e.g. why some do not move).
        """
        self.numbers = {key: value for key, _label, value in items}
        spans = "".join(
            f'<span class="sqolab-key">{html.escape(label)}: '
            f'<b data-key="{key}">{html.escape(value)}</b></span>'
            for key, label, value in items
        )
        self.headline.value = f'<div class="sqolab-numbers" aria-live="polite">{note}{spans}</div>'

    def header(self, intro: str) -> widgets.HTML:
        """The lab's title and a one-line introduction."""
        return widgets.HTML(f"{LAB_CSS}<h3>{html.escape(self.title)}</h3><p>{intro}</p>")

    def snapshot_html(self) -> str:
        """A static HTML view of the current state, for pages without a kernel."""
        parts = [
            LAB_CSS,
            f'<div class="sqolab-lab-snapshot"><h3>{html.escape(self.title)}</h3>',
            f'<p class="sqolab-note">{SNAPSHOT_CAPTION}</p>',
            f"<p>Settings: {html.escape(self.settings_text())}.</p>",
            self.message.value if self.error else "",
            self.headline.value,
        ]
        parts += [figure.img_html() for figure in self.figures]
        parts += [widget.value for widget in self.tables.values()]
        parts.append("</div>")
        return "\n".join(parts)

    def settings_text(self) -> str:
        """The controls' current values in words, e.g. "Budget: at least 7,500 EUR; ..."."""
        pieces = []
        for name, widget in self.controls.items():
            describe = self._describe.get(name)
            text = describe(widget.value) if describe else self.setting_text(widget)
            if text:
                pieces.append(text[:1].upper() + text[1:])
        return "; ".join(pieces)

    @staticmethod
    def setting_text(widget: widgets.ValueWidget) -> str:
        """One control in words: "Context: B2B SaaS startup", "Sales capacity: 1,500 hours"."""
        name, unit = split_unit(widget.description)
        if isinstance(widget, widgets.Checkbox):
            return f"{name}: {on_off(widget.value)}"
        if isinstance(widget, widgets.Dropdown):
            return f"{name}: {widget.label}"
        if isinstance(widget.value, int | float) and not isinstance(widget.value, bool):
            value = fmt_number(widget.value)
            return f"{name}: {value} {unit}" if unit and unit != "count" else f"{name}: {value}"
        return f"{name}: {widget.value}"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/html"] = self.snapshot_html()
        return bundle

    def close(self) -> None:
        """Close the lab's widgets and live canvases."""
        for figure in self.figures:
            figure.close()
        for widget in [*self.controls.values(), *self.tables.values()]:
            widget.close()
        super().close()


def unit_bars(
    ax: Any, labels: Sequence[str], colours: Sequence[str], hatches: Sequence[str] | None = None
) -> Any:
    """Horizontal bars at 0 (heights set later), one per label, top to bottom."""
    n = len(labels)
    bars = ax.barh(
        range(n),
        [0.0] * n,
        color=list(colours),
        hatch=list(hatches) if hatches else None,
        edgecolor="white",
    )
    ax.set_yticks(range(n), labels)
    ax.invert_yaxis()
    return bars


def share_axis(ax: Any, axis: str = "x", room: float = 1.3) -> None:
    """A fixed 0-100% axis with room for value labels after the bars."""
    (ax.set_xlim if axis == "x" else ax.set_ylim)(0, room)
    (ax.set_xticks if axis == "x" else ax.set_yticks)([0, 0.25, 0.5, 0.75, 1.0])
    percent_axis(ax, axis)


Builder = Callable[..., Lab]
