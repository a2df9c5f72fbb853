"""Position-wise feed-forward network and the post-norm encoder and decoder blocks."""

from __future__ import annotations

from typing import Literal

import torch.nn.functional as F
from torch import Tensor, nn

from helpers.attention import MultiHeadAttention

__all__ = ["DecoderBlock", "EncoderBlock", "FeedForward"]

Activation = Literal["relu", "gelu"]
_ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "gelu": nn.GELU}


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
    if layer.norm_first:
        raise ValueError("from_torch expects a post-norm layer (norm_first=False), as in the book")
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
    )


class EncoderBlock(nn.Module):
    """One encoder block, post-norm as in the book: x = Norm(x + MHA(x)); x = Norm(x + FFN(x)).

    Shapes: forward(x `(B, T, D)`, mask broadcastable to `(B, H, T, T)`, True = may attend)
    -> `(B, T, D)`. The last attention weights `(B, H, T, T)` are kept in `attn_weights`.
    Taught in 04_feed_forward_and_encoder.ipynb.
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        activation: Activation = "relu",
        eps: float = 1e-5,
    ) -> None:
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, n_heads)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.ffn = FeedForward(d_model, d_ff, activation)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)
        self.attn_weights: Tensor | None = None

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        _check_x(x, self.self_attn.d_model, "x")
        attended, self.attn_weights = self.self_attn(x, x, x, mask)  # (B, T, D), (B, H, T, T)
        x = self.norm1(x + attended)  # Add & Norm
        return self.norm2(x + self.ffn(x))  # Add & Norm

    @classmethod
    def from_torch(cls, layer: nn.TransformerEncoderLayer) -> EncoderBlock:
        """Copy the weights of a post-norm `torch.nn.TransformerEncoderLayer`."""
        block = cls(**_torch_layer_config(layer))
        block.self_attn = MultiHeadAttention.from_torch(layer.self_attn)
        block.ffn._load_torch(layer.linear1, layer.linear2)
        block.norm1.load_state_dict(layer.norm1.state_dict())
        block.norm2.load_state_dict(layer.norm2.state_dict())
        return block


class DecoderBlock(nn.Module):
    """One decoder block: masked self-attention, cross-attention, FFN, each with Add & Norm.

    Shapes: forward(x `(B, T, D)`, memory `(B, S, D)`, tgt_mask broadcastable to `(B, H, T, T)`,
    memory_mask broadcastable to `(B, H, T, S)`; True = may attend) -> `(B, T, D)`.
    The last weights are kept in `self_attn_weights` `(B, H, T, T)` and
    `cross_attn_weights` `(B, H, T, S)`.
    Taught in 06_decoder_and_transformer.ipynb.
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        activation: Activation = "relu",
        eps: float = 1e-5,
    ) -> None:
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, n_heads)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.cross_attn = MultiHeadAttention(d_model, n_heads)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)
        self.ffn = FeedForward(d_model, d_ff, activation)
        self.norm3 = nn.LayerNorm(d_model, eps=eps)
        self.self_attn_weights: Tensor | None = None
        self.cross_attn_weights: Tensor | None = None

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
        attended, self.self_attn_weights = self.self_attn(x, x, x, tgt_mask)  # (B, T, D)
        x = self.norm1(x + attended)  # Add & Norm
        # Queries from the decoder, keys and values from the encoder's output.
        attended, self.cross_attn_weights = self.cross_attn(x, memory, memory, memory_mask)
        x = self.norm2(x + attended)  # Add & Norm
        return self.norm3(x + self.ffn(x))  # Add & Norm

    @classmethod
    def from_torch(cls, layer: nn.TransformerDecoderLayer) -> DecoderBlock:
        """Copy the weights of a post-norm `torch.nn.TransformerDecoderLayer`."""
        block = cls(**_torch_layer_config(layer))
        block.self_attn = MultiHeadAttention.from_torch(layer.self_attn)
        block.cross_attn = MultiHeadAttention.from_torch(layer.multihead_attn)
        block.ffn._load_torch(layer.linear1, layer.linear2)
        for ours, theirs in (
            (block.norm1, layer.norm1),
            (block.norm2, layer.norm2),
            (block.norm3, layer.norm3),
        ):
            ours.load_state_dict(theirs.state_dict())
        return block
