"""The lab controller shared by every lab: widgets, one refresh, in-place figures, static snapshot.

A lab is an ``ipywidgets.VBox`` that owns its controls. Every control's ``value`` is observed by one
:meth:`Lab.refresh`, which asks the engine for the new figures and updates the existing views in
place: plot artists (``set_height``, ``set_data``, ``set_text``), HTML tables and the key numbers.
No figure is ever re-created.

Figures are shown live through ipympl (:mod:`sqolab.labs.canvas`); controls come from
:mod:`sqolab.labs.controls`, tables and the style sheet from :mod:`sqolab.labs.html`, numbers are
formatted by :mod:`sqolab.engine.formatting`.

Outside a live kernel (the book, nbconvert) the widget cannot move; :meth:`Lab._repr_mimebundle_`
therefore adds a ``text/html`` snapshot of the current state (figures as PNG with alt text, the key
numbers and the tables) to the usual widget bundle.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets
import pandas as pd

from sqolab.data.samples import shared_sample, shared_world_sample
from sqolab.data.schema import CONTEXTS
from sqolab.data.worlds import DEFAULT_WORLD, WORLD_NOTES, WORLDS
from sqolab.engine.formatting import fmt_number
from sqolab.labs.canvas import LabFigure
from sqolab.labs.controls import dropdown, on_off, split_unit
from sqolab.labs.html import LAB_CSS, LIVE_CSS

logger = logging.getLogger("sqolab.labs")

KERNEL_NOTE = (
    "Moving the controls needs a running kernel: use the launch buttons (Binder, Colab) at the top "
    "of the page or run the notebook locally."
)
"""How to move the controls: said by the static snapshot only (hidden wherever a lab runs live)."""

SNAPSHOT_CAPTION = "Starting state of the lab (static)"
"""The one-line caption of every static snapshot."""


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
        """The leads the lab shows for ``context``: your own leads, or the context's sample in the
        world the world control names (the sample itself by default)."""
        if self._given is not None:
            return self._given
        if self.world is None:
            return shared_sample(context)
        return shared_world_sample(context, self.world.value)

    def per_context(self, context: str, build: Callable[[str], Any]) -> Any:
        """``build(context)``, computed once per context (and world) and then only looked up."""
        key = (context, None if self.world is None else self.world.value)
        if key not in self._per_context:
            self._per_context[key] = build(context)
        return self._per_context[key]

    def add_world_control(self) -> widgets.Dropdown:
        """The "what if the world were different" control and its note (samples only).

        Another world regenerates the context's sample with one modelling switch changed
        (:mod:`sqolab.data.worlds`), so a learner sees which conclusions follow from the
        simulation's assumptions.
        """
        self.world = self.control(
            "world",
            dropdown(
                "What if the world were different?",
                "Regenerate the sample with one assumption of the simulation changed; the "
                "numbers and charts then show that world.",
                list(WORLDS),
                next(iter(WORLDS)),
            ),
            lambda name: None if WORLDS[name] == DEFAULT_WORLD else f"world: {name}",
        )
        self.world.disabled = self._given is not None
        self.world_note = widgets.HTML()
        self.world.observe(lambda _: self._note_world(), names="value")
        self._note_world()
        return self.world

    def world_controls(self) -> list[widgets.Widget]:
        """The world control and its note, when the lab has them (for the lab's children)."""
        return [] if self.world is None else [self.world, self.world_note]

    def _note_world(self) -> None:
        name = self.world.value if self.world is not None else next(iter(WORLDS))
        default = WORLDS[name] == DEFAULT_WORLD
        self.world_note.value = (
            f'<p class="sqolab-note"><b>World:</b> {html.escape(WORLD_NOTES[name])} '
            + (
                "These are the course's samples."
                if default
                else "A simulation assumption changed: compare with 'as in the samples' to see "
                "which conclusions hold and which flip (datasets/README.md, 'worlds')."
            )
            + "</p>"
        )

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
        self._per_context: dict[tuple[str, str | None], Any] = {}
        self.world: widgets.Dropdown | None = None
        self.world_note = widgets.HTML()
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
        return widgets.HTML(f"{LAB_CSS}{LIVE_CSS}<h3>{html.escape(self.title)}</h3><p>{intro}</p>")

    def snapshot_html(self) -> str:
        """A static HTML view of the current state, for pages without a kernel."""
        parts = [
            LAB_CSS,
            f'<div class="sqolab-lab-snapshot"><h3>{html.escape(self.title)}</h3>',
            f'<p class="sqolab-note">{SNAPSHOT_CAPTION}</p>',
            f'<p class="sqolab-note sqolab-static-only">{html.escape(KERNEL_NOTE)}</p>',
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


Builder = Callable[..., Lab]
