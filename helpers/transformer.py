"""Stacks of blocks, the whole encoder–decoder, decoding (greedy and sampled), and what depth does
to a stack at initialisation."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, get_args

import numpy as np
import torch
from torch import Tensor, nn

from helpers.attention import causal_mask
from helpers.blocks import Activation, DecoderBlock, EncoderBlock, LayerCache
from helpers.positional import sinusoidal_positional_encoding
from helpers.text import SOURCE_VOCAB, TARGET_VOCAB, TOKENS, word_vectors

__all__ = [
    "DEMO_SIZES",
    "MAX_DEPTH",
    "Decoder",
    "DepthStats",
    "Encoder",
    "GreedyResult",
    "Transformer",
    "demo_transformer",
    "depth_statistics",
    "greedy_decode",
    "next_token_distribution",
    "sample_decode",
]


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


@dataclass(frozen=True)
class GreedyResult:
    """What `greedy_decode` (or `sample_decode`) produced, step by step.

    Shapes (N = steps taken, V = target vocabulary, H heads, S source length):
        tokens `(B, 1 + N)`: the start token, then one chosen token per step (`pad` after an end).
        probs `(B, N, V)`: the distribution each step's token was chosen from (greedy: the
        softmax of the logits; sampling: after temperature and top-k).
        cross_attention `(B, H, N, S)`: the last decoder block's cross-attention weights of each
        step's query, over the source.
        logits `(B, N, V)`: the output layer's scores at each step, before any softmax.
    """

    tokens: Tensor
    probs: Tensor
    cross_attention: Tensor
    logits: Tensor | None = None


def next_token_distribution(
    logits: Tensor, temperature: float = 1.0, top_k: int | None = None
) -> Tensor:
    """softmax(logits / temperature), keeping only the top_k largest logits (the others get 0).

    temperature < 1 sharpens the distribution, > 1 flattens it; its argmax never moves.
    top_k=None keeps every token; logits tied with the k-th largest are kept too.
    Shapes: logits `(..., V)` -> probabilities `(..., V)`.
    Taught in 06_decoder_and_transformer.ipynb.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be greater than 0, got {temperature}")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"top_k must be a positive integer or None, got {top_k!r}")
    scaled = logits / temperature  # (..., V)
    if top_k is not None and top_k < logits.shape[-1]:
        kth = scaled.topk(top_k, dim=-1).values[..., -1:]  # (..., 1): the k-th largest
        scaled = scaled.masked_fill(scaled < kth, -math.inf)  # (..., V)
    return torch.softmax(scaled, dim=-1)  # (..., V)


Chooser = Callable[[Tensor], tuple[Tensor, Tensor]]  # logits (B, V) -> token (B,), probs (B, V)


def _check_decoding(model: Transformer, bos_id: int, eos_id: int, max_new_tokens: int) -> None:
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
    vocab_size = model.out.out_features
    for name, token in (("bos_id", bos_id), ("eos_id", eos_id)):
        if not 0 <= token < vocab_size:
            raise ValueError(f"{name}={token} is not in the target vocabulary 0 … {vocab_size - 1}")


@torch.no_grad()
def _decode(
    model: Transformer,
    src: Tensor,
    bos_id: int,
    eos_id: int,
    max_new_tokens: int,
    choose: Chooser,
    use_cache: bool = False,
) -> GreedyResult:
    """The decoding loop shared by greedy_decode and sample_decode; `choose` picks each token."""
    _check_decoding(model, bos_id, eos_id, max_new_tokens)
    was_training = model.training
    model.eval()
    memory = model.encode(src)  # (B, S) -> (B, S, D)
    cache = model.decoder.start_cache(memory) if use_cache else None
    filler = eos_id if model.pad_id is None else model.pad_id
    tokens = torch.full((src.shape[0], 1), bos_id, dtype=torch.long)  # (B, 1)
    done = torch.zeros(src.shape[0], dtype=torch.bool)  # (B,)
    probs, logits, crosses = [], [], []
    for step in range(max_new_tokens):
        if cache is None:
            hidden = model.decode(tokens, memory, src)[:, -1]  # (B, t) -> (B, t, D) -> (B, D)
        else:
            hidden = model.decode_step(tokens[:, -1:], step, cache, src)[:, -1]  # (B, 1) -> (B, D)
            crosses.append(model.decoder.layers[-1].cross_attn_weights)  # (B, H, 1, S)
        scores = model.out(hidden)  # (B, D) -> (B, V): the last position predicts
        choice, p = choose(scores)  # (B,), (B, V)
        choice = choice.masked_fill(done, filler)  # (B,)
        tokens = torch.cat([tokens, choice[:, None]], dim=1)  # (B, t) -> (B, t + 1)
        probs.append(p)
        logits.append(scores)
        done |= choice == eos_id
        if bool(done.all()):
            break
    if cache is None:  # one more pass over the whole target gives every step's cross-attention
        model.decode(tokens[:, :-1], memory, src)
        cross = model.decoder.layers[-1].cross_attn_weights  # (B, H, N, S)
    else:
        cross = torch.cat(crosses, dim=2)  # N × (B, H, 1, S) -> (B, H, N, S)
    model.train(was_training)
    # probs, logits: N × (B, V) -> (B, N, V)
    return GreedyResult(tokens, torch.stack(probs, dim=1), cross, torch.stack(logits, dim=1))


