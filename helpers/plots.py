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
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from PIL import Image

__all__ = [
    "ACCENT",
    "DEPTH_STATISTICS",
    "ENCODING_CMAP",
    "FIGURES_DIR",
    "SERIES_COLOURS",
    "WEIGHTS_CMAP",
    "AttentionFigure",
    "DecoderAttentionFigure",
    "DecodingFigure",
    "DepthFigure",
    "LiveFigure",
    "MultiHeadFigure",
    "PositionalFigure",
    "plot_activations",
    "plot_attention_heatmap",
    "plot_attention_lines",
    "plot_bars",
    "plot_encoding_waves",
    "plot_head_grid",
    "plot_layer_norm_effect",
    "plot_layer_statistic",
    "plot_mask",
    "plot_next_token",
    "plot_offset_similarity",
    "plot_positional_encoding",
    "plot_score_spread",
    "plot_step_distributions",
    "save_figure",
    "use_style",
    "BertHeadsFigure",
    "plot_head_patterns",
    "plot_similarity",
    "ReversalFigure",
    "plot_attention_snapshots",
    "plot_length_accuracy",
    "plot_training_curves",
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


def _frame_row(ax: Axes, row: int, width: int) -> Rectangle:
    """Frame one row of an imshow heatmap in the accent colour (the selected query)."""
    return ax.add_patch(
        Rectangle((-0.5, row - 0.5), width, 1, fill=False, edgecolor=ACCENT, linewidth=2.5)
    )


def _label_queries_and_keys(
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
    _label_queries_and_keys(ax, query_labels, key_labels)
    if max(w.shape) <= ANNOTATE_UP_TO:
        top = vmax if vmax is not None else w.max()
        for (i, j), value in np.ndenumerate(w):
            colour = "black" if value > 0.6 * top else "white"
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", color=colour, fontsize=8)
    if highlight_row is not None:
        _frame_row(ax, highlight_row, w.shape[1])
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


def save_figure(fig: Figure, name: str) -> Path:
    """Export a figure to `figures/<name>.png` (referenced from the README)."""
    path = FIGURES_DIR / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    fig.savefig(path, dpi=100, metadata={"Software": None})
    return path


def plot_positional_encoding(
    pe: np.ndarray | Sequence,
    ax: Axes | None = None,
    row_labels: Sequence[str] | None = None,
    title: str | None = None,
    highlight_row: int | None = None,
) -> Axes:
    """Heatmap of a positional encoding: positions on rows, dimensions on columns, in [−1, 1].

    Diverging colour map (`ENCODING_CMAP`); values annotated up to 8×8; `row_labels` name the
    rows (e.g. "0 The"), otherwise they are numbered. Shapes: pe `(P, D)`.
    """
    e = np.asarray(pe, dtype=float)
    if e.ndim != 2:
        raise ValueError(f"pe must be a (positions, dimensions) matrix, got shape {e.shape}")
    if row_labels is not None and len(row_labels) != e.shape[0]:
        raise ValueError(f"{len(row_labels)} row labels for {e.shape[0]} positions")
    ax = _ax(ax)
    im = ax.imshow(
        e, cmap=ENCODING_CMAP, vmin=-1.0, vmax=1.0, aspect="auto", interpolation="nearest"
    )
    ax.set_xlabel("dimension (even: sin, odd: cos)")
    ax.set_ylabel("position")
    ax.spines[:].set_visible(False)
    if row_labels is not None:
        ax.set_yticks(range(e.shape[0]), row_labels)
    if max(e.shape) <= ANNOTATE_UP_TO:
        ax.set_xticks(range(e.shape[1]))
        for (i, j), value in np.ndenumerate(e):
            colour = "white" if abs(value) > 0.6 else "black"
            ax.text(j, i, f"{value:.3f}", ha="center", va="center", color=colour, fontsize=8)
    if highlight_row is not None:
        _frame_row(ax, highlight_row, e.shape[1])
    ax.figure.colorbar(im, ax=ax, label="encoding value", shrink=0.8)
    if title:
        ax.set_title(title)
    return ax


def plot_encoding_waves(
    pe: np.ndarray | Sequence,
    dims: Sequence[int],
    wavelengths: Sequence[float],
    ax: Axes | None = None,
) -> Axes:
    """Columns `dims` of an encoding against the position, one stacked trace per dimension.

    Each trace is labelled with its dimension, sin or cos, and its wavelength in positions
    (`wavelengths[i]` belongs to dimensions 2i and 2i + 1). Shapes: pe `(P, D)`.
    """
    e = np.asarray(pe, dtype=float)
    ax = _ax(ax, figsize=(8.0, 1.0 + 0.9 * len(dims)))
    positions = np.arange(e.shape[0])
    ticks, labels = [], []
    for row, dim in enumerate(dims):
        offset = -2.6 * row
        colour = SERIES_COLOURS[row % len(SERIES_COLOURS)]
        ax.axhline(offset, color="lightgrey", linewidth=0.8, zorder=0)
        ax.plot(positions, e[:, dim] + offset, ".-", color=colour, markersize=3, linewidth=1.2)
        wave = "sin" if dim % 2 == 0 else "cos"
        ticks.append(offset)
        labels.append(f"dim {dim} ({wave})\nλ = {wavelengths[dim // 2]:,.1f}")
    ax.set_yticks(ticks, labels)
    ax.set_xlabel("position")
    ax.set_xlim(positions[0], positions[-1])
    ax.spines[["left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return ax


def plot_offset_similarity(
    offsets: Sequence[int],
    series: Mapping[str, Sequence[float]],
    ax: Axes | None = None,
    ylabel: str = "PE(pos) · PE(pos + k)",
) -> Axes:
    """One line per series against the offset k (e.g. one line per starting position)."""
    ax = _ax(ax, figsize=(6.4, 3.2))
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


class PositionalFigure(LiveFigure):
    """The positional-encoding explorer: the encoding as a heatmap (left), the vector of one
    position (top right) and its similarity to every position against the offset (bottom right),
    on the curve that all positions share (grey).

    Laid out once per number of positions: a change of d_model, base or position only moves data
    (the two dimension axes are redrawn with the data, so a new d_model needs no new layout).
    Shapes: `update(pe (P, D), position, offsets (P,), similarity (P,), reference_offsets (K,),
    reference (K,), caption)`.
    Used by `helpers.widgets.positional_explorer` and for its static fallback.
    """

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(10.0, 4.6), dpi=dpi)
        self._positions: int | None = None

    def _build(self, n_positions: int) -> None:
        self.relayout()
        self._positions = n_positions
        widest = 128  # lay out with wide tick labels; any d_model then fits
        grid = self.fig.add_gridspec(2, 2, width_ratios=[1.15, 1.0])
        self.ax_map = self.fig.add_subplot(grid[:, 0])
        self.ax_vec = self.fig.add_subplot(grid[0, 1])
        self.ax_sim = self.fig.add_subplot(grid[1, 1])

        plot_positional_encoding(np.zeros((n_positions, widest)), ax=self.ax_map, highlight_row=0)
        self.ax_map.set_title(" ")  # room for the caption, which changes with base and d_model
        self._caption = self.ax_map.text(
            0.5, 1.01, "", transform=self.ax_map.transAxes, ha="center", va="bottom"
        )
        self._image = self.ax_map.images[0]
        self._frame = self.ax_map.patches[-1]
        self.ax_map.xaxis.get_major_locator().set_params(integer=True)

        self._stems = self.ax_vec.vlines(np.arange(widest), 0.0, 0.0)
        self.ax_vec.set_xlim(-0.5, widest - 0.5)
        self.ax_vec.set_ylim(-1.1, 1.1)
        self.ax_vec.axhline(0, color="grey", linewidth=0.6)
        self.ax_vec.xaxis.get_major_locator().set_params(integer=True)
        self.ax_vec.set_xlabel("dimension")
        self.ax_vec.set_ylabel("PE value")
        handles = [Rectangle((0, 0), 1, 1, color=SERIES_COLOURS[k]) for k in (0, 1)]
        self.ax_vec.legend(
            handles,
            ["sin (even)", "cos (odd)"],
            frameon=False,
            fontsize=8,
            ncols=2,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            borderaxespad=0.1,
        )
        self._vec_caption = self.ax_vec.text(
            0.0, 1.02, "", transform=self.ax_vec.transAxes, ha="left", va="bottom"
        )

        span = n_positions - 1
        self.ax_sim.axhline(0, color="lightgrey", linewidth=0.8)
        self.ax_sim.axvline(0, color="lightgrey", linewidth=0.8)
        (self._reference,) = self.ax_sim.plot(
            [], [], "-", color="grey", linewidth=1.0, label="every position"
        )
        (self._points,) = self.ax_sim.plot(
            [], [], "o", color=ACCENT, markersize=3, label="this position"
        )
        self.ax_sim.set_xlim(-span - 0.5, span + 0.5)
        self.ax_sim.set_ylim(-1.05, 1.05)
        self.ax_sim.set_xlabel("offset k = other position − this position")
        self.ax_sim.set_ylabel("cosine similarity")
        self.ax_sim.legend(
            frameon=False,
            fontsize=8,
            ncols=2,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            borderaxespad=0.1,
        )

        self.fig.get_layout_engine().execute(self.fig)  # lay out once, tick labels included,
        self.fig.set_layout_engine("none")  # then keep it: a new d_model only moves data
        self.dynamic = [
            self._caption,
            self._image,
            self._frame,
            self.ax_map.xaxis,
            self._stems,
            self.ax_vec.xaxis,
            self._vec_caption,
            self._reference,
            self._points,
        ]

    def update(
        self,
        pe: np.ndarray,
        position: int,
        offsets: np.ndarray,
        similarity: np.ndarray,
        reference_offsets: np.ndarray,
        reference: np.ndarray,
        caption: str = "",
    ) -> Figure:
        """Draw encoding `pe` with row `position` framed and shown as a vector, and that row's
        `similarity` to every row against `offsets`, over the `reference` curve."""
        n_positions, d_model = pe.shape
        if n_positions != self._positions:
            self._build(n_positions)
        self._caption.set_text(caption)
        self._image.set_data(pe)
        self._image.set_extent((-0.5, d_model - 0.5, n_positions - 0.5, -0.5))
        self.ax_map.set_xlim(-0.5, d_model - 0.5)
        self._frame.set_y(position - 0.5)
        self._frame.set_width(d_model)
        row = pe[position]
        dims = np.arange(d_model)
        self._stems.set_segments(np.stack([dims, 0 * row, dims, row], axis=1).reshape(-1, 2, 2))
        self._stems.set_color([SERIES_COLOURS[d % 2] for d in dims])
        self._stems.set_linewidth(max(1.0, min(8.0, 260.0 / d_model)))
        self.ax_vec.set_xlim(-0.5, d_model - 0.5)
        self._vec_caption.set_text(f"PE(pos = {position})")
        self._reference.set_data(reference_offsets, reference)
        self._points.set_data(offsets, similarity)
        return self.fig

    def show_message(self, message: str) -> Figure:
        """Replace the plots by a message (for settings that cannot be drawn)."""
        self.relayout()
        self._positions = None
        ax = self.fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, wrap=True)
        return self.fig


# --- 04 feed-forward network, Add & Norm, and what depth does -------------------------------------

# What `helpers.transformer.DepthStats` holds per layer: attribute -> (axis label, log scale).
DEPTH_STATISTICS = {
    "activation_rms": ("RMS of the entries of x_l", True),
    "param_grad": ("‖∂L/∂θ_l‖ over block l's weights", True),
    "token_similarity": ("mean cosine between two tokens", False),
}
_DEPTH_TITLES = {
    "activation_rms": "activation scale",
    "param_grad": "gradient of each block's weights",
    "token_similarity": "how alike the tokens are",
}


def plot_activations(
    z: np.ndarray | Sequence[float],
    series: Mapping[str, Sequence[float]],
    ax: Axes | None = None,
) -> Axes:
    """Activation functions against their input z, one line per function (e.g. ReLU and GELU)."""
    ax = _ax(ax, figsize=(5.0, 3.4))
    ax.axhline(0, color="lightgrey", linewidth=0.8, zorder=0)
    ax.axvline(0, color="lightgrey", linewidth=0.8, zorder=0)
    for s, (name, values) in enumerate(series.items()):
        ax.plot(z, values, label=name, color=SERIES_COLOURS[s % len(SERIES_COLOURS)], lw=2)
    ax.set_xlabel("input z (one hidden unit)")
    ax.set_ylabel("activation(z)")
    ax.legend(frameon=False)
    return ax


def plot_layer_norm_effect(
    before: np.ndarray | Sequence,
    after: np.ndarray | Sequence,
    tokens: Sequence[str],
    ax: Axes | None = None,
    names: tuple[str, str] = ("x + sublayer(x)", "LayerNorm(x + sublayer(x))"),
) -> Axes:
    """Each token's mean (dot) ± one standard deviation (bar) over its features, before and after.

    Shapes: before, after `(T, D)`.
    """
    b, a = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if b.shape != a.shape or b.ndim != 2 or b.shape[0] != len(tokens):
        raise ValueError(f"before {b.shape} and after {a.shape} must both be ({len(tokens)}, D)")
    ax = _ax(ax, figsize=(6.4, 3.4))
    x = np.arange(len(tokens))
    ax.axhline(0, color="lightgrey", linewidth=0.8, zorder=0)
    for s, (offset, values, name) in enumerate(((-0.12, b, names[0]), (0.12, a, names[1]))):
        ax.errorbar(
            x + offset,
            values.mean(axis=1),  # (T, D) -> (T,)
            yerr=values.std(axis=1),
            fmt="o",
            capsize=4,
            color=SERIES_COLOURS[s],
            label=name,
        )
    ax.set_xticks(x, tokens)
    ax.set_xlabel("token")
    ax.set_ylabel(f"mean ± std over its {b.shape[1]} features")
    ax.legend(frameon=False, fontsize=8, ncols=2, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    return ax


def _layers(stats: object, statistic: str) -> np.ndarray:
    """x values of a statistic: 0 … N for the activations, 1 … N for the blocks' gradients."""
    return np.arange(1 if statistic == "param_grad" else 0, stats.depth + 1)


def plot_layer_statistic(
    series: Sequence[object],
    statistic: str,
    ax: Axes | None = None,
    legend: bool = True,
) -> Axes:
    """One statistic of `helpers.transformer.DepthStats` against the layer, one line per stack.

    `statistic` is a key of `DEPTH_STATISTICS`; scales and gradients on a log axis.
    """
    if statistic not in DEPTH_STATISTICS:
        raise ValueError(f"statistic must be one of {list(DEPTH_STATISTICS)}, got {statistic!r}")
    ylabel, log = DEPTH_STATISTICS[statistic]
    ax = _ax(ax, figsize=(5.0, 3.6))
    for s, stats in enumerate(series):
        ax.plot(
            _layers(stats, statistic),
            getattr(stats, statistic),
            "o-" if stats.depth <= 32 else "-",
            markersize=3,
            color=SERIES_COLOURS[s % len(SERIES_COLOURS)],
            label=stats.label,
        )
    if log:
        ax.set_yscale("log")
    else:
        ax.set_ylim(-0.25, 1.05)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.set_xlabel("layer l (0 = the input)")
    ax.set_ylabel(ylabel)
    ax.set_title(_DEPTH_TITLES[statistic])
    if legend:
        ax.legend(frameon=False, fontsize=8)
    return ax


def _decades(values: np.ndarray, min_decades: int = 2) -> tuple[float, float]:
    """Log-axis limits on whole powers of ten around `values`, at least `min_decades` apart."""
    finite = values[np.isfinite(values) & (values > 0)]
    if finite.size == 0:
        return 0.1, 10.0
    # A fifth of a decade of margin, so that no point sits on the frame.
    lo, hi = np.floor(np.log10(finite.min()) - 0.2), np.ceil(np.log10(finite.max()) + 0.2)
    while hi - lo < min_decades:
        lo, hi = lo - 0.5, hi + 0.5
    return 10.0 ** np.floor(lo), 10.0 ** np.ceil(hi)


class DepthFigure(LiveFigure):
    """The depth explorer: activation scale, gradient norms and token similarity per layer, for
    one stack (accent) over the book's stack of the same depth (grey, dashed).

    Laid out once; an update moves the lines, the axes' limits and their ticks (the axis labels
    are static text, so redrawing an axis stays cheap), and needs no new layout.
    Shapes: `update(stats, reference, caption)`, both `helpers.transformer.DepthStats`.
    Used by `helpers.widgets.depth_explorer` and for its static fallback.
    """

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(12.0, 4.2), dpi=dpi)
        self.relayout()
        self.axes = list(self.fig.subplots(1, len(DEPTH_STATISTICS)))
        self._caption = self.fig.suptitle(" \n ", fontsize="medium")  # room for two lines
        self._lines: dict[str, tuple] = {}
        ticks = []
        for ax, statistic in zip(self.axes, DEPTH_STATISTICS, strict=True):
            ylabel, log = DEPTH_STATISTICS[statistic]
            (reference,) = ax.plot([], [], "--", color="grey", lw=1.5, label="the book's stack")
            (current,) = ax.plot([], [], "o-", color=ACCENT, lw=2, markersize=3, label="this stack")
            self._lines[statistic] = (reference, current)
            if log:
                ax.set_yscale("log")
                ax.yaxis.set_major_locator(mpl.ticker.LogLocator(numticks=6))
                ax.yaxis.set_minor_locator(mpl.ticker.NullLocator())
                ax.set_ylim(1e-30, 1e3)  # lay out for the widest tick labels
                ticks.append(ax.yaxis)
            else:
                ax.set_ylim(-0.25, 1.05)
            ax.set_xlim(0, 48)
            ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(nbins=6, integer=True))
            ticks.append(ax.xaxis)
            # Axis labels as plain text beside the axes: drawn once, with the background.
            ax.annotate(
                "layer l (0 = the input)",
                (0.5, 0.0),
                xycoords="axes fraction",
                xytext=(0, -22),
                textcoords="offset points",
                ha="center",
                va="top",
            )
            ax.annotate(
                ylabel,
                (0.0, 0.5),
                xycoords="axes fraction",
                xytext=(-38 if log else -30, 0),
                textcoords="offset points",
                ha="center",
                va="bottom",
                rotation=90,
                rotation_mode="anchor",
            )
            ax.set_title(_DEPTH_TITLES[statistic])
        self.fig.legend(
            handles=list(self._lines["activation_rms"])[::-1],
            loc="outside lower center",
            ncols=2,
            frameon=False,
        )
        self.fig.get_layout_engine().execute(self.fig)  # lay out once, then keep it
        self.fig.set_layout_engine("none")
        lines = [line for pair in self._lines.values() for line in pair]
        self.dynamic = [*ticks, *lines, self._caption]

    def update(self, stats: object, reference: object, caption: str = "") -> Figure:
        """Draw `stats` over `reference` (both DepthStats of the same depth)."""
        depth = stats.depth
        for ax, (statistic, (ref_line, line)) in zip(self.axes, self._lines.items(), strict=True):
            ref_line.set_data(_layers(reference, statistic), getattr(reference, statistic))
            line.set_data(_layers(stats, statistic), getattr(stats, statistic))
            line.set_marker("o" if depth <= 32 else "")
            pad = max(0.5, 0.02 * depth)
            ax.set_xlim(-pad, depth + pad)
            if DEPTH_STATISTICS[statistic][1]:
                both = np.concatenate([getattr(stats, statistic), getattr(reference, statistic)])
                ax.set_ylim(*_decades(both))
        self._caption.set_text(caption)
        return self.fig


# --- 02 multi-head attention: the per-head grid, the line view and the explorer's figure --------

MAX_HEAD_SLOTS = 8  # MultiHeadFigure keeps room for this many heads, so n_heads moves no axes


def _tick_tokens(ax: Axes, tokens: Sequence[str], axis: str, fontsize: float = 8) -> None:
    """Token labels on one axis of a small heatmap (upright on y, vertical on x); beyond 12
    tokens only every 2nd, 3rd, … is labelled, so that the labels stay readable."""
    step = -(-len(tokens) // 12)
    ticks = range(0, len(tokens), step)
    labels = [tokens[i] for i in ticks]
    if axis == "y":
        ax.set_yticks(ticks, labels, fontsize=fontsize)
    else:
        ax.set_xticks(ticks, labels, fontsize=fontsize, rotation=90)


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
    w = np.asarray(weights, dtype=float)
    keys = tokens if key_tokens is None else key_tokens
    if w.ndim != 3 or w.shape[1:] != (len(tokens), len(keys)):
        shape = "(H, T, T)" if key_tokens is None else "(H, T, S)"
        sizes = f"T = {len(tokens)}" + ("" if key_tokens is None else f", S = {len(keys)}")
        raise ValueError(f"weights {w.shape} should be {shape} with {sizes} tokens, one per head")
    n_heads = w.shape[0]
    if titles is not None and len(titles) != n_heads:
        raise ValueError(f"{len(titles)} titles for {n_heads} heads")
    if axes is None:
        cols = min(ncols, n_heads)
        rows = -(-n_heads // cols)
        fig = plt.figure(figsize=(2.6 * cols + 1.0, 2.5 * rows + 0.3), layout="constrained")
        axes = fig.subplots(rows, cols, squeeze=False)
    grid = np.asarray(axes, dtype=object)
    grid = grid.reshape(-1, grid.shape[-1]) if grid.ndim > 1 else grid.reshape(1, -1)
    flat = grid.ravel()
    if len(flat) < n_heads:
        raise ValueError(f"{len(flat)} axes for {n_heads} heads")
    n_cols = grid.shape[1]
    last_row = (n_heads - 1) // n_cols
    for h, ax in enumerate(flat):
        if h >= n_heads:
            ax.set_visible(False)
            continue
        im = ax.imshow(
            w[h], cmap=WEIGHTS_CMAP, vmin=0.0, vmax=1.0, aspect="auto", interpolation="nearest"
        )
        if h % n_cols == 0:  # the left column: query labels
            _tick_tokens(ax, tokens, "y")
        else:
            ax.set_yticks([])
        if h + n_cols >= n_heads:  # nothing below: key labels
            _tick_tokens(ax, keys, "x")
        else:
            ax.set_xticks([])
        ax.spines[:].set_visible(False)
        ax.set_title(titles[h] if titles else f"head {h + 1}", fontsize=9)
        if annotate and max(w.shape[1:]) <= ANNOTATE_UP_TO:
            for (i, j), value in np.ndenumerate(w[h]):
                colour = "black" if value > 0.6 else "white"
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", color=colour, fontsize=6)
        if h == highlight:
            ax.add_patch(_panel_frame(ax, ACCENT))
    flat[0].figure.colorbar(im, ax=list(flat[:n_heads]), label="attention weight", shrink=0.8)
    grid[0, 0].set_ylabel("query (attending)")
    grid[last_row, 0].set_xlabel("key (attended to)")
    return flat[:n_heads]


def _panel_frame(ax: Axes, colour: str) -> Rectangle:
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


def _line_colours(weights: np.ndarray, colour: str) -> np.ndarray:
    """One RGBA colour per (query, key) pair: the given colour, opacity = weight."""
    rgba = np.tile(mpl.colors.to_rgba(colour), (weights.size, 1))  # (T·S, 4)
    rgba[:, 3] = np.clip(weights.ravel(), 0.0, 1.0)
    return rgba


def plot_attention_lines(
    weights: np.ndarray | Sequence,
    query_labels: Sequence[str],
    key_labels: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    colour: str = SERIES_COLOURS[0],
) -> Axes:
    """Line view: queries in the left column, keys in the right, one line per pair whose opacity is
    the weight. A head that looks from one word at another draws one solid line between them.

    Shapes: weights `(T, S)`. The lines are `ax.collections[0]` (a LineCollection, one segment per
    pair in row-major order), so a live figure can change their colours in place.
    """
    from matplotlib.collections import LineCollection

    w = np.asarray(weights, dtype=float)
    key_labels = query_labels if key_labels is None else key_labels
    if w.shape != (len(query_labels), len(key_labels)):
        raise ValueError(
            f"weights {w.shape} do not match {len(query_labels)} query and "
            f"{len(key_labels)} key labels"
        )
    n = max(w.shape)
    ax = _ax(ax, figsize=(3.0, 0.32 * n + 1.0))
    segments = [[(0.0, i), (1.0, j)] for i, j in np.ndindex(w.shape)]
    ax.add_collection(LineCollection(segments, colors=_line_colours(w, colour), linewidths=2.0))
    fontsize = 9 if n <= 12 else 7 if n <= 20 else 6
    for i, label in enumerate(query_labels):
        ax.text(-0.06, i, label, ha="right", va="center", fontsize=fontsize)
    for j, label in enumerate(key_labels):
        ax.text(1.06, j, label, ha="left", va="center", fontsize=fontsize)
    ax.set_xlim(-0.75, 1.75)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xticks([0, 1], ["query", "key"])
    ax.set_yticks([])
    ax.spines[:].set_visible(False)
    if title:
        ax.set_title(title)
    return ax


class MultiHeadFigure(LiveFigure):
    """The multi-head explorer's figure: every head's weights (a grid of up to 8 heatmaps), the
    selected head as lines, and the heads' outputs concatenated (the input of W_o).

    The grid always has 8 slots, so changing the number of heads, the head or the weights only
    moves data (blitted, no layout); new tokens lay the figure out again.
    Shapes: `update(tokens (T,), weights (H, T, T), head, titles (H,), concat (T, D))`, H ≤ 8;
    a grid panel shows the part of its title before a colon, the line view the whole title.
    Used by `helpers.widgets.multi_head_explorer` and for its static fallback.
    """

    CONCAT_LIMIT = 1.0  # colour scale of the concatenated outputs: -1 … 1

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(12.0, 6.2), dpi=dpi)
        self._tokens: list[str] | None = None
        self._width: int | None = None

    def _build(self, tokens: list[str], width: int) -> None:
        from matplotlib.collections import LineCollection

        self.relayout()
        self._tokens, self._width = tokens, width
        n = len(tokens)
        gs = self.fig.add_gridspec(
            3, 5, height_ratios=[1.0, 1.0, 0.8], width_ratios=[1, 1, 1, 1, 1.35]
        )
        grid = np.array([[self.fig.add_subplot(gs[r, c]) for c in range(4)] for r in range(2)])
        slots = list(grid.ravel())
        self.ax_lines = self.fig.add_subplot(gs[0:2, 4])
        self.ax_concat = self.fig.add_subplot(gs[2, :])
        plot_head_grid(
            np.zeros((MAX_HEAD_SLOTS, n, n)), tokens, [" "] * MAX_HEAD_SLOTS, grid, annotate=False
        )
        self.slots = slots
        self._images = [ax.images[0] for ax in slots]
        self._titles = [
            ax.text(0.5, 1.03, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=9)
            for ax in slots
        ]
        self._fills = [  # light grey over a slot no head uses
            ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor="none"))
            for ax in slots
        ]
        self._empty = [
            ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", color="dimgrey")
            for ax in slots
        ]
        self._frames = [ax.add_patch(_panel_frame(ax, "none")) for ax in slots]

        plot_attention_lines(np.zeros((n, n)), tokens, ax=self.ax_lines, title=" \n ")
        self._lines = self.ax_lines.collections[0]
        self._lines_caption = self.ax_lines.text(
            0.5, 1.01, "", transform=self.ax_lines.transAxes, ha="center", va="bottom", fontsize=9
        )

        ax = self.ax_concat
        self._concat = ax.imshow(
            np.zeros((n, width)),
            cmap=ENCODING_CMAP,
            vmin=-self.CONCAT_LIMIT,
            vmax=self.CONCAT_LIMIT,
            aspect="auto",
            interpolation="nearest",
        )
        _tick_tokens(ax, tokens, "y")
        ax.set_xticks(np.linspace(0, width, 9), [str(int(x)) for x in np.linspace(0, width, 9)])
        ax.set_xlabel("feature of the concatenated output (the input of W_o)")
        ax.set_title(" ")
        ax.spines[:].set_visible(False)
        self.fig.colorbar(self._concat, ax=ax, label="value", shrink=0.9, pad=0.01)
        self._bounds = LineCollection([], colors="black", linewidths=1.0)
        ax.add_collection(self._bounds)
        self._block = ax.add_patch(
            Rectangle((-0.5, -0.5), 1, n, fill=False, edgecolor=ACCENT, linewidth=2.5)
        )
        self._concat_caption = ax.text(
            0.5, 1.02, "", transform=ax.transAxes, ha="center", va="bottom"
        )
        self.dynamic = [
            *self._images,
            *self._titles,
            *self._fills,
            *self._empty,
            *self._frames,
            self._lines,
            self._lines_caption,
            self._concat,
            self._bounds,
            self._block,
            self._concat_caption,
        ]

    def update(
        self,
        tokens: Sequence[str],
        weights: np.ndarray,
        head: int,
        titles: Sequence[str],
        concat: np.ndarray,
    ) -> Figure:
        n_heads, n = weights.shape[0], len(tokens)
        if not 1 <= n_heads <= MAX_HEAD_SLOTS:
            raise ValueError(f"MultiHeadFigure shows 1 to {MAX_HEAD_SLOTS} heads, got {n_heads}")
        if weights.shape[1:] != (n, n) or concat.shape[0] != n or len(titles) != n_heads:
            raise ValueError(
                f"weights {weights.shape}, concat {concat.shape} and {len(titles)} titles do "
                f"not fit {n} tokens and {n_heads} heads"
            )
        if list(tokens) != self._tokens or concat.shape[1] != self._width:
            self._build(list(tokens), concat.shape[1])
        blank = np.full((n, n), np.nan)  # NaN draws nothing: an empty slot
        d_k = concat.shape[1] // n_heads
        for h in range(MAX_HEAD_SLOTS):
            used = h < n_heads
            self._images[h].set_data(weights[h] if used else blank)
            self._titles[h].set_text(f"{h + 1} · {titles[h].split(':')[0]}" if used else "")
            self._titles[h].set_color(ACCENT if h == head else "black")
            self._fills[h].set_facecolor("none" if used else "#eeeeee")
            self._empty[h].set_text("" if used else f"no head {h + 1}:\n{n_heads} × d_k {d_k}")
            self._frames[h].set_edgecolor(ACCENT if h == head else "none")
        colour = SERIES_COLOURS[head % len(SERIES_COLOURS)]
        self._lines.set_color(_line_colours(weights[head], colour))
        self._lines_caption.set_text(f"head {head + 1} · {titles[head]}".replace(": ", ":\n", 1))
        self._concat.set_data(concat)
        bounds = [[(b * d_k - 0.5, -0.5), (b * d_k - 0.5, n - 0.5)] for b in range(1, n_heads)]
        self._bounds.set_segments(bounds)
        self._block.set_x(head * d_k - 0.5)
        self._block.set_width(d_k)
        self._concat_caption.set_text(
            f"concat(head 1, …, head {n_heads}): {n_heads} × {d_k} = {concat.shape[1]} features; "
            f"head {head + 1} wrote columns {head * d_k}–{(head + 1) * d_k - 1}"
            if n_heads > 1
            else f"one head, nothing to concatenate: its {d_k} features go straight to W_o"
        )
        return self.fig


