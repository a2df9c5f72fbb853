"""Exercises of 05_masked_and_cross_attention.ipynb, with their checkers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from helpers.checking import Case, NotYet, checker, close, fmt, fn_name, shape_of
from helpers.nb01_self_attention.exercises import (
    OVERFLOW_HINT_ROWS,
    attention_reference,
    require_attention,
    softmax_reference,
)
from helpers.nb05_masked_and_cross_attention.data import bilingual_vectors
from helpers.text import KOREAN_TOKENS, TOKENS, toy_projections

__all__ = ["check_causal_mask", "check_cross_attention", "check_masked_softmax"]


def _as_numpy(result: Any) -> Any:
    return result.detach().cpu().numpy() if isinstance(result, torch.Tensor) else result


def _masked_softmax(scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """softmax over the allowed keys of each row; a row with none gets zeros."""
    z = np.where(mask, scores, -np.inf)
    top = np.where(mask.any(axis=-1, keepdims=True), z.max(axis=-1, keepdims=True), 0.0)
    e = np.where(mask, np.exp(z - top), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


@checker("causal_mask_by_hand")
def check_causal_mask(fn: Callable[..., Any]) -> str:
    """Check `fn(n)` = the causal (look-ahead) mask: an (n, n) boolean array, True = may attend.

    Row t (the query at position t) is True in columns 0 … t. NumPy or torch are both accepted.
    Cases: n = 4 (the Korean sentence), 1 and 7.
    Used in 05_masked_and_cross_attention.ipynb.
    """
    name = fn_name(fn, "causal_mask_by_hand")
    for n in (4, 1, 7):
        case = Case((n,), f"{name}({n})")
        got = np.asarray(_as_numpy(case.run(fn)))
        if got.shape != (n, n):
            raise NotYet(f"{case.label}: the shape is {got.shape}, expected {(n, n)}.")
        if got.dtype != bool:
            raise NotYet(
                f"{case.label} has dtype {got.dtype}; a mask is boolean (True = may attend). "
                "A float mask of 0s and 1s is *added* to the scores by "
                "F.scaled_dot_product_attention, which masks nothing: use dtype=bool."
            )
        want = np.tril(np.ones((n, n), dtype=bool))
        if np.array_equal(got, want):
            continue
        if np.array_equal(got, ~want):
            raise NotYet(
                f"{case.label} is inverted: True where the key lies in the future. That is "
                "the True = blocked convention of nn.MultiheadAttention; ours (and "
                "F.scaled_dot_product_attention's) is True = may attend."
            )
        if np.array_equal(got, np.tril(want, k=-1)):
            raise NotYet(
                f"{case.label} leaves out the diagonal: a position may attend to itself "
                "(without it, position 0 has no key at all)."
            )
        if np.array_equal(got, want.T):
            raise NotYet(
                f"{case.label} is transposed: rows are queries, so row t is True in columns "
                "0 … t (np.tril), and position 0 sees only itself."
            )
        if got.all():
            raise NotYet(f"{case.label} allows everything: that is no mask at all.")
        raise NotYet(f"{case.label} gave {got.astype(int).tolist()}, expected np.tril.")
    return (
        "Right: np.tril of ones, True on and below the diagonal, "
        "the same as helpers.causal_mask(n). Position t sees 0 … t, never t + 1."
    )


def _masked_softmax_cases(name: str) -> list[Case]:
    rng = np.random.default_rng(5)
    causal = np.tril(np.ones((4, 4), dtype=bool))
    padded = np.ones((3, 5), dtype=bool)
    padded[:, 3:] = False  # two padding keys
    padded[2] = False  # and a query that may attend to nothing
    return [
        Case((rng.normal(size=(4, 4)), causal), f"{name}(scores, causal)", "(4 × 4, causal)"),
        Case(
            (rng.normal(size=(3, 5)) * 3, padded),
            f"{name}(scores, mask)",
            "(3 × 5: two padding keys, and a last row with no key at all)",
        ),
        Case(
            (rng.normal(size=(4, 4)) * 1000, causal),
            f"{name}(scores * 1000, causal)",
            "(very large scores)",
        ),
    ]


@checker("masked_softmax")
def check_masked_softmax(fn: Callable[..., Any]) -> str:
    """Check `fn(scores, mask)`: the softmax of each row over its allowed keys (mask True).

    Blocked keys get weight exactly 0; a row with no allowed key gets all zeros (never NaN), as
    in `helpers.scaled_dot_product_attention`. NumPy arrays in, an array out.
    Shapes: scores `(T, S)` float, mask `(T, S)` bool -> weights `(T, S)`.
    Cases: a causal 4 × 4; a 3 × 5 padding mask whose last row is all False; scores × 1000.
    Used in 05_masked_and_cross_attention.ipynb.
    """
    name = fn_name(fn, "masked_softmax")
    for case in _masked_softmax_cases(name):
        scores, mask = case.args
        got = np.asarray(_as_numpy(case.run(fn)), dtype=np.float64)
        if got.shape != scores.shape:
            raise NotYet(f"{case.label}: the shape is {got.shape}, expected {scores.shape}.")
        empty = ~mask.any(axis=-1)
        if np.isnan(got[empty]).any() and np.isfinite(got[~empty]).all():
            raise NotYet(
                f"{case.label} gives NaN for the row with no allowed key: softmax(−∞, …, −∞) "
                "is 0 / 0. Give such a row zeros: it attends to nothing."
            )
        if not np.isfinite(got).all():
            raise NotYet(f"{case.label}: found nan or inf. {OVERFLOW_HINT_ROWS}")
        want = _masked_softmax(scores, mask)
        if close(got, want):
            continue
        if close(got, _masked_softmax(scores, ~mask)):
            raise NotYet(
                f"{case.label} keeps the blocked keys and drops the allowed ones: True = may "
                "attend. Set the scores where the mask is False to −∞."
            )
        if close(got, softmax_reference(np.where(mask, scores, 0.0))):
            raise NotYet(
                f"{case.label} sets the blocked scores to 0, but exp(0) = 1: they still get "
                "weight. Set them to −∞ (np.where(mask, scores, -np.inf)): exp(−∞) = 0."
            )
        if close(got, softmax_reference(scores) * mask):
            raise NotYet(
                f"{case.label} zeroes the blocked weights after the softmax, so the rows no "
                "longer sum to 1. Mask the scores before the softmax."
            )
        if close(got, softmax_reference(scores)):
            raise NotYet(f"{case.label} ignores the mask.")
        if empty.any() and close(got[~empty], want[~empty]):
            raise NotYet(
                f"{case.label} is right except for the row with no allowed key: it attends "
                f"to nothing, so its weights are all 0, not {fmt(got[empty][0])}. (A large "
                "negative number instead of −∞ spreads such a row evenly.)"
            )
        if (got[~mask] != 0).any():
            raise NotYet(f"{case.label}: the blocked weights must be exactly 0.")
        raise case.wrong(got, want)
    return (
        "Right: blocked keys get exactly 0, each row sums to 1 over its allowed keys, and a "
        "row with no key at all stays 0 instead of NaN."
    )


@checker("cross_attention")
def check_cross_attention(fn: Callable[..., Any]) -> str:
    """Check `fn(Y, X, W_q, W_k, W_v)` -> `(output, weights)`: the queries from the decoder's Y,
    the keys and values from the encoder's X, scaled by √d_k. NumPy in, NumPy (or torch) out.

    Shapes: Y `(T, D)`, X `(S, D)`, each W `(D, Dk)` -> output `(T, Dk)`, weights `(T, S)`.
    Cases: the Korean sentence (T = 4) against the English one (S = 6) with `bilingual_vectors`
    and `toy_projections`; 2 random decoder words against 5 encoder words (D = 8, Dk = 4).
    Used in 05_masked_and_cross_attention.ipynb.
    """
    name = fn_name(fn, "cross_attention")
    y = bilingual_vectors(KOREAN_TOKENS).double().numpy()  # (T, D)
    x = bilingual_vectors(TOKENS).double().numpy()  # (S, D)
    ws = tuple(w.double().numpy() for w in toy_projections())  # 3 × (D, Dk)
    rng = np.random.default_rng(11)
    small = (rng.normal(size=(2, 8)), rng.normal(size=(5, 8)))
    small_ws = tuple(rng.normal(size=(8, 4)) for _ in range(3))
    cases = [
        Case((y, x, *ws), f"{name}(Y, X, W_q, W_k, W_v)", "(Korean → English)"),
        Case((*small, *small_ws), f"{name}(Y, X, W_q, W_k, W_v)", "(T = 2, S = 5)"),
    ]
    for case in cases:
        y1, x1, w_q, w_k, w_v = case.args
        t, s, dk = y1.shape[0], x1.shape[0], w_q.shape[1]
        output, weights = case.outputs(fn, ("output", "weights"))
        output, weights = _as_numpy(output), _as_numpy(weights)
        if shape_of(weights) == (s, t):
            swapped = attention_reference(x1 @ w_q, y1 @ w_k, y1 @ w_v)[1]
            if close(np.asarray(weights, dtype=float), swapped):
                raise NotYet(
                    f"{case.label} takes the queries from X: in cross-attention the "
                    "decoder asks (Q = Y @ W_q) and the encoder answers (K = X @ W_k, "
                    "V = X @ W_v), so the weights are (T, S)."
                )
        output = case.array(output, (t, dk), "the output", OVERFLOW_HINT_ROWS)
        weights = case.array(weights, (t, s), "the weights", OVERFLOW_HINT_ROWS)
        qkv = y1 @ w_q, x1 @ w_k, x1 @ w_v  # (T, Dk), (S, Dk), (S, Dk)
        from_encoder = "the values come from the encoder, `weights @ (X @ W_v)`."
        require_attention(output, weights, qkv, case.label, from_encoder)
    return (
        "Right: 4 Korean queries against 6 English keys give a (4, 6) matrix and a (4, 64) "
        "output, one row per decoder word: T ≠ S, and that is fine."
    )
