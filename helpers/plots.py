"""Matplotlib figures of the series. Every `plot_*` draws into `ax` (or a new one) and returns it;
nothing here calls `plt.show()`."""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image

__all__ = [
    "ACCENT",
    "ENCODING_CMAP",
    "FIGURES_DIR",
    "SERIES_COLOURS",
    "WEIGHTS_CMAP",
    "AttentionFigure",
    "LiveFigure",
    "plot_attention_heatmap",
    "plot_bars",
    "plot_score_spread",
    "save_figure",
    "use_style",
]

WEIGHTS_CMAP = "viridis"  # sequential, colour-blind safe: attention weights, probabilities
ENCODING_CMAP = "RdBu_r"  # diverging: encodings, signed values
# Okabe–Ito palette (colour-blind safe) for bars and lines, in this order everywhere.
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
ACCENT = "#D55E00"  # the highlighted query or token
FIGURES_DIR = Path(__file__).resolve().parents[1] / "figures"
ANNOTATE_UP_TO = 8


def _hangul_font() -> str | None:
    """Path of NanumGothic, shipped by the koreanize-matplotlib wheel (found, not imported)."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "fonts" / "NanumGothic.ttf"
    return str(path) if path.exists() else None


def use_style() -> None:
    """The series' plot style: Hangul-capable fonts, consistent colours, PNG output."""
    font = _hangul_font()
    families = ["DejaVu Sans"]
    if font is not None:
        mpl.font_manager.fontManager.addfont(font)
        families.append("NanumGothic")  # fallback for glyphs DejaVu Sans lacks (Hangul)
    mpl.rcParams.update(
        {
            "font.family": families,
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.figsize": (6.4, 4.0),
            "axes.prop_cycle": mpl.cycler(color=SERIES_COLOURS),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "image.cmap": WEIGHTS_CMAP,
            "figure.max_open_warning": 0,
        }
    )


use_style()  # every figure of the series can show Hangul, even before setup_notebook()


def _ax(ax: Axes | None, figsize: tuple[float, float] = (5.0, 4.2)) -> Axes:
    return plt.subplots(figsize=figsize, layout="constrained")[1] if ax is None else ax


def plot_attention_heatmap(
    weights: np.ndarray | Sequence,
    query_labels: Sequence[str],
    key_labels: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    vmax: float | None = 1.0,
    highlight_row: int | None = None,
) -> Axes:
    """Heatmap of attention weights: queries on rows, keys on columns, values annotated up to 8×8.

    Shapes: weights `(T, S)`.
    """
    w = np.asarray(weights, dtype=float)
    key_labels = query_labels if key_labels is None else key_labels
    if w.shape != (len(query_labels), len(key_labels)):
        raise ValueError(
            f"weights {w.shape} do not match {len(query_labels)} query and "
            f"{len(key_labels)} key labels"
        )
    ax = _ax(ax)
    im = ax.imshow(w, cmap=WEIGHTS_CMAP, vmin=0.0, vmax=vmax, aspect="auto")
    rotate = len(key_labels) > 6 or max(len(k) for k in key_labels) > 4
    ax.set_xticks(
        range(len(key_labels)),
        key_labels,
        rotation=45 if rotate else 0,
        ha="right" if rotate else "center",
    )
    ax.set_yticks(range(len(query_labels)), query_labels)
    ax.set_xlabel("key (attended to)")
    ax.set_ylabel("query (attending)")
    ax.spines[:].set_visible(False)
    if max(w.shape) <= ANNOTATE_UP_TO:
        top = vmax if vmax is not None else w.max()
        for (i, j), value in np.ndenumerate(w):
            colour = "black" if value > 0.6 * top else "white"
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", color=colour, fontsize=8)
    if highlight_row is not None:
        ax.add_patch(
            Rectangle(
                (-0.5, highlight_row - 0.5),
                w.shape[1],
                1,
                fill=False,
                edgecolor=ACCENT,
                linewidth=2.5,
            )
        )
    ax.figure.colorbar(im, ax=ax, label="attention weight", shrink=0.8)
    if title:
        ax.set_title(title)
    return ax


def plot_bars(
    series: Mapping[str, Sequence[float]],
    labels: Sequence[str],
    ax: Axes | None = None,
    ylabel: str = "attention weight",
    title: str | None = None,
    annotate: bool = True,
) -> Axes:
    """Grouped bars, one group per label and one colour per series (e.g. book vs formula)."""
    ax = _ax(ax, figsize=(6.4, 3.2))
    n = len(series)
    width = 0.8 / n
    x = np.arange(len(labels))
    for s, (name, values) in enumerate(series.items()):
        bars = ax.bar(
            x + (s - (n - 1) / 2) * width,
            values,
            width,
            label=name,
            color=SERIES_COLOURS[s % len(SERIES_COLOURS)],
        )
        if annotate:
            ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    ax.set_xticks(x, labels)
    ax.set_xlabel("key (attended to)")
    ax.set_ylabel(ylabel)
    if n > 1:
        ax.legend(frameon=False)
    if title:
        ax.set_title(title)
    return ax