# --- 05 masked and cross-attention: the mask's picture and the explorer's figure -----------------

MASK_CMAP = mpl.colors.ListedColormap(["#eeeeee", SERIES_COLOURS[0]])  # blocked, may attend
BLOCKED = "#e4e4e4"  # a blocked cell of a weights heatmap (NaN in the image)


def plot_mask(
    mask: np.ndarray | Sequence,
    query_labels: Sequence[str],
    key_labels: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Picture of a boolean attention mask (True = may attend): queries on rows, keys on columns.

    Allowed cells are blue and marked ✓, blocked cells light grey and marked −∞ (the score they
    get before the softmax); marks up to 8×8. Shapes: mask `(T, S)`.
    """
    m = np.asarray(mask)
    key_labels = query_labels if key_labels is None else key_labels
    if m.dtype != bool:
        raise ValueError(f"mask must be boolean (True = may attend), got dtype {m.dtype}")
    if m.shape != (len(query_labels), len(key_labels)):
        raise ValueError(
            f"mask {m.shape} does not match {len(query_labels)} query and "
            f"{len(key_labels)} key labels"
        )
    ax = _ax(ax, figsize=(4.2, 3.6))
    ax.imshow(m, cmap=MASK_CMAP, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    _label_queries_and_keys(ax, query_labels, key_labels)
    if max(m.shape) <= ANNOTATE_UP_TO:
        for (i, j), allowed in np.ndenumerate(m):
            mark, colour = ("✓", "white") if allowed else ("−∞", "dimgrey")
            ax.text(j, i, mark, ha="center", va="center", color=colour, fontsize=9)
    if title:
        ax.set_title(title)
    return ax


class DecoderAttentionFigure(LiveFigure):
    """The masked- and cross-attention explorer: the decoder's self-attention weights with the
    causal mask (left; blocked cells grey), what the position of this decoding step attends to
    (middle; hidden future words marked) and one head's cross-attention from the decoder's words
    to the encoder's (right).

    Laid out once per pair of sentences; the step, the mask and the head only move data.
    Shapes: `update(target (T,), source (S,), self_weights (T, T), mask (T, T) or None,
    cross_weights (T, S), step, head_title, caption)`.
    Used by `helpers.widgets.decoder_attention_explorer` and for its static fallback.
    """

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(13.0, 4.8), dpi=dpi)
        self._tokens: tuple[list[str], list[str]] | None = None

    def _build(self, target: list[str], source: list[str]) -> None:
        self.relayout()
        self._tokens = (target, source)
        t, s = len(target), len(source)
        self.ax_self, self.ax_bars, self.ax_cross = self.fig.subplots(
            1, 3, width_ratios=[1.0, 1.0, 1.25]
        )
        plot_attention_heatmap(
            np.zeros((t, t)), target, ax=self.ax_self, highlight_row=0, title=" \n "
        )
        self.ax_self.images[0].cmap = mpl.colormaps[WEIGHTS_CMAP].with_extremes(bad=BLOCKED)
        self.ax_self.images[0].colorbar.remove()  # one colour bar (the right one) for both maps
        self.ax_self.set_facecolor(BLOCKED)
        plot_attention_heatmap(
            np.zeros((t, s)),
            target,
            source,
            ax=self.ax_cross,
            highlight_row=0,
            title=" \n ",
        )
        self.ax_cross.set_xlabel("key: encoder word (attended to)")
        self.ax_cross.set_ylabel("query: decoder word")
        self._titles = [
            ax.text(0.5, 1.02, "", transform=ax.transAxes, ha="center", va="bottom")
            for ax in (self.ax_self, self.ax_bars, self.ax_cross)
        ]

        self._bars = self.ax_bars.bar(range(t), np.zeros(t), color=SERIES_COLOURS[0])
        rotate = t > 6 or max(len(w) for w in target) > 4
        self.ax_bars.set_xticks(
            range(t), target, rotation=45 if rotate else 0, ha="right" if rotate else "center"
        )
        self.ax_bars.set_xlim(-0.5, t - 0.5)
        self.ax_bars.set_ylim(0, 1.12)
        self.ax_bars.set_xlabel("decoder word (key)")
        self.ax_bars.set_ylabel("attention weight")
        self.ax_bars.set_title(" \n ")
        small = t <= ANNOTATE_UP_TO
        self._bar_labels = (
            self.ax_bars.bar_label(self._bars, fmt="%.2f", fontsize=8, padding=1) if small else []
        )
        self._hidden = [
            self.ax_bars.text(
                j, 0.03, "", rotation=90, ha="center", va="bottom", color="dimgrey", fontsize=9
            )
            for j in range(t)
        ]
        self.fig.supxlabel(" \n ")  # room for the caption below the panels
        self._caption = self.fig.text(0.5, 0.015, "", ha="center", va="bottom", fontsize=11)
        self._self_image, self._cross_image = self.ax_self.images[0], self.ax_cross.images[0]
        self._self_cells, self._cross_cells = list(self.ax_self.texts), list(self.ax_cross.texts)
        self._self_cells = [c for c in self._self_cells if c not in self._titles]
        self._cross_cells = [c for c in self._cross_cells if c not in self._titles]
        self._frames = [self.ax_self.patches[-1], self.ax_cross.patches[-1]]
        self.dynamic = [
            self._self_image,
            self._cross_image,
            *self._self_cells,
            *self._cross_cells,
            *self._frames,
            *self._titles,
            *self._bars,
            *self._bar_labels,
            *self._hidden,
            self._caption,
        ]

    def update(
        self,
        target: list[str],
        source: list[str],
        self_weights: np.ndarray,
        mask: np.ndarray | None,
        cross_weights: np.ndarray,
        step: int,
        head_title: str,
        caption: str = "",
    ) -> Figure:
        t, s = len(target), len(source)
        allowed = np.ones((t, t), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
        if self_weights.shape != (t, t) or cross_weights.shape != (t, s) or allowed.shape != (t, t):
            raise ValueError(
                f"self_weights {self_weights.shape}, mask {allowed.shape} and cross_weights "
                f"{cross_weights.shape} do not fit {t} decoder and {s} encoder words"
            )
        if not 0 <= step < t:
            raise ValueError(f"step {step} is outside 0 … {t - 1}")
        if (list(target), list(source)) != self._tokens:
            self._build(list(target), list(source))
        self._self_image.set_data(np.where(allowed, self_weights, np.nan))
        for text, value, ok in zip(
            self._self_cells, self_weights.ravel(), allowed.ravel(), strict=False
        ):
            text.set_text(f"{value:.2f}" if ok else "0")
            text.set_color(("black" if value > 0.6 else "white") if ok else "grey")
        self._cross_image.set_data(cross_weights)
        for text, value in zip(self._cross_cells, cross_weights.ravel(), strict=False):
            text.set_text(f"{value:.2f}")
            text.set_color("black" if value > 0.6 else "white")
        for frame in self._frames:
            frame.set_y(step - 0.5)
        row = self_weights[step]
        for j, bar in enumerate(self._bars):
            future = j > step
            bar.set_height(0.0 if future and not allowed[step, j] else row[j])
            bar.set_color(ACCENT if future else SERIES_COLOURS[0])
            self._hidden[j].set_text("hidden" if future and not allowed[step, j] else "")
        for j, (label, bar) in enumerate(zip(self._bar_labels, self._bars, strict=False)):
            label.set_text("" if self._hidden[j].get_text() else f"{bar.get_height():.2f}")
            label.xy = (bar.get_x() + bar.get_width() / 2, bar.get_height())
        kind = "masked self-attention" if mask is not None else "self-attention, NO mask"
        self._titles[0].set_text(f"decoder {kind}\n(queries × keys, both decoder words)")
        self._titles[1].set_text(f'decoding step {step}: what "{target[step]}" attends to\n ')
        self._titles[2].set_text(f"cross-attention, head {head_title}\n(decoder → encoder)")
        self._caption.set_text(caption)
        return self.fig


# --- 06 the decoder's output: the next-token distribution, step by step ---------------------------


def _bar_colours(n: int, chosen: int | None) -> list[str]:
    return [ACCENT if i == chosen else SERIES_COLOURS[0] for i in range(n)]


def plot_next_token(
    probs: np.ndarray | Sequence[float],
    vocab: Sequence[str],
    chosen: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    ylabel: str = "probability",
) -> Axes:
    """The softmax over the target vocabulary as bars, the chosen token in the accent colour.

    Shapes: probs `(V,)`, vocab `(V,)`.
    """
    p = np.asarray(probs, dtype=float)
    if p.shape != (len(vocab),):
        raise ValueError(f"probs {p.shape} do not match a vocabulary of {len(vocab)} tokens")
    ax = _ax(ax, figsize=(6.4, 3.2))
    bars = ax.bar(range(len(p)), p, color=_bar_colours(len(p), chosen))
    ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    ax.set_xticks(range(len(p)), vocab, rotation=45, ha="right")
    ax.set_xlabel("next token (the target vocabulary)")
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, max(float(p.max()) * 1.15, 0.05))
    if title:
        ax.set_title(title)
    return ax


def plot_step_distributions(
    probs: np.ndarray | Sequence,
    vocab: Sequence[str],
    tokens: Sequence[int],
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Every decoding step's distribution as one heatmap row, the chosen token framed.

    Row n is step n + 1: its query is `vocab[tokens[n]]`, its choice `vocab[tokens[n + 1]]`.
    Shapes: probs `(N, V)`, tokens `(1 + N,)` (the start token, then the N choices).
    """
    p = np.asarray(probs, dtype=float)
    n_steps = p.shape[0]
    if p.ndim != 2 or p.shape[1] != len(vocab) or len(tokens) != n_steps + 1:
        raise ValueError(
            f"probs {p.shape} need {len(vocab)} columns, and tokens one more entry than rows "
            f"(got {len(tokens)})"
        )
    ax = _ax(ax, figsize=(7.0, 0.45 * n_steps + 1.8))
    im = ax.imshow(p, cmap=WEIGHTS_CMAP, vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(vocab)), vocab, rotation=45, ha="right")
    labels = [f"{n + 1}: {vocab[tokens[n]]} →" for n in range(n_steps)]
    ax.set_yticks(range(n_steps), labels)
    ax.set_xlabel("next token (the target vocabulary)")
    ax.set_ylabel("step: the decoder's last input →")
    ax.spines[:].set_visible(False)
    for (i, j), value in np.ndenumerate(p):
        colour = "black" if value > 0.6 else "white"
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", color=colour, fontsize=7)
    for n in range(n_steps):
        ax.add_patch(
            Rectangle(
                (tokens[n + 1] - 0.5, n - 0.5), 1, 1, fill=False, edgecolor=ACCENT, linewidth=2
            )
        )
    ax.figure.colorbar(im, ax=ax, label="probability", shrink=0.8)
    if title:
        ax.set_title(title)
    return ax


