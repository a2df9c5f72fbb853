"""Sinusoidal positional encoding (Vaswani et al. 2017, §3.5), and its properties."""

from __future__ import annotations

import math

import torch
from torch import Tensor

__all__ = [
    "PAPER_BASE",
    "offset_dot_product",
    "positional_angles",
    "shift_matrix",
    "sinusoidal_positional_encoding",
    "wavelengths",
]


PAPER_BASE = 10000.0  # the base of Vaswani et al. (2017), and of Packt's errata for the book


def _check_width(d_model: int, base: float) -> None:
    if not isinstance(d_model, int) or isinstance(d_model, bool) or d_model < 2 or d_model % 2:
        raise ValueError(
            f"d_model must be a positive even integer (sin/cos pairs), got {d_model!r}"
        )
    if not base > 1:
        raise ValueError(f"base must be greater than 1, got {base!r}")


def _frequencies(d_model: int, base: float) -> Tensor:
    """ω_i = 1 / base^(2i/d) for i = 0 … d/2 − 1, float64. Shapes: returns `(D/2,)`."""
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # (D/2,)
    return 1.0 / base ** (two_i / d_model)


def positional_angles(n_positions: int, d_model: int, base: float = PAPER_BASE) -> Tensor:
    """The angles pos · ω_i = pos / base^(2i/d) inside the sines and cosines, in float64.

    Shapes: returns `(n_positions, d_model // 2)`: row = position, column = pair i.
    Taught in 03_positional_encoding.ipynb.
    """
    if not isinstance(n_positions, int) or n_positions < 1:
        raise ValueError(f"n_positions must be a positive integer, got {n_positions!r}")
    _check_width(d_model, base)
    pos = torch.arange(n_positions, dtype=torch.float64)[:, None]  # (P, 1)
    return pos * _frequencies(d_model, base)  # (P, 1) * (D/2,) -> (P, D/2)


def sinusoidal_positional_encoding(
    n_positions: int, d_model: int, base: float = PAPER_BASE
) -> Tensor:
    """PE(pos, 2i) = sin(pos / base^(2i/d)), PE(pos, 2i+1) = cos(pos / base^(2i/d)).

    Args:
        n_positions: number of positions (rows). d_model: width d (even). base: 10000 in the paper.
    Shapes:
        returns `(n_positions, d_model)`, float32; sin in the even columns, cos in the odd ones.

    Taught in 03_positional_encoding.ipynb.
    """
    angles = positional_angles(n_positions, d_model, base)  # (P, D/2)
    pe = torch.empty(n_positions, d_model, dtype=torch.float64)  # (P, D)
    pe[:, 0::2] = torch.sin(angles)
    pe[:, 1::2] = torch.cos(angles)
    return pe.float()


def wavelengths(d_model: int, base: float = PAPER_BASE) -> Tensor:
    """Wavelength, in positions, of each sin/cos pair: 2π · base^(2i/d), from 2π to below 2π·base.

    Shapes: returns `(d_model // 2,)`, float64; entry i belongs to dimensions 2i and 2i + 1.
    Taught in 03_positional_encoding.ipynb.
    """
    _check_width(d_model, base)
    return 2 * math.pi / _frequencies(d_model, base)


def offset_dot_product(
    offsets: Tensor | list[int] | int, d_model: int, base: float = PAPER_BASE
) -> Tensor:
    """PE(pos) · PE(pos + k) = Σ_i cos(k · ω_i), the same for every pos: it depends only on k.

    Divide by d_model / 2 (the squared norm of every row) for the cosine similarity.
    Shapes: offsets `(K,)` (or one int) -> `(K,)` (or a 0-d tensor), float64.
    Taught in 03_positional_encoding.ipynb.
    """
    _check_width(d_model, base)
    k = torch.as_tensor(offsets, dtype=torch.float64)  # (K,)
    return torch.cos(k[..., None] * _frequencies(d_model, base)).sum(-1)  # (K, D/2) -> (K,)


def shift_matrix(k: int, d_model: int, base: float = PAPER_BASE) -> Tensor:
    """The fixed linear map M_k with PE(pos + k) = M_k · PE(pos) for every pos (k may be < 0).

    Block diagonal: pair i, (sin, cos) of angle pos·ω_i, is rotated by the angle k·ω_i:
    [[cos kω_i, sin kω_i], [−sin kω_i, cos kω_i]] (the sine and cosine addition formulas).
    Shapes: returns `(D, D)`, float64. For rows, `pe[pos + k] = M_k @ pe[pos]` and
    `pe[k:] = pe[:-k] @ M_k.T`.
    Taught in 03_positional_encoding.ipynb.
    """
    if not isinstance(k, int) or isinstance(k, bool):
        raise ValueError(f"k must be an integer offset, got {k!r}")
    _check_width(d_model, base)
    theta = k * _frequencies(d_model, base)  # (D/2,)
    c, s = torch.cos(theta), torch.sin(theta)
    m = torch.zeros(d_model, d_model, dtype=torch.float64)  # (D, D)
    even, odd = torch.arange(0, d_model, 2), torch.arange(1, d_model, 2)
    m[even, even], m[even, odd] = c, s  # sin(a + b) = sin a cos b + cos a sin b
    m[odd, even], m[odd, odd] = -s, c  # cos(a + b) = cos a cos b − sin a sin b
    return m