def plot_score_spread(
    d_ks: Sequence[int],
    raw_var: Sequence[float],
    scaled_var: Sequence[float],
    ax: Axes | None = None,
) -> Axes:
    """Variance of q·k against d_k, before and after dividing by √d_k (log-log)."""
    ax = _ax(ax, figsize=(5.0, 3.4))
    ax.loglog(d_ks, raw_var, "o-", label="q·k", color=SERIES_COLOURS[0])
    ax.loglog(d_ks, scaled_var, "s-", label="q·k / √d_k", color=SERIES_COLOURS[1])
    ax.loglog(d_ks, d_ks, ":", color="grey", label="y = d_k")
    ax.set_xlabel("d_k (width of q and k)")
    ax.set_ylabel("variance of the score")
    ax.set_xticks(d_ks, [str(d) for d in d_ks])
    ax.legend(frameon=False)
    return ax


class LiveFigure:
    """A figure for a widget: built once, then updated in place and rendered to PNG fast.

    Subclasses draw their axes in `_build` (call `self.relayout()` first, and list the artists an
    update changes in `self.dynamic`), then change only those artists' data in `update`. `png()`
    draws the rest once, caches it, and afterwards redraws only `self.dynamic` on that background
    (blitting): a widget update stays well under 50 ms. Changing artists must sit inside the axes
    (hiding them must not move the layout); a caption above an axes belongs in `ax.text`.
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
            for artist in self.dynamic:
                artist.set_visible(False)
            self._canvas.draw()  # lay out and draw everything that stays
            self.fig.set_layout_engine("none")  # then freeze the layout
            self._background = self._canvas.copy_from_bbox(self.fig.bbox)
            for artist in self.dynamic:
                artist.set_visible(True)
        else:
            self._canvas.restore_region(self._background)
        renderer = self._canvas.get_renderer()
        for artist in self.dynamic:
            artist.draw(renderer)
        buf = io.BytesIO()
        Image.fromarray(np.asarray(self._canvas.buffer_rgba())).save(
            buf, format="png", compress_level=1
        )
        return buf.getvalue()


class AttentionFigure(LiveFigure):
    """One figure, updated in place: the query's weights as bars (left), the matrix (right).

    The axes are laid out only when the tokens change; otherwise an update moves the data.
    Shapes: `update(tokens (T,), weights (T, T), query)`.
    Used by `helpers.widgets.attention_explorer` and for its static fallback.
    """

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(10.0, 4.0), dpi=dpi)
        self._tokens: list[str] | None = None

    def _build(self, tokens: list[str]) -> None:
        self.relayout()
        self._tokens = tokens
        n = len(tokens)
        self.ax_bars, self.ax_map = self.fig.subplots(1, 2, width_ratios=[1.1, 1.0])
        self._bars = self.ax_bars.bar(range(n), np.zeros(n), color=SERIES_COLOURS[0])
        rotate = n > ANNOTATE_UP_TO
        self.ax_bars.set_xticks(
            range(n), tokens, rotation=45 if rotate else 0, ha="right" if rotate else "center"
        )
        self.ax_bars.set_ylim(0, 1.08)
        self.ax_bars.set_xlabel("key (attended to)")
        self.ax_bars.set_ylabel("attention weight")
        self.ax_bars.set_title(" ")  # keeps room for the caption, which changes with the query
        self._caption = self.ax_bars.text(
            0.5,
            1.01,
            "",
            transform=self.ax_bars.transAxes,
            ha="center",
            va="bottom",
            fontsize="large",
        )
        self._bar_labels = (
            self.ax_bars.bar_label(self._bars, fmt="%.2f", fontsize=8, padding=1)
            if n <= ANNOTATE_UP_TO
            else []
        )
        plot_attention_heatmap(
            np.zeros((n, n)),
            tokens,
            ax=self.ax_map,
            highlight_row=0,
            title="all queries × all keys",
        )
        self._image = self.ax_map.images[0]
        self._cells = list(self.ax_map.texts)
        self._frame = self.ax_map.patches[-1]
        self.dynamic = [
            *self._bars,
            *self._bar_labels,
            self._caption,
            self._image,
            *self._cells,
            self._frame,
        ]

    def update(self, tokens: Sequence[str], weights: np.ndarray, query: int) -> Figure:
        if list(tokens) != self._tokens:
            self._build(list(tokens))
        row = weights[query]
        for j, bar in enumerate(self._bars):
            bar.set_height(row[j])
            bar.set_color(ACCENT if j == query else SERIES_COLOURS[0])
        for label, value, bar in zip(self._bar_labels, row, self._bars, strict=False):
            label.set_text(f"{value:.2f}")
            label.xy = (bar.get_x() + bar.get_width() / 2, bar.get_height())
        self._caption.set_text(f'weights of the query "{tokens[query]}"')
        self._image.set_data(weights)
        for text, value in zip(self._cells, weights.ravel() if self._cells else [], strict=True):
            text.set_text(f"{value:.2f}")
            text.set_color("black" if value > 0.6 else "white")
        self._frame.set_y(query - 0.5)
        return self.fig

    def show_message(self, message: str) -> Figure:
        """Replace the plots by a message (for input that cannot be drawn)."""
        self.relayout()
        self._tokens = None
        ax = self.fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, wrap=True)
        return self.fig


def save_figure(fig: Figure, name: str) -> Path:
    """Export a figure to `figures/<name>.png` (referenced from the README)."""
    path = FIGURES_DIR / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    fig.savefig(path, dpi=100, metadata={"Software": None})
    return path
