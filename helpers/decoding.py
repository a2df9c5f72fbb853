"""Decoding a trained (or untrained) `Transformer`: the next-token distribution, greedy decoding and
sampling with a temperature and top-k, with or without a KV cache.

Taught in 06_decoder_and_transformer.ipynb.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

from helpers.transformer import Transformer

__all__ = ["GreedyResult", "greedy_decode", "next_token_distribution", "sample_decode"]


Chooser = Callable[[Tensor], tuple[Tensor, Tensor]]  # logits (B, V) -> token (B,), probs (B, V)


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
