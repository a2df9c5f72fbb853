"""Stacks of blocks, the whole encoder–decoder, decoding (greedy and sampled), and what depth does
to a stack at initialisation."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn

from helpers.attention import causal_mask
from helpers.blocks import DecoderBlock, EncoderBlock, LayerCache
from helpers.positional import sinusoidal_positional_encoding

__all__ = ["Decoder", "Encoder", "Transformer"]


def _final_norm(final_norm: bool, d_model: int, eps: float) -> nn.Module:
    return nn.LayerNorm(d_model, eps=eps) if final_norm else nn.Identity()


def _copy_final_norm(theirs: nn.Module | None) -> nn.Module:
    """Our copy of torch's final norm, its eps included (eps is not part of a state_dict)."""
    if theirs is None:
        return nn.Identity()
    if not isinstance(theirs, nn.LayerNorm):
        raise ValueError(f"from_torch supports a final nn.LayerNorm only, got {type(theirs)}")
    norm = nn.LayerNorm(
        theirs.normalized_shape,
        eps=theirs.eps,
        elementwise_affine=theirs.elementwise_affine,
        bias=theirs.bias is not None,
    )
    norm.load_state_dict(theirs.state_dict())
    return norm


class _Stack(nn.Module):
    """N identical blocks one after the other, and an optional final LayerNorm."""

    block: type[nn.Module]

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
        self.layers = nn.ModuleList(
            self.block(d_model, n_heads, d_ff, **block) for _ in range(n_layers)
        )
        self.norm = _final_norm(final_norm, d_model, block.get("eps", 1e-5))

    @classmethod
    def _from_torch_stack(cls, stack: nn.Module) -> _Stack:
        ours = cls.__new__(cls)
        nn.Module.__init__(ours)  # no throwaway blocks: every part is copied from torch's
        ours.layers = nn.ModuleList(cls.block.from_torch(layer) for layer in stack.layers)
        ours.norm = _copy_final_norm(stack.norm)
        return ours


class Encoder(_Stack):
    """N encoder blocks, one after the other (the book's step 8), and an optional final LayerNorm.

    Args: n_layers, then `EncoderBlock`'s arguments; final_norm adds the LayerNorm that
    `nn.TransformerEncoder(norm=...)` and pre-norm models put after the last block.
    Shapes: forward(x `(B, T, D)`, mask broadcastable to `(B, H, T, T)`) -> `(B, T, D)`.
    Taught in 04_feed_forward_and_encoder.ipynb.
    """

    block = EncoderBlock

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        for layer in self.layers:
            x = layer(x, mask)  # (B, T, D) -> (B, T, D)
        return self.norm(x)

    @classmethod
    def from_torch(cls, encoder: nn.TransformerEncoder) -> Encoder:
        """Copy the weights of `torch.nn.TransformerEncoder` (its blocks and final norm)."""
        return cls._from_torch_stack(encoder)


class Decoder(_Stack):
    """N decoder blocks over the same encoder output `memory`, and an optional final LayerNorm.

    Shapes: forward(x `(B, T, D)`, memory `(B, S, D)`, tgt_mask, memory_mask) -> `(B, T, D)`.
    Taught in 06_decoder_and_transformer.ipynb.
    """

    block = DecoderBlock

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

    def start_cache(self, memory: Tensor) -> list[LayerCache]:
        """One empty KV cache per block, each holding its cross-attention K and V of `memory`."""
        return [layer.start_cache(memory) for layer in self.layers]

    def step(self, x: Tensor, cache: list[LayerCache], memory_mask: Tensor | None = None) -> Tensor:
        """`forward` for the newest position only (see `DecoderBlock.step`).

        Shapes: x `(B, 1, D)` -> `(B, 1, D)`. Taught in 08_train_a_translator.ipynb.
        """
        for layer, layer_cache in zip(self.layers, cache, strict=True):
            x = layer.step(x, layer_cache, memory_mask)  # (B, 1, D) -> (B, 1, D)
        return self.norm(x)

    @classmethod
    def from_torch(cls, decoder: nn.TransformerDecoder) -> Decoder:
        """Copy the weights of `torch.nn.TransformerDecoder` (its blocks and final norm)."""
        return cls._from_torch_stack(decoder)


