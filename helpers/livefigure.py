"""`LiveFigure`: the figure an explorer updates in place and renders to PNG fast.

Built once, then only the artists that change (`dynamic`) are redrawn over a cached background
(blitting). Their texts (the values in the cells, captions) are stamped from glyph bitmaps
rendered once per string, font and angle (`_stamped`): drawing text is what an update spends
most of its time on otherwise. Token labels on an axis (`TokenTicks`) are laid out once, then
become dynamic texts too: a new sentence relabels them instead of laying the figure out again.
"""

from __future__ import annotations

import io
import types
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image

__all__ = [
    "RESERVED_LABEL",
    "LiveFigure",
    "TokenTicks",
    "cell_texts",
    "fill_cells",
    "resize_image",
]

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


_LAYOUTS_KEPT = 4  # `LiveFigure.use_layout` keeps this many laid-out figures at most
RESERVED_LABEL = "mmmmmmg"  # the layout keeps room for a token label this wide (or the widest)


class TokenTicks:
    """The token labels and tick marks of one axis of a live figure, relabelled in place.

    `set(positions, labels, **style)` before the figure is laid out sets the axis' own ticks, with
    `RESERVED_LABEL` in place of the longest label if it has more characters, so that the layout
    keeps room for longer words; once laid out (`freeze`) the ticks become `capacity` dynamic
    texts and one line of tick marks, and `set` moves and relabels them. The axis label becomes a
    dynamic text too, kept at the layout's distance from the widest label shown (not from the
    reserved room). `set` returns False when the new labels do not fit the room laid out for them
    (more than `capacity`, another style, or wider in pixels): the figure must then be laid out
    again. (The first layout reserves room by characters: a first sentence of words with fewer
    characters than RESERVED_LABEL but wider glyphs may reach a little beyond it.)
    """

    def __init__(self, ax: Axes, axis: str, capacity: int) -> None:
        self.ax, self.axis, self.capacity = ax, axis, capacity
        self.labels: list[str] = []
        self.texts: list[Text] = []
        self._positions: list[float] = []
        self._style: dict = {}
        self._marks: Line2D | None = None
        self._title: Text | None = None
        self._room = self._gap = 0.0
        self._sizes: dict[str, float] = {}

    def set(self, positions: list[float], labels: list[str], **style: object) -> bool:
        """Label `positions` with `labels`; False if a new layout is needed for them."""
        self._positions, self.labels = list(positions), list(labels)
        if self._marks is None:  # not laid out yet: the axis' own ticks, with room reserved
            self._style = style
            shown = list(labels)
            if shown:
                widest = max(range(len(shown)), key=lambda i: len(shown[i]))
                shown[widest] = max(shown[widest], RESERVED_LABEL, key=len)
            setter = self.ax.set_xticks if self.axis == "x" else self.ax.set_yticks
            setter(self._positions, shown, **style)
            return True
        if style != self._style or len(labels) > self.capacity:
            return False
        self._show()
        return all(self._size(label) <= self._room + 0.5 for label in labels)

    def _size(self, label: str) -> float:
        """How far a label reaches out from its axes (px): down for x, left for y."""
        if label not in self._sizes:
            self._probe.set_text(label)
            box = self._probe.get_window_extent(self.ax.figure.canvas.get_renderer())
            edge = self.ax.bbox.y0 - box.y0 if self.axis == "x" else self.ax.bbox.x0 - box.x0
            self._sizes[label] = edge
        return self._sizes[label]

    def freeze(self) -> list[Artist]:
        """After the layout: the ticks become dynamic texts and marks (returned)."""
        axis = self.ax.xaxis if self.axis == "x" else self.ax.yaxis
        ticks = axis.get_major_ticks()[: len(self._positions)]
        renderer = self.ax.figure.canvas.get_renderer()
        label, mark = ticks[0].label1, ticks[0].tick1line
        edges = [t.label1.get_window_extent(renderer) for t in ticks]
        bottom = self.ax.bbox.y0 if self.axis == "x" else self.ax.bbox.x0
        self._room = max(bottom - (b.y0 if self.axis == "x" else b.x0) for b in edges)
        keep = {"fontproperties", "rotation", "ha", "va", "rotation_mode", "color", "transform"}
        props = {k: getattr(label, f"get_{k}")() for k in keep}
        title = axis.label  # its distance beyond the labels' room, kept for the labels shown
        anchor = title.get_transform().transform(title.get_position())  # (px, px)
        self._gap = bottom - anchor[1 if self.axis == "x" else 0] - self._room
        self._title = Text(
            *self.ax.transAxes.inverted().transform(anchor), title.get_text(), clip_on=False
        )
        self._title.update({k: getattr(title, f"get_{k}")() for k in keep - {"transform"}})
        self._title.set_transform(self.ax.transAxes)
        title.set_visible(False)
        self.texts = [Text(0, 0, "", clip_on=False, **props) for _ in range(self.capacity)]
        self._probe = Text(0, 0, "", **props)  # measures new labels, never drawn
        self._probe.set_figure(self.ax.figure)
        self._marks = Line2D(
            [], [], transform=mark.get_transform(), marker=mark.get_marker(),
            markersize=mark.get_markersize(), markeredgewidth=mark.get_markeredgewidth(),
            color=mark.get_color(), linestyle="None", clip_on=False,
        )  # fmt: skip
        for artist in (*self.texts, self._marks, self._title):
            self.ax.add_artist(artist)
        (self.ax.set_xticks if self.axis == "x" else self.ax.set_yticks)([])
        self._show()
        return [*self.texts, self._marks, self._title]

    def _show(self) -> None:
        """Put the labels and marks at their positions; hide the unused texts."""
        zeros = [0.0] * len(self._positions)
        xy = (self._positions, zeros) if self.axis == "x" else (zeros, self._positions)
        self._marks.set_data(*xy)
        for i, text in enumerate(self.texts):
            text.set_visible(i < len(self.labels))
            if i < len(self.labels):
                text.set_text(self.labels[i])
                text.set_position((xy[0][i], xy[1][i]))
        reach = max((self._size(label) for label in self.labels), default=0.0)  # px
        if self.axis == "x":
            self._title.set_y(-(reach + self._gap) / self.ax.bbox.height)
        else:
            self._title.set_x(-(reach + self._gap) / self.ax.bbox.width)


