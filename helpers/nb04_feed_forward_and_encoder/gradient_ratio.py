"""Notebook 04's gradient-ratio figure: each block's gradient divided by the last block's.

The ratios the notebook's prose quotes (block 1 / block N: ≈ 1e-25 without residuals, < 1.5 for
post-norm, 1.4–2.3 for pre-norm) are read off this one panel, one distinct colour per stack.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers.plots import SERIES_COLOURS

__all__ = ["RATIO_COLOURS", "gradient_ratios", "plot_gradient_ratios"]

# Five colours that stay apart for colour-blind readers (Okabe–Ito, light blue left out).
RATIO_COLOURS = tuple(SERIES_COLOURS[i] for i in (0, 1, 2, 3, 5))
_STYLES = ("o-", "s-", "^-", "D-", "v-")
ZOOM = (0.05, 5.0)  # the right panel's range


def gradient_ratios(stats: object) -> np.ndarray:
    """‖∂L/∂θ_l‖ / ‖∂L/∂θ_N‖ for l = 1 … N: how much of the last block's gradient block l gets.

    Shapes: `stats.param_grad` `(N,)` -> `(N,)`. Taught in 04_feed_forward_and_encoder.ipynb.
    """
    grads = np.asarray(stats.param_grad, dtype=np.float64)  # (N,)
    return grads / grads[-1]


def _draw(ax: Axes, runs: Sequence[object], ylim: tuple[float, float] | None) -> None:
    near = ylim or ZOOM  # label block 1's ratio in the panel where it can be read
    for s, stats in enumerate(runs):
        ratios = gradient_ratios(stats)  # (N,)
        blocks = np.arange(1, len(ratios) + 1)
        colour, style = RATIO_COLOURS[s % len(RATIO_COLOURS)], _STYLES[s % len(_STYLES)]
        ax.plot(blocks, ratios, style, color=colour, lw=2, markersize=4, label=stats.label)
        if (near[0] < ratios[0] < near[1]) == (ylim is not None):
            ax.annotate(
                f"{ratios[0]:.2g}",
                (1, ratios[0]),
                xytext=(-6, 0),
                textcoords="offset points",
                ha="right",
                va="center",
                color=colour,
                fontsize=9,
            )
    ax.axhline(1.0, color="grey", lw=1, ls="--", zorder=0)
    ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlim(-3.5, len(ratios) + 0.5)
    ax.set_xlabel("block l")


def plot_gradient_ratios(runs: Sequence[object]) -> Figure:
    """Block l's gradient / block N's, one line per stack, on two log panels: every stack (left),
    and the stacks whose ratios stay near 1, zoomed to 0.05 … 5 (right). Block 1's ratio is
    written at the left of each line."""
    fig, (ax_all, ax_zoom) = plt.subplots(1, 2, figsize=(12.0, 4.2), layout="constrained")
    _draw(ax_all, runs, None)
    ax_all.set_ylabel("‖∂L/∂θ_l‖ / ‖∂L/∂θ_N‖")
    ax_all.set_title("every stack")
    _draw(ax_zoom, runs, ZOOM)
    ax_zoom.set_title("zoomed: 0.05 … 5")
    handles, labels = ax_all.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, frameon=False)
    fig.suptitle("gradient of each block, relative to the last block")
    return fig
