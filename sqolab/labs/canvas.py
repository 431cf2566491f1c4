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
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

from ipympl.backend_nbagg import Canvas, FigureManager
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sqolab.figures.style import new_figure, percent_axis


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
