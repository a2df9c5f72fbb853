"""Figures of 06_decoder_and_transformer.ipynb: the next-token distribution, step by step."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from helpers.plots import (
    ACCENT,
    SERIES_COLOURS,
    WEIGHTS_CMAP,
    LiveFigure,
    annotate_cells,
    ax_or_new,
    frame_row,
)

__all__ = ["LARGE_VOCAB", "DecodingFigure", "plot_next_token", "plot_step_distributions"]

LARGE_VOCAB = 16  # the stepper's bars: above this many tokens, small labels and few values


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
    ax = ax_or_new(ax, figsize=(6.4, 3.2))
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
    ax = ax_or_new(ax, figsize=(7.0, 0.45 * n_steps + 1.8))
    im = ax.imshow(p, cmap=WEIGHTS_CMAP, vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(vocab)), vocab, rotation=45, ha="right")
    labels = [f"{n + 1}: {vocab[tokens[n]]} →" for n in range(n_steps)]
    ax.set_yticks(range(n_steps), labels)
    ax.set_xlabel("next token (the target vocabulary)")
    ax.set_ylabel("step: the decoder's last input →")
    ax.spines[:].set_visible(False)
    annotate_cells(ax, p, fontsize=7)
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

    Laid out once per vocabulary, source and number of steps, and each layout kept
    (`use_layout`): switching models back and forth moves data only, as any other update.
    Shapes: `update(vocab (V,), source (S,), targets (1 + n,), probs (V,) or None, chosen,
    attention (N, S), caption)`: the target so far starts with the start token; attention rows
    past step n are NaN (not drawn); probs None (step 0) draws no bars.
    Used by `explorer.decoding_stepper` and for its static fallback.
    """

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(12.0, 4.6), dpi=dpi)

    def _build(self, vocab: list[str], source: list[str], n_steps: int) -> None:
        self.relayout()
        gs = self.fig.add_gridspec(1, 3, width_ratios=[1.5, 0.45, 1.0])
        ax = self.ax_probs = self.fig.add_subplot(gs[0, 0])
        self._bars = ax.bar(range(len(vocab)), np.zeros(len(vocab)), color=SERIES_COLOURS[0])
        if len(vocab) > LARGE_VOCAB:  # e.g. the translator's 61 tokens: named above their bars
            ax.set_xticks([])
            ax.set_xlabel(f"next token (all {len(vocab)} of the target vocabulary; p ≥ 0.05 named)")
        else:
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
        self._frame = frame_row(self.ax_attn, 0, len(source))

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
        layout = (tuple(vocab), tuple(source), n_steps)
        if not self.use_layout(layout):  # a layout kept per vocabulary (the two models')
            self._build(list(vocab), list(source), n_steps)
        heights = np.zeros(len(vocab)) if probs is None else np.asarray(probs, dtype=float)
        small = len(vocab) <= LARGE_VOCAB  # a large vocabulary: only the visible bars' values
        for i, (bar, value, colour) in enumerate(
            zip(self._bars, self._values, _bar_colours(len(vocab), chosen), strict=True)
        ):
            bar.set_height(heights[i])
            bar.set_color(colour)
            value.set_position((i, heights[i] + 0.01))
            value.set_visible(probs is not None and (small or heights[i] >= 0.05))
            value.set_text(f"{heights[i]:.2f}" if small else f"{vocab[i]} {heights[i]:.2f}")
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
