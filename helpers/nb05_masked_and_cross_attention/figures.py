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
    cell_texts,
    fill_cells,
    label_queries_and_keys,
    plot_attention_heatmap,
    resize_image,
)
from helpers.text import MAX_WORDS

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

    Laid out once, with room for up to `MAX_WORDS` words a sentence: the step, the mask and the
    head move data; new sentences relabel the token ticks and resize the data; only labels wider
    than the room kept for them lay it out again.
    Shapes: `update(target (T,), source (S,), self_weights (T, T), mask (T, T) or None,
    cross_weights (T, S), step (1 … T: the step's decoder word), head_title, caption)`.
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
        self._self_cells = cell_texts(self.ax_self, ANNOTATE_UP_TO)
        self._cross_cells = cell_texts(self.ax_cross, ANNOTATE_UP_TO)
        self._frames = [self.ax_self.patches[-1], self.ax_cross.patches[-1]]
        self._ticks = [
            self.token_ticks(ax, axis, MAX_WORDS)
            for ax in (self.ax_self, self.ax_cross, self.ax_bars)
            for axis in ("x", "y")
            if (ax, axis) != (self.ax_bars, "y")
        ]
        self._relabel(target, source)
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
        the first word's row framed, one colour bar for both."""
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
        for ax in (self.ax_self, self.ax_cross):
            for text in list(ax.texts):  # the values go in pools of texts (cell_texts)
                text.remove()

    def _relabel(self, target: list[str], source: list[str]) -> bool:
        """The token labels and the sizes that follow the sentences; False: lay out again."""
        t, s = len(target), len(source)
        slant = {"rotation": 45, "ha": "right"}
        labels = [target, target, source, target, target]  # self x, y; cross x, y; bars x
        fits = [
            ticks.set(range(len(words)), words, **(slant if ticks.axis == "x" else {}))
            for ticks, words in zip(self._ticks, labels, strict=True)
        ]
        self._tokens = (target, source)
        resize_image(self._self_image, t, t)
        resize_image(self._cross_image, t, s)
        for frame, width in zip(self._frames, (t, s), strict=True):
            frame.set_width(width)
        self.ax_bars.set_xlim(-0.5, t - 0.5)
        return all(fits)

    def _draw_bars(self, target: list[str]) -> None:
        """One bar per decoder word (what one step attends to), with value labels up to 8 words
        and a "hidden" mark for each word the mask hides; room for `MAX_WORDS` words."""
        self._bars = self.ax_bars.bar(
            range(MAX_WORDS), np.zeros(MAX_WORDS), color=SERIES_COLOURS[0]
        )
        self.ax_bars.set_ylim(0, 1.12)
        self.ax_bars.set_xlabel("decoder word (key)")
        self.ax_bars.set_ylabel("attention weight")
        self.ax_bars.set_title(" \n ")
        self._bar_labels = self.ax_bars.bar_label(self._bars, fmt="%.2f", fontsize=8, padding=1)
        self._hidden = [
            self.ax_bars.text(
                j, 0.03, "", rotation=90, ha="center", va="bottom", color="dimgrey", fontsize=9
            )
            for j in range(MAX_WORDS)
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
        if not 1 <= step <= t:
            raise ValueError(f"step {step} is outside 1 … {t}")
        row = step - 1  # steps count from 1: step t is the t-th decoder word
        target, source = list(target), list(source)
        if self._tokens is None or (
            (target, source) != self._tokens and not self._relabel(target, source)
        ):
            self._build(target, source)
        self._self_image.set_data(np.where(allowed, self_weights, np.nan))
        fill_cells(
            self._self_cells,
            np.where(allowed, np.vectorize(lambda v: f"{v:.2f}")(self_weights), "0"),
            np.where(allowed, np.where(self_weights > 0.6, "black", "white"), "grey"),
        )
        self._cross_image.set_data(cross_weights)
        fill_cells(
            self._cross_cells,
            np.vectorize(lambda v: f"{v:.2f}")(cross_weights),
            np.where(cross_weights > 0.6, "black", "white"),
        )
        for frame in self._frames:
            frame.set_y(row - 0.5)
        self._step_bars(self_weights[row], allowed[row], row)
        kind = "masked self-attention" if mask is not None else "self-attention, NO mask"
        self._titles[0].set_text(f"decoder {kind}\n(queries × keys, both decoder words)")
        self._titles[1].set_text(f'decoding step {step}: what "{target[row]}" attends to\n ')
        self._titles[2].set_text(f"cross-attention, head {head_title}\n(decoder → encoder)")
        self._caption.set_text(caption)
        return self.laid_out()

    def _step_bars(self, weights: np.ndarray, allowed: np.ndarray, query: int) -> None:
        """What the word at index `query` attends to: one bar per word, hidden future words
        marked, values up to 8 words. Shapes: weights `(T,)`, allowed `(T,)`."""
        t = len(weights)
        for j, bar in enumerate(self._bars):
            future, hidden = j > query, j < t and j > query and not allowed[j]
            bar.set_visible(j < t)
            bar.set_height(weights[j] if j < t and not hidden else 0.0)
            bar.set_color(ACCENT if future else SERIES_COLOURS[0])
            self._hidden[j].set_text("hidden" if hidden else "")
            label = self._bar_labels[j]
            label.set_visible(j < t <= ANNOTATE_UP_TO)
            label.set_text("" if hidden else f"{bar.get_height():.2f}")
            label.xy = (bar.get_x() + bar.get_width() / 2, bar.get_height())
