"""Figures of 04_feed_forward_and_encoder.ipynb: activations, LayerNorm, per-layer statistics, and
the depth explorer's figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers.plots import ACCENT, SERIES_COLOURS, LiveFigure, ax_or_new

__all__ = [
    "DEPTH_STATISTICS",
    "DepthFigure",
    "plot_activations",
    "plot_layer_norm_effect",
    "plot_layer_statistic",
]


# What `experiment.DepthStats` holds per layer: attribute -> (axis label, log scale).
DEPTH_STATISTICS = {
    "activation_rms": ("RMS of the entries of x_l", True),
    "param_grad": ("‖∂L/∂θ_l‖ over block l's weights", True),
    "token_similarity": ("mean cosine between two tokens", False),
}


_DEPTH_TITLES = {
    "activation_rms": "activation scale",
    "param_grad": "gradient of each block's weights",
    "token_similarity": "how alike the tokens are",
}


def plot_activations(
    z: np.ndarray | Sequence[float],
    series: Mapping[str, Sequence[float]],
    ax: Axes | None = None,
) -> Axes:
    """Activation functions against their input z, one line per function (e.g. ReLU and GELU)."""
    ax = ax_or_new(ax, figsize=(5.0, 3.4))
    ax.axhline(0, color="lightgrey", linewidth=0.8, zorder=0)
    ax.axvline(0, color="lightgrey", linewidth=0.8, zorder=0)
    for s, (name, values) in enumerate(series.items()):
        ax.plot(z, values, label=name, color=SERIES_COLOURS[s % len(SERIES_COLOURS)], lw=2)
    ax.set_xlabel("input z (one hidden unit)")
    ax.set_ylabel("activation(z)")
    ax.legend(frameon=False)
    return ax


def plot_layer_norm_effect(
    before: np.ndarray | Sequence,
    after: np.ndarray | Sequence,
    tokens: Sequence[str],
    ax: Axes | None = None,
    names: tuple[str, str] = ("x + sublayer(x)", "LayerNorm(x + sublayer(x))"),
) -> Axes:
    """Each token's mean (dot) ± one standard deviation (bar) over its features, before and after.

    Shapes: before, after `(T, D)`.
    """
    b, a = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if b.shape != a.shape or b.ndim != 2 or b.shape[0] != len(tokens):
        raise ValueError(f"before {b.shape} and after {a.shape} must both be ({len(tokens)}, D)")
    ax = ax_or_new(ax, figsize=(6.4, 3.4))
    x = np.arange(len(tokens))
    ax.axhline(0, color="lightgrey", linewidth=0.8, zorder=0)
    for s, (offset, values, name) in enumerate(((-0.12, b, names[0]), (0.12, a, names[1]))):
        ax.errorbar(
            x + offset,
            values.mean(axis=1),  # (T, D) -> (T,)
            yerr=values.std(axis=1),
            fmt="o",
            capsize=4,
            color=SERIES_COLOURS[s],
            label=name,
        )
    ax.set_xticks(x, tokens)
    ax.set_xlabel("token")
    ax.set_ylabel(f"mean ± std over its {b.shape[1]} features")
    ax.legend(frameon=False, fontsize=8, ncols=2, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    return ax


def _layers(stats: object, statistic: str) -> np.ndarray:
    """x values of a statistic: 0 … N for the activations, 1 … N for the blocks' gradients."""
    return np.arange(1 if statistic == "param_grad" else 0, stats.depth + 1)


def plot_layer_statistic(
    series: Sequence[object],
    statistic: str,
    ax: Axes | None = None,
    legend: bool = True,
) -> Axes:
    """One statistic of `experiment.DepthStats` against the layer, one line per stack.

    `statistic` is a key of `DEPTH_STATISTICS`; scales and gradients on a log axis.
    """
    if statistic not in DEPTH_STATISTICS:
        raise ValueError(f"statistic must be one of {list(DEPTH_STATISTICS)}, got {statistic!r}")
    ylabel, log = DEPTH_STATISTICS[statistic]
    ax = ax_or_new(ax, figsize=(5.0, 3.6))
    for s, stats in enumerate(series):
        ax.plot(
            _layers(stats, statistic),
            getattr(stats, statistic),
            "o-" if stats.depth <= 32 else "-",
            markersize=3,
            color=SERIES_COLOURS[s % len(SERIES_COLOURS)],
            label=stats.label,
        )
    if log:
        ax.set_yscale("log")
    else:
        ax.set_ylim(-0.25, 1.05)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.set_xlabel("layer l (0 = the input)")
    ax.set_ylabel(ylabel)
    ax.set_title(_DEPTH_TITLES[statistic])
    if legend:
        ax.legend(frameon=False, fontsize=8)
    return ax