def _check_tokens(tokens: Tensor, vocab_size: int, name: str) -> None:
    if not isinstance(tokens, Tensor) or tokens.dim() != 2 or tokens.dtype != torch.long:
        got = f"{tuple(tokens.shape)} {tokens.dtype}" if isinstance(tokens, Tensor) else tokens
        raise ValueError(f"{name} must be a (B, len) tensor of token ids (torch.long), got {got}")
    if tokens.shape[1] < 1:
        raise ValueError(f"{name} is empty: it needs at least one token")
    if tokens.numel() and (int(tokens.min()) < 0 or int(tokens.max()) >= vocab_size):
        raise ValueError(
            f"{name} has token ids outside the vocabulary 0 … {vocab_size - 1}: "
            f"min {int(tokens.min())}, max {int(tokens.max())}"
        )


class Transformer(nn.Module):
    """The whole encoder–decoder of Vaswani et al. (2017): embeddings, two stacks, the output layer.

    embed(tokens) = Embedding(tokens) · √d_model + PE (sinusoidal), for the source and the target;
    memory = Encoder(embed(src)); hidden = Decoder(embed(tgt), memory, causal mask);
    logits = hidden · W_out + b (softmax of the logits = next-token probabilities).

    Args:
        src_vocab_size, tgt_vocab_size: vocabulary sizes V_src and V.
        d_model, n_heads, d_ff: block sizes. n_layers: blocks in each stack.
        max_len: the longest sequence the positional table covers.
        pad_id: the padding token of the source (masked out of every attention); None: no padding.
        final_norm: a LayerNorm after each stack, as `nn.Transformer` and pre-norm models have.
        tie_embeddings: one matrix for the source and target embeddings and the output layer
            (the paper's §3.4; needs src_vocab_size == tgt_vocab_size).
        **block: passed to every block (activation, eps, norm_first, ...).
    Shapes:
        forward(src `(B, S)`, tgt `(B, T)`) -> logits `(B, T, V)`.

    Taught in 06_decoder_and_transformer.ipynb.
    """

    def __init__(
        self,
        src_vocab_size: int,
        tgt_vocab_size: int,
        d_model: int = 512,
        n_heads: int = 8,
        d_ff: int = 2048,
        n_layers: int = 6,
        max_len: int = 512,
        pad_id: int | None = 0,
        final_norm: bool = False,
        tie_embeddings: bool = False,
        **block: Any,
    ) -> None:
        super().__init__()

        def stacks() -> tuple[Encoder, Decoder]:
            return (
                Encoder(n_layers, d_model, n_heads, d_ff, final_norm=final_norm, **block),
                Decoder(n_layers, d_model, n_heads, d_ff, final_norm=final_norm, **block),
            )

        self._set_up(
            src_vocab_size, tgt_vocab_size, d_model, max_len, pad_id, tie_embeddings, stacks
        )

    def _set_up(
        self,
        src_vocab_size: int,
        tgt_vocab_size: int,
        d_model: int,
        max_len: int,
        pad_id: int | None,
        tie_embeddings: bool,
        stacks: Callable[[], tuple[Encoder, Decoder]],
    ) -> None:
        """Embeddings, positions, `stacks()`, output layer: built in this order, so that a seed
        gives the same weights whichever way the model is made."""
        for name, size in (("src_vocab_size", src_vocab_size), ("tgt_vocab_size", tgt_vocab_size)):
            if size < 1:
                raise ValueError(f"{name} must be positive, got {size}")
        if pad_id is not None and not 0 <= pad_id < src_vocab_size:
            raise ValueError(
                f"pad_id={pad_id} is not in the source vocabulary 0 … {src_vocab_size}"
            )
        if tie_embeddings and src_vocab_size != tgt_vocab_size:
            raise ValueError(
                "tie_embeddings needs one shared vocabulary: src_vocab_size "
                f"{src_vocab_size} != tgt_vocab_size {tgt_vocab_size}"
            )
        self.d_model, self.max_len, self.pad_id = d_model, max_len, pad_id
        self.src_embed = nn.Embedding(src_vocab_size, d_model)
        self.tgt_embed = self.src_embed if tie_embeddings else nn.Embedding(tgt_vocab_size, d_model)
        pe = sinusoidal_positional_encoding(max_len, d_model).float()  # (max_len, D)
        self.register_buffer("pe", pe, persistent=False)
        self.encoder, self.decoder = stacks()
        self.out = nn.Linear(d_model, tgt_vocab_size)
        if tie_embeddings:  # the paper's §3.4: one matrix for both embeddings and the output layer
            self.out.weight = self.src_embed.weight

    @classmethod
    def from_torch(
        cls,
        transformer: nn.Transformer,
        src_vocab_size: int,
        tgt_vocab_size: int,
        max_len: int = 512,
        pad_id: int | None = 0,
        tie_embeddings: bool = False,
    ) -> Transformer:
        """Our Transformer around the two stacks of a `torch.nn.Transformer`, weights copied.

        nn.Transformer is the stacks only, each ending with a LayerNorm (copied as our
        `final_norm`); it has no embeddings and no output layer, so those start fresh
        (torch's default initialisation).
        """
        if not isinstance(transformer, nn.Transformer):
            raise ValueError(f"from_torch needs a torch.nn.Transformer, got {type(transformer)}")
        ours = cls.__new__(cls)
        nn.Module.__init__(ours)  # no throwaway stacks: both are copied from torch's
        ours._set_up(
            src_vocab_size,
            tgt_vocab_size,
            transformer.d_model,
            max_len,
            pad_id,
            tie_embeddings,
            lambda: (
                Encoder.from_torch(transformer.encoder),
                Decoder.from_torch(transformer.decoder),
            ),
        )
        return ours

    def embed(self, tokens: Tensor, embedding: nn.Embedding) -> Tensor:
        """Token embedding scaled by √d_model, plus the positional encoding."""
        if tokens.shape[1] > self.max_len:
            raise ValueError(
                f"a sequence of {tokens.shape[1]} tokens is longer than max_len={self.max_len}"
            )
        x = embedding(tokens) * math.sqrt(self.d_model)  # (B, T) -> (B, T, D)
        return x + self.pe[: tokens.shape[1]]  # (B, T, D) + (T, D)

    def source_mask(self, src: Tensor) -> Tensor | None:
        """True where a source token is real (not padding). Shapes: `(B, S) -> (B, 1, 1, S)`."""
        if self.pad_id is None:
            return None
        return (src != self.pad_id)[:, None, None, :]  # (B, S) -> (B, 1, 1, S)

    def encode(self, src: Tensor) -> Tensor:
        """The encoder's output `memory`. Shapes: src `(B, S)` -> `(B, S, D)`."""
        _check_tokens(src, self.src_embed.num_embeddings, "src")
        return self.encoder(self.embed(src, self.src_embed), self.source_mask(src))

    def decode(self, tgt: Tensor, memory: Tensor, src: Tensor) -> Tensor:
        """The decoder's output for the target so far (causal: position t sees tgt[:, :t+1]).

        Shapes: tgt `(B, T)`, memory `(B, S, D)`, src `(B, S)` (for its padding) -> `(B, T, D)`.
        """
        _check_tokens(tgt, self.tgt_embed.num_embeddings, "tgt")
        x = self.embed(tgt, self.tgt_embed)  # (B, T) -> (B, T, D)
        return self.decoder(x, memory, causal_mask(tgt.shape[1]), self.source_mask(src))

    def decode_step(
        self, token: Tensor, position: int, cache: list[LayerCache], src: Tensor
    ) -> Tensor:
        """The decoder's output for one new target token, the earlier ones read from `cache`.

        Equal (to float rounding) to `decode(tgt, memory, src)[:, position]` when `cache` has
        been fed tgt[:, :position] one token at a time after `decoder.start_cache(memory)`.
        Shapes: token `(B, 1)`, src `(B, S)` (for its padding) -> `(B, 1, D)`.
        Taught in 08_train_a_translator.ipynb.
        """
        _check_tokens(token, self.tgt_embed.num_embeddings, "token")
        if not 0 <= position < self.max_len:
            raise ValueError(f"position {position} is outside the table of max_len={self.max_len}")
        x = self.tgt_embed(token) * math.sqrt(self.d_model)  # (B, 1) -> (B, 1, D)
        x = x + self.pe[position]  # (B, 1, D) + (D,)
        return self.decoder.step(x, cache, self.source_mask(src))  # (B, 1, D)

    def forward(self, src: Tensor, tgt: Tensor) -> Tensor:
        memory = self.encode(src)  # (B, S) -> (B, S, D)
        return self.out(self.decode(tgt, memory, src))  # (B, T, D) -> (B, T, V)

    def parameter_counts(self) -> dict[str, int]:
        """Parameters by part, and their total; a tied matrix counts once, where it first appears.

        Parts: "source embedding", "target embedding", "encoder", "decoder", "output layer".
        The total equals `sum(p.numel() for p in model.parameters())`. Works on the "meta"
        device too (sizes without memory).
        """
        parts = {
            "source embedding": self.src_embed,
            "target embedding": self.tgt_embed,
            "encoder": self.encoder,
            "decoder": self.decoder,
            "output layer": self.out,
        }
        seen: set[int] = set()
        counts = {}
        for name, part in parts.items():
            new = [p for p in part.parameters() if id(p) not in seen]
            seen.update(id(p) for p in new)
            counts[name] = sum(p.numel() for p in new)
        counts["total"] = sum(counts.values())
        return counts