class DecodingFigure(LiveFigure):
    """The decoding stepper's figure: the distribution of one step as bars (left), and every step's
    cross-attention over the source so far (right), the current step framed and its weights
    written out.

    Laid out once per vocabulary, source and number of steps; then an update moves data only.
    Shapes: `update(vocab (V,), source (S,), targets (1 + n,), probs (V,) or None, chosen,
    attention (N, S), caption)`: the target so far starts with the start token; attention rows
    past step n are NaN (not drawn); probs None (step 0) draws no bars.
    Used by `helpers.widgets.decoding_stepper` and for its static fallback.
    """

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(12.0, 4.6), dpi=dpi)
        self._layout: tuple | None = None

    def _build(self, vocab: list[str], source: list[str], n_steps: int) -> None:
        self.relayout()
        self._layout = (vocab, source, n_steps)
        gs = self.fig.add_gridspec(1, 3, width_ratios=[1.5, 0.45, 1.0])
        ax = self.ax_probs = self.fig.add_subplot(gs[0, 0])
        self._bars = ax.bar(range(len(vocab)), np.zeros(len(vocab)), color=SERIES_COLOURS[0])
        ax.set_xticks(range(len(vocab)), vocab, rotation=45, ha="right")
        ax.set_xlabel("next token (the target vocabulary)")
        ax.set_ylabel("probability")
        ax.set_ylim(0, 1.0)
        ax.set_title(" \n ")  # room for the caption
        self._values = [
            ax.text(i, 0, "", ha="center", va="bottom", fontsize=7) for i in range(len(vocab))
        ]
        self._caption = ax.text(0, 1.02, "", transform=ax.transAxes, ha="left", va="bottom")
        self._empty = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", color="dimgrey")

        self.ax_attn = self.fig.add_subplot(gs[0, 2])
        self._attention = self.ax_attn.imshow(
            np.full((n_steps, len(source)), np.nan),
            cmap=WEIGHTS_CMAP,
            vmin=0.0,
            vmax=1.0,
            aspect="auto",
        )
        self.ax_attn.set_xticks(range(len(source)), source)
        self.ax_attn.set_yticks(range(n_steps), [f"step {n + 1}" for n in range(n_steps)])
        self.ax_attn.set_xlabel("source word (key)")
        self.ax_attn.set_title(
            "cross-attention of each step over the source\n(last block, mean of heads)"
        )
        self.ax_attn.spines[:].set_visible(False)
        self.fig.colorbar(self._attention, ax=self.ax_attn, label="attention weight", shrink=0.9)
        self._cells = [  # the current step's weights, written in its row (one row: fast)
            self.ax_attn.text(j, 0, "", ha="center", va="center", fontsize=7)
            for j in range(len(source))
        ]
        self._frame = _frame_row(self.ax_attn, 0, len(source))

        labels = self.ax_labels = self.fig.add_subplot(gs[0, 1], sharey=self.ax_attn)
        labels.axis("off")
        labels.set_title("query → chosen\n", fontsize=9, loc="right")
        self._rows = [
            labels.text(1.0, n, "", ha="right", va="center", fontsize=9) for n in range(n_steps)
        ]
        self.dynamic = [
            *self._bars,
            *self._values,
            self._caption,
            self._empty,
            self._attention,
            *self._cells,
            self._frame,
            *self._rows,
        ]

    def update(
        self,
        vocab: Sequence[str],
        source: Sequence[str],
        targets: Sequence[str],
        probs: np.ndarray | None,
        chosen: int | None,
        attention: np.ndarray,
        caption: str = "",
    ) -> Figure:
        n_steps, step = attention.shape[0], len(targets) - 1
        if attention.shape[1] != len(source) or not 0 <= step <= n_steps:
            raise ValueError(
                f"attention {attention.shape} does not fit {len(source)} source words and "
                f"{len(targets)} target tokens"
            )
        if probs is not None and np.shape(probs) != (len(vocab),):
            raise ValueError(f"probs {np.shape(probs)} do not match {len(vocab)} tokens")
        if self._layout != (list(vocab), list(source), n_steps):
            self._build(list(vocab), list(source), n_steps)
        heights = np.zeros(len(vocab)) if probs is None else np.asarray(probs, dtype=float)
        for i, (bar, value, colour) in enumerate(
            zip(self._bars, self._values, _bar_colours(len(vocab), chosen), strict=True)
        ):
            bar.set_height(heights[i])
            bar.set_color(colour)
            value.set_position((i, heights[i] + 0.01))
            value.set_visible(probs is not None)
            value.set_text(f"{heights[i]:.2f}")
        self._caption.set_text(caption)
        self._empty.set_text("only <bos> so far:\npress next ▶" if probs is None else "")
        self._attention.set_data(attention)
        for j, cell in enumerate(self._cells):
            value = attention[step - 1, j] if step > 0 else np.nan
            cell.set_visible(not np.isnan(value))  # hidden texts cost nothing to draw
            cell.set_position((j, step - 1))
            cell.set_text(f"{value:.2f}")
            cell.set_color("black" if value > 0.6 else "white")
        self._frame.set_y(step - 1.5)
        self._frame.set_visible(step > 0)
        for n, row in enumerate(self._rows):
            row.set_visible(n < step)
            row.set_text(f"{targets[n]} → {targets[n + 1]}" if n < step else "")
            row.set_color(ACCENT if n == step - 1 else "black")
        return self.fig