class LiveFigure:
    """A figure for a widget: built once, then updated in place and rendered to PNG fast.

    Subclasses draw their axes in `_build` (call `self.relayout()` first, and list the artists an
    update changes in `self.dynamic`), then change only those artists' data in `update`. `png()`
    draws the rest once, caches it, and afterwards redraws only `self.dynamic` on that background
    (blitting): a widget update stays well under 50 ms. Changing artists must sit inside the axes
    (hiding them must not move the layout); a caption above an axes belongs in `ax.text`, and
    token labels that change are `token_ticks` (laid out once, then relabelled in place), with
    the images resized (`resize_image`) and the cells' values in a pool of texts (`cell_texts`);
    the `update` of such a figure returns `self.laid_out()`, so that it is also right shown or
    saved whole.
    """

    def __init__(self, figsize: tuple[float, float], dpi: int = 80) -> None:
        self.fig = Figure(figsize=figsize, dpi=dpi)
        self._canvas = FigureCanvasAgg(self.fig)
        self.dynamic: list[Artist] = []
        self._token_ticks: list[TokenTicks] = []
        self._background = None
        self._layout_key: object = None  # the layout shown, when kept by `use_layout`
        self._kept: dict[object, dict] = {}  # layouts kept: key → this object's state

    def relayout(self) -> None:
        """Clear the figure and forget the cached background (the next png() lays out again)."""
        self._kept.pop(self._layout_key, None)  # a kept layout cleared is no longer kept
        self.fig.clear()
        self.fig.set_layout_engine("constrained")
        self.dynamic, self._token_ticks, self._background = [], [], None

    def use_layout(self, key: object) -> bool:
        """Show the layout kept for `key` (a few layouts are kept, each in its own figure) and
        return True; or start an empty figure for `key` and return False (then build it). For
        figures that go back and forth between a few layouts (two models' vocabularies)."""
        if key == self._layout_key and key in self._kept:
            return True
        if self._layout_key is not None:
            self._kept[self._layout_key] = {k: v for k, v in vars(self).items() if k != "_kept"}
        if key in self._kept:
            vars(self).update(self._kept[key])
            return True
        while len(self._kept) >= _LAYOUTS_KEPT:
            self._kept.pop(next(iter(self._kept)))
        self.fig = Figure(figsize=self.fig.get_size_inches(), dpi=self.fig.dpi)
        self._canvas = FigureCanvasAgg(self.fig)
        self.dynamic, self._token_ticks, self._background = [], [], None
        self._layout_key = key
        return False

    def token_ticks(self, ax: Axes, axis: str, capacity: int) -> TokenTicks:
        """Token labels on `axis` ("x" or "y") of `ax` that a new sentence relabels in place
        (see `TokenTicks`); call in `_build`, after `relayout()`."""
        ticks = TokenTicks(ax, axis, capacity)
        self._token_ticks.append(ticks)
        return ticks

    def _lay_out(self) -> None:
        """Lay out and draw everything that stays (the background), then freeze the layout."""
        shown = [artist.get_visible() for artist in self.dynamic]
        for artist in self.dynamic:
            artist.set_visible(False)
        if self._token_ticks:
            self.fig.draw_without_rendering()  # the layout, with the axes' own ticks
            frozen = [artist for ticks in self._token_ticks for artist in ticks.freeze()]
            shown += [artist.get_visible() for artist in frozen]
            for artist in frozen:
                artist.set_visible(False)
            self.dynamic += frozen
            self.fig.set_layout_engine("none")  # frozen as measured: the draw below keeps it
        self._canvas.draw()  # lay out (unless done above) and draw everything that stays
        self.fig.set_layout_engine("none")  # then freeze the layout
        self._background = self._canvas.copy_from_bbox(self.fig.bbox)
        for artist, visible in zip(self.dynamic, shown, strict=True):
            artist.set_visible(visible)

    def laid_out(self) -> Figure:
        """The figure, laid out as `png()` lays it out (token labels frozen into their texts):
        what an `update` returns, so that a figure shown or saved whole (a static fallback) looks
        like the live one."""
        if self._background is None:
            self._lay_out()
        return self.fig

    def png(self) -> bytes:
        """The current state as PNG bytes, redrawing only the artists that change."""
        if self._background is None:
            self._lay_out()
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
        self._layout_key = None  # a message, not a layout to keep
        ax = self.fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, wrap=True)
        return self.fig


def resize_image(image: AxesImage, rows: int, cols: int) -> None:
    """An imshow heatmap's extent and its axes' limits for `rows` × `cols` cells (rows down)."""
    image.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
    image.axes.set_xlim(-0.5, cols - 0.5)
    image.axes.set_ylim(rows - 0.5, -0.5)


def cell_texts(ax: Axes, size: int, fontsize: float = 8) -> list[Text]:
    """`size` × `size` empty texts over a heatmap's cells, row by row, for `fill_cells`."""
    kw = {"ha": "center", "va": "center", "fontsize": fontsize}
    return [ax.text(j, i, "", **kw) for i in range(size) for j in range(size)]


def fill_cells(texts: list[Text], labels: np.ndarray, colours: np.ndarray) -> None:
    """Write `labels` `(rows, cols)` in their cells in `colours`; hide the other texts (all of
    them when the map is larger than the pool)."""
    rows, cols = labels.shape
    size = int(round(len(texts) ** 0.5))
    for k, text in enumerate(texts):
        i, j = divmod(k, size)
        shown = rows <= size and cols <= size and i < rows and j < cols
        text.set_visible(shown)
        if shown:
            text.set_text(labels[i, j])
            text.set_color(colours[i, j])
