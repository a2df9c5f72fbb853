"""Exercises of 01_self_attention.ipynb, with their checkers (NumPy float64 references)."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import torch

from helpers.checking import Case, NotYet, checker, close, fmt, fn_name, shape_of
from helpers.nb01_self_attention.data import NOTES_CAT_SCORES
from helpers.text import TOKENS, toy_projections, word_vectors

__all__ = [
    "OVERFLOW_HINT_ROWS",
    "attention_reference",
    "check_attend_one",
    "check_attention",
    "check_softmax_with_temperature",
    "diagnose_weights",
    "require_attention",
    "running_qkv",
    "softmax_reference",
]


OVERFLOW_HINT_ROWS = (
    "np.exp overflowed (or a whole row underflowed to 0). Subtract each row's own largest "
    "score, `scores - scores.max(axis=-1, keepdims=True)`, before np.exp."
)


def softmax_reference(scores: np.ndarray) -> np.ndarray:
    z = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def attention_reference(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, scale: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """(output, weights) of softmax(q·kᵀ / √d_k)·v, for one query (Dk,) or many (T, Dk)."""
    scores = q @ k.T / (math.sqrt(q.shape[-1]) if scale else 1.0)  # (T, Dk) @ (Dk, S) -> (T, S)
    weights = softmax_reference(scores)
    return weights @ v, weights  # (T, S) @ (S, Dv) -> (T, Dv)


@lru_cache(maxsize=1)
def running_qkv() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Q, K, V of "The cat sat on the mat." exactly as in the notebook, in float64."""
    x = word_vectors(TOKENS)  # (T, D)
    with torch.no_grad():
        q, k, v = (x @ w for w in toy_projections())  # (T, D) @ (D, Dk) -> (T, Dk)
    return tuple(t.numpy().astype(np.float64) for t in (q, k, v))


def _small_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """3 queries, 5 keys, Dk = 4, Dv = 7: every length differs, so a transpose shows."""
    rng = np.random.default_rng(7)
    return rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 7))


def diagnose_weights(got: np.ndarray, q: np.ndarray, k: np.ndarray, what: str) -> str:
    """The most likely reason why `got` is not softmax(q·kᵀ / √d_k) along the last axis."""
    want = attention_reference(q, k, k)[1]
    if got.ndim == 2 and got.shape == got.shape[::-1] and close(got.T, want):
        return (
            f"{what} are transposed: the scores are Q @ K.T, one row per query, and the "
            "softmax runs along each row."
        )
    if not np.allclose(got.sum(axis=-1), 1.0, atol=1e-6):
        if got.ndim == 2 and np.allclose(got.sum(axis=0), 1.0, atol=1e-6):
            return (
                f"the columns of {what} sum to 1, the rows do not: apply the softmax along the "
                "last axis (axis=-1), so that each query's row sums to 1."
            )
        return f"{what} do not sum to 1: apply the softmax to the scores."
    if close(got, attention_reference(q, k, k, scale=False)[1]):
        return (
            f"{what} are softmax(q·kᵀ) without the scaling: divide the scores by √d_k "
            f"(here √{q.shape[-1]})."
        )
    return f"{what} should be softmax(q·kᵀ / √d_k) = {fmt(want)}, got {fmt(got)}."


def require_attention(
    output: np.ndarray,
    weights: np.ndarray,
    qkv: tuple[np.ndarray, np.ndarray, np.ndarray],
    label: str,
    output_hint: str,
) -> None:
    """Raise NotYet with a hint unless (output, weights) is the attention of (q, k, v).

    The weights are checked first (`diagnose_weights`); right weights with a wrong output get
    "the weights of … are right, its output is not: " + `output_hint`.
    Shapes: q `(Dk,)` or `(T, Dk)`, k `(S, Dk)`, v `(S, Dv)`; output and weights as returned.
    """
    q, k, v = qkv
    want_output, want_weights = attention_reference(q, k, v)
    if not close(weights, want_weights):
        raise NotYet(diagnose_weights(weights, q, k, f"the weights of {label}"))
    if not close(output, want_output):
        raise NotYet(f"the weights of {label} are right, its output is not: {output_hint}")


