"""Exercises of 02_multi_head_attention.ipynb, with their checkers."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import torch

from helpers.attention import MultiHeadAttention
from helpers.checking import Case, NotYet, checker, close, fmt, fn_name, shape_of
from helpers.nb01_self_attention.exercises import softmax_reference
from helpers.nb02_multi_head_attention.data import FEATURES, feature_vectors
from helpers.text import TOKENS

__all__ = [
    "check_build_head",
    "check_multi_head_attention",
    "check_split_heads",
    "seeded_tensor",
]


def seeded_tensor(seed: int, *shape: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def _split_reference(x: torch.Tensor, n_heads: int) -> np.ndarray:
    b, t, d = x.shape
    return x.reshape(b, t, n_heads, d // n_heads).transpose(1, 2).numpy().astype(np.float64)


@checker("split_heads")
def check_split_heads(fn: Callable[..., Any]) -> str:
    """Check `fn(x, n_heads)`: `(B, T, D) -> (B, H, T, Dk)`, head h = features h·Dk … (h+1)·Dk - 1.

    Cases: 2 sentences of 5 words, D = 12, H = 3 (every size differs, so a swapped axis shows);
    the running sentence, D = 512, H = 8; and H = 1.
    Used in 02_multi_head_attention.ipynb.
    """
    name = fn_name(fn, "split_heads")
    for seed, shape, h, note in [
        (1, (2, 5, 12), 3, "(B=2, T=5, D=12, 3 heads)"),
        (2, (1, 6, 512), 8, "(B=1, T=6, D=512, 8 heads)"),
        (3, (2, 5, 12), 1, "(one head)"),
    ]:
        x = seeded_tensor(seed, *shape)
        b, t, d = shape
        case = Case((x.clone(), h), f"{name}(x, {h})", note)
        got = case.run(fn)
        if shape_of(got) == (b, t, h, d // h) and h > 1:
            raise NotYet(
                f"{case.label} has shape (B, T, H, Dk) = {(b, t, h, d // h)}: the heads are "
                "split but not moved in front of the words. Swap those two axes with "
                "`.transpose(1, 2)`."
            )
        got = case.array(got, (b, h, t, d // h))
        want = _split_reference(x, h)
        if close(got, want):
            continue
        if close(got, x.reshape(b, h, t, d // h).numpy()):
            raise NotYet(
                f"{case.label} reshapes straight to (B, H, T, Dk), which cuts the rows of "
                "words into pieces that mix words. View it as (B, T, H, Dk) first (each "
                "word's D features cut into H pieces), then `.transpose(1, 2)`."
            )
        raise NotYet(
            f"{case.label}: head 0 of word 0 should be its first {d // h} features, "
            f"{fmt(want[0, 0, 0])}, got {fmt(got[0, 0, 0])}."
        )
    return (
        "Right. Head h is simply features h·Dk … (h+1)·Dk - 1 of every word: "
        "a reshape and a transpose, no new weights."
    )


def _mha_reference(
    x: torch.Tensor, w: tuple[torch.Tensor, ...], n_heads: int
) -> tuple[np.ndarray, np.ndarray]:
    """helpers.MultiHeadAttention without biases, weights in the X @ W orientation."""

    d = x.shape[-1]
    mha = MultiHeadAttention(d, n_heads, bias=False)
    with torch.no_grad():
        for lin, weight in zip((mha.W_q, mha.W_k, mha.W_v, mha.W_o), w, strict=True):
            lin.weight.copy_(weight.T)  # nn.Linear computes x @ weight.T
        out, weights = mha(x, x, x)
    return out.numpy().astype(np.float64), weights.numpy().astype(np.float64)


_MHA_CASES = [  # (seed, (B, T, D), H, note)
    (4, (2, 5, 12), 3, "(B=2, T=5, D=12, 3 heads)"),
    (5, (1, 6, 512), 8, "(the running sentence, 8 heads)"),
    (6, (2, 5, 12), 1, "(one head)"),
]


class _MhaCase(NamedTuple):
    """One case of the multi-head checker, as the hints need it."""

    x: torch.Tensor  # (B, T, D)
    w: tuple[torch.Tensor, ...]  # W_q, W_k, W_v, W_o, each (D, D), used as X @ W
    n_heads: int
    label: str


def _mha_weight_hint(weights: np.ndarray, want_w: np.ndarray, mha_case: _MhaCase) -> None:
    """Raise NotYet with a hint unless the weights match `helpers.MultiHeadAttention`'s.

    Shapes: weights and want_w `(B, H, T, T)`.
    """
    x, w, n_heads, label = mha_case
    if not np.allclose(weights.sum(axis=-1), 1.0, atol=1e-5):
        raise NotYet(
            f"the weights of {label} do not sum to 1 over the keys: apply the "
            "softmax along the last axis, one row per query in each head."
        )
    if close(weights, want_w):
        return
    d = x.shape[-1]
    dk = d // n_heads
    q, k = (_split_reference(x @ m, n_heads) for m in w[:2])  # (B, T, D) -> (B, H, T, Dk)
    scores = q @ np.swapaxes(k, -1, -2)  # (B, H, T, Dk) @ (B, H, Dk, T) -> (B, H, T, T)
    if n_heads > 1 and close(weights, softmax_reference(scores / math.sqrt(d))):
        raise NotYet(
            f"the weights of {label} divide the scores by √d_model = "
            f"√{d}; each head divides by √d_k = √{dk}, the width of its own q and k."
        )
    if close(weights, softmax_reference(scores)):
        raise NotYet(
            f"the weights of {label} are softmax(q·kᵀ): divide the scores by √d_k = √{dk}."
        )
    raise NotYet(
        f"the weights of {label}, head 0, query 0 should be "
        f"{fmt(want_w[0, 0, 0])}, got {fmt(weights[0, 0, 0])}. Split Q and K "
        "into heads with your split_heads, then softmax(Q·Kᵀ / √d_k) per head."
    )


def _mha_output_hint(
    output: np.ndarray, want_out: np.ndarray, want_w: np.ndarray, mha_case: _MhaCase
) -> None:
    """Raise NotYet with a hint unless the output matches (the weights are already right).

    Shapes: output and want_out `(B, T, D)`, want_w `(B, H, T, T)`.
    """
    x, w, n_heads, label = mha_case
    if close(output, want_out):
        return
    b, t, d = x.shape
    heads = want_w @ _split_reference(x @ w[2], n_heads)  # (B, H, T, T) @ (B, H, T, Dk)
    concat = np.swapaxes(heads, 1, 2).reshape(b, t, d)  # (B, H, T, Dk) -> (B, T, D)
    if close(output, concat):
        raise NotYet(
            f"the output of {label} is the concatenation of the heads: multiply "
            "it by W_o at the end."
        )
    if n_heads > 1 and close(output, heads.reshape(b, t, d) @ w[3].numpy()):
        raise NotYet(
            f"the output of {label} concatenates the heads in the wrong order: "
            "`.transpose(1, 2)` back to (B, T, H, Dk) before the reshape to (B, T, D)."
        )
    raise NotYet(
        f"the weights of {label} are right, its output is not: weights @ V per "
        "head, then the heads side by side (B, T, D), then @ W_o."
    )


@checker("multi_head_attention")
def check_multi_head_attention(fn: Callable[..., Any]) -> str:
    """Check `fn(X, W_q, W_k, W_v, W_o, n_heads)` -> `(output, weights)`, in PyTorch.

    Shapes: X `(B, T, D)`, each W `(D, D)` used as `X @ W` -> output `(B, T, D)`,
    weights `(B, H, T, T)`. Compared with `helpers.MultiHeadAttention` (no biases).
    Cases: B=2, T=5, D=12 with 3 heads; the running sentence with 8 heads; one head.
    Used in 02_multi_head_attention.ipynb.
    """
    name = fn_name(fn, "multi_head_attention")
    for seed, (b, t, d), h, note in _MHA_CASES:
        x = feature_vectors(TOKENS, d)[None] if d == 512 else seeded_tensor(seed, b, t, d)
        w = tuple(seeded_tensor(seed + 10 * i, d, d) / math.sqrt(d) for i in range(1, 5))
        case = Case(
            (x.clone(), *(m.clone() for m in w), h),
            f"{name}(X, W_q, W_k, W_v, W_o, {h})",
            note,
        )
        with torch.no_grad():
            output, weights = case.outputs(fn, ("output", "weights"))
        want_out, want_w = _mha_reference(x, w, h)
        weights = case.array(weights, (b, h, t, t), "the weights")
        output = case.array(output, (b, t, d), "the output")
        mha_case = _MhaCase(x, w, h, case.label)
        _mha_weight_hint(weights, want_w, mha_case)
        _mha_output_hint(output, want_out, want_w, mha_case)
    return (
        "Right: your function equals helpers.MultiHeadAttention (and so "
        "torch.nn.MultiheadAttention) for 3, 8 and 1 heads."
    )


_HEAD_CASES = [  # (d_k, query_feature, key_feature, strength)
    (64, "verb", "animal", 5.0),
    (16, "preposition", "surface", 3.0),
]


def _check_head_case(
    fn: Callable[..., Any], name: str, x: np.ndarray, dk: int, qf: str, kf: str, strength: float
) -> None:
    """Build the learner's head for one case, score "The cat sat on the mat." with it, and raise
    NotYet with a hint unless the scores are the wanted ones.

    Shapes: x `(T, D)`, the word vectors of `data.feature_vectors`.
    """
    d = x.shape[1]
    case = Case((d, dk, qf, kf, strength), f'{name}({d}, {dk}, "{qf}", "{kf}", {strength:g})')
    w_q, w_k = case.outputs(fn, ("W_q", "W_k"))
    if shape_of(w_q) == (dk, d):
        raise NotYet(
            f"W_q of {case.label} has shape (Dk, D) = {(dk, d)}: make it (D, Dk), so "
            "that X @ W_q gives one query of width Dk per word."
        )
    w_q = case.array(w_q, (d, dk), "W_q")
    w_k = case.array(w_k, (d, dk), "W_k")
    scores = (x @ w_q) @ (x @ w_k).T / math.sqrt(dk)  # (T, Dk) @ (Dk, S) -> (T, S)
    fq, fk = x[:, FEATURES.index(qf)], x[:, FEATURES.index(kf)]  # (T,) each
    want = strength * np.outer(fq, fk)  # (T, S)
    if not np.allclose(scores, want, atol=1e-3):
        _head_hint(case.label, w_q, w_k, scores, want, dk, qf, kf, strength)


def _head_hint(
    label: str,
    w_q: np.ndarray,
    w_k: np.ndarray,
    scores: np.ndarray,
    want: np.ndarray,
    dk: int,
    qf: str,
    kf: str,
    strength: float,
) -> None:
    """Raise NotYet with the hint that fits wrong head scores.

    Shapes: w_q, w_k `(D, Dk)`; scores, want `(T, S)`.
    """
    if np.abs(w_q[len(FEATURES) :]).max() > 0 or np.abs(w_k[len(FEATURES) :]).max() > 0:
        raise NotYet(
            f"{label}: only the feature rows 0–{len(FEATURES) - 1} of W_q and W_k "
            "may be nonzero; the other rows pick up the random part of the word vectors."
        )
    if np.allclose(scores * math.sqrt(dk), want, atol=1e-3):
        raise NotYet(
            f"{label}: the score is divided by √d_k = √{dk} after the dot product; "
            "choose the number a in W_q and W_k so that a·a / √d_k = strength."
        )
    i, j = np.argwhere(want > 0)[0]  # the first pair that should match
    match = f'"{TOKENS[i]}" → "{TOKENS[j]}"'
    if np.allclose(scores[want == 0], 0, atol=1e-3):
        raise NotYet(
            f"{label}: the right pairs are picked, but the score of {match} is "
            f"{scores[i, j]:.4f}, not {strength:g}."
        )
    raise NotYet(
        f'{label}: W_q must read the feature "{qf}" (row {FEATURES.index(qf)}), '
        f'W_k the feature "{kf}" (row {FEATURES.index(kf)}); the score of {match} should '
        f"be {strength:g}, got {scores[i, j]:.4f}."
    )


@checker("build_head")
def check_build_head(fn: Callable[..., Any]) -> str:
    """Check `fn(d_model, d_k, query_feature, key_feature, strength)` -> `(W_q, W_k)`.

    Shapes: W_q, W_k `(D, Dk)`, used as `X @ W` on `data.feature_vectors`. Right when the
    scaled score q_i·k_j / √d_k is `strength` if word i has `query_feature` and word j has
    `key_feature`, and 0 otherwise (the random dimensions of the vectors must not leak in).
    Cases: "verb" → "animal" (sat → cat) with d_k = 64, then "preposition" → "surface" with
    d_k = 16 and strength 3.
    Used in 02_multi_head_attention.ipynb.
    """
    name = fn_name(fn, "build_head")
    x = feature_vectors(TOKENS, 512).numpy().astype(np.float64)  # (T, D)
    for dk, qf, kf, strength in _HEAD_CASES:
        _check_head_case(fn, name, x, dk, qf, kf, strength)
    w = softmax_reference(
        5.0 * np.outer(x[:, FEATURES.index("verb")], x[:, FEATURES.index("animal")])
    )
    sat, cat = TOKENS.index("sat"), TOKENS.index("cat")
    return (
        f'Right. Your head makes "sat" put {w[sat, cat]:.4f} of its attention on "cat": '
        "the verb finds who did it."
    )
