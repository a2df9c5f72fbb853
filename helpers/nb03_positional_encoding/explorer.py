"""The positional-encoding explorer of 03_positional_encoding.ipynb: d_model, base and position."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np

from helpers.nb03_positional_encoding.figures import PositionalFigure
from helpers.positional import offset_dot_product, sinusoidal_positional_encoding, wavelengths
from helpers.widgets import Explorer, log_slider, slider

__all__ = [
    "PE_MAX_D_MODEL",
    "PE_POSITIONS",
    "PositionalView",
    "positional_explorer",
    "positional_view",
]


PE_POSITIONS = 64  # rows of the explorer's heatmap


PE_MAX_D_MODEL = 128


@dataclass(frozen=True)
class PositionalView:
    """What the positional-encoding explorer shows. `pe` is None when there is nothing to draw.

    Shapes: pe `(P, D)`; offsets and similarity `(P,)`: for every other position j, the offset
    j − position and the cosine similarity of PE(position) and PE(j); reference_offsets and
    reference `(2P − 1,)`: that similarity for every offset, the curve all positions share.
    """

    d_model: int
    base: float
    position: int
    pe: np.ndarray | None
    offsets: np.ndarray | None
    similarity: np.ndarray | None
    reference_offsets: np.ndarray | None
    reference: np.ndarray | None
    caption: str
    message: str

    def figure_args(self) -> tuple | None:
        """The arguments of `figures.PositionalFigure.update`, in order (None: nothing to draw)."""
        if self.pe is None:
            return None
        curves = (self.offsets, self.similarity, self.reference_offsets, self.reference)
        return (self.pe, self.position, *curves, self.caption)


def _length(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def _no_view(d_model: int, base: float, position: int, message: str) -> PositionalView:
    return PositionalView(d_model, base, position, None, None, None, None, None, "", message)


def positional_view(
    d_model: int = 64,
    base: float = 10000.0,
    position: int = 10,
    n_positions: int = PE_POSITIONS,
) -> PositionalView:
    """The sinusoidal encoding of `n_positions` positions, one position's vector, and its cosine
    similarity to every other position against the offset.

    An odd or too small d_model, a base not above 1 or no positions get a friendly message; a
    position outside 0 … n_positions − 1 is moved to the nearest end, with a message.
    """

    if not isinstance(n_positions, int) or n_positions < 1:
        return _no_view(d_model, base, position, "I need at least one position to encode.")
    if not isinstance(d_model, int) or d_model < 2 or d_model % 2:
        return _no_view(
            d_model,
            base,
            position,
            f"d_model = {d_model} cannot be encoded: the encoding is made of sin/cos pairs, "
            "so d_model must be an even number, at least 2.",
        )
    if not base > 1:
        return _no_view(
            d_model,
            base,
            position,
            f"base = {base:g} cannot be used: the wavelengths are 2π · base^(2i/d), so the base "
            "must be greater than 1 (the paper uses 10000).",
        )
    message = ""
    if not 0 <= position < n_positions:
        clamped = min(max(position, 0), n_positions - 1)
        message = f"Position {position} is outside 0 … {n_positions - 1}; showing {clamped}."
        position = clamped

    pe = sinusoidal_positional_encoding(n_positions, d_model, base).double().numpy()  # (P, D)
    half = d_model / 2  # the squared norm of every row
    similarity = pe @ pe[position] / half  # (P, D) @ (D,) -> (P,)
    ahead = offset_dot_product(list(range(n_positions)), d_model, base).numpy() / half  # (P,)
    reference_offsets = np.arange(-(n_positions - 1), n_positions)  # (2P − 1,)
    reference = np.concatenate([ahead[:0:-1], ahead])  # cos is even: offset −k is offset k
    waves = wavelengths(d_model, base)  # (D/2,)
    span = _length(waves[0]) + (f" … {_length(waves[-1])}" if len(waves) > 1 else "")
    caption = f"d_model = {d_model}, base = {base:,.0f}: wavelengths {span} positions"
    return PositionalView(
        d_model,
        float(base),
        position,
        pe,
        np.arange(n_positions) - position,
        similarity,
        reference_offsets,
        reference,
        caption,
        message,
    )


def positional_explorer(d_model: int = 64, base: float = 10000.0, position: int = 10) -> W.VBox:
    """Move d_model, the base and the position: the encoding, one vector and the similarity curve.

    Taught in 03_positional_encoding.ipynb.
    """

    # step 2: sin/cos pairs, an odd d_model cannot be chosen
    d_slider = slider("d_model", d_model, min=2, max=PE_MAX_D_MODEL, step=2)
    base_slider = log_slider("base", base, min=1, max=5, step=0.25, readout_format=",.0f")
    pos_slider = slider("position", position, min=0, max=PE_POSITIONS - 1, live=True)
    return Explorer(
        PositionalFigure(),
        lambda: positional_view(d_slider.value, base_slider.value, pos_slider.value),
        [[d_slider, base_slider, pos_slider]],
    ).widget
