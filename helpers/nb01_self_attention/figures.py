"""Figures of 01_self_attention.ipynb: the spread of scores, and the attention explorer's figure."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers.plots import (
    ACCENT,
    ANNOTATE_UP_TO,
    SERIES_COLOURS,
    LiveFigure,
    ax_or_new,
    cell_texts,
    fill_cells,
    plot_attention_heatmap,
    resize_image,
)
from helpers.text import MAX_WORDS

__all__ = ["AttentionFigure", "plot_score_spread"]


def plot_score_spread(
    d_ks: Sequence[int],
    raw_var: Sequence[float],
    scaled_var: Sequence[float],
    ax: Axes | None = None,
) -> Axes:
    """Variance of q·k against d_k, before and after dividing by √d_k (log-log)."""
    ax = ax_or_new(ax, figsize=(5.0, 3.4))
    ax.loglog(d_ks, raw_var, "o-", label="q·k", color=SERIES_COLOURS[0])
    ax.loglog(d_ks, scaled_var, "s-", label="q·k / √d_k", color=SERIES_COLOURS[1])
    ax.loglog(d_ks, d_ks, ":", color="grey", label="y = d_k")
    ax.set_xlabel("d_k (width of q and k)")
    ax.set_ylabel("variance of the score")
    ax.set_xticks(d_ks, [str(d) for d in d_ks])
    ax.legend(frameon=False)
    return ax


class AttentionFigure(LiveFigure):
    """One figure, updated in place: the query's weights as bars (left), the matrix (right).

    Laid out once, with room for up to `MAX_WORDS` tokens: a new sentence relabels the token
    ticks and resizes the data; only labels wider than the room kept for them lay it out again.
    Shapes: `update(tokens (T,), weights (T, T), query)`.
    Used by `explorer.attention_explorer` and for its static fallback.
    """

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(10.0, 4.0), dpi=dpi)
        self._tokens: list[str] | None = None

    def _build(self, tokens: list[str]) -> None:
        self.relayout()
        self._tokens = tokens
        self.ax_bars, self.ax_map = self.fig.subplots(1, 2, width_ratios=[1.1, 1.0])
        self._bars = self.ax_bars.bar(
            range(MAX_WORDS), np.zeros(MAX_WORDS), color=SERIES_COLOURS[0]
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
        self._bar_labels = self.ax_bars.bar_label(self._bars, fmt="%.2f", fontsize=8, padding=1)
        n = len(tokens)
        plot_attention_heatmap(
            np.zeros((n, n)),
            tokens,
            ax=self.ax_map,
            highlight_row=0,
            title="all queries × all keys",
        )
        for text in list(self.ax_map.texts):  # the values go in a pool of texts, below
            text.remove()
        self._image = self.ax_map.images[0]
        self._cells = cell_texts(self.ax_map, ANNOTATE_UP_TO)
        self._frame = self.ax_map.patches[-1]
        self._ticks = [
            self.token_ticks(self.ax_bars, "x", MAX_WORDS),
            self.token_ticks(self.ax_map, "x", MAX_WORDS),
            self.token_ticks(self.ax_map, "y", MAX_WORDS),
        ]
        self._relabel(tokens)
        self.dynamic = [
            *self._bars,
            *self._bar_labels,
            self._caption,
            self._image,
            *self._cells,
            self._frame,
        ]

    def _relabel(self, tokens: list[str]) -> bool:
        """The token labels and the sizes that follow the sentence; False: lay out again."""
        n = len(tokens)
        slant = {"rotation": 45, "ha": "right"}
        fits = [
            self._ticks[0].set(range(n), tokens, **slant),
            self._ticks[1].set(range(n), tokens, **slant),
            self._ticks[2].set(range(n), tokens),
        ]
        self._tokens = tokens
        self.ax_bars.set_xlim(-0.5, n - 0.5)
        resize_image(self._image, n, n)
        self._frame.set_width(n)
        return all(fits)

    def update(self, tokens: Sequence[str], weights: np.ndarray, query: int) -> Figure:
        tokens = list(tokens)
        if tokens != self._tokens and (self._tokens is None or not self._relabel(tokens)):
            self._build(tokens)
        n, row = len(tokens), weights[query]
        for j, bar in enumerate(self._bars):
            bar.set_visible(j < n)
            bar.set_height(row[j] if j < n else 0.0)
            bar.set_color(ACCENT if j == query else SERIES_COLOURS[0])
        for j, (label, bar) in enumerate(zip(self._bar_labels, self._bars, strict=True)):
            label.set_visible(j < n <= ANNOTATE_UP_TO)
            label.set_text(f"{bar.get_height():.2f}")
            label.xy = (bar.get_x() + bar.get_width() / 2, bar.get_height())
        self._caption.set_text(f'weights of the query "{tokens[query]}"')
        self._image.set_data(weights)
        colours = np.where(weights > 0.6, "black", "white")
        fill_cells(self._cells, np.vectorize(lambda v: f"{v:.2f}")(weights), colours)
        self._frame.set_y(query - 0.5)
        return self.laid_out()
