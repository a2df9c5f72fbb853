"""What depth does to a freshly initialised encoder stack: the experiment of
04_feed_forward_and_encoder.ipynb (activation scale, gradients, token similarity per layer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import get_args

import numpy as np
import torch
from torch import Tensor

from helpers.blocks import Activation
from helpers.positional import sinusoidal_positional_encoding
from helpers.text import TOKENS, word_vectors
from helpers.transformer import Encoder

__all__ = ["DepthStats", "MAX_DEPTH", "depth_statistics"]


MAX_DEPTH = 128  # deeper stacks take seconds, and tell nothing new


@dataclass(frozen=True)
class DepthStats:
    """Per-layer statistics of a freshly initialised encoder stack (float64, read-only arrays).

    Layer 0 is the input (word vectors + positional encoding), layer l the output of block l.
    Shapes (N = depth):
        activation_rms `(N + 1,)`: root mean square of all entries of x_l.
        activation_grad `(N + 1,)`: ‖∂L/∂x_l‖, the gradient reaching layer l's output.
        param_grad `(N,)`: ‖∂L/∂θ_l‖ over every weight of block l (what an optimiser would see).
        token_similarity `(N + 1,)`: mean cosine similarity of x_l's token vectors, over all
        pairs of different tokens (1 = every token carries the same vector).
    """

    depth: int
    residual: bool
    layer_norm: bool
    norm_first: bool
    activation: str
    d_model: int
    activation_rms: np.ndarray
    activation_grad: np.ndarray
    param_grad: np.ndarray
    token_similarity: np.ndarray

    @property
    def label(self) -> str:
        """A short name of the configuration, e.g. "post-norm: residual + LayerNorm"."""
        if not self.layer_norm:
            return "residual, no LayerNorm" if self.residual else "no residual, no LayerNorm"
        place = "pre-norm" if self.norm_first else "post-norm"
        return f"{place}: residual + LayerNorm" if self.residual else f"{place}: LayerNorm only"


def _read_only(values: list[float]) -> np.ndarray:
    a = np.array(values, dtype=np.float64)
    a.setflags(write=False)  # the results are cached and shared: nobody may change them
    return a


def _token_similarity(x: Tensor) -> float:
    """Mean cosine similarity over all pairs of different rows of x `(T, D)`."""
    unit = x / x.norm(dim=-1, keepdim=True).clamp_min(1e-300)  # (T, D)
    cos = unit @ unit.T  # (T, D) @ (D, T) -> (T, T)
    t = x.shape[0]
    return float((cos.sum() - cos.diagonal().sum()) / (t * (t - 1))) if t > 1 else 1.0


def depth_statistics(
    depth: int,
    residual: bool = True,
    layer_norm: bool = True,
    norm_first: bool = False,
    activation: Activation = "relu",
    d_model: int = 64,
    n_heads: int = 4,
    d_ff: int = 256,
    tokens: Sequence[str] = tuple(TOKENS),
    seed: int = 0,
) -> DepthStats:
    """Activation scale, gradient norms and token similarity, layer by layer, of a fresh stack.

    The stack is `Encoder(depth, d_model, n_heads, d_ff, ...)` with torch's default
    initialisation, seeded: every configuration of the same depth and seed has the same weights,
    and a deeper stack starts with the same blocks. Pre-norm stacks end with a LayerNorm, as
    pre-norm models do. The input is `word_vectors(tokens) + sinusoidal_positional_encoding`.
    A fixed random read-out stands in for a loss, L = Σ g ⊙ output with g ~ N(0, 1), so the
    gradient arriving at the output is the same for every configuration.
    Everything runs in float64 (no overflow, and digits that do not depend on thread count).
    Results are cached: asking again for the same arguments costs nothing.

    Shapes: see `DepthStats`. Taught in 04_feed_forward_and_encoder.ipynb.
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be an integer from 1 to {MAX_DEPTH}, got {depth!r}")
    if activation not in get_args(Activation):
        raise ValueError(f"activation must be one of {get_args(Activation)}, got {activation!r}")
    if not tokens:
        raise ValueError("depth_statistics needs at least one token")
    flags = (bool(residual), bool(layer_norm), bool(norm_first))
    return _depth_statistics(depth, *flags, activation, d_model, n_heads, d_ff, tuple(tokens), seed)


@lru_cache(maxsize=1024)
def _depth_statistics(
    depth: int,
    residual: bool,
    layer_norm: bool,
    norm_first: bool,
    activation: str,
    d_model: int,
    n_heads: int,
    d_ff: int,
    tokens: tuple[str, ...],
    seed: int,
) -> DepthStats:
    with torch.random.fork_rng(devices=[]):  # seeded weights, the caller's RNG left untouched
        torch.manual_seed(seed)
        encoder = Encoder(
            depth,
            d_model,
            n_heads,
            d_ff,
            final_norm=norm_first and layer_norm,
            activation=activation,
            norm_first=norm_first,
            residual=residual,
            layer_norm=layer_norm,
        )
    encoder = encoder.double()
    t = len(tokens)
    x = word_vectors(list(tokens), d_model) + sinusoidal_positional_encoding(t, d_model)  # (T, D)
    x = x.double()[None].requires_grad_(True)  # (T, D) -> (1, T, D)
    g = torch.randn(x.shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)

    xs = [x]
    with torch.enable_grad():
        for layer in encoder.layers:
            xs.append(layer(xs[-1]))  # (1, T, D) -> (1, T, D)
            xs[-1].retain_grad()
        loss = (encoder.norm(xs[-1]) * g).sum()
        loss.backward()

    def norm(tensors: Sequence[Tensor]) -> float:
        return float(torch.sqrt(sum((t.detach() ** 2).sum() for t in tensors)))

    return DepthStats(
        depth=depth,
        residual=residual,
        layer_norm=layer_norm,
        norm_first=norm_first,
        activation=activation,
        d_model=d_model,
        activation_rms=_read_only([float(h.detach().pow(2).mean().sqrt()) for h in xs]),
        activation_grad=_read_only([norm([h.grad]) for h in xs]),
        param_grad=_read_only(
            [norm([p.grad for p in layer.parameters()]) for layer in encoder.layers]
        ),
        token_similarity=_read_only([_token_similarity(h.detach()[0]) for h in xs]),
    )
