"""Checkers for the notebooks' exercises: pass your function, read one line of feedback.

Each `check_*` runs your function on a few inputs, compares the result with a reference written in
NumPy (float64) and prints one deterministic line: "✓ ..." when it is right, "Not yet: ..." with a
hint otherwise. A checker never raises: a missing function, a stub that returns None, a wrong
shape or an exception inside your function all become a message, not a traceback.

Used in 01_self_attention.ipynb: `check_softmax_with_temperature` (★), `check_attend_one` (★),
`check_attention` (★★).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import torch

from helpers.text import BOOK_CAT_SCORES, TOKENS, toy_projections, word_vectors

__all__ = ["check_attend_one", "check_attention", "check_softmax_with_temperature"]

RTOL = 1e-5
ATOL = 1e-5
OVERFLOW_HINT = (
    "np.exp overflowed. Subtract the largest score before np.exp: softmax does not change, "
    "and exp never sees a huge number."
)
OVERFLOW_HINT_ROWS = (
    "np.exp overflowed (or a whole row underflowed to 0). Subtract each row's own largest "
    "score, `scores - scores.max(axis=-1, keepdims=True)`, before np.exp."
)


class _NotYet(Exception):
    """A wrong answer: the message is the hint shown to the learner."""


@dataclass(frozen=True)
class _Case:
    args: tuple[Any, ...]
    call: str  # how the learner would write the call, e.g. "attend_one(Q[2], K, V)"
    note: str = ""  # what is special about the case, e.g. '(the query "sat")'

    @property
    def label(self) -> str:
        return f"`{self.call}`" + (f" {self.note}" if self.note else "")


# --- references (NumPy, float64) ------------------------------------------------------------------


def _softmax(scores: np.ndarray) -> np.ndarray:
    z = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def _attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, scale: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """(output, weights) of softmax(q·kᵀ / √d_k)·v, for one query (Dk,) or many (T, Dk)."""
    scores = q @ k.T / (math.sqrt(q.shape[-1]) if scale else 1.0)  # (T, Dk) @ (Dk, S) -> (T, S)
    weights = _softmax(scores)
    return weights @ v, weights  # (T, S) @ (S, Dv) -> (T, Dv)


@lru_cache(maxsize=1)
def _running_qkv() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Q, K, V of "The cat sat on the mat." exactly as in the notebook, in float64."""
    x = word_vectors(TOKENS)  # (T, D)
    with torch.no_grad():
        q, k, v = (x @ w for w in toy_projections())  # (T, D) @ (D, Dk) -> (T, Dk)
    return tuple(t.numpy().astype(np.float64) for t in (q, k, v))


def _small_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """3 queries, 5 keys, Dk = 4, Dv = 7: every length differs, so a transpose shows."""
    rng = np.random.default_rng(7)
    return rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 7))


# --- plumbing -------------------------------------------------------------------------------------


def _fmt(values: Any) -> str:
    """Rounded to 4 decimals whatever NumPy's print options: deterministic messages."""
    flat = np.asarray(values, dtype=float).ravel()
    shown = ", ".join(f"{x:.4f}" for x in flat[:6])
    return f"[{shown}{', …' if flat.size > 6 else ''}]"


def _shape(x: Any) -> tuple[int, ...] | None:
    try:
        return np.shape(x)
    except Exception:  # a ragged list, an object NumPy cannot read
        return None


def _call(fn: Callable[..., Any], case: _Case) -> Any:
    args = [a.copy() if isinstance(a, np.ndarray) else a for a in case.args]  # keep ours intact
    try:
        result = fn(*args)
    except Exception as e:  # the learner's bug, reported as a hint
        raise _NotYet(f"{case.label} raised {type(e).__name__}: {e}") from None
    if result is None or result is Ellipsis:
        raise _NotYet(
            f"{case.label} returned {result!r}. Replace the `return None` of the stub with your "
            "code, run its cell, then run this check again."
        )
    return result


def _array(
    result: Any, what: str, shape: tuple[int, ...], overflow_hint: str = OVERFLOW_HINT
) -> np.ndarray:
    if isinstance(result, torch.Tensor):
        result = result.detach().cpu().numpy()
    try:
        a = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        raise _NotYet(
            f"{what} should be an array of numbers, got a {type(result).__name__}"
        ) from None
    if a.shape != shape:
        raise _NotYet(f"{what}: the shape is {a.shape}, expected {shape}.")
    if not np.isfinite(a).all():
        raise _NotYet(f"{what}: found nan or inf. {overflow_hint}")
    return a


