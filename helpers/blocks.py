"""Position-wise feed-forward network and the post-norm encoder and decoder blocks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from helpers.attention import MultiHeadAttention

__all__ = [
    "Activation",
    "DecoderBlock",
    "EncoderBlock",
    "FeedForward",
    "LayerCache",
]

Activation = Literal["relu", "gelu", "gelu_tanh"]
# "gelu" is the exact GELU, x·Φ(x) with the erf (BERT's and torch's default); "gelu_tanh" is its
# tanh approximation (GPT-2's), here only to measure how far it lands (09_real_bert.ipynb).
_ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "gelu_tanh": partial(nn.GELU, approximate="tanh"),
}


def _check_x(x: Tensor, d_model: int, name: str) -> None:
    if not isinstance(x, Tensor) or x.dim() != 3 or x.shape[-1] != d_model:
        got = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
        raise ValueError(f"{name} must have shape (B, len, {d_model}), got {got}")


class FeedForward(nn.Module):
    """FFN(x) = activation(x·W_1 + b_1)·W_2 + b_2, applied to every position on its own.

    Shapes: `(B, T, D) -> (B, T, F) -> (B, T, D)`.
    Taught in 04_feed_forward_and_encoder.ipynb.
    """

    def __init__(self, d_model: int, d_ff: int, activation: Activation = "relu") -> None:
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}"
            )
        self.d_model, self.d_ff, self.activation = d_model, d_ff, activation
        self.W_1 = nn.Linear(d_model, d_ff)
        self.act = _ACTIVATIONS[activation]()
        self.W_2 = nn.Linear(d_ff, d_model)

    def forward(self, x: Tensor) -> Tensor:
        _check_x(x, self.d_model, "x")
        return self.W_2(self.act(self.W_1(x)))  # (B, T, D) -> (B, T, F) -> (B, T, D)

    def _load_torch(self, linear1: nn.Linear, linear2: nn.Linear) -> None:
        self.W_1.load_state_dict(linear1.state_dict())
        self.W_2.load_state_dict(linear2.state_dict())


def _torch_layer_config(layer: nn.Module) -> dict:
    """Read d_model, n_heads, d_ff, activation and eps off an nn.Transformer*Layer."""
    act = layer.activation
    if act is F.relu or isinstance(act, nn.ReLU):
        activation = "relu"
    elif act is F.gelu or (isinstance(act, nn.GELU) and act.approximate == "none"):
        activation = "gelu"
    else:
        raise ValueError(f"from_torch supports the 'relu' and 'gelu' activations only, got {act}")
    return dict(
        d_model=layer.self_attn.embed_dim,
        n_heads=layer.self_attn.num_heads,
        d_ff=layer.linear1.out_features,
        activation=activation,
        eps=layer.norm1.eps,
        norm_first=layer.norm_first,
    )


class _Residual(nn.Module):
    """Shared by both blocks: their arguments, their sub-layers, and how each sub-layer is wrapped
    by the residual and LayerNorm.

    post-norm (the book, the original paper): x = Norm(x + sublayer(x))
    pre-norm (GPT-2 and most modern models):  x = x + sublayer(Norm(x))
    `residual=False` drops the "x +", `layer_norm=False` the Norm (both only to show why they are
    there, in 04_feed_forward_and_encoder.ipynb).
    Sub-layers: `self_attn`, then `cross_attn` in a block with `cross_attention` (the decoder's),
    then `ffn`; one LayerNorm each, `norm1`, `norm2`, … in that order.
    """

    cross_attention: bool

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        activation: Activation = "relu",
        eps: float = 1e-5,
        norm_first: bool = False,
        residual: bool = True,
        layer_norm: bool = True,
    ) -> None:
        super().__init__()
        self.norm_first, self.residual, self.layer_norm = norm_first, residual, layer_norm
        for i in range(1, self.n_norms + 1):
            norm = nn.LayerNorm(d_model, eps=eps) if layer_norm else nn.Identity()
            self.add_module(f"norm{i}", norm)
        self.self_attn = MultiHeadAttention(d_model, n_heads)
        if self.cross_attention:  # queries from the decoder, keys and values from the encoder
            self.cross_attn = MultiHeadAttention(d_model, n_heads)
        self.ffn = FeedForward(d_model, d_ff, activation)

    @property
    def n_norms(self) -> int:
        return 3 if self.cross_attention else 2

    def _add_norm(self, x: Tensor, sublayer: Callable[[Tensor], Tensor], norm: nn.Module) -> Tensor:
        skip = x if self.residual else torch.zeros_like(x)
        if self.norm_first:
            return skip + sublayer(norm(x))  # Norm, sub-layer, Add
        return norm(skip + sublayer(x))  # sub-layer, Add, Norm

    def _load_norms(self, layer: nn.Module, n_norms: int) -> None:
        if not self.layer_norm:
            raise ValueError("from_torch needs layer_norm=True: torch's layers always normalise")
        for i in range(1, n_norms + 1):
            getattr(self, f"norm{i}").load_state_dict(getattr(layer, f"norm{i}").state_dict())


class EncoderBlock(_Residual):
    """One encoder block, post-norm as in the book: x = Norm(x + MHA(x)); x = Norm(x + FFN(x)).

    Args:
        d_model, n_heads, d_ff, activation: sizes and the FFN's activation.
        eps: LayerNorm's epsilon. norm_first: pre-norm instead of post-norm.
        residual, layer_norm: switch off the residual connections or LayerNorm (for experiments).
    Shapes: forward(x `(B, T, D)`, mask broadcastable to `(B, H, T, T)`, True = may attend)
    -> `(B, T, D)`. The last attention weights `(B, H, T, T)` are kept in `attn_weights`.
    Sub-layers (built by `_Residual`): `self_attn`, `ffn`; their LayerNorms `norm1`, `norm2`.
    Taught in 04_feed_forward_and_encoder.ipynb.
    """

    cross_attention = False
    attn_weights: Tensor | None = None  # set by forward

    def _attend(self, x: Tensor, mask: Tensor | None) -> Tensor:
        attended, self.attn_weights = self.self_attn(x, x, x, mask)  # (B, T, D), (B, H, T, T)
        return attended

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        _check_x(x, self.self_attn.d_model, "x")
        # The book's steps 2-4: multi-head attention, residual connection, layer normalisation.
        x = self._add_norm(x, lambda h: self._attend(h, mask), self.norm1)  # (B, T, D)
        # Steps 5-7: feed-forward network, residual connection, layer normalisation.
        return self._add_norm(x, self.ffn, self.norm2)  # (B, T, D)

    @classmethod
    def from_torch(cls, layer: nn.TransformerEncoderLayer) -> EncoderBlock:
        """Copy the weights of a `torch.nn.TransformerEncoderLayer`."""
        block = cls(**_torch_layer_config(layer))
        block.self_attn = MultiHeadAttention.from_torch(layer.self_attn)
        block.ffn._load_torch(layer.linear1, layer.linear2)
        block._load_norms(layer, 2)
        return block


@dataclass
class LayerCache:
    """What one decoder block keeps between decoding steps: its KV cache.

    Shapes: k, v `(B, H, t, Dk)`: the self-attention keys and values of the t positions decoded so
    far (one more each step); memory_k, memory_v `(B, H, S, Dk)`: the cross-attention keys and
    values of the encoder output, computed once.
    Taught in 08_train_a_translator.ipynb.
    """

    k: Tensor
    v: Tensor
    memory_k: Tensor
    memory_v: Tensor

    def append(self, k: Tensor, v: Tensor) -> None:
        """Add the newest position's keys and values `(B, H, 1, Dk)`."""
        self.k = torch.cat([self.k, k], dim=2)  # (B, H, t, Dk) -> (B, H, t + 1, Dk)
        self.v = torch.cat([self.v, v], dim=2)  # (B, H, t, Dk) -> (B, H, t + 1, Dk)

    def select(self, index: Tensor) -> None:
        """Keep the rows `index` `(B,)` (beam search: each hypothesis continues its parent's)."""
        self.k, self.v = self.k[index], self.v[index]
        self.memory_k, self.memory_v = self.memory_k[index], self.memory_v[index]


class DecoderBlock(_Residual):
    """One decoder block: masked self-attention, cross-attention, FFN, each with Add & Norm.

    Args: as `EncoderBlock`.
    Shapes: forward(x `(B, T, D)`, memory `(B, S, D)`, tgt_mask broadcastable to `(B, H, T, T)`,
    memory_mask broadcastable to `(B, H, T, S)`; True = may attend) -> `(B, T, D)`.
    The last weights are kept in `self_attn_weights` `(B, H, T, T)` and
    `cross_attn_weights` `(B, H, T, S)`.
    Sub-layers (built by `_Residual`): `self_attn`, `cross_attn`, `ffn`; LayerNorms `norm1`–`norm3`.
    Taught in 06_decoder_and_transformer.ipynb.
    """

    cross_attention = True
    self_attn_weights: Tensor | None = None  # set by forward and step
    cross_attn_weights: Tensor | None = None

    def _self_attend(self, x: Tensor, mask: Tensor | None) -> Tensor:
        attended, self.self_attn_weights = self.self_attn(x, x, x, mask)  # (B, T, D)
        return attended

    def _cross_attend(self, x: Tensor, memory: Tensor, mask: Tensor | None) -> Tensor:
        # Queries from the decoder, keys and values from the encoder's output.
        attended, self.cross_attn_weights = self.cross_attn(x, memory, memory, mask)  # (B, T, D)
        return attended

    def forward(
        self,
        x: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
    ) -> Tensor:
        d_model = self.self_attn.d_model
        _check_x(x, d_model, "x")
        _check_x(memory, d_model, "memory")
        x = self._add_norm(x, lambda h: self._self_attend(h, tgt_mask), self.norm1)  # (B, T, D)
        x = self._add_norm(x, lambda h: self._cross_attend(h, memory, memory_mask), self.norm2)
        return self._add_norm(x, self.ffn, self.norm3)  # (B, T, D)

    def start_cache(self, memory: Tensor) -> LayerCache:
        """An empty KV cache, with the cross-attention keys and values of `memory` `(B, S, D)`."""
        memory_k, memory_v = self.cross_attn.keys_values(memory)  # (B, S, D) -> (B, H, S, Dk)
        empty = memory_k[:, :, :0]  # (B, H, 0, Dk): no position decoded yet
        return LayerCache(empty, empty, memory_k, memory_v)

    def step(self, x: Tensor, cache: LayerCache, memory_mask: Tensor | None = None) -> Tensor:
        """`forward` for the newest position only, reading the earlier ones from `cache`.

        Its keys and values are appended to the cache, and its query attends to every cached
        position: all of them are in its past, so no causal mask is needed. The same numbers as
        `forward` over the whole target (to float rounding), one row instead of t.
        Shapes: x `(B, 1, D)` -> `(B, 1, D)`; weights kept as in `forward`, `(B, H, 1, t)` and
        `(B, H, 1, S)`. Taught in 08_train_a_translator.ipynb.
        """

        def self_attend(h: Tensor) -> Tensor:
            cache.append(*self.self_attn.keys_values(h))  # (B, 1, D) -> 2 × (B, H, 1, Dk)
            attended, self.self_attn_weights = self.self_attn.forward_cached(h, cache.k, cache.v)
            return attended  # (B, 1, D)

        def cross_attend(h: Tensor) -> Tensor:
            k, v = cache.memory_k, cache.memory_v  # (B, H, S, Dk)
            attended, self.cross_attn_weights = self.cross_attn.forward_cached(h, k, v, memory_mask)
            return attended  # (B, 1, D)

        x = self._add_norm(x, self_attend, self.norm1)  # (B, 1, D)
        x = self._add_norm(x, cross_attend, self.norm2)  # (B, 1, D)
        return self._add_norm(x, self.ffn, self.norm3)  # (B, 1, D)

    @classmethod
    def from_torch(cls, layer: nn.TransformerDecoderLayer) -> DecoderBlock:
        """Copy the weights of a `torch.nn.TransformerDecoderLayer`."""
        block = cls(**_torch_layer_config(layer))
        block.self_attn = MultiHeadAttention.from_torch(layer.self_attn)
        block.cross_attn = MultiHeadAttention.from_torch(layer.multihead_attn)
        block.ffn._load_torch(layer.linear1, layer.linear2)
        block._load_norms(layer, 3)
        return block
