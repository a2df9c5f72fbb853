"""`LiveFigure`: the figure an explorer updates in place and renders to PNG fast.

Built once, then only the artists that change (`dynamic`) are redrawn over a cached background
(blitting). Their texts (the values in the cells, captions) are stamped from glyph bitmaps
rendered once per string, font and angle (`_stamped`): drawing text is what an update spends
most of its time on otherwise.
"""

from __future__ import annotations

import io
import types
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from PIL import Image

__all__ = ["LiveFigure"]

_STAMPS_MAX = 20_000  # glyph bitmaps of this many strings at most (about 1 kB each)
_stamps: dict[tuple, list[tuple[np.ndarray, int, int]]] = {}


class _GlyphRecorder:
    """Stands in for Agg's C++ renderer while a string is drawn: keeps its glyph bitmaps."""

    def __init__(self) -> None:
        self.glyphs: list[tuple[np.ndarray, int, int]] = []

    def draw_text_image(self, image: np.ndarray, x: int, y: int, angle: float, gc: object) -> None:
        self.glyphs.append((np.array(image, copy=True), x, y))


def _draw_text_stamped(
    renderer: RendererAgg,
    gc: object,
    x: float,
    y: float,
    s: str,
    prop: object,
    angle: float,
    ismath: bool | str = False,
    mtext: object = None,
) -> None:
    """`RendererAgg.draw_text` at the nearest whole pixel, from glyph bitmaps rendered once per
    (string, font, angle): the same pixels every time a string comes back, in any colour."""
    if ismath:
        return RendererAgg.draw_text(renderer, gc, x, y, s, prop, angle, ismath, mtext)
    x0, y0 = round(x), round(y)
    key = (s, hash(prop), angle, renderer.dpi, gc.get_antialiased())
    glyphs = _stamps.get(key)
    if glyphs is None:
        recorder, agg = _GlyphRecorder(), renderer._renderer
        renderer._renderer = recorder
        try:
            RendererAgg.draw_text(renderer, gc, x0, y0, s, prop, angle, ismath, mtext)
        finally:
            renderer._renderer = agg
        glyphs = [(image, gx - x0, gy - y0) for image, gx, gy in recorder.glyphs]
        if len(_stamps) >= _STAMPS_MAX:
            _stamps.clear()
        _stamps[key] = glyphs
    for image, dx, dy in glyphs:
        renderer._renderer.draw_text_image(image, x0 + dx, y0 + dy, 0, gc)
    return None


@contextmanager
def _stamped(renderer: RendererAgg) -> Iterator[None]:
    """Texts drawn by `renderer` inside the block are stamped from cached glyph bitmaps."""
    renderer.draw_text = types.MethodType(_draw_text_stamped, renderer)
    try:
        yield
    finally:
        del renderer.draw_text


class LiveFigure:
    """A figure for a widget: built once, then updated in place and rendered to PNG fast.

    Subclasses draw their axes in `_build` (call `self.relayout()` first, and list the artists an
    update changes in `self.dynamic`), then change only those artists' data in `update`. `png()`
    draws the rest once, caches it, and afterwards redraws only `self.dynamic` on that background
    (blitting): a widget update stays well under 50 ms. Changing artists must sit inside the axes
    (hiding them must not move the layout); a caption above an axes belongs in `ax.text`, and
    tick labels that change need room reserved in `_build` (e.g. by laying out once there).
    """

    def __init__(self, figsize: tuple[float, float], dpi: int = 80) -> None:
        self.fig = Figure(figsize=figsize, dpi=dpi)
        self._canvas = FigureCanvasAgg(self.fig)
        self.dynamic: list[Artist] = []
        self._background = None

    def relayout(self) -> None:
        """Clear the figure and forget the cached background (the next png() lays out again)."""
        self.fig.clear()
        self.fig.set_layout_engine("constrained")
        self.dynamic, self._background = [], None

    def png(self) -> bytes:
        """The current state as PNG bytes, redrawing only the artists that change."""
        if self._background is None:
            shown = [artist.get_visible() for artist in self.dynamic]
            for artist in self.dynamic:
                artist.set_visible(False)
            self._canvas.draw()  # lay out and draw everything that stays
            self.fig.set_layout_engine("none")  # then freeze the layout
            self._background = self._canvas.copy_from_bbox(self.fig.bbox)
            for artist, visible in zip(self.dynamic, shown, strict=True):
                artist.set_visible(visible)
        else:
            self._canvas.restore_region(self._background)
        renderer = self._canvas.get_renderer()
        with _stamped(renderer):
            for artist in self.dynamic:
                artist.draw(renderer)
        buf = io.BytesIO()
        Image.fromarray(np.asarray(self._canvas.buffer_rgba())).save(
            buf, format="png", compress_level=1
        )
        return buf.getvalue()

    def show_message(self, message: str) -> Figure:
        """Replace the plots by a message (for input that cannot be drawn). A subclass that lays
        itself out per sentence keeps the tokens it is laid out for in `_tokens`: reset here, so
        that the next update lays it out again."""
        self.relayout()
        self._tokens = None
        ax = self.fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, wrap=True)
        return self.fig