def _pair(result: Any, case: _Case, names: tuple[str, str]) -> tuple[Any, Any]:
    if not isinstance(result, tuple | list) or len(result) != 2:
        got = type(result).__name__ + (f" of length {len(result)}" if _shape(result) else "")
        raise _NotYet(
            f"{case.label} should return two things, `return {names[0]}, {names[1]}`; got {got}"
        )
    return result[0], result[1]


def _close(got: np.ndarray, want: np.ndarray) -> bool:
    return bool(np.allclose(got, want, rtol=RTOL, atol=ATOL))


def _diagnose_weights(got: np.ndarray, q: np.ndarray, k: np.ndarray, what: str) -> str:
    """The most likely reason why `got` is not softmax(q·kᵀ / √d_k) along the last axis."""
    want = _attention(q, k, k)[1]
    if got.ndim == 2 and got.shape == got.shape[::-1] and _close(got.T, want):
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
    if _close(got, _attention(q, k, k, scale=False)[1]):
        return (
            f"{what} are softmax(q·kᵀ) without the scaling: divide the scores by √d_k "
            f"(here √{q.shape[-1]})."
        )
    return f"{what} should be softmax(q·kᵀ / √d_k) = {_fmt(want)}, got {_fmt(got)}."


def _check(fn: Any, checker: str, example: str, verdict: Callable[[Callable], str]) -> None:
    """Print "✓ ..." or "Not yet: ...": never raise, never warn."""
    if fn is None or not callable(fn):
        got = "None" if fn is None else f"a value of type {type(fn).__name__}"
        print(
            f"Not yet: pass your function itself, e.g. `{checker}({example})` (its name, "
            f"without parentheses); {checker} got {got}."
        )
        return
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            message = "✓ " + verdict(fn)
    except _NotYet as e:
        message = f"Not yet: {e}"
    except Exception as e:  # something the hints did not foresee: still no traceback
        message = f"Not yet: checking your function failed with {type(e).__name__}: {e}"
    print(message)


def _name(fn: Callable[..., Any], default: str) -> str:
    name = getattr(fn, "__name__", default)
    return name if name.isidentifier() else default


# --- ★ softmax with a temperature -----------------------------------------------------------------


def check_softmax_with_temperature(fn: Callable[..., Any]) -> None:
    """Check `fn(scores, temperature)` = softmax(scores / temperature) for 1-D NumPy scores.

    Cases: the book's scores of "cat" at temperatures 1, 0.1 and 10, and scores near 1000
    (which overflow np.exp unless the largest score is subtracted first).
    Used in 01_self_attention.ipynb.
    """

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "softmax_with_temperature")
        book = np.array(BOOK_CAT_SCORES)
        big = np.array([1000.0, 1001.0, 1002.0])
        cases = [
            (book, "book_scores", 1.0),
            (book, "book_scores", 0.1),
            (book, "book_scores", 10.0),
            (big, "np.array([1000.0, 1001.0, 1002.0])", 1.0),
        ]
        for scores, label, t in cases:
            case = _Case((scores, t), f"{name}({label}, {t:g})")
            got = _array(_call(fn, case), case.label, scores.shape)
            want = _softmax(scores / t)
            if _close(got, want):
                continue
            if not np.isclose(got.sum(), 1.0, atol=1e-6):
                raise _NotYet(f"{case.label} sums to {got.sum():.4f}, not 1: divide by the sum.")
            if _close(got, _softmax(scores * t)):
                raise _NotYet(
                    f"{case.label} multiplies the scores by the temperature; divide them by it: "
                    "softmax(scores / temperature)."
                )
            if _close(got, _softmax(scores)):
                raise _NotYet(f"{case.label} ignores the temperature: divide the scores by it.")
            raise _NotYet(f"{case.label} gave {_fmt(got)}, expected {_fmt(want)}.")
        flat, sharp = _softmax(book / 10.0).max(), _softmax(book / 0.1).max()
        return (
            f"Right. Temperature 10 flattens the book's row (largest weight {flat:.4f}); "
            f"temperature 0.1 sharpens it (largest weight {sharp:.4f})."
        )

    _check(fn, "check_softmax_with_temperature", "softmax_with_temperature", verdict)


# --- ★ the output for one query -------------------------------------------------------------------