def _decades(values: np.ndarray, min_decades: int = 2) -> tuple[float, float]:
    """Log-axis limits on whole powers of ten around `values`, at least `min_decades` apart."""
    finite = values[np.isfinite(values) & (values > 0)]
    if finite.size == 0:
        return 0.1, 10.0
    # A fifth of a decade of margin, so that no point sits on the frame.
    lo, hi = np.floor(np.log10(finite.min()) - 0.2), np.ceil(np.log10(finite.max()) + 0.2)
    while hi - lo < min_decades:
        lo, hi = lo - 0.5, hi + 0.5
    return 10.0 ** np.floor(lo), 10.0 ** np.ceil(hi)


class DepthFigure(LiveFigure):
    """The depth explorer: activation scale, gradient norms and token similarity per layer, for
    one stack (accent) over the book's stack of the same depth (grey, dashed).

    Laid out once; an update moves the lines, the axes' limits and their ticks (the axis labels
    are static text, so redrawing an axis stays cheap), and needs no new layout.
    Shapes: `update(stats, reference, caption)`, both `experiment.DepthStats`.
    Used by `explorer.depth_explorer` and for its static fallback.
    """

    def __init__(self, dpi: int = 80) -> None:
        super().__init__(figsize=(12.0, 4.2), dpi=dpi)
        self.relayout()
        self.axes = list(self.fig.subplots(1, len(DEPTH_STATISTICS)))
        self._caption = self.fig.suptitle(" \n ", fontsize="medium")  # room for two lines
        self._lines: dict[str, tuple] = {}
        ticks = []
        for ax, statistic in zip(self.axes, DEPTH_STATISTICS, strict=True):
            ylabel, log = DEPTH_STATISTICS[statistic]
            (reference,) = ax.plot([], [], "--", color="grey", lw=1.5, label="the book's stack")
            (current,) = ax.plot([], [], "o-", color=ACCENT, lw=2, markersize=3, label="this stack")
            self._lines[statistic] = (reference, current)
            if log:
                ax.set_yscale("log")
                ax.yaxis.set_major_locator(mpl.ticker.LogLocator(numticks=6))
                ax.yaxis.set_minor_locator(mpl.ticker.NullLocator())
                ax.set_ylim(1e-30, 1e3)  # lay out for the widest tick labels
                ticks.append(ax.yaxis)
            else:
                ax.set_ylim(-0.25, 1.05)
            ax.set_xlim(0, 48)
            ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(nbins=6, integer=True))
            ticks.append(ax.xaxis)
            # Axis labels as plain text beside the axes: drawn once, with the background.
            ax.annotate(
                "layer l (0 = the input)",
                (0.5, 0.0),
                xycoords="axes fraction",
                xytext=(0, -22),
                textcoords="offset points",
                ha="center",
                va="top",
            )
            ax.annotate(
                ylabel,
                (0.0, 0.5),
                xycoords="axes fraction",
                xytext=(-38 if log else -30, 0),
                textcoords="offset points",
                ha="center",
                va="bottom",
                rotation=90,
                rotation_mode="anchor",
            )
            ax.set_title(_DEPTH_TITLES[statistic])
        self.fig.legend(
            handles=list(self._lines["activation_rms"])[::-1],
            loc="outside lower center",
            ncols=2,
            frameon=False,
        )
        self.fig.get_layout_engine().execute(self.fig)  # lay out once, then keep it
        self.fig.set_layout_engine("none")
        lines = [line for pair in self._lines.values() for line in pair]
        self.dynamic = [*ticks, *lines, self._caption]

    def update(self, stats: object, reference: object, caption: str = "") -> Figure:
        """Draw `stats` over `reference` (both DepthStats of the same depth)."""
        depth = stats.depth
        for ax, (statistic, (ref_line, line)) in zip(self.axes, self._lines.items(), strict=True):
            ref_line.set_data(_layers(reference, statistic), getattr(reference, statistic))
            line.set_data(_layers(stats, statistic), getattr(stats, statistic))
            line.set_marker("o" if depth <= 32 else "")
            pad = max(0.5, 0.02 * depth)
            ax.set_xlim(-pad, depth + pad)
            if DEPTH_STATISTICS[statistic][1]:
                both = np.concatenate([getattr(stats, statistic), getattr(reference, statistic)])
                ax.set_ylim(*_decades(both))
        self._caption.set_text(caption)
        return self.fig