@checker("softmax_with_temperature")
def check_softmax_with_temperature(fn: Callable[..., Any]) -> str:
    """Check `fn(scores, temperature)` = softmax(scores / temperature) for 1-D NumPy scores.

    Cases: the chapter notes' scores of "cat" at temperatures 1, 0.1 and 10, and scores near 1000
    (which overflow np.exp unless the largest score is subtracted first).
    Used in 01_self_attention.ipynb.
    """
    name = fn_name(fn, "softmax_with_temperature")
    notes = np.array(NOTES_CAT_SCORES)
    big = np.array([1000.0, 1001.0, 1002.0])
    cases = [
        (notes, "notes_scores", 1.0),
        (notes, "notes_scores", 0.1),
        (notes, "notes_scores", 10.0),
        (big, "np.array([1000.0, 1001.0, 1002.0])", 1.0),
    ]
    for scores, label, t in cases:
        case = Case((scores, t), f"{name}({label}, {t:g})")
        got = case.array(case.run(fn), scores.shape)
        want = softmax_reference(scores / t)
        if close(got, want):
            continue
        if not np.isclose(got.sum(), 1.0, atol=1e-6):
            raise NotYet(f"{case.label} sums to {got.sum():.4f}, not 1: divide by the sum.")
        if close(got, softmax_reference(scores * t)):
            raise NotYet(
                f"{case.label} multiplies the scores by the temperature; divide them by it: "
                "softmax(scores / temperature)."
            )
        if close(got, softmax_reference(scores)):
            raise NotYet(f"{case.label} ignores the temperature: divide the scores by it.")
        raise case.wrong(got, want)
    flat, sharp = softmax_reference(notes / 10.0).max(), softmax_reference(notes / 0.1).max()
    return (
        f"Right. Temperature 10 flattens the notes' row (largest weight {flat:.4f}); "
        f"temperature 0.1 sharpens it (largest weight {sharp:.4f})."
    )


@checker("attend_one")
def check_attend_one(fn: Callable[..., Any]) -> str:
    """Check `fn(q, K, V)` -> `(output, weights)` for ONE query vector, in NumPy.

    Shapes: q `(Dk,)`, K `(S, Dk)`, V `(S, Dv)` -> output `(Dv,)`, weights `(S,)`.
    Cases: the query "sat" of the running sentence, then 5 random keys with Dk = 4 and Dv = 7.
    Used in 01_self_attention.ipynb.
    """
    name = fn_name(fn, "attend_one")
    q, k, v = running_qkv()
    sq, sk, sv = _small_case()
    cases = [
        Case((q[2], k, v), f"{name}(Q[2], K, V)", '(the query "sat")'),
        Case((sq[0], sk, sv), f"{name}(q, K, V)", "(5 keys, d_k = 4, d_v = 7)"),
    ]
    for case in cases:
        _, k1, v1 = case.args
        s, dv = k1.shape[0], v1.shape[1]
        output, weights = case.outputs(fn, ("output", "weights"))
        if shape_of(weights) == (dv,) and shape_of(output) == (s,):
            raise NotYet(f"{case.label}: weights and output are swapped.")
        weights = case.array(weights, (s,), "the weights")
        output = case.array(output, (dv,), "the output")
        sum_of_rows = "the output is the weighted sum of the rows of V, `weights @ V`."
        require_attention(output, weights, case.args, case.label, sum_of_rows)
    weights = attention_reference(q[2], k, v)[1]
    top = int(weights.argmax())
    return (
        f'Right. "sat" attends most to "{TOKENS[top]}" (weight {weights[top]:.4f}), '
        "and your output matches the formula."
    )


@checker("attention")
def check_attention(fn: Callable[..., Any]) -> str:
    """Check `fn(Q, K, V)` -> `(output, weights)` for all queries at once, in NumPy.

    Shapes: Q `(T, Dk)`, K `(S, Dk)`, V `(S, Dv)` -> output `(T, Dv)`, weights `(T, S)`.
    Cases: the running sentence; 3 queries against 5 keys (Dk = 4, Dv = 7); the running
    sentence with Q × 1000 (scores that overflow np.exp unless each row's maximum is subtracted).
    Used in 01_self_attention.ipynb.
    """
    name = fn_name(fn, "attention")
    q, k, v = running_qkv()
    cases = [
        Case((q, k, v), f"{name}(Q, K, V)"),
        Case(_small_case(), f"{name}(Q, K, V)", "(3 queries, 5 keys, d_k = 4, d_v = 7)"),
        Case((q * 1000.0, k, v), f"{name}(Q * 1000, K, V)", "(very large scores)"),
    ]
    for case in cases:
        q1, k1, v1 = case.args
        t, s, dv = q1.shape[0], k1.shape[0], v1.shape[1]
        output, weights = case.outputs(fn, ("output", "weights"))
        if shape_of(output) == (t, s) and shape_of(weights) == (t, dv):
            raise NotYet(f"{case.label}: output and weights are swapped.")
        if shape_of(weights) == (s, t) and s != t:
            raise NotYet(
                f"the weights of {case.label} have shape (S, T) = {(s, t)}: the scores are "
                "Q @ K.T, one row per query, shape (T, S)."
            )
        output = case.array(output, (t, dv), "the output", OVERFLOW_HINT_ROWS)
        weights = case.array(weights, (t, s), "the weights", OVERFLOW_HINT_ROWS)
        require_attention(output, weights, case.args, case.label, "`weights @ V`.")
    return (
        "Right: all 6 queries at once, 3 queries against 5 keys, and scores large enough to "
        "overflow np.exp. That is helpers.scaled_dot_product_attention, in NumPy."
    )
