"""Plotting toolkit: the series' style and colours, and the plots several notebooks share
(attention heatmaps, bars, head grids). `LiveFigure` (the figure an explorer updates in place)
lives in `helpers.livefigure` and is re-exported here.

Importing this module changes no global setting: `helpers.setup_notebook()` applies the style.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from helpers.livefigure import LiveFigure, TokenTicks, cell_texts, fill_cells, resize_image

__all__ = [
    "ACCENT",
    "ANNOTATE_UP_TO",
    "ENCODING_CMAP",
    "FIGURES_DIR",
    "SERIES_COLOURS",
    "WEIGHTS_CMAP",
    "LiveFigure",
    "TokenTicks",
    "annotate_cells",
    "as_weights",
    "ax_or_new",
    "cell_frame",
    "cell_texts",
    "fill_cells",
    "finish_heatmap",
    "frame_row",
    "label_queries_and_keys",
    "panel_frame",
    "plot_attention_heatmap",
    "plot_bars",
    "plot_head_grid",
    "plot_offset_similarity",
    "resize_image",
    "save_figure",
    "thinned",
    "tick_tokens",
    "use_style",
    "write_message",
]


WEIGHTS_CMAP = "viridis"  # sequential, colour-blind safe: attention weights, probabilities


ENCODING_CMAP = "RdBu_r"  # diverging: encodings, signed values


# Okabe–Ito palette (colour-blind safe) for bars and lines, in this order everywhere.
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")


ACCENT = "#D55E00"  # the highlighted query or token


FIGURES_DIR = Path(__file__).resolve().parents[1] / "figures"
EXPORT_FIGURES_ENV = "HELPERS_EXPORT_FIGURES"  # "1": save_figure writes figures/ (make notebooks)


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


def ax_or_new(ax: Axes | None, figsize: tuple[float, float] = (5.0, 4.2)) -> Axes:
    return plt.subplots(figsize=figsize, layout="constrained")[1] if ax is None else ax


def frame_row(ax: Axes, row: int, width: int) -> Rectangle:
    """Frame one row of an imshow heatmap in the accent colour (the selected query)."""
    return ax.add_patch(
        Rectangle((-0.5, row - 0.5), width, 1, fill=False, edgecolor=ACCENT, linewidth=2.5)
    )


def annotate_cells(
    ax: Axes,
    values: np.ndarray,
    fmt: str = ".2f",
    fontsize: int = 8,
    top: float = 1.0,
    diverging: bool = False,
) -> None:
    """Write every cell's value on a heatmap, in a colour that reads on its cell: black on the
    bright cells of the sequential map (above 0.6·top), white on the dark ones; with `diverging`,
    white on the strong colours (beyond ±0.6·top), black near 0. Shapes: values `(rows, cols)`."""
    for (i, j), value in np.ndenumerate(values):
        if diverging:
            colour = "white" if abs(value) > 0.6 * top else "black"
        else:
            colour = "black" if value > 0.6 * top else "white"
        ax.text(j, i, f"{value:{fmt}}", ha="center", va="center", color=colour, fontsize=fontsize)


def finish_heatmap(
    ax: Axes, image: AxesImage, label: str, highlight_row: int | None, title: str | None
) -> Axes:
    """The end of every single heatmap: row `highlight_row` framed (if any), a colour bar named
    `label`, the title (if any)."""
    if highlight_row is not None:
        frame_row(ax, highlight_row, image.get_array().shape[1])
    ax.figure.colorbar(image, ax=ax, label=label, shrink=0.8)
    if title:
        ax.set_title(title)
    return ax


def label_queries_and_keys(
    ax: Axes, query_labels: Sequence[str], key_labels: Sequence[str]
) -> None:
    """Token labels of a (queries × keys) heatmap, keys slanted when long or many."""
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


def as_weights(
    weights: np.ndarray | Sequence,
    query_labels: Sequence[str],
    key_labels: Sequence[str] | None,
) -> tuple[np.ndarray, Sequence[str]]:
    """Attention weights as a float array, and the key labels (the query labels when None),
    checked to match: weights `(T, S)` for T query and S key labels."""
    w = np.asarray(weights, dtype=float)
    key_labels = query_labels if key_labels is None else key_labels
    if w.shape != (len(query_labels), len(key_labels)):
        raise ValueError(
            f"weights {w.shape} do not match {len(query_labels)} query and "
            f"{len(key_labels)} key labels"
        )
    return w, key_labels


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
    w, key_labels = as_weights(weights, query_labels, key_labels)  # (T, S)
    ax = ax_or_new(ax)
    im = ax.imshow(w, cmap=WEIGHTS_CMAP, vmin=0.0, vmax=vmax, aspect="auto")
    label_queries_and_keys(ax, query_labels, key_labels)
    if max(w.shape) <= ANNOTATE_UP_TO:
        annotate_cells(ax, w, top=vmax if vmax is not None else w.max())
    return finish_heatmap(ax, im, "attention weight", highlight_row, title)


def plot_bars(
    series: Mapping[str, Sequence[float]],
    labels: Sequence[str],
    ax: Axes | None = None,
    ylabel: str = "attention weight",
    title: str | None = None,
    annotate: bool = True,
) -> Axes:
    """Grouped bars, one group per label and one colour per series (e.g. book vs formula)."""
    ax = ax_or_new(ax, figsize=(6.4, 3.2))
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


def save_figure(fig: Figure, name: str) -> Path | None:
    """Export a figure to `figures/<name>.png` (referenced from the README), but only when the
    maintainer regenerates the notebooks (`make notebooks` sets EXPORT_FIGURES_ENV): a reader
    running a notebook leaves the working tree as it was. Returns the path written, or None."""
    if os.environ.get(EXPORT_FIGURES_ENV) != "1":
        return None
    path = FIGURES_DIR / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    fig.savefig(path, dpi=100, metadata={"Software": None})
    return path


def plot_offset_similarity(
    offsets: Sequence[int],
    series: Mapping[str, Sequence[float]],
    ax: Axes | None = None,
    ylabel: str = "PE(pos) · PE(pos + k)",
) -> Axes:
    """One line per series against the offset k (e.g. one line per starting position)."""
    ax = ax_or_new(ax, figsize=(6.4, 3.2))
    styles = ["-", "--", ":", "-."]
    for s, (name, values) in enumerate(series.items()):
        ax.plot(
            offsets,
            values,
            styles[s % len(styles)],
            label=name,
            color=SERIES_COLOURS[s % len(SERIES_COLOURS)],
            linewidth=2.0 if s == 0 else 1.5,
        )
    ax.axhline(0, color="lightgrey", linewidth=0.8, zorder=0)
    ax.set_xlabel("offset k")
    ax.set_ylabel(ylabel)
    if len(series) > 1:
        ax.legend(frameon=False)
    return ax


def thinned(tokens: Sequence[str]) -> tuple[list[int], list[str]]:
    """The positions and labels `tick_tokens` shows: every token up to 12, beyond only every 2nd,
    3rd, … so that the labels stay readable."""
    step = -(-len(tokens) // 12)
    ticks = list(range(0, len(tokens), step))
    return ticks, [tokens[i] for i in ticks]


def tick_tokens(ax: Axes, tokens: Sequence[str], axis: str, fontsize: float = 8) -> None:
    """Token labels on one axis of a small heatmap (upright on y, vertical on x); beyond 12
    tokens only every 2nd, 3rd, … is labelled, so that the labels stay readable."""
    ticks, labels = thinned(tokens)
    if axis == "y":
        ax.set_yticks(ticks, labels, fontsize=fontsize)
    else:
        ax.set_xticks(ticks, labels, fontsize=fontsize, rotation=90)


def panel_frame(ax: Axes, colour: str) -> Rectangle:
    """A frame just inside an axes (drawn over its image, never clipped)."""
    return Rectangle(
        (0.0, 0.0),
        1.0,
        1.0,
        transform=ax.transAxes,
        fill=False,
        edgecolor=colour,
        linewidth=3.0,
        clip_on=False,
        zorder=5,
    )


def plot_head_grid(
    weights: np.ndarray | Sequence,
    tokens: Sequence[str],
    titles: Sequence[str] | None = None,
    axes: Sequence[Axes] | np.ndarray | None = None,
    ncols: int = 4,
    annotate: bool = True,
    highlight: int | None = None,
    key_tokens: Sequence[str] | None = None,
) -> np.ndarray:
    """One small heatmap per head on one colour scale (0 to 1), with one shared colour bar.

    Queries on rows, keys on columns, token labels on the outer panels; values annotated up to
    8×8 when `annotate`. `highlight` frames one head's panel. `key_tokens` label the keys when
    they are not the queries (cross-attention); by default keys = `tokens`.
    Shapes: weights `(H, T, S)` with T = len(tokens), S = len(key_tokens).
    Returns: the array of Axes, one per panel (unused panels are hidden).
    """
    w = _head_weights(weights, tokens, key_tokens, titles)  # (H, T, S)
    keys = tokens if key_tokens is None else key_tokens
    n_heads = w.shape[0]
    grid = _head_axes(axes, n_heads, ncols)  # (rows, cols)
    flat = grid.ravel()
    n_cols = grid.shape[1]
    last_row = (n_heads - 1) // n_cols
    for h, ax in enumerate(flat):
        if h >= n_heads:
            ax.set_visible(False)
            continue
        im = ax.imshow(
            w[h], cmap=WEIGHTS_CMAP, vmin=0.0, vmax=1.0, aspect="auto", interpolation="nearest"
        )
        _label_head_panel(ax, h, n_heads, n_cols, tokens, keys)
        ax.set_title(titles[h] if titles else f"head {h + 1}", fontsize=9)
        if annotate and max(w.shape[1:]) <= ANNOTATE_UP_TO:
            annotate_cells(ax, w[h], fontsize=6)
        if h == highlight:
            ax.add_patch(panel_frame(ax, ACCENT))
    flat[0].figure.colorbar(im, ax=list(flat[:n_heads]), label="attention weight", shrink=0.8)
    grid[0, 0].set_ylabel("query (attending)")
    grid[last_row, 0].set_xlabel("key (attended to)")
    return flat[:n_heads]


def _head_weights(
    weights: np.ndarray | Sequence,
    tokens: Sequence[str],
    key_tokens: Sequence[str] | None,
    titles: Sequence[str] | None,
) -> np.ndarray:
    """The weights of `plot_head_grid` as floats, checked against its tokens and titles.

    Shapes: weights `(H, T, S)` with T = len(tokens), S = len(key_tokens) (or T).
    """
    w = np.asarray(weights, dtype=float)
    keys = tokens if key_tokens is None else key_tokens
    if w.ndim != 3 or w.shape[1:] != (len(tokens), len(keys)):
        shape = "(H, T, T)" if key_tokens is None else "(H, T, S)"
        sizes = f"T = {len(tokens)}" + ("" if key_tokens is None else f", S = {len(keys)}")
        raise ValueError(f"weights {w.shape} should be {shape} with {sizes} tokens, one per head")
    if titles is not None and len(titles) != w.shape[0]:
        raise ValueError(f"{len(titles)} titles for {w.shape[0]} heads")
    return w


def _head_axes(axes: Sequence[Axes] | np.ndarray | None, n_heads: int, ncols: int) -> np.ndarray:
    """The panels of `plot_head_grid` as a 2-D array of Axes: the given ones (a 1-D sequence is
    one row), or a new figure with `ncols` columns and enough rows for `n_heads`."""
    if axes is None:
        cols = min(ncols, n_heads)
        rows = -(-n_heads // cols)
        fig = plt.figure(figsize=(2.6 * cols + 1.0, 2.5 * rows + 0.3), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False)
    grid = np.asarray(axes, dtype=object)
    grid = grid.reshape(-1, grid.shape[-1]) if grid.ndim > 1 else grid.reshape(1, -1)
    if grid.size < n_heads:
        raise ValueError(f"{grid.size} axes for {n_heads} heads")
    return grid


def _label_head_panel(
    ax: Axes, h: int, n_heads: int, n_cols: int, tokens: Sequence[str], keys: Sequence[str]
) -> None:
    """Token labels on the outer panels only: queries in the left column, keys under the last
    panel of each column; no ticks and no spines elsewhere."""
    if h % n_cols == 0:  # the left column: query labels
        tick_tokens(ax, tokens, "y")
    else:
        ax.set_yticks([])
    if h + n_cols >= n_heads:  # nothing below: key labels
        tick_tokens(ax, keys, "x")
    else:
        ax.set_xticks([])
    ax.spines[:].set_visible(False)


def write_message(fig: Figure, message: str) -> None:
    """One axes-free message in the middle of a cleared figure (input that cannot be drawn)."""
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, wrap=True)


def cell_frame(ax: Axes, row: int, col: int, colour: str = ACCENT) -> Rectangle:
    """Frame one cell of an imshow map (one head in a layers × heads map)."""
    return ax.add_patch(
        Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor=colour, linewidth=2.0)
    )
