"""Live figures of the labs: an ipympl canvas that redraws only what moves, and its figure.

:class:`LabCanvas` keeps the static part of a figure (axes, ticks, labels, curves that do not depend
on the controls) as a cached bitmap and redraws only the artists that move, because the axes are
fixed: that is what keeps a redraw within the time budget. :func:`unit_bars` and :func:`share_axis`
build the fixed bars and axes those artists move on.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import math
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ipympl.backend_nbagg import Canvas, FigureManager
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sqolab.figures.style import new_figure, percent_axis

logger = logging.getLogger("sqolab.labs")


MAX_PIXEL_RATIO = 2.0
"""The largest device pixel ratio a client may ask for (HiDPI screens use 1-2)."""

MIN_PIXEL_RATIO = 0.5
"""The smallest device pixel ratio a client may ask for (a zoomed-out browser)."""

MAX_SIZE_FACTOR = 2.0
"""A resizable canvas grows to at most this many times its figure's own width and height."""

REFRESH_INTERVAL = 0.5
"""Seconds between two client refreshes that are served at once; others are coalesced."""


class LabCanvas(Canvas):
    """An ipympl canvas that caches the static part of its figure and redraws only what moves.

    Artists registered with :meth:`LabFigure.dynamic` are *animated*: a full draw leaves them out
    and the result is kept as the background. Each later :meth:`draw` restores that background and
    draws the animated artists on top (blitting), which is what the kernel does when the browser
    asks for a new image. Saving (the static snapshot) draws everything as usual.

    Every message a client can send is bounded (anyone on a class network can talk to a kernel):
    sizes and pixel ratios are clamped (:data:`MAX_SIZE_FACTOR`, :data:`MAX_PIXEL_RATIO`; a
    canvas that is not ``resizable`` keeps its figure's size), a ``draw`` request is served only
    when the kernel asked for one (:meth:`draw_idle`), a flood of ``refresh`` requests is
    coalesced to one per :data:`REFRESH_INTERVAL`, and malformed or unknown messages are ignored.
    ``ignored_messages`` counts what was dropped.
    """

    def __init__(self, figure: Figure, **kwargs: Any) -> None:
        super().__init__(figure, **kwargs)
        self._background: Any = None
        self._background_key: tuple[float, ...] | None = None
        self.dynamic_artists: list[Artist] = []
        self._own_size = tuple(float(v) for v in figure.get_size_inches())
        self._draw_requested = True  # the first client to ask gets an image
        self._last_refresh = -math.inf
        self._refresh_owed = False
        self._refresh_timer: Any = None
        self.clock: Callable[[], float] = time.monotonic
        self.ignored_messages = 0

    # -- client messages (bounded) ----------------------------------------------------------------

    def _handle_message(self, object: Any, content: Any, buffers: Any) -> None:
        """A client message: well-formed ones go to their handler, the rest are ignored."""
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            self.ignored_messages += 1
            return
        if content["type"] == "set_dpi_ratio":  # ipympl would store it for every canvas
            self.handle_set_dpi_ratio(content)
            return
        try:
            super()._handle_message(object, content, buffers)
        except (KeyError, TypeError, ValueError, AttributeError):
            self.ignored_messages += 1  # a malformed event: nothing to do
            logger.debug("ignored a malformed %r message", content["type"][:40])

    def draw_idle(self, *args: Any, **kwargs: Any) -> None:
        """Ask the clients for one redraw (the only way a client ``draw`` request is served)."""
        self._draw_requested = True
        super().draw_idle(*args, **kwargs)

    def handle_draw(self, event: dict[str, Any]) -> None:
        """Draw when the kernel asked for it; an unrequested draw request is ignored."""
        if not self._draw_requested:
            self.ignored_messages += 1
            return
        self._draw_requested = False
        self.draw()

    def handle_refresh(self, event: dict[str, Any]) -> None:
        """A client (re)connects: a full image, at most once per :data:`REFRESH_INTERVAL`."""
        self._force_full = True
        now = self.clock()
        if now - self._last_refresh >= REFRESH_INTERVAL:
            self._last_refresh = now
            self._refresh_owed = False
            super().handle_refresh(event)
            return
        self.ignored_messages += 1
        if not self._refresh_owed:  # serve the coalesced refreshes once, when the interval ends
            self._refresh_owed = True
            try:
                wait = REFRESH_INTERVAL - (now - self._last_refresh)
                self._refresh_timer = self.new_timer(interval=max(1, int(wait * 1000)))
                self._refresh_timer.single_shot = True
                self._refresh_timer.add_callback(self.serve_owed_refresh)
                self._refresh_timer.start()
            except Exception:  # no event loop (e.g. a script): served by the next refresh
                self._refresh_timer = None

    def serve_owed_refresh(self) -> None:
        """Serve the refreshes that were coalesced (called by a timer after the interval)."""
        if self._refresh_owed:
            self._refresh_owed = False
            self._last_refresh = self.clock()
            super().handle_refresh({"type": "refresh"})

    def handle_resize(self, event: dict[str, Any]) -> None:
        """Resize within bounds: a fixed-size canvas keeps its size, others at most 2x their own."""
        own_w, own_h = (v * self.figure.dpi / self.device_pixel_ratio for v in self._own_size)
        if self.resizable:
            width = min(max(float(event.get("width", own_w)), 1.0), MAX_SIZE_FACTOR * own_w)
            height = min(max(float(event.get("height", own_h)), 1.0), MAX_SIZE_FACTOR * own_h)
        else:
            width, height = own_w, own_h
        if not (math.isfinite(width) and math.isfinite(height)):
            self.ignored_messages += 1
            return
        current_w, current_h = self.get_width_height()
        if (round(width), round(height)) == (current_w, current_h):
            self.manager.resize(*self.figure.bbox.size, forward=False)  # acknowledge, no redraw
            return
        super().handle_resize({"type": "resize", "width": round(width), "height": round(height)})

    def _handle_set_device_pixel_ratio(self, device_pixel_ratio: Any) -> None:
        """A HiDPI client: the ratio is clamped to [MIN_PIXEL_RATIO, MAX_PIXEL_RATIO]."""
        try:
            ratio = float(device_pixel_ratio)
        except (TypeError, ValueError):
            ratio = math.nan
        if not math.isfinite(ratio):
            self.ignored_messages += 1
            return
        super()._handle_set_device_pixel_ratio(min(max(ratio, MIN_PIXEL_RATIO), MAX_PIXEL_RATIO))

    def handle_toolbar_button(self, event: dict[str, Any]) -> None:
        """The labs hide the toolbar: its buttons (pan, zoom, download) are not served."""
        self.ignored_messages += 1

    def handle_unknown_event(self, event: dict[str, Any]) -> None:
        """An unknown message type is ignored (not logged in full: a client controls it)."""
        self.ignored_messages += 1

    # -- drawing ----------------------------------------------------------------------------------

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


def set_bar(bar: Any, value: float, *, vertical: bool = False) -> float:
    """Set a bar's length; a value that is n/a (NaN) hides the bar instead of drawing it at 0.

    Returns the length drawn (0 for n/a), e.g. to place the bar's value label after it.
    """
    missing = value is None or math.isnan(value)
    length = 0.0 if missing else float(value)
    bar.set_visible(not missing)
    (bar.set_height if vertical else bar.set_width)(length)
    return length


def share_axis(ax: Any, axis: str = "x", room: float = 1.3) -> None:
    """A fixed 0-100% axis with room for value labels after the bars."""
    (ax.set_xlim if axis == "x" else ax.set_ylim)(0, room)
    (ax.set_xticks if axis == "x" else ax.set_yticks)([0, 0.25, 0.5, 0.75, 1.0])
    percent_axis(ax, axis)
