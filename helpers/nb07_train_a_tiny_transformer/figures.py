"""Figures of 07_train_a_tiny_transformer.ipynb: training curves, attention snapshots, accuracy by
length, and the reversal explorer's figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from helpers.nb01_self_attention.figures import AttentionFigure
from helpers.plots import SERIES_COLOURS, WEIGHTS_CMAP, LiveFigure, ax_or_new, thinned, tick_tokens

__all__ = [
    "ReversalFigure",
    "plot_attention_snapshots",
    "plot_length_accuracy",
    "plot_training_curves",
]


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
    tick_tokens(ax, src_labels, "x")
    tick_tokens(ax, tgt_labels, "y")
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
    ax = ax_or_new(ax, figsize=(6.4, 3.2))
    ax.axvspan(trained[0] - 0.5, trained[1] + 0.5, color="#dddddd", label="lengths in training")
    ax.plot(lengths, np.asarray(accuracy) * 100, "o-", color=SERIES_COLOURS[0])
    ax.set_xticks(list(lengths))
    ax.set_ylim(-2, 102)
    ax.set_xlabel("number of digits")
    ax.set_ylabel("exact-sequence accuracy (%)")
    ax.legend(frameon=False, loc="lower left")
    return ax


class StepsFigure(LiveFigure):
    """A figure of a decoded sequence: cross-attention of each output step over the input, and one
    artist per step beside it (a bar, a line of text). Laid out again only when the number of
    input or output tokens changes, or a label is longer than the ones laid out; other new words
    only relabel the ticks (the background redrawn, the layout kept).

    Subclasses build the axes in `_build(src_labels, out_labels)` (setting `_image`, `_caption`
    and `_steps`, one artist per output step) and say how a step shows its value in `_set_step`.
    Shapes: `update(src_labels (S,), out_labels (N,), weights (N, S), per_step (N,), caption)`.
    """

    steps_are = "per-step values"  # what `per_step` holds, for the error message

    def __init__(self, figsize: tuple[float, float], dpi: int = 80) -> None:
        super().__init__(figsize=figsize, dpi=dpi)
        self._tokens: tuple[list[str], list[str]] | None = None  # (input, output) labels

    def update(
        self,
        src_labels: Sequence[str],
        out_labels: Sequence[str],
        weights: np.ndarray,
        per_step: Sequence,
        caption: str,
    ) -> Figure:
        n_out, n_src = len(out_labels), len(src_labels)
        if np.shape(weights) != (n_out, n_src) or len(per_step) != n_out:
            raise ValueError(
                f"weights {np.shape(weights)} and {len(per_step)} {self.steps_are} do not fit "
                f"{n_out} outputs and {n_src} inputs"
            )
        tokens = (list(src_labels), list(out_labels))
        if tokens != self._tokens and not self._relabel(*tokens):
            self._build(*tokens)
        self._image.set_data(weights)
        self._caption.set_text(caption)
        for artist, value in zip(self._steps, per_step, strict=True):
            self._set_step(artist, value)
        return self.fig

    width_ratios = (1.6, 1.0)  # the map's and the steps' panels

    def _relabel(self, src_labels: list[str], out_labels: list[str]) -> bool:
        """New words of the same counts, none longer than those laid out: the axes' tick labels
        take them in place (thinned as `tick_tokens` thins them); False: lay out again."""
        if self._tokens is None:
            return False
        pairs = list(zip(self._tokens, (src_labels, out_labels), strict=True))
        if any(
            len(old) != len(new) or max(map(len, new), default=0) > max(map(len, old), default=0)
            for old, new in pairs
        ):
            return False
        relabelled = {  # the labels an axis shows now → its new ones (also thinned)
            tuple(shown): list(new_shown)
            for old, new in pairs
            for shown, new_shown in ((old, new), (thinned(old)[1], thinned(new)[1]))
        }
        for ax in (self.ax_map, self.ax_steps):
            for axis in (ax.xaxis, ax.yaxis):
                shown = tuple(t.get_text() for t in axis.get_ticklabels())
                if shown in relabelled:
                    axis.set_ticklabels(relabelled[shown])
        self._tokens = (src_labels, out_labels)
        self._background = None  # the tick labels are in the background: drawn again, not laid out
        return True

    def _build(self, src_labels: list[str], out_labels: list[str]) -> None:
        """Lay out the map (left, with its colour bar and caption) and the steps (right)."""
        self.relayout()
        self._tokens = (src_labels, out_labels)
        self.ax_map, self.ax_steps = self.fig.subplots(1, 2, width_ratios=list(self.width_ratios))
        self._image = self._draw_map(src_labels, out_labels)
        self.fig.colorbar(self._image, ax=self.ax_map, label="cross-attention weight", shrink=0.85)
        self.ax_map.set_title(" ")  # room for the caption
        self._caption = self.ax_map.text(
            0.5, 1.02, "", transform=self.ax_map.transAxes, ha="center", va="bottom"
        )
        self._steps = self._draw_steps(out_labels)
        self.dynamic = [self._image, self._caption, *self._steps]

    def _draw_map(self, src_labels: list[str], out_labels: list[str]) -> AxesImage:
        """The cross-attention image on `ax_map` (zeros until `update`), with its labels."""
        raise NotImplementedError

    def _draw_steps(self, out_labels: list[str]) -> list:
        """One artist per output step on `ax_steps`."""
        raise NotImplementedError

    def _set_step(self, artist: object, value: object) -> None:
        raise NotImplementedError

    show_message = AttentionFigure.show_message  # the same message panel


class ReversalFigure(StepsFigure):
    """The reversal explorer's figure: cross-attention of each output step over the input (left),
    and the probability the model gave each token it chose (right).

    Laid out again only when the input length or the output length changes.
    Shapes: `update(src_labels (S,), out_labels (N,), weights (N, S), probs (N,), caption)`.
    Used by `explorer.reversal_explorer` and for its static fallback.
    """

    steps_are = "probabilities"

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(10.0, 4.4), dpi=dpi)

    def _draw_map(self, src_labels: list[str], out_labels: list[str]) -> AxesImage:
        image = _cross_attention_panel(
            self.ax_map, np.zeros((len(out_labels), len(src_labels))), src_labels, out_labels
        )
        self.ax_map.set_xlabel("input token (key)")
        self.ax_map.set_ylabel("output token (query that chose it)")
        return image

    def _draw_steps(self, out_labels: list[str]) -> list:
        n = len(out_labels)
        bars = self.ax_steps.barh(range(n), np.zeros(n), color=SERIES_COLOURS[0])
        self.ax_steps.set_yticks(range(n), out_labels, fontsize=8)
        self.ax_steps.invert_yaxis()  # the same order as the heatmap's rows
        self.ax_steps.set_xlim(0, 1.0)
        self.ax_steps.set_xlabel("probability of the chosen token")
        self.ax_steps.set_title("greedy decoding: how sure")
        return list(bars)

    def _set_step(self, bar: object, p: float) -> None:
        bar.set_width(p)
