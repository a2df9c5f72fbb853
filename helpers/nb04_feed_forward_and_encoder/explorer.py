"""The depth explorer of 04_feed_forward_and_encoder.ipynb: blocks, residuals, LayerNorm, norm
placement and activation.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W

from helpers.nb04_feed_forward_and_encoder.experiment import depth_statistics
from helpers.nb04_feed_forward_and_encoder.figures import DepthFigure
from helpers.widgets import Explorer, dropdown, slider

__all__ = [
    "ACTIVATION_NAMES",
    "DEPTH_MAX",
    "DepthView",
    "depth_explorer",
    "depth_verdict",
    "depth_view",
]


DEPTH_MAX = 48  # the explorer's deepest stack: a new depth costs up to ~0.15 s once, then cached


ACTIVATION_NAMES = {"relu": "ReLU", "gelu": "GELU"}


@dataclass(frozen=True)
class DepthView:
    """What the depth explorer shows. `stats` is None when there is nothing to draw.

    stats: the chosen stack; reference: the book's stack (post-norm, residual + LayerNorm) of the
    same depth and activation; both `experiment.DepthStats`.
    """

    stats: object | None
    reference: object | None
    caption: str
    message: str

    def figure_args(self) -> tuple | None:
        """The arguments of `figures.DepthFigure.update`, or None when there is nothing to draw."""
        return None if self.stats is None else (self.stats, self.reference, self.caption)


def depth_verdict(stats: object, reference: object | None = None) -> str:
    """One line on what a `DepthStats` says: gradients (against the `reference` stack's, if
    given), activation scale and token similarity."""
    n = stats.depth
    if n == 1:
        return "One block: add layers to see what depth does."
    ratio = stats.param_grad[0] / stats.param_grad[-1]
    grads = f"block 1 gets {ratio:.2g} × block {n}'s gradient"
    if ratio < 1e-2:
        grads = "vanishing gradients: " + grads
    if reference is not None:
        vs_reference = stats.param_grad.max() / reference.param_grad.max()
        if vs_reference > 1e2:
            times = f"{float(f'{vs_reference:.2g}'):,.0f}"  # 2 significant digits, no e+02
            grads = f"exploding gradients: {times} × the book's; " + grads
    growth = stats.activation_rms[-1] / stats.activation_rms[0]
    similarity = stats.token_similarity[-1]
    tokens = (
        "all tokens ≈ one vector" if similarity > 0.99 else f"token similarity {similarity:.2f}"
    )
    return f"{grads} · output RMS {growth:.2g} × the input's · {tokens}"


def depth_view(
    depth: int = 24,
    residual: bool = True,
    layer_norm: bool = True,
    norm_first: bool = False,
    activation: str = "relu",
) -> DepthView:
    """Per-layer statistics of a fresh encoder stack (d_model 64) and of the book's, to compare.

    A depth outside 1 … DEPTH_MAX is moved to the nearest end, with a message; an unknown
    activation gets a message and nothing to draw. Computed by
    `experiment.depth_statistics` (cached: a setting seen before costs nothing).
    """

    if activation not in ACTIVATION_NAMES:
        names = " or ".join(repr(a) for a in ACTIVATION_NAMES)
        return DepthView(None, None, "", f"The activation must be {names}, not {activation!r}.")
    notes = []
    if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= DEPTH_MAX:
        try:
            wanted = int(depth)
        except (TypeError, ValueError, OverflowError):
            wanted = 1
        clamped = min(max(wanted, 1), DEPTH_MAX)
        notes.append(f"The explorer stacks 1 to {DEPTH_MAX} blocks; showing {clamped}.")
        depth = clamped
    if not layer_norm and norm_first:
        notes.append(
            "Without LayerNorm there is nothing to place: "
            "pre-norm and post-norm are the same block."
        )
    stats = depth_statistics(depth, residual, layer_norm, norm_first, activation)
    reference = depth_statistics(depth, True, True, False, activation)
    blocks = "block" if depth == 1 else "blocks"
    caption = f"{depth} {blocks}, {ACTIVATION_NAMES[activation]}, {stats.label}\n"
    verdict = depth_verdict(stats, reference)
    return DepthView(stats, reference, caption + verdict, " ".join(notes))


def depth_explorer(depth: int = 24) -> W.VBox:
    """Stack 1 to 48 blocks, switch residuals and LayerNorm, move the norm, pick the activation.

    Taught in 04_feed_forward_and_encoder.ipynb.
    """

    depth_slider = slider("blocks", depth, min=1, max=DEPTH_MAX)
    narrow = W.Layout(width="auto", margin="0 1em 0 0")
    residual = W.Checkbox(value=True, description="residual", indent=False, layout=narrow)
    layer_norm = W.Checkbox(value=True, description="LayerNorm", indent=False, layout=narrow)
    placement = dropdown(
        "norm", [("post-norm (the book)", False), ("pre-norm", True)], False, width="15em"
    )
    activations = [(name, key) for key, name in ACTIVATION_NAMES.items()]
    activation = dropdown("FFN activation", activations, "relu", width="13em")
    return Explorer(
        DepthFigure(),
        lambda: depth_view(
            depth_slider.value, residual.value, layer_norm.value, placement.value, activation.value
        ),
        [[depth_slider, residual, layer_norm, placement, activation]],
    ).widget