# --- 08 a real BERT: what its heads do, and the gallery over layers × heads ---------------------


def _write_message(fig: Figure, message: str) -> None:
    """One axes-free message in the middle of a cleared figure (input that cannot be drawn)."""
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, wrap=True)


def _cell_frame(ax: Axes, row: int, col: int, colour: str = ACCENT) -> Rectangle:
    """Frame one cell of an imshow map (one head in a layers × heads map)."""
    return ax.add_patch(
        Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor=colour, linewidth=2.0)
    )


def plot_head_patterns(
    scores: Mapping[str, np.ndarray],
    axes: Sequence[Axes] | np.ndarray | None = None,
    frame_best: bool = True,
) -> list[Axes]:
    """One layers × heads map per pattern (e.g. `helpers.bert.head_pattern_scores`), 0 to 1,
    with the best head framed and named in the title. NaN (a pattern the sentence lacks) is grey.

    Shapes: each score `(L, H)`. Returns: the list of Axes, one per pattern.
    """
    if axes is None:
        fig = plt.figure(figsize=(3.2 * len(scores) + 0.8, 2.6), layout="constrained")
        axes = fig.subplots(1, len(scores), squeeze=False)[0]
    axes = list(np.asarray(axes, dtype=object).ravel())
    if len(axes) < len(scores):
        raise ValueError(f"{len(axes)} axes for {len(scores)} patterns")
    cmap = mpl.colormaps[WEIGHTS_CMAP].with_extremes(bad="#dddddd")
    for ax, (name, s) in zip(axes, scores.items(), strict=False):
        s = np.asarray(s, dtype=float)
        if s.ndim != 2:
            raise ValueError(f"the scores of {name!r} should be (layers, heads), got {s.shape}")
        im = ax.imshow(s, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto", interpolation="nearest")
        n_layers, n_heads = s.shape
        ax.set_xticks(range(n_heads), [str(h + 1) for h in range(n_heads)], fontsize=7)
        ax.set_yticks(range(n_layers), [str(layer + 1) for layer in range(n_layers)], fontsize=7)
        ax.set_xlabel("head")
        ax.set_ylabel("layer")
        ax.spines[:].set_visible(False)
        title = name
        if frame_best and np.isfinite(s).any():
            layer, head = np.unravel_index(np.nanargmax(s), s.shape)
            _cell_frame(ax, layer, head, "white")
            title += f"\nbest: layer {layer + 1}, head {head + 1} ({s[layer, head]:.2f})"
        elif frame_best:
            title += "\n(no repeated word)"
        ax.set_title(title, fontsize=9)
    axes[0].figure.colorbar(im, ax=axes[: len(scores)], label="mean weight", shrink=0.9)
    return axes[: len(scores)]


LABEL_CHARS = 10  # BertHeadsFigure keeps room for token labels this long; longer ones are cut


def _short(token: str) -> str:
    return token if len(token) <= LABEL_CHARS else token[: LABEL_CHARS - 1] + "…"


class BertHeadsFigure(LiveFigure):
    """The gallery of a real BERT's heads: the chosen head's weights (left), all heads of its
    layer (right), and where each pattern lives over layers × heads (bottom, the chosen head
    framed in every map).

    Laid out once, with room for token labels of `LABEL_CHARS` characters (longer ones are cut
    with "…"): a new sentence, layer or head only moves data and ticks (blitted), no new layout.
    Shapes: `update(tokens (T,), layer_weights (H, T, T), layer, head, scores {name: (L, H)},
    caption)`, layer and head counted from 0.
    Used by `helpers.widgets.bert_heads_explorer` and for its static fallback.
    """

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(13.0, 7.8), dpi=dpi)
        self._shape: tuple | None = None  # (H, L, pattern names) the layout was made for
        self._tokens: list[str] | None = None

    def _build(self, n_heads: int, n_layers: int, patterns: list[str]) -> None:
        self.relayout()
        self._shape, self._tokens = (n_heads, n_layers, patterns), None
        outer = self.fig.add_gridspec(2, 1, height_ratios=[2.5, 1.0])
        top = outer[0].subgridspec(1, 2, width_ratios=[1.0, 1.3])
        self.ax_map = self.fig.add_subplot(top[0])
        thumbs = top[1].subgridspec(-(-n_heads // 4), 4)
        self.slots = [self.fig.add_subplot(thumbs[h // 4, h % 4]) for h in range(n_heads)]
        bottom = outer[1].subgridspec(1, len(patterns))
        self.ax_patterns = [self.fig.add_subplot(bottom[0, p]) for p in range(len(patterns))]

        zeros = np.zeros((2, 2))
        self._image = self.ax_map.imshow(
            zeros, cmap=WEIGHTS_CMAP, vmin=0.0, vmax=1.0, aspect="auto", interpolation="nearest"
        )
        widest = ["W" * LABEL_CHARS] * 12  # lay out once for the longest labels
        _tick_tokens(self.ax_map, widest, "y", fontsize=9)
        _tick_tokens(self.ax_map, widest, "x", fontsize=9)
        self.ax_map.set_xlabel("key (attended to)")
        self.ax_map.set_ylabel("query (attending)")
        self.ax_map.spines[:].set_visible(False)
        self.ax_map.set_title(" \n ")  # room for the two-line caption
        self._caption = self.ax_map.text(
            0.5, 1.01, "", transform=self.ax_map.transAxes, ha="center", va="bottom"
        )
        self.fig.colorbar(self._image, ax=self.ax_map, label="attention weight", shrink=0.8)

        self._thumbs, self._thumb_titles, self._frames = [], [], []
        for h, ax in enumerate(self.slots):
            self._thumbs.append(
                ax.imshow(zeros, cmap=WEIGHTS_CMAP, vmin=0.0, vmax=1.0, interpolation="nearest")
            )
            ax.set_xticks([])
            ax.set_yticks([])
            ax.spines[:].set_visible(False)
            ax.set_title(" ", fontsize=9)
            self._thumb_titles.append(
                ax.text(
                    0.5,
                    1.03,
                    f"head {h + 1}",
                    transform=ax.transAxes,
                    ha="center",
                    va="bottom",
                    fontsize=9,
                )
            )
            self._frames.append(ax.add_patch(_panel_frame(ax, "none")))

        plot_head_patterns(
            {p: np.zeros((n_layers, n_heads)) for p in patterns}, self.ax_patterns, False
        )
        self._pattern_images = [ax.images[0] for ax in self.ax_patterns]
        self._pattern_titles = []
        for ax in self.ax_patterns:
            ax.set_title(" \n ", fontsize=9)  # room for the name and the best head
            self._pattern_titles.append(
                ax.text(0.5, 1.02, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=9)
            )
        self._best = [_cell_frame(ax, 0, 0, "white") for ax in self.ax_patterns]
        self._cells = [_cell_frame(ax, 0, 0) for ax in self.ax_patterns]
        self.fig.get_layout_engine().execute(self.fig)  # lay out once, then keep it
        self.fig.set_layout_engine("none")
        self.dynamic = [
            self._image,
            self.ax_map.xaxis,
            self.ax_map.yaxis,
            self._caption,
            *self._thumbs,
            *self._thumb_titles,
            *self._frames,
            *self._pattern_images,
            *self._pattern_titles,
            *self._best,
            *self._cells,
        ]

    def _new_sentence(self, tokens: list[str], scores: Mapping[str, np.ndarray]) -> None:
        self._tokens = tokens
        n = len(tokens)
        for image in (self._image, *self._thumbs):
            image.set_extent((-0.5, n - 0.5, n - 0.5, -0.5))  # and the axes' limits with it
        labels = [_short(t) for t in tokens]
        _tick_tokens(self.ax_map, labels, "y", fontsize=9)
        _tick_tokens(self.ax_map, labels, "x", fontsize=9)
        for image, title, best, (name, s) in zip(
            self._pattern_images, self._pattern_titles, self._best, scores.items(), strict=True
        ):
            s = np.asarray(s, dtype=float)
            image.set_data(s)
            if np.isfinite(s).any():
                layer, head = np.unravel_index(np.nanargmax(s), s.shape)
                best.set_xy((head - 0.5, layer - 0.5))
                best.set_visible(True)
                title.set_text(
                    f"{name}\nbest: layer {layer + 1}, head {head + 1} ({s[layer, head]:.2f})"
                )
            else:
                best.set_visible(False)
                title.set_text(f"{name}\n(no repeated word)")

    def update(
        self,
        tokens: Sequence[str],
        layer_weights: np.ndarray,
        layer: int,
        head: int,
        scores: Mapping[str, np.ndarray],
        caption: str = "",
    ) -> Figure:
        n_heads, n = layer_weights.shape[0], len(tokens)
        if layer_weights.shape[1:] != (n, n) or not 0 <= head < n_heads:
            raise ValueError(
                f"layer_weights {layer_weights.shape} and head {head} do not fit {n} tokens"
            )
        n_layers = next(iter(scores.values())).shape[0]
        if self._shape != (n_heads, n_layers, list(scores)):
            self._build(n_heads, n_layers, list(scores))
        if list(tokens) != self._tokens:
            self._new_sentence(list(tokens), scores)
        self._image.set_data(layer_weights[head])
        self._caption.set_text(caption)
        for h in range(n_heads):
            self._thumbs[h].set_data(layer_weights[h])
            self._thumb_titles[h].set_color(ACCENT if h == head else "black")
            self._frames[h].set_edgecolor(ACCENT if h == head else "none")
        for cell in self._cells:
            cell.set_xy((head - 0.5, layer - 0.5))
        return self.fig

    def show_message(self, message: str) -> Figure:
        """Replace the plots by a message (for input that cannot be drawn)."""
        self.relayout()
        self._shape = self._tokens = None
        _write_message(self.fig, message)
        return self.fig


def plot_similarity(
    similarity: np.ndarray | Sequence,
    labels: Sequence[str],
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Cosine similarities between sentences: row i, column j = cos(sentence i, sentence j).

    Diverging colour map from −1 to 1 (`ENCODING_CMAP`), values annotated up to 8×8; rows are
    labelled "i  sentence", columns by their number i. Shapes: similarity `(N, N)`.
    """
    s = np.asarray(similarity, dtype=float)
    if s.shape != (len(labels), len(labels)):
        raise ValueError(f"similarity {s.shape} does not match {len(labels)} labels")
    ax = _ax(ax, figsize=(7.5, 3.8))
    im = ax.imshow(s, cmap=ENCODING_CMAP, vmin=-1.0, vmax=1.0, interpolation="nearest")
    numbers = [str(i + 1) for i in range(len(labels))]
    ax.set_yticks(range(len(labels)), [f"{i + 1}  {label}" for i, label in enumerate(labels)])
    ax.set_xticks(range(len(labels)), numbers)
    ax.set_xlabel("sentence")
    ax.spines[:].set_visible(False)
    if len(labels) <= ANNOTATE_UP_TO:
        for (i, j), value in np.ndenumerate(s):
            colour = "white" if abs(value) > 0.6 else "black"
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", color=colour, fontsize=8)
    ax.figure.colorbar(im, ax=ax, label="cosine similarity", shrink=0.8)
    if title:
        ax.set_title(title)
    return ax


# --- 07 training a tiny Transformer ---------------------------------------------------------------


def plot_training_curves(
    loss: Sequence[float],
    eval_steps: Sequence[int],
    accuracy: Sequence[float],
    axes: Sequence[Axes] | None = None,
    target: float = 0.99,
) -> np.ndarray:
    """Training loss per step (left, log scale) and held-out exact-sequence accuracy (right).

    Returns: the two Axes.
    """
    if axes is None:
        fig = plt.figure(figsize=(10.0, 3.4), layout="constrained")
        axes = fig.subplots(1, 2)
    ax_loss, ax_acc = axes
    steps = np.arange(1, len(loss) + 1)
    ax_loss.semilogy(steps, loss, color=SERIES_COLOURS[0], linewidth=0.8)
    ax_loss.set_xlabel("training step")
    ax_loss.set_ylabel("cross-entropy loss (log scale)")
    ax_loss.set_title("training loss (teacher forcing)")
    ax_acc.plot(eval_steps, np.asarray(accuracy) * 100, "o-", color=SERIES_COLOURS[1])
    ax_acc.axhline(target * 100, color="grey", linestyle=":", label=f"{target:.0%}")
    ax_acc.set_ylim(-2, 102)
    ax_acc.set_xlabel("training step")
    ax_acc.set_ylabel("exact-sequence accuracy (%)")
    ax_acc.set_title("held-out sequences, greedy decoding")
    ax_acc.legend(frameon=False, loc="lower right")
    return np.asarray(axes)


def _cross_attention_panel(
    ax: Axes, weights: np.ndarray, src_labels: Sequence[str], tgt_labels: Sequence[str]
) -> AxesImage:
    """Cross-attention as a heatmap: decoder queries on rows, source tokens on columns."""
    im = ax.imshow(
        weights, cmap=WEIGHTS_CMAP, vmin=0.0, vmax=1.0, aspect="auto", interpolation="nearest"
    )
    _tick_tokens(ax, src_labels, "x")
    _tick_tokens(ax, tgt_labels, "y")
    ax.spines[:].set_visible(False)
    return im


def plot_attention_snapshots(
    snapshots: Sequence[np.ndarray],
    steps: Sequence[int],
    src_labels: Sequence[str],
    tgt_labels: Sequence[str],
) -> np.ndarray:
    """Cross-attention of one sequence at several points of training, side by side.

    Row t is the decoder's query that predicts target token t (labelled with that token), the
    columns are the source tokens; one colour scale (0 to 1) and one colour bar.
    Shapes: snapshots: one `(T, S)` array per step, T = len(tgt_labels), S = len(src_labels).
    Returns: the Axes, one per snapshot.
    """
    if len(snapshots) != len(steps) or not snapshots:
        raise ValueError(f"{len(snapshots)} snapshots for {len(steps)} steps")
    for w in snapshots:
        if np.shape(w) != (len(tgt_labels), len(src_labels)):
            raise ValueError(
                f"a snapshot of shape {np.shape(w)} does not fit {len(tgt_labels)} target and "
                f"{len(src_labels)} source labels"
            )
    fig = plt.figure(figsize=(2.4 * len(steps) + 1.0, 2.9), layout="constrained")
    axes = fig.subplots(1, len(steps), squeeze=False)[0]
    for ax, w, step in zip(axes, snapshots, steps, strict=True):
        im = _cross_attention_panel(ax, np.asarray(w), src_labels, tgt_labels)
        ax.set_title("untrained" if step == 0 else f"after {step} steps", fontsize=10)
        ax.set_xlabel("source (key)")
    axes[0].set_ylabel("predicting (query)")
    fig.colorbar(im, ax=list(axes), label="cross-attention weight", shrink=0.85)
    return axes


def plot_length_accuracy(
    lengths: Sequence[int],
    accuracy: Sequence[float],
    trained: tuple[int, int],
    ax: Axes | None = None,
) -> Axes:
    """Exact-sequence accuracy per input length; the lengths seen in training are shaded."""
    ax = _ax(ax, figsize=(6.4, 3.2))
    ax.axvspan(trained[0] - 0.5, trained[1] + 0.5, color="#dddddd", label="lengths in training")
    ax.plot(lengths, np.asarray(accuracy) * 100, "o-", color=SERIES_COLOURS[0])
    ax.set_xticks(list(lengths))
    ax.set_ylim(-2, 102)
    ax.set_xlabel("number of digits")
    ax.set_ylabel("exact-sequence accuracy (%)")
    ax.legend(frameon=False, loc="lower left")
    return ax


class ReversalFigure(LiveFigure):
    """The reversal explorer's figure: cross-attention of each output step over the input (left),
    and the probability the model gave each token it chose (right).

    Laid out again only when the input length or the output length changes.
    Shapes: `update(src_labels (S,), out_labels (N,), weights (N, S), probs (N,), caption)`.
    Used by `helpers.widgets.reversal_explorer` and for its static fallback.
    """

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(10.0, 4.4), dpi=dpi)
        self._tokens: tuple[list[str], list[str]] | None = None  # (input, output) labels

    def _build(self, src_labels: list[str], out_labels: list[str]) -> None:
        self.relayout()
        self._tokens = (src_labels, out_labels)
        n = len(out_labels)
        self.ax_map, self.ax_probs = self.fig.subplots(1, 2, width_ratios=[1.6, 1.0])
        self._image = _cross_attention_panel(
            self.ax_map, np.zeros((n, len(src_labels))), src_labels, out_labels
        )
        self.ax_map.set_xlabel("input token (key)")
        self.ax_map.set_ylabel("output token (query that chose it)")
        self.fig.colorbar(self._image, ax=self.ax_map, label="cross-attention weight", shrink=0.85)
        self.ax_map.set_title(" ")  # room for the caption
        self._caption = self.ax_map.text(
            0.5, 1.02, "", transform=self.ax_map.transAxes, ha="center", va="bottom"
        )
        self._bars = self.ax_probs.barh(range(n), np.zeros(n), color=SERIES_COLOURS[0])
        self.ax_probs.set_yticks(range(n), out_labels, fontsize=8)
        self.ax_probs.invert_yaxis()  # the same order as the heatmap's rows
        self.ax_probs.set_xlim(0, 1.0)
        self.ax_probs.set_xlabel("probability of the chosen token")
        self.ax_probs.set_title("greedy decoding: how sure")
        self.dynamic = [self._image, self._caption, *self._bars]

    def update(
        self,
        src_labels: Sequence[str],
        out_labels: Sequence[str],
        weights: np.ndarray,
        probs: np.ndarray,
        caption: str,
    ) -> Figure:
        if np.shape(weights) != (len(out_labels), len(src_labels)) or len(probs) != len(out_labels):
            raise ValueError(
                f"weights {np.shape(weights)} and {len(probs)} probabilities do not fit "
                f"{len(out_labels)} outputs and {len(src_labels)} inputs"
            )
        if self._tokens != (list(src_labels), list(out_labels)):
            self._build(list(src_labels), list(out_labels))
        self._image.set_data(weights)
        self._caption.set_text(caption)
        for bar, p in zip(self._bars, probs, strict=True):
            bar.set_width(p)
        return self.fig

    show_message = AttentionFigure.show_message  # the same message panel
