"""Stacks of blocks: the encoder and the decoder."""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from helpers.blocks import DecoderBlock, EncoderBlock

__all__ = ["Decoder", "Encoder"]


def _final_norm(final_norm: bool, d_model: int, eps: float) -> nn.Module:
    return nn.LayerNorm(d_model, eps=eps) if final_norm else nn.Identity()


def _load_final_norm(ours: nn.Module, theirs: nn.Module | None) -> None:
    if theirs is not None:
        ours.load_state_dict(theirs.state_dict())


class Encoder(nn.Module):
    """N encoder blocks, one after the other (the book's step 8), and an optional final LayerNorm.

    Args: n_layers, then `EncoderBlock`'s arguments; final_norm adds the LayerNorm that
    `nn.TransformerEncoder(norm=...)` and pre-norm models put after the last block.
    Shapes: forward(x `(B, T, D)`, mask broadcastable to `(B, H, T, T)`) -> `(B, T, D)`.
    Taught in 04_feed_forward_and_encoder.ipynb.
    """

    def __init__(
        self,
        n_layers: int,
        d_model: int,
        n_heads: int,
        d_ff: int,
        final_norm: bool = False,
        **block: Any,
    ) -> None:
        super().__init__()
        if n_layers < 1:
            raise ValueError(f"n_layers must be at least 1, got {n_layers}")
        eps = block.get("eps", 1e-5)
        self.layers = nn.ModuleList(
            EncoderBlock(d_model, n_heads, d_ff, **block) for _ in range(n_layers)
        )
        self.norm = _final_norm(final_norm, d_model, eps)

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        for layer in self.layers:
            x = layer(x, mask)  # (B, T, D) -> (B, T, D)
        return self.norm(x)

    @classmethod
    def from_torch(cls, encoder: nn.TransformerEncoder) -> Encoder:
        """Copy the weights of `torch.nn.TransformerEncoder` (its blocks and final norm)."""
        layers = [EncoderBlock.from_torch(layer) for layer in encoder.layers]
        first = layers[0]
        stack = cls(
            1,
            first.self_attn.d_model,
            first.self_attn.n_heads,
            first.ffn.d_ff,
            final_norm=encoder.norm is not None,
        )
        stack.layers = nn.ModuleList(layers)
        _load_final_norm(stack.norm, encoder.norm)
        return stack


class Decoder(nn.Module):
    """N decoder blocks over the same encoder output `memory`, and an optional final LayerNorm.

    Shapes: forward(x `(B, T, D)`, memory `(B, S, D)`, tgt_mask, memory_mask) -> `(B, T, D)`.
    Taught in 06_decoder_and_transformer.ipynb.
    """

    def __init__(
        self,
        n_layers: int,
        d_model: int,
        n_heads: int,
        d_ff: int,
        final_norm: bool = False,
        **block: Any,
    ) -> None:
        super().__init__()
        if n_layers < 1:
            raise ValueError(f"n_layers must be at least 1, got {n_layers}")
        eps = block.get("eps", 1e-5)
        self.layers = nn.ModuleList(
            DecoderBlock(d_model, n_heads, d_ff, **block) for _ in range(n_layers)
        )
        self.norm = _final_norm(final_norm, d_model, eps)

    def forward(
        self,
        x: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
    ) -> Tensor:
        for layer in self.layers:
            x = layer(x, memory, tgt_mask, memory_mask)  # (B, T, D) -> (B, T, D)
        return self.norm(x)

    @classmethod
    def from_torch(cls, decoder: nn.TransformerDecoder) -> Decoder:
        """Copy the weights of `torch.nn.TransformerDecoder` (its blocks and final norm)."""
        layers = [DecoderBlock.from_torch(layer) for layer in decoder.layers]
        first = layers[0]
        stack = cls(
            1,
            first.self_attn.d_model,
            first.self_attn.n_heads,
            first.ffn.d_ff,
            final_norm=decoder.norm is not None,
        )
        stack.layers = nn.ModuleList(layers)
        _load_final_norm(stack.norm, decoder.norm)
        return stack