def _greedy(scores: Tensor) -> tuple[Tensor, Tensor]:
    p = torch.softmax(scores, dim=-1)  # (B, V)
    return p.argmax(dim=-1), p


def greedy_decode(
    model: Transformer,
    src: Tensor,
    bos_id: int,
    eos_id: int,
    max_new_tokens: int,
    use_cache: bool = False,
) -> GreedyResult:
    """Generate the target one token at a time, always taking the most likely next token.

    Starts from `bos_id`; a sequence that has produced `eos_id` is finished, and is filled with
    the model's `pad_id` (or `eos_id` without one) while the others go on; stops when every
    sequence has finished or after `max_new_tokens` steps. By default no cache: each step re-runs
    the decoder over the whole target so far (clear, and fast enough for short sequences).
    use_cache=True feeds only the newest token and keeps every block's keys and values
    (`Transformer.decode_step`, taught in 08_train_a_translator.ipynb): the same result, to float
    rounding, with work per step that grows with t instead of t².

    Shapes: src `(B, S)` -> see `GreedyResult`.
    Taught in 06_decoder_and_transformer.ipynb.
    """
    return _decode(model, src, bos_id, eos_id, max_new_tokens, _greedy, use_cache)


def sample_decode(
    model: Transformer,
    src: Tensor,
    bos_id: int,
    eos_id: int,
    max_new_tokens: int,
    temperature: float = 1.0,
    top_k: int | None = None,
    seed: int = 0,
) -> GreedyResult:
    """As `greedy_decode`, but each token is drawn from `next_token_distribution(logits,
    temperature, top_k)`, with a seeded generator (the same seed gives the same draws).

    top_k=1 is greedy decoding. Shapes: src `(B, S)` -> see `GreedyResult`.
    Taught in 06_decoder_and_transformer.ipynb.
    """
    next_token_distribution(torch.zeros(1), temperature, top_k)  # bad settings fail here, early
    generator = torch.Generator().manual_seed(seed)

    def draw(scores: Tensor) -> tuple[Tensor, Tensor]:
        p = next_token_distribution(scores, temperature, top_k)  # (B, V)
        return torch.multinomial(p, 1, generator=generator)[:, 0], p  # (B, 1) -> (B,)

    return _decode(model, src, bos_id, eos_id, max_new_tokens, draw)


# --- the demo model of 06_decoder_and_transformer.ipynb -------------------------------------------

DEMO_SIZES = {"d_model": 64, "n_heads": 4, "d_ff": 256, "n_layers": 2}


def demo_transformer(seed: int = 0) -> Transformer:
    """An untrained Transformer for the demo vocabularies of `helpers.text` (English → Korean).

    The paper's architecture at toy size (`DEMO_SIZES`: d_model 64, 4 heads, d_ff 256, 2 + 2
    blocks), seeded, in eval mode: it runs in milliseconds, and what it says is nonsense.
    Taught in 06_decoder_and_transformer.ipynb.
    """
    with torch.random.fork_rng(devices=[]):  # seeded weights, the caller's RNG left untouched
        torch.manual_seed(seed)
        model = Transformer(len(SOURCE_VOCAB), len(TARGET_VOCAB), max_len=64, **DEMO_SIZES)
    return model.eval()


# --- what depth does at initialisation: the experiment of 04_feed_forward_and_encoder.ipynb ------

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
