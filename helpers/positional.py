"""Sinusoidal positional encoding (Vaswani et al. 2017, §3.5)."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["sinusoidal_positional_encoding"]


def sinusoidal_positional_encoding(n_positions: int, d_model: int, base: float = 10000.0) -> Tensor:
    """PE(pos, 2i) = sin(pos / base^(2i/d)), PE(pos, 2i+1) = cos(pos / base^(2i/d)).

    Args:
        n_positions: number of positions (rows). d_model: width d (even). base: 10000 in the paper.
    Shapes:
        returns `(n_positions, d_model)`, float32; sin in the even columns, cos in the odd ones.

    Taught in 03_positional_encoding.ipynb.
    """
    if not isinstance(n_positions, int) or n_positions < 1:
        raise ValueError(f"n_positions must be a positive integer, got {n_positions!r}")
    if not isinstance(d_model, int) or d_model < 2 or d_model % 2:
        raise ValueError(
            f"d_model must be a positive even integer (sin/cos pairs), got {d_model!r}"
        )
    if not base > 1:
        raise ValueError(f"base must be greater than 1, got {base!r}")
    pos = torch.arange(n_positions, dtype=torch.float64)[:, None]  # (P, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # (D/2,)
    angles = pos / base ** (two_i / d_model)  # (P, 1) / (D/2,) -> (P, D/2)
    pe = torch.empty(n_positions, d_model, dtype=torch.float64)  # (P, D)
    pe[:, 0::2] = torch.sin(angles)
    pe[:, 1::2] = torch.cos(angles)
    return pe.float()
