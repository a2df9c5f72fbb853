"""Figures of 09_real_bert.ipynb: head patterns, sentence similarity, and the head gallery."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers.plots import (
    ACCENT,
    ANNOTATE_UP_TO,
    ENCODING_CMAP,
    WEIGHTS_CMAP,
    LiveFigure,
    annotate_cells,
    ax_or_new,
    cell_frame,
    finish_heatmap,
    panel_frame,
    tick_tokens,
    write_message,
)

__all__ = ["BertHeadsFigure", "LABEL_CHARS", "plot_head_patterns", "plot_similarity"]


def plot_head_patterns(
    scores: Mapping[str, np.ndarray],
    axes: Sequence[Axes] | np.ndarray | None = None,
    frame_best: bool = True,
) -> list[Axes]:
    """One layers × heads map per pattern (e.g. `data.head_pattern_scores`), 0 to 1,
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
            cell_frame(ax, layer, head, "white")
            title += f"\nbest: layer {layer + 1}, head {head + 1} ({s[layer, head]:.2f})"
        elif frame_best:
            title += "\n(no repeated word)"
        ax.set_title(title, fontsize=9)
    axes[0].figure.colorbar(im, ax=axes[: len(scores)], label="mean weight", shrink=0.9)
    return axes[: len(scores)]


LABEL_CHARS = 10  # BertHeadsFigure keeps room for token labels this long; longer ones are cut
LABEL_ALL_UP_TO = 32  # BertHeadsFigure labels every token of sentences up to this many tokens


def _tick_every_token(ax: Axes, labels: Sequence[str]) -> None:
    """Every token labelled on both axes of the head map up to `LABEL_ALL_UP_TO` tokens (the font
    shrinks beyond 12); longer sentences get every 2nd, 3rd, … label (`tick_tokens`)."""
    if len(labels) > LABEL_ALL_UP_TO:
        tick_tokens(ax, labels, "y", fontsize=7)
        tick_tokens(ax, labels, "x", fontsize=7)
        return
    fontsize = 9 if len(labels) <= 12 else 9 * 12 / len(labels) + 3  # 9 pt at 12, ~6.4 at 32
    ax.set_yticks(range(len(labels)), labels, fontsize=fontsize)
    ax.set_xticks(range(len(labels)), labels, fontsize=fontsize, rotation=90)


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
    Used by `explorer.bert_heads_explorer` and for its static fallback.
    """

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(13.0, 7.8), dpi=dpi)
        self._shape: tuple | None = None  # (H, L, pattern names) the layout was made for
        self._tokens: list[str] | None = None

    def _build(self, n_heads: int, n_layers: int, patterns: list[str]) -> None:
        """Lay out the head map, `n_heads` thumbnails and one layers × heads map per pattern."""
        self.relayout()
        self._shape, self._tokens = (n_heads, n_layers, patterns), None
        outer = self.fig.add_gridspec(2, 1, height_ratios=[2.5, 1.0])
        top = outer[0].subgridspec(1, 2, width_ratios=[1.0, 1.3])
        self.ax_map = self.fig.add_subplot(top[0])
        thumbs = top[1].subgridspec(-(-n_heads // 4), 4)
        self.slots = [self.fig.add_subplot(thumbs[h // 4, h % 4]) for h in range(n_heads)]
        bottom = outer[1].subgridspec(1, len(patterns))
        self.ax_patterns = [self.fig.add_subplot(bottom[0, p]) for p in range(len(patterns))]
        self._draw_map()
        self._draw_thumbs()
        self._draw_patterns(n_layers, n_heads, patterns)
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

    def _draw_map(self) -> None:
        """The chosen head's heatmap, laid out for 12 tokens of the longest labels."""
        self._image = self.ax_map.imshow(
            np.zeros((2, 2)),
            cmap=WEIGHTS_CMAP,
            vmin=0.0,
            vmax=1.0,
            aspect="auto",
            interpolation="nearest",
        )
        widest = ["W" * LABEL_CHARS] * 12  # lay out once for the longest labels
        tick_tokens(self.ax_map, widest, "y", fontsize=9)
        tick_tokens(self.ax_map, widest, "x", fontsize=9)
        self.ax_map.set_xlabel("key (attended to)")
        self.ax_map.set_ylabel("query (attending)")
        self.ax_map.spines[:].set_visible(False)
        self.ax_map.set_title(" \n ")  # room for the two-line caption
        self._caption = self.ax_map.text(
            0.5, 1.01, "", transform=self.ax_map.transAxes, ha="center", va="bottom"
        )
        self.fig.colorbar(self._image, ax=self.ax_map, label="attention weight", shrink=0.8)

    def _draw_thumbs(self) -> None:
        """One small heatmap per head of the layer, titled, with a frame for the chosen head."""
        self._thumbs, self._thumb_titles, self._frames = [], [], []
        for h, ax in enumerate(self.slots):
            self._thumbs.append(
                ax.imshow(
                    np.zeros((2, 2)), cmap=WEIGHTS_CMAP, vmin=0.0, vmax=1.0, interpolation="nearest"
                )
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
            self._frames.append(ax.add_patch(panel_frame(ax, "none")))

    def _draw_patterns(self, n_layers: int, n_heads: int, patterns: list[str]) -> None:
        """One empty layers × heads map per pattern, with room for its title, a frame for its
        best head and one for the chosen head."""
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
        self._best = [cell_frame(ax, 0, 0, "white") for ax in self.ax_patterns]
        self._cells = [cell_frame(ax, 0, 0) for ax in self.ax_patterns]

    def _new_sentence(self, tokens: list[str], scores: Mapping[str, np.ndarray]) -> None:
        self._tokens = tokens
        n = len(tokens)
        for image in (self._image, *self._thumbs):
            image.set_extent((-0.5, n - 0.5, n - 0.5, -0.5))  # and the axes' limits with it
        _tick_every_token(self.ax_map, [_short(t) for t in tokens])
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
        write_message(self.fig, message)
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
    ax = ax_or_new(ax, figsize=(7.5, 3.8))
    im = ax.imshow(s, cmap=ENCODING_CMAP, vmin=-1.0, vmax=1.0, interpolation="nearest")
    numbers = [str(i + 1) for i in range(len(labels))]
    ax.set_yticks(range(len(labels)), [f"{i + 1}  {label}" for i, label in enumerate(labels)])
    ax.set_xticks(range(len(labels)), numbers)
    ax.set_xlabel("sentence")
    ax.spines[:].set_visible(False)
    if len(labels) <= ANNOTATE_UP_TO:
        annotate_cells(ax, s, diverging=True)
    return finish_heatmap(ax, im, "cosine similarity", None, title)