def check_attend_one(fn: Callable[..., Any]) -> None:
    """Check `fn(q, K, V)` -> `(weights, output)` for ONE query vector, in NumPy.

    Shapes: q `(Dk,)`, K `(S, Dk)`, V `(S, Dv)` -> weights `(S,)`, output `(Dv,)`.
    Cases: the query "sat" of the running sentence, then 5 random keys with Dk = 4 and Dv = 7.
    Used in 01_self_attention.ipynb.
    """

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "attend_one")
        q, k, v = _running_qkv()
        sq, sk, sv = _small_case()
        cases = [
            _Case((q[2], k, v), f"{name}(Q[2], K, V)", '(the query "sat")'),
            _Case((sq[0], sk, sv), f"{name}(q, K, V)", "(5 keys, d_k = 4, d_v = 7)"),
        ]
        for case in cases:
            q1, k1, v1 = case.args
            s, dv = k1.shape[0], v1.shape[1]
            weights, output = _pair(_call(fn, case), case, ("weights", "output"))
            if _shape(weights) == (dv,) and _shape(output) == (s,):
                raise _NotYet(f"{case.label}: weights and output are swapped.")
            weights = _array(weights, f"the weights of {case.label}", (s,))
            output = _array(output, f"the output of {case.label}", (dv,))
            want_output, want_weights = _attention(q1, k1, v1)
            if not _close(weights, want_weights):
                raise _NotYet(_diagnose_weights(weights, q1, k1, f"the weights of {case.label}"))
            if not _close(output, want_output):
                raise _NotYet(
                    f"the weights of {case.label} are right, its output is not: the output is "
                    "the weighted sum of the rows of V, `weights @ V`."
                )
        weights = _attention(q[2], k, v)[1]
        top = int(weights.argmax())
        return (
            f'Right. "sat" attends most to "{TOKENS[top]}" (weight {weights[top]:.4f}), '
            "and your output matches the formula."
        )

    _check(fn, "check_attend_one", "attend_one", verdict)


# --- ★★ the whole attention matrix, vectorised ----------------------------------------------------


def check_attention(fn: Callable[..., Any]) -> None:
    """Check `fn(Q, K, V)` -> `(output, weights)` for all queries at once, in NumPy.

    Shapes: Q `(T, Dk)`, K `(S, Dk)`, V `(S, Dv)` -> output `(T, Dv)`, weights `(T, S)`.
    Cases: the running sentence; 3 queries against 5 keys (Dk = 4, Dv = 7); the running
    sentence with Q × 1000 (scores that overflow np.exp unless each row's maximum is subtracted).
    Used in 01_self_attention.ipynb.
    """

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "attention")
        q, k, v = _running_qkv()
        cases = [
            _Case((q, k, v), f"{name}(Q, K, V)"),
            _Case(_small_case(), f"{name}(Q, K, V)", "(3 queries, 5 keys, d_k = 4, d_v = 7)"),
            _Case((q * 1000.0, k, v), f"{name}(Q * 1000, K, V)", "(very large scores)"),
        ]
        for case in cases:
            q1, k1, v1 = case.args
            t, s, dv = q1.shape[0], k1.shape[0], v1.shape[1]
            output, weights = _pair(_call(fn, case), case, ("output", "weights"))
            if _shape(output) == (t, s) and _shape(weights) == (t, dv):
                raise _NotYet(f"{case.label}: output and weights are swapped.")
            if _shape(weights) == (s, t) and s != t:
                raise _NotYet(
                    f"the weights of {case.label} have shape (S, T) = {(s, t)}: the scores are "
                    "Q @ K.T, one row per query, shape (T, S)."
                )
            output = _array(output, f"the output of {case.label}", (t, dv), OVERFLOW_HINT_ROWS)
            weights = _array(weights, f"the weights of {case.label}", (t, s), OVERFLOW_HINT_ROWS)
            want_output, want_weights = _attention(q1, k1, v1)
            if not _close(weights, want_weights):
                raise _NotYet(_diagnose_weights(weights, q1, k1, f"the weights of {case.label}"))
            if not _close(output, want_output):
                raise _NotYet(
                    f"the weights of {case.label} are right, its output is not: `weights @ V`."
                )
        return (
            "Right: all 6 queries at once, 3 queries against 5 keys, and scores large enough to "
            "overflow np.exp. That is helpers.scaled_dot_product_attention, in NumPy."
        )

    _check(fn, "check_attention", "attention", verdict)
