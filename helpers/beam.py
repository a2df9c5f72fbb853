"""Beam search over the helpers Transformer, with the KV cache, and the log-probability of a
decoded sequence (to compare beam search with greedy decoding).

Taught in 08_train_a_translator.ipynb.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from helpers.decoding import GreedyResult, _check_decoding
from helpers.transformer import Transformer

__all__ = ["BeamResult", "beam_search", "gnmt_length_penalty", "sequence_log_probs"]


@dataclass(frozen=True)
class BeamResult:
    """What `beam_search` found: each source's `beam_size` hypotheses, best first.

    Shapes (K = beam size, N = steps taken):
        tokens `(B, K, 1 + N)`: the start token, then the hypothesis (`pad` after its `<eos>`).
        log_probs `(B, K)`: log P(hypothesis | source), the sum of its tokens' log-probabilities,
        `<eos>` included. lengths `(B, K)`: tokens generated, `<eos>` included.
        scores `(B, K)`: log_probs / gnmt_length_penalty(lengths, α), what ranks them.
    """

    tokens: Tensor
    log_probs: Tensor
    lengths: Tensor
    scores: Tensor


def gnmt_length_penalty(lengths: Tensor, alpha: float) -> Tensor:
    """GNMT's length penalty lp(L) = ((5 + L) / 6)^α (Wu et al., 2016, §7).

    A sum of log-probabilities only falls as a hypothesis grows, so ranking by it favours short
    outputs; dividing by lp(L) compensates: α = 0 is the plain sum (lp = 1), α = 1 is close to the
    average per token, and GNMT used α ≈ 0.6–1. lp(1) = 1, so one-token outputs are unchanged.
    Shapes: lengths `(...)` -> `(...)` float.
    """
    return ((5.0 + lengths.float()) / 6.0) ** alpha


def _lengths(tokens: Tensor, eos_id: int) -> Tensor:
    """Tokens generated up to and including the first `<eos>` (all of them if none).

    Shapes: tokens `(R, 1 + N)` -> `(R,)`.
    """
    is_eos = tokens[:, 1:] == eos_id  # (R, N)
    first = is_eos.int().argmax(dim=1) + 1  # (R,)
    return torch.where(is_eos.any(dim=1), first, torch.full_like(first, is_eos.shape[1]))


@torch.no_grad()
def beam_search(
    model: Transformer,
    src: Tensor,
    bos_id: int,
    eos_id: int,
    max_new_tokens: int,
    beam_size: int = 4,
    length_penalty: float = 0.0,
) -> BeamResult:
    """Keep the `beam_size` most probable partial translations at every step, not just one.

    Each step extends every hypothesis by every token and keeps the beam_size best by their sum of
    log-probabilities; a hypothesis that has written `<eos>` is finished and only extends with
    padding, at no cost, so it keeps its place while it stays among the best. When all are finished
    (or after max_new_tokens steps) they are ranked by log_probs / lp(length) with GNMT's
    `gnmt_length_penalty`, α = length_penalty; 0 (the default) ranks by the plain log-probability.
    beam_size=1 is greedy decoding.
    Beam search usually finds a more probable output than greedy decoding, but not always: the
    greedy path can be pushed out of the beam by hypotheses that later fall behind it.
    Decodes with the KV cache (`Transformer.decode_step`), each hypothesis with its own.

    Shapes: src `(B, S)` -> see `BeamResult`.
    Taught in 08_train_a_translator.ipynb.
    """
    _check_decoding(model, bos_id, eos_id, max_new_tokens)
    vocab_size = model.out.out_features
    if isinstance(beam_size, bool) or not isinstance(beam_size, int):
        raise ValueError(f"beam_size must be an integer, got {beam_size!r}")
    if not 1 <= beam_size <= vocab_size:
        raise ValueError(f"beam_size must be from 1 to the vocabulary size {vocab_size}")
    was_training = model.training
    model.eval()
    b, k = src.shape[0], beam_size
    src_k = src.repeat_interleave(k, dim=0)  # (B, S) -> (B·K, S)
    memory = model.encode(src).repeat_interleave(k, dim=0)  # (B, S) -> (B, S, D) -> (B·K, S, D)
    cache = model.decoder.start_cache(memory)
    filler = eos_id if model.pad_id is None else model.pad_id
    pad_only = torch.full((vocab_size,), -math.inf)  # (V,): a finished hypothesis only pads
    pad_only[filler] = 0.0
    tokens = torch.full((b * k, 1), bos_id, dtype=torch.long)  # (B·K, 1)
    log_probs = torch.full((b, k), -math.inf)  # (B, K): one live start per source
    log_probs[:, 0] = 0.0
    done = torch.zeros(b * k, dtype=torch.bool)  # (B·K,)
    for step in range(max_new_tokens):
        hidden = model.decode_step(tokens[:, -1:], step, cache, src_k)  # (B·K, 1) -> (B·K, 1, D)
        logp = torch.log_softmax(model.out(hidden[:, -1]), dim=-1)  # (B·K, D) -> (B·K, V)
        logp = torch.where(done[:, None], pad_only, logp)  # (B·K, V)
        total = (log_probs.reshape(-1, 1) + logp).reshape(b, k * vocab_size)  # (B, K·V)
        log_probs, best = total.topk(k, dim=1)  # (B, K): the K best continuations
        parent = (torch.arange(b)[:, None] * k + best // vocab_size).flatten()  # (B·K,)
        choice = (best % vocab_size).flatten()  # (B·K,)
        tokens = torch.cat([tokens[parent], choice[:, None]], dim=1)  # (B·K, t) -> (B·K, t + 1)
        done = done[parent] | (choice == eos_id)
        for layer_cache in cache:
            layer_cache.select(parent)
        if bool(done.all()):
            break
    model.train(was_training)
    return _ranked(tokens.reshape(b, k, -1), log_probs, eos_id, length_penalty)  # (B, K, 1 + N)


def _ranked(tokens: Tensor, log_probs: Tensor, eos_id: int, alpha: float) -> BeamResult:
    """Sort each source's hypotheses by log_probs / lp(length), best first.

    Shapes: tokens `(B, K, 1 + N)`, log_probs `(B, K)` -> see `BeamResult`.
    """
    b, k, _ = tokens.shape
    lengths = _lengths(tokens.flatten(0, 1), eos_id).reshape(b, k)  # (B·K,) -> (B, K)
    scores = log_probs / gnmt_length_penalty(lengths, alpha)  # (B, K)
    order = scores.argsort(dim=1, descending=True, stable=True)  # (B, K)
    rows = torch.arange(b)[:, None]  # (B, 1)
    return BeamResult(
        tokens[rows, order], log_probs[rows, order], lengths[rows, order], scores[rows, order]
    )


def sequence_log_probs(result: GreedyResult, eos_id: int) -> Tensor:
    """log P(output | source) of a greedy (or sampled) result: its tokens' log-probabilities under
    the model (the softmax of `result.logits`), summed up to and including the first `<eos>`.

    Comparable with `BeamResult.log_probs`. Shapes: `(B, 1 + N)` tokens -> `(B,)`.
    Taught in 08_train_a_translator.ipynb.
    """
    chosen = result.tokens[:, 1:, None]  # (B, N) -> (B, N, 1)
    logp = torch.log_softmax(result.logits, dim=-1).gather(-1, chosen)[
        ..., 0
    ]  # (B, N, V) -> (B, N)
    steps = torch.arange(logp.shape[1])  # (N,)
    counted = steps[None, :] < _lengths(result.tokens, eos_id)[:, None]  # (B, N)
    return torch.where(counted, logp, 0.0).sum(dim=1)  # (B, N) -> (B,)
