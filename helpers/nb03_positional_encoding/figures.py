"""Figures of 03_positional_encoding.ipynb: the encoding's heatmap, its waves, the explorer."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from helpers.plots import (
    ACCENT,
    ANNOTATE_UP_TO,
    ENCODING_CMAP,
    SERIES_COLOURS,
    LiveFigure,
    annotate_cells,
    ax_or_new,
    finish_heatmap,
)

__all__ = ["PositionalFigure", "plot_encoding_waves", "plot_positional_encoding"]


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
    ax = ax_or_new(ax)
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
        annotate_cells(ax, e, fmt=".3f", diverging=True)
    return finish_heatmap(ax, im, "encoding value", highlight_row, title)


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
    ax = ax_or_new(ax, figsize=(8.0, 1.0 + 0.9 * len(dims)))
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


# The explorer's legends: one row, unframed, above the right end of their axes.
_LEGEND_ABOVE = dict(
    frameon=False,
    fontsize=8,
    ncols=2,
    loc="lower right",
    bbox_to_anchor=(1.0, 1.0),
    borderaxespad=0.1,
)


class PositionalFigure(LiveFigure):
    """The positional-encoding explorer: the encoding as a heatmap (left), the vector of one
    position (top right) and its similarity to every position against the offset (bottom right),
    on the curve that all positions share (grey).

    Laid out once per number of positions: a change of d_model, base or position only moves data
    (the two dimension axes are redrawn with the data, so a new d_model needs no new layout).
    Shapes: `update(pe (P, D), position, offsets (P,), similarity (P,), reference_offsets (K,),
    reference (K,), caption)`.
    Used by `explorer.positional_explorer` and for its static fallback.
    """

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(10.0, 4.6), dpi=dpi)
        self._positions: int | None = None

    def _build(self, n_positions: int) -> None:
        """Lay out the heatmap, the vector and the similarity plot for `n_positions` positions."""
        self.relayout()
        self._positions = n_positions
        widest = 128  # lay out with wide tick labels; any d_model then fits
        grid = self.fig.add_gridspec(2, 2, width_ratios=[1.15, 1.0])
        self.ax_map = self.fig.add_subplot(grid[:, 0])
        self.ax_vec = self.fig.add_subplot(grid[0, 1])
        self.ax_sim = self.fig.add_subplot(grid[1, 1])
        self._draw_map(n_positions, widest)
        self._draw_vector(widest)
        self._draw_similarity(n_positions)
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

    def _draw_map(self, n_positions: int, widest: int) -> None:
        """An empty (P, widest) encoding heatmap with row 0 framed and room for the caption."""
        plot_positional_encoding(np.zeros((n_positions, widest)), ax=self.ax_map, highlight_row=0)
        self.ax_map.set_title(" ")  # room for the caption, which changes with base and d_model
        self._caption = self.ax_map.text(
            0.5, 1.01, "", transform=self.ax_map.transAxes, ha="center", va="bottom"
        )
        self._image = self.ax_map.images[0]
        self._frame = self.ax_map.patches[-1]
        self.ax_map.xaxis.get_major_locator().set_params(integer=True)

    def _draw_vector(self, widest: int) -> None:
        """One stem per dimension (sin even, cos odd) for the vector of one position."""
        self._stems = self.ax_vec.vlines(np.arange(widest), 0.0, 0.0)
        self.ax_vec.set_xlim(-0.5, widest - 0.5)
        self.ax_vec.set_ylim(-1.1, 1.1)
        self.ax_vec.axhline(0, color="grey", linewidth=0.6)
        self.ax_vec.xaxis.get_major_locator().set_params(integer=True)
        self.ax_vec.set_xlabel("dimension")
        self.ax_vec.set_ylabel("PE value")
        handles = [Rectangle((0, 0), 1, 1, color=SERIES_COLOURS[k]) for k in (0, 1)]
        self.ax_vec.legend(handles, ["sin (even)", "cos (odd)"], **_LEGEND_ABOVE)
        self._vec_caption = self.ax_vec.text(
            0.0, 1.02, "", transform=self.ax_vec.transAxes, ha="left", va="bottom"
        )

    def _draw_similarity(self, n_positions: int) -> None:
        """Empty similarity-against-offset curves: every position (grey) and this one (dots)."""
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
        self.ax_sim.legend(**_LEGEND_ABOVE)

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
        super().show_message(message)
        self._positions = None  # the next update lays the figure out again
        return self.fig
