"""Figures of 05_masked_and_cross_attention.ipynb: the mask's picture and the explorer's figure."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers.plots import (
    ACCENT,
    ANNOTATE_UP_TO,
    SERIES_COLOURS,
    WEIGHTS_CMAP,
    LiveFigure,
    ax_or_new,
    label_queries_and_keys,
    plot_attention_heatmap,
)

__all__ = ["BLOCKED", "DecoderAttentionFigure", "MASK_CMAP", "plot_mask"]


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
    ax = ax_or_new(ax, figsize=(4.2, 3.6))
    ax.imshow(m, cmap=MASK_CMAP, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    label_queries_and_keys(ax, query_labels, key_labels)
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
    Used by `explorer.decoder_attention_explorer` and for its static fallback.
    """

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(13.0, 4.8), dpi=dpi)
        self._tokens: tuple[list[str], list[str]] | None = None

    def _build(self, target: list[str], source: list[str]) -> None:
        """Lay out the three panels and the caption for this pair of sentences."""
        self.relayout()
        self._tokens = (target, source)
        self.ax_self, self.ax_bars, self.ax_cross = self.fig.subplots(
            1, 3, width_ratios=[1.0, 1.0, 1.25]
        )
        self._draw_maps(target, source)
        self._titles = [
            ax.text(0.5, 1.02, "", transform=ax.transAxes, ha="center", va="bottom")
            for ax in (self.ax_self, self.ax_bars, self.ax_cross)
        ]
        self._draw_bars(target)
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

    def _draw_maps(self, target: list[str], source: list[str]) -> None:
        """Empty self-attention (T, T; blocked cells grey) and cross-attention (T, S) heatmaps,
        row 0 framed, one colour bar for both."""
        t, s = len(target), len(source)
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

    def _draw_bars(self, target: list[str]) -> None:
        """One bar per decoder word (what one step attends to), with value labels up to 8 words
        and a "hidden" mark for each word the mask hides."""
        t = len(target)
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
