"""Figures of 08_train_a_translator.ipynb: training curves, the learned cross-attention per layer
and head, the learned alignment beside notebook 05's constructed one, and the explorer's figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.image import AxesImage

from helpers.nb07_train_a_tiny_transformer.figures import StepsFigure, plot_training_curves
from helpers.plots import WEIGHTS_CMAP, plot_attention_heatmap, plot_head_grid

__all__ = [
    "TranslatorFigure",
    "plot_learned_beside_constructed",
    "plot_layer_heads",
    "plot_training_curves",
]


def plot_layer_heads(
    weights: np.ndarray, src_labels: Sequence[str], tgt_labels: Sequence[str]
) -> np.ndarray:
    """Cross-attention of every decoder layer (rows of panels) and head (columns), annotated.

    Row t of a panel is the decoder query that writes tgt_labels[t]; the columns are the source.
    Shapes: weights `(L, H, T, S)`. Returns: the Axes, one per panel.
    """
    w = np.asarray(weights, dtype=float)
    n_layers, n_heads = w.shape[:2]
    titles = [
        f"layer {layer + 1} · head {h + 1}" for layer in range(n_layers) for h in range(n_heads)
    ]
    flat = w.reshape(n_layers * n_heads, *w.shape[2:])  # (L, H, T, S) -> (L·H, T, S)
    return plot_head_grid(flat, list(tgt_labels), titles, ncols=n_heads, key_tokens=src_labels)


def plot_learned_beside_constructed(
    learned: np.ndarray,
    constructed: np.ndarray,
    src_labels: Sequence[str],
    tgt_labels: Sequence[str],
    learned_title: str,
    constructed_title: str,
) -> np.ndarray:
    """Two cross-attention maps of one sentence pair side by side (queries on rows).

    Shapes: learned, constructed `(T, S)`. Returns: the two Axes.
    """
    fig = plt.figure(figsize=(11.0, 3.6), layout="constrained")
    axes = fig.subplots(1, 2)
    for ax, w, title in zip(
        axes, (learned, constructed), (learned_title, constructed_title), strict=True
    ):
        plot_attention_heatmap(w, tgt_labels, src_labels, ax=ax, title=title)
    return axes


class TranslatorFigure(StepsFigure):
    """The translator explorer's figure: cross-attention of each output word over the English
    words (left), and each step's most likely candidates with their probabilities (right).

    Laid out again only when the input or the output words change.
    Shapes: `update(src_labels (S,), out_labels (N,), weights (N, S), candidates (N,), caption)`,
    candidates one line of text per step.
    """

    steps_are = "candidate lines"

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(11.0, 4.4), dpi=dpi)

    width_ratios = (1.3, 1.0)

    def _draw_map(self, src_labels: list[str], out_labels: list[str]) -> AxesImage:
        image = self.ax_map.imshow(
            np.zeros((len(out_labels), len(src_labels))),
            cmap=WEIGHTS_CMAP,
            vmin=0.0,
            vmax=1.0,
            aspect="auto",
            interpolation="nearest",
        )
        self.ax_map.set_xticks(range(len(src_labels)), src_labels, rotation=45, ha="right")
        self.ax_map.set_yticks(range(len(out_labels)), out_labels)
        self.ax_map.set_xlabel("English word (key)")
        self.ax_map.set_ylabel("Korean word written (query)")
        self.ax_map.spines[:].set_visible(False)
        return image

    def _draw_steps(self, out_labels: list[str]) -> list:
        n = len(out_labels)
        self.ax_steps.axis("off")
        self.ax_steps.set_title("each step's top candidates (probability)", fontsize=10)
        return [
            self.ax_steps.text(0.0, 1.0 - (t + 0.5) / max(n, 8), "", fontsize=9, va="center")
            for t in range(n)
        ]

    def _set_step(self, line: object, text: str) -> None:
        line.set_text(text)
