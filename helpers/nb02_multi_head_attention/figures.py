"""Figures of 02_multi_head_attention.ipynb: one head's line view, and the explorer's figure."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from helpers.livefigure import RESERVED_LABEL
from helpers.plots import (
    ACCENT,
    ENCODING_CMAP,
    SERIES_COLOURS,
    LiveFigure,
    as_weights,
    ax_or_new,
    panel_frame,
    plot_head_grid,
    resize_image,
    thinned,
    tick_tokens,
)
from helpers.text import MAX_WORDS

__all__ = ["MAX_HEAD_SLOTS", "MultiHeadFigure", "plot_attention_lines"]


MAX_HEAD_SLOTS = 8  # MultiHeadFigure keeps room for this many heads, so n_heads moves no axes


def _line_colours(weights: np.ndarray, colour: str) -> np.ndarray:
    """One RGBA colour per (query, key) pair: the given colour, opacity = weight."""
    rgba = np.tile(mpl.colors.to_rgba(colour), (weights.size, 1))  # (T·S, 4)
    rgba[:, 3] = np.clip(weights.ravel(), 0.0, 1.0)
    return rgba


def _line_fontsize(n: int) -> int:
    """The line view's label size for `n` tokens: smaller as the rows get closer."""
    return 9 if n <= 12 else 7 if n <= 20 else 6


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

    w, key_labels = as_weights(weights, query_labels, key_labels)  # (T, S)
    n = max(w.shape)
    ax = ax_or_new(ax, figsize=(3.0, 0.32 * n + 1.0))
    segments = [[(0.0, i), (1.0, j)] for i, j in np.ndindex(w.shape)]
    ax.add_collection(LineCollection(segments, colors=_line_colours(w, colour), linewidths=2.0))
    fontsize = _line_fontsize(n)
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
    moves data (blitted, no layout); new tokens relabel the token ticks and resize the data (up to
    `MAX_WORDS` tokens); only labels wider than the room kept for them lay it out again.
    Shapes: `update(tokens (T,), weights (H, T, T), head, titles (H,), concat (T, D))`, H ≤ 8;
    a grid panel shows the part of its title before a colon, the line view the whole title.
    Used by `explorer.multi_head_explorer` and for its static fallback.
    """

    CONCAT_LIMIT = 1.0  # colour scale of the concatenated outputs: -1 … 1

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(12.0, 6.2), dpi=dpi)
        self._tokens: list[str] | None = None
        self._width: int | None = None

    def _build(self, tokens: list[str], width: int) -> None:
        """Lay out the 8-slot grid, the line view and the concatenated outputs for these tokens
        and this output width (D)."""
        self.relayout()
        self._tokens, self._width = tokens, width
        gs = self.fig.add_gridspec(
            3, 5, height_ratios=[1.0, 1.0, 0.8], width_ratios=[1, 1, 1, 1, 1.35]
        )
        grid = np.array([[self.fig.add_subplot(gs[r, c]) for c in range(4)] for r in range(2)])
        self.ax_lines = self.fig.add_subplot(gs[0:2, 4])
        self.ax_concat = self.fig.add_subplot(gs[2, :])
        self._draw_slots(grid, tokens)
        self._draw_lines(tokens)
        self._draw_concat(tokens, width)
        self._ticks = [
            *(self.token_ticks(self.slots[h], "y", MAX_WORDS) for h in (0, 4)),
            *(self.token_ticks(self.slots[h], "x", MAX_WORDS) for h in range(4, 8)),
            self.token_ticks(self.ax_concat, "y", MAX_WORDS),
        ]
        self._relabel(tokens)
        self.dynamic = [
            *self._images,
            *self._titles,
            *self._fills,
            *self._empty,
            *self._frames,
            self._lines,
            *self._line_labels,
            self._lines_caption,
            self._concat,
            self._bounds,
            self._block,
            self._concat_caption,
        ]

    def _draw_slots(self, grid: np.ndarray, tokens: list[str]) -> None:
        """Empty heatmaps in the 2 × 4 grid of head slots, each with its title, a grey fill and a
        "no head" note for an unused slot, and a frame for the selected head. Shapes: grid `(2, 4)`.
        """
        n = len(tokens)
        slots = list(grid.ravel())
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
        self._frames = [ax.add_patch(panel_frame(ax, "none")) for ax in slots]

    def _draw_lines(self, tokens: list[str]) -> None:
        """The selected head's line view, with room for its two-line caption; its token labels
        are a pool of texts, queries on the left and keys on the right."""
        n = len(tokens)
        plot_attention_lines(np.zeros((n, n)), tokens, ax=self.ax_lines, title=" \n ")
        self._lines = self.ax_lines.collections[0]
        for text in list(self.ax_lines.texts):  # the labels go in the pool below
            text.remove()
        sides = ((-0.06, "right"), (1.06, "left"))
        self._line_labels = [
            self.ax_lines.text(x, 0, "", ha=ha, va="center")
            for x, ha in sides
            for _ in range(MAX_WORDS)
        ]
        for x, ha in sides:  # room for a label as wide as RESERVED_LABEL, kept by the layout
            self.ax_lines.text(x, 0, RESERVED_LABEL, ha=ha, va="center", fontsize=9, alpha=0)
        self._lines_caption = self.ax_lines.text(
            0.5, 1.01, "", transform=self.ax_lines.transAxes, ha="center", va="bottom", fontsize=9
        )

    def _relabel(self, tokens: list[str]) -> bool:
        """The token labels and the sizes that follow the sentence; False: lay out again."""
        n = len(tokens)
        positions, labels = thinned(tokens)
        fits = [
            ticks.set(
                positions, labels, fontsize=8, **({"rotation": 90} if ticks.axis == "x" else {})
            )
            for ticks in self._ticks
        ]
        self._tokens = tokens
        for image in self._images:
            resize_image(image, n, n)
        self._lines.set_segments([[(0.0, i), (1.0, j)] for i, j in np.ndindex(n, n)])
        fontsize = _line_fontsize(n)
        for k, text in enumerate(self._line_labels):
            i = k % MAX_WORDS
            text.set_visible(i < n)
            text.set(text=tokens[i] if i < n else "", y=i, fontsize=fontsize)
        self.ax_lines.set_ylim(n - 0.5, -0.5)
        resize_image(self._concat, n, self._width)
        self._block.set_height(n)
        return all(fits) and max(map(len, tokens)) <= len(RESERVED_LABEL)  # line labels fit

    def _draw_concat(self, tokens: list[str], width: int) -> None:
        """The heads' outputs side by side (T, D), with the heads' boundaries and a frame around
        the selected head's block of columns."""
        from matplotlib.collections import LineCollection

        n = len(tokens)
        ax = self.ax_concat
        self._concat = ax.imshow(
            np.zeros((n, width)),
            cmap=ENCODING_CMAP,
            vmin=-self.CONCAT_LIMIT,
            vmax=self.CONCAT_LIMIT,
            aspect="auto",
            interpolation="nearest",
        )
        tick_tokens(ax, tokens, "y")
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
        tokens = list(tokens)
        if self._tokens is None or concat.shape[1] != self._width:
            self._build(tokens, concat.shape[1])
        elif tokens != self._tokens and not self._relabel(tokens):
            self._build(tokens, concat.shape[1])
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
        return self.laid_out()
