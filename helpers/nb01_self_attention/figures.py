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
    plot_attention_heatmap,
)

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

    The axes are laid out only when the tokens change; otherwise an update moves the data.
    Shapes: `update(tokens (T,), weights (T, T), query)`.
    Used by `explorer.attention_explorer` and for its static fallback.
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
