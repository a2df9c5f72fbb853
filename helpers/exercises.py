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

__all__ = [
    "check_attend_one",
    "check_attention",
    "check_build_head",
    "check_causal_mask",
    "check_cross_attention",
    "check_dot_at_offset",
    "check_encoder_parameters",
    "check_layer_norm",
    "check_masked_softmax",
    "check_multi_head_attention",
    "check_output_layer",
    "check_positional_encoding_halves",
    "check_pre_norm_block",
    "check_shift_matrix",
    "check_softmax_with_temperature",
    "check_split_heads",
    "check_top_k_distribution",
    "check_transformer_parameters",
    "check_wordpiece",
    "check_mean_pool",
    "check_bert_embeddings",
    "check_shift_right",
    "check_sort_model",
    "check_sort_target",
]

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


# --- 03 positional encoding: references -----------------------------------------------------------


def _pe_halves(n_positions: int, d_model: int, base: float, exponent: int = 2) -> np.ndarray:
    """[all sines | all cosines] of the angles pos / base^(exponent·i/d), float64. `(P, D)`."""
    pos = np.arange(n_positions, dtype=np.float64)[:, None]  # (P, 1)
    i = np.arange(d_model // 2, dtype=np.float64)  # (D/2,)
    angles = pos / base ** (exponent * i / d_model)  # (P, D/2)
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)  # (P, D)


def _interleaved(halves: np.ndarray) -> np.ndarray:
    """The same columns in the paper's order: sin, cos, sin, cos, …"""
    half = halves.shape[1] // 2
    out = np.empty_like(halves)
    out[:, 0::2], out[:, 1::2] = halves[:, :half], halves[:, half:]
    return out


def _first_difference(got: np.ndarray, want: np.ndarray, rows: str, columns: str) -> str:
    """Where two matrices first differ, as a hint."""
    r, c = np.argwhere(~np.isclose(got, want, rtol=RTOL, atol=ATOL))[0]
    return f"{rows} {r}, {columns} {c}: expected {want[r, c]:.4f}, got {got[r, c]:.4f}"


# --- ★ the encoding with the sines first ----------------------------------------------------------


def check_positional_encoding_halves(fn: Callable[..., Any]) -> None:
    """Check `fn(n_positions, d_model, base)` -> `(n_positions, d_model)`: all d/2 sines, then all
    d/2 cosines, of the angles pos / base^(2i/d) (the paper's numbers, columns in another order).

    Cases: the book's six words with d = 4; 50 positions with d = 512; base 100; d = 2.
    Used in 03_positional_encoding.ipynb.
    """
    from helpers.positional import sinusoidal_positional_encoding

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "positional_encoding_halves")
        cases = [
            _Case((6, 4, 10000.0), f"{name}(6, 4, 10000.0)", "(the book's six words, d = 4)"),
            _Case((50, 512, 10000.0), f"{name}(50, 512, 10000.0)"),
            _Case((10, 6, 100.0), f"{name}(10, 6, 100.0)", "(base 100)"),
            _Case((3, 2, 10000.0), f"{name}(3, 2, 10000.0)", "(one sin/cos pair)"),
        ]
        for case in cases:
            n, d, base = case.args
            result = _call(fn, case)
            if _shape(result) == (d, n) and d != n:
                raise _NotYet(
                    f"{case.label} has shape {(d, n)}: one row per position, so the shape is "
                    f"(n_positions, d_model) = {(n, d)}."
                )
            got = _array(result, case.label, (n, d))
            want = _pe_halves(n, d, base)
            if _close(got, want):
                continue
            if d > 2 and _close(got, _interleaved(want)):
                raise _NotYet(
                    f"{case.label} is interleaved (sin, cos, sin, cos, …) like helpers; here all "
                    "d/2 sines come first, then all d/2 cosines."
                )
            if _close(got, np.roll(want, d // 2, axis=1)):
                raise _NotYet(f"{case.label} puts the cosines first; the sines come first.")
            if _close(got, _pe_halves(n, d, base, exponent=1)):
                raise _NotYet(
                    f"{case.label} divides by base^(i/d); the exponent is 2i/d (i counts the "
                    "sin/cos pairs, 0 … d/2 − 1)."
                )
            if base != 10000.0 and _close(got, _pe_halves(n, d, 10000.0)):
                raise _NotYet(f"{case.label} ignores the base: use `base`, not 10000.")
            if _close(got, _pe_halves(n + 1, d, base)[1:]):
                raise _NotYet(f"{case.label} starts at position 1; positions start at 0.")
            raise _NotYet(_first_difference(got, want, f"{case.label}: row", "column"))
        pe = sinusoidal_positional_encoding(6, 512).double().numpy()  # (P, D)
        halves = _pe_halves(6, 512, 10000.0)  # (P, D)
        return (
            "Right: the paper's numbers, with the columns in another order. Dot products do not "
            f"see the order: PE(0)·PE(5) = {halves[0] @ halves[5]:.4f} in both layouts "
            f"(helpers: {pe[0] @ pe[5]:.4f})."
        )

    _check(fn, "check_positional_encoding_halves", "positional_encoding_halves", verdict)


# --- ★ the dot product at an offset ---------------------------------------------------------------


def check_dot_at_offset(fn: Callable[..., Any]) -> None:
    """Check `fn(k, d_model, base)` = PE(pos) · PE(pos + k) = Σ_i cos(k / base^(2i/d)), one number.

    Cases: k = 0, 1, 5 and −3 with d = 512; k = 2 with d = 4 and base 100; k = 40 with d = 64.
    Used in 03_positional_encoding.ipynb.
    """
    from helpers.positional import offset_dot_product

    def sum_cos(k: int, pairs: int, d: int, base: float, exponent: int = 2) -> float:
        i = np.arange(pairs, dtype=np.float64)
        return float(np.cos(k / base ** (exponent * i / d)).sum())

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "dot_at_offset")
        cases = [
            _Case((0, 512, 10000.0), f"{name}(0, 512, 10000.0)", "(a position with itself)"),
            _Case((1, 512, 10000.0), f"{name}(1, 512, 10000.0)"),
            _Case((5, 512, 10000.0), f"{name}(5, 512, 10000.0)"),
            _Case((-3, 512, 10000.0), f"{name}(-3, 512, 10000.0)", "(a negative offset)"),
            _Case((2, 4, 100.0), f"{name}(2, 4, 100.0)", "(d = 4, base 100)"),
            _Case((40, 64, 10000.0), f"{name}(40, 64, 10000.0)"),
        ]
        for case in cases:
            k, d, base = case.args
            got = float(_array(_call(fn, case), case.label, ()))
            want = offset_dot_product(k, d, base).item()
            if np.isclose(got, want, rtol=RTOL, atol=ATOL):
                continue
            if np.isclose(got * d / 2, want, rtol=RTOL, atol=ATOL):
                raise _NotYet(
                    f"{case.label} = {got:.4f} is the cosine similarity; the dot product is "
                    f"d_model/2 = {d // 2} times larger (every |PE|² is d/2)."
                )
            if np.isclose(got, sum_cos(k, d, d, base), rtol=RTOL, atol=ATOL):
                raise _NotYet(
                    f"{case.label} sums over d = {d} terms; there are d/2 = {d // 2} sin/cos "
                    "pairs, i = 0 … d/2 − 1."
                )
            if np.isclose(got, sum_cos(k, d // 2, d, base, exponent=1), rtol=RTOL, atol=ATOL):
                raise _NotYet(f"{case.label} divides by base^(i/d); the exponent is 2i/d.")
            if k == 0:
                raise _NotYet(
                    f"{case.label} = {got:.4f}, but a position with itself gives |PE|² = d/2 = "
                    f"{d // 2}: each pair adds sin² + cos² = 1, i.e. cos(0 · ω_i) = 1."
                )
            raise _NotYet(
                f"{case.label} should be Σ_i cos(k · ω_i) = {want:.4f}, got {got:.4f}. Each pair "
                "adds sin(a)·sin(a + kω) + cos(a)·cos(a + kω) = cos(kω)."
            )
        near, far = (offset_dot_product(k, 512).item() for k in (1, 50))
        return (
            f"Right. For d = 512 the dot product is 256 at k = 0, {near:.4f} at k = 1 and "
            f"{far:.4f} at k = 50, whatever the position: it depends only on the offset."
        )

    _check(fn, "check_dot_at_offset", "dot_at_offset", verdict)


# --- ★★ the shift matrix --------------------------------------------------------------------------


def check_shift_matrix(fn: Callable[..., Any]) -> None:
    """Check `fn(k, d_model, base)` -> M `(d_model, d_model)` with PE(pos + k) = M @ PE(pos).

    Cases: k = 1 with d = 4; k = 3 with d = 8 and base 100; k = −2 with d = 6; k = 0; k = 7 with
    d = 512.
    Used in 03_positional_encoding.ipynb.
    """
    from helpers.positional import shift_matrix, sinusoidal_positional_encoding

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "shift_matrix")
        cases = [
            _Case((1, 4, 10000.0), f"{name}(1, 4, 10000.0)", "(one step, d = 4)"),
            _Case((3, 8, 100.0), f"{name}(3, 8, 100.0)", "(base 100)"),
            _Case((-2, 6, 10000.0), f"{name}(-2, 6, 10000.0)", "(two steps back)"),
            _Case((0, 4, 10000.0), f"{name}(0, 4, 10000.0)", "(no step at all)"),
            _Case((7, 512, 10000.0), f"{name}(7, 512, 10000.0)"),
        ]
        for case in cases:
            k, d, base = case.args
            got = _array(_call(fn, case), case.label, (d, d))
            want = shift_matrix(k, d, base).numpy()  # (D, D)
            if _close(got, want):
                continue
            if k == 0:
                raise _NotYet(f"{case.label} should be the identity: PE(pos + 0) = PE(pos).")
            if _close(got, want.T):
                raise _NotYet(
                    f"{case.label} moves k steps backwards (it is M_(-k), the transpose): "
                    "PE(pos + k, 2i) = cos(kω)·PE(pos, 2i) + sin(kω)·PE(pos, 2i+1), so the "
                    "+sin sits above the diagonal."
                )
            pe = sinusoidal_positional_encoding(abs(k) + 1, d, base).double().numpy()  # (P, D)
            start, end = (pe[0], pe[k]) if k > 0 else (pe[-k], pe[0])
            raise _NotYet(
                f"{case.label} @ PE({max(-k, 0)}) should be PE({max(k, 0)}) = {_fmt(end)}, got "
                f"{_fmt(got @ start)}. Pair i (dimensions 2i, 2i+1) is turned by the angle "
                "k·ω_i: [[cos, sin], [−sin, cos]]."
            )
        m = shift_matrix(1, 4).numpy()
        return (
            f"Right. M_1 for d = 4 turns pair 0 by 1 radian and pair 1 by 0.01 radian "
            f"(its diagonal: {_fmt(np.diag(m))}); M·Mᵀ = I, a rotation, so |PE| never changes."
        )

    _check(fn, "check_shift_matrix", "shift_matrix", verdict)


# --- 02 multi-head attention: checkers ------------------------------------------------------------
# Used in 02_multi_head_attention.ipynb: `check_split_heads` (★), `check_multi_head_attention` (★★),
# `check_build_head` (★★).


def _tensor(seed: int, *shape: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def _split_reference(x: torch.Tensor, n_heads: int) -> np.ndarray:
    b, t, d = x.shape
    return x.reshape(b, t, n_heads, d // n_heads).transpose(1, 2).numpy().astype(np.float64)


# --- ★ split into heads ---------------------------------------------------------------------------


def check_split_heads(fn: Callable[..., Any]) -> None:
    """Check `fn(x, n_heads)`: `(B, T, D) -> (B, H, T, Dk)`, head h = features h·Dk … (h+1)·Dk - 1.

    Cases: 2 sentences of 5 words, D = 12, H = 3 (every size differs, so a swapped axis shows);
    the running sentence, D = 512, H = 8; and H = 1.
    Used in 02_multi_head_attention.ipynb.
    """

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "split_heads")
        for seed, shape, h, note in [
            (1, (2, 5, 12), 3, "(B=2, T=5, D=12, 3 heads)"),
            (2, (1, 6, 512), 8, "(B=1, T=6, D=512, 8 heads)"),
            (3, (2, 5, 12), 1, "(one head)"),
        ]:
            x = _tensor(seed, *shape)
            b, t, d = shape
            case = _Case((x.clone(), h), f"{name}(x, {h})", note)
            got = _call(fn, case)
            if _shape(got) == (b, t, h, d // h) and h > 1:
                raise _NotYet(
                    f"{case.label} has shape (B, T, H, Dk) = {(b, t, h, d // h)}: the heads are "
                    "split but not moved in front of the words. Swap those two axes with "
                    "`.transpose(1, 2)`."
                )
            got = _array(got, case.label, (b, h, t, d // h))
            want = _split_reference(x, h)
            if _close(got, want):
                continue
            if _close(got, x.reshape(b, h, t, d // h).numpy()):
                raise _NotYet(
                    f"{case.label} reshapes straight to (B, H, T, Dk), which cuts the rows of "
                    "words into pieces that mix words. View it as (B, T, H, Dk) first (each "
                    "word's D features cut into H pieces), then `.transpose(1, 2)`."
                )
            raise _NotYet(
                f"{case.label}: head 0 of word 0 should be its first {d // h} features, "
                f"{_fmt(want[0, 0, 0])}, got {_fmt(got[0, 0, 0])}."
            )
        return (
            "Right. Head h is simply features h·Dk … (h+1)·Dk - 1 of every word: "
            "a reshape and a transpose, no new weights."
        )

    _check(fn, "check_split_heads", "split_heads", verdict)


# --- ★★ multi-head attention from scratch ---------------------------------------------------------


def _mha_reference(
    x: torch.Tensor, w: tuple[torch.Tensor, ...], n_heads: int
) -> tuple[np.ndarray, np.ndarray]:
    """helpers.MultiHeadAttention without biases, weights in the X @ W orientation."""
    from helpers.attention import MultiHeadAttention

    d = x.shape[-1]
    mha = MultiHeadAttention(d, n_heads, bias=False)
    with torch.no_grad():
        for lin, weight in zip((mha.W_q, mha.W_k, mha.W_v, mha.W_o), w, strict=True):
            lin.weight.copy_(weight.T)  # nn.Linear computes x @ weight.T
        out, weights = mha(x, x, x)
    return out.numpy().astype(np.float64), weights.numpy().astype(np.float64)


def check_multi_head_attention(fn: Callable[..., Any]) -> None:
    """Check `fn(X, W_q, W_k, W_v, W_o, n_heads)` -> `(output, weights)`, in PyTorch.

    Shapes: X `(B, T, D)`, each W `(D, D)` used as `X @ W` -> output `(B, T, D)`,
    weights `(B, H, T, T)`. Compared with `helpers.MultiHeadAttention` (no biases).
    Cases: B=2, T=5, D=12 with 3 heads; the running sentence with 8 heads; one head.
    Used in 02_multi_head_attention.ipynb.
    """

    from helpers.text import feature_vectors

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "multi_head_attention")
        for seed, (b, t, d), h, note in [
            (4, (2, 5, 12), 3, "(B=2, T=5, D=12, 3 heads)"),
            (5, (1, 6, 512), 8, "(the running sentence, 8 heads)"),
            (6, (2, 5, 12), 1, "(one head)"),
        ]:
            x = feature_vectors(TOKENS, d)[None] if d == 512 else _tensor(seed, b, t, d)
            w = tuple(_tensor(seed + 10 * i, d, d) / math.sqrt(d) for i in range(1, 5))
            case = _Case(
                (x.clone(), *(m.clone() for m in w), h),
                f"{name}(X, W_q, W_k, W_v, W_o, {h})",
                note,
            )
            with torch.no_grad():
                output, weights = _pair(_call(fn, case), case, ("output", "weights"))
            want_out, want_w = _mha_reference(x, w, h)
            weights = _array(weights, f"the weights of {case.label}", (b, h, t, t))
            output = _array(output, f"the output of {case.label}", (b, t, d))
            if not np.allclose(weights.sum(axis=-1), 1.0, atol=1e-5):
                raise _NotYet(
                    f"the weights of {case.label} do not sum to 1 over the keys: apply the "
                    "softmax along the last axis, one row per query in each head."
                )
            if not _close(weights, want_w):
                dk = d // h
                q, k = (_split_reference(x @ m, h) for m in w[:2])  # (B, T, D) -> (B, H, T, Dk)
                scores = q @ np.swapaxes(k, -1, -2)  # (B, H, T, Dk) @ (B, H, Dk, T) -> (B, H, T, T)
                if h > 1 and _close(weights, _softmax(scores / math.sqrt(d))):
                    raise _NotYet(
                        f"the weights of {case.label} divide the scores by √d_model = "
                        f"√{d}; each head divides by √d_k = √{dk}, the width of its own q and k."
                    )
                if _close(weights, _softmax(scores)):
                    raise _NotYet(
                        f"the weights of {case.label} are softmax(q·kᵀ): divide the scores by "
                        f"√d_k = √{dk}."
                    )
                raise _NotYet(
                    f"the weights of {case.label}, head 0, query 0 should be "
                    f"{_fmt(want_w[0, 0, 0])}, got {_fmt(weights[0, 0, 0])}. Split Q and K "
                    "into heads with your split_heads, then softmax(Q·Kᵀ / √d_k) per head."
                )
            if _close(output, want_out):
                continue
            heads = want_w @ _split_reference(x @ w[2], h)  # (B, H, T, T) @ (B, H, T, Dk)
            concat = np.swapaxes(heads, 1, 2).reshape(b, t, d)  # (B, H, T, Dk) -> (B, T, D)
            if _close(output, concat):
                raise _NotYet(
                    f"the output of {case.label} is the concatenation of the heads: multiply "
                    "it by W_o at the end."
                )
            if h > 1 and _close(output, heads.reshape(b, t, d) @ w[3].numpy()):
                raise _NotYet(
                    f"the output of {case.label} concatenates the heads in the wrong order: "
                    "`.transpose(1, 2)` back to (B, T, H, Dk) before the reshape to (B, T, D)."
                )
            raise _NotYet(
                f"the weights of {case.label} are right, its output is not: weights @ V per "
                "head, then the heads side by side (B, T, D), then @ W_o."
            )
        return (
            "Right: your function equals helpers.MultiHeadAttention (and so "
            "torch.nn.MultiheadAttention) for 3, 8 and 1 heads."
        )

    _check(fn, "check_multi_head_attention", "multi_head_attention", verdict)


# --- ★★ a head built by hand ----------------------------------------------------------------------


def check_build_head(fn: Callable[..., Any]) -> None:
    """Check `fn(d_model, d_k, query_feature, key_feature, strength)` -> `(W_q, W_k)`.

    Shapes: W_q, W_k `(D, Dk)`, used as `X @ W` on `helpers.text.feature_vectors`. Right when the
    scaled score q_i·k_j / √d_k is `strength` if word i has `query_feature` and word j has
    `key_feature`, and 0 otherwise (the random dimensions of the vectors must not leak in).
    Cases: "verb" → "animal" (sat → cat) with d_k = 64, then "preposition" → "surface" with
    d_k = 16 and strength 3.
    Used in 02_multi_head_attention.ipynb.
    """

    from helpers.text import FEATURES, feature_vectors

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "build_head")
        d = 512
        x = feature_vectors(TOKENS, d).numpy().astype(np.float64)  # (T, D)
        for dk, qf, kf, strength in [
            (64, "verb", "animal", 5.0),
            (16, "preposition", "surface", 3.0),
        ]:
            case = _Case(
                (d, dk, qf, kf, strength), f'{name}({d}, {dk}, "{qf}", "{kf}", {strength:g})'
            )
            w_q, w_k = _pair(_call(fn, case), case, ("W_q", "W_k"))
            if _shape(w_q) == (dk, d):
                raise _NotYet(
                    f"W_q of {case.label} has shape (Dk, D) = {(dk, d)}: make it (D, Dk), so "
                    "that X @ W_q gives one query of width Dk per word."
                )
            w_q = _array(w_q, f"W_q of {case.label}", (d, dk))
            w_k = _array(w_k, f"W_k of {case.label}", (d, dk))
            scores = (x @ w_q) @ (x @ w_k).T / math.sqrt(dk)  # (T, Dk) @ (Dk, S) -> (T, S)
            fq, fk = x[:, FEATURES.index(qf)], x[:, FEATURES.index(kf)]  # (T,) each
            want = strength * np.outer(fq, fk)  # (T, S)
            if np.allclose(scores, want, atol=1e-3):
                continue
            if np.abs(w_q[len(FEATURES) :]).max() > 0 or np.abs(w_k[len(FEATURES) :]).max() > 0:
                raise _NotYet(
                    f"{case.label}: only the feature rows 0–{len(FEATURES) - 1} of W_q and W_k "
                    "may be nonzero; the other rows pick up the random part of the word vectors."
                )
            if np.allclose(scores * math.sqrt(dk), want, atol=1e-3):
                raise _NotYet(
                    f"{case.label}: the score is divided by √d_k = √{dk} after the dot product; "
                    "choose the number a in W_q and W_k so that a·a / √d_k = strength."
                )
            i, j = np.argwhere(want > 0)[0]  # the first pair that should match
            pair = f'"{TOKENS[i]}" → "{TOKENS[j]}"'
            if np.allclose(scores[want == 0], 0, atol=1e-3):
                raise _NotYet(
                    f"{case.label}: the right pairs are picked, but the score of {pair} is "
                    f"{scores[i, j]:.4f}, not {strength:g}."
                )
            raise _NotYet(
                f'{case.label}: W_q must read the feature "{qf}" (row {FEATURES.index(qf)}), '
                f'W_k the feature "{kf}" (row {FEATURES.index(kf)}); the score of {pair} should '
                f"be {strength:g}, got {scores[i, j]:.4f}."
            )
        w = _softmax(5.0 * np.outer(x[:, FEATURES.index("verb")], x[:, FEATURES.index("animal")]))
        sat, cat = TOKENS.index("sat"), TOKENS.index("cat")
        return (
            f'Right. Your head makes "sat" put {w[sat, cat]:.4f} of its attention on "cat": '
            "the verb finds who did it."
        )

    _check(fn, "check_build_head", "build_head", verdict)


# --- 04 feed-forward network, Add & Norm, the encoder: references ---------------------------------

NAN_HINT_LAYER_NORM = (
    "A row whose entries are all equal has variance 0: add eps to the variance inside the "
    "square root, np.sqrt(var + eps), so the division stays finite."
)


def _layer_norm(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float, axis: int = -1, ddof: int = 0
) -> np.ndarray:
    """(x − mean) / √(var + eps) · γ + β over `axis`, float64 (ddof=0: the biased variance)."""
    mean = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, keepdims=True, ddof=ddof)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


@lru_cache(maxsize=1)
def _encoder_input() -> np.ndarray:
    """Word vectors + positional encoding of "The cat sat on the mat.", as in notebook 04."""
    from helpers.positional import sinusoidal_positional_encoding

    x = word_vectors(TOKENS) + sinusoidal_positional_encoding(len(TOKENS), 512)  # (T, D)
    return x.numpy().astype(np.float64)


def _block_parameters(d_model: int, d_ff: int) -> dict[str, int]:
    """Parameters of one encoder block, by part: W_q, W_k, W_v, W_o with biases; W_1, W_2 with
    biases; γ and β of its two LayerNorms."""
    return {
        "attention": 4 * (d_model * d_model + d_model),
        "ffn": 2 * d_model * d_ff + d_ff + d_model,
        "layer_norm": 2 * 2 * d_model,
    }


# --- ★ LayerNorm by hand --------------------------------------------------------------------------


def check_layer_norm(fn: Callable[..., Any]) -> None:
    """Check `fn(x, gamma, beta, eps)` = LayerNorm of every row of x, in NumPy.

    Shapes: x `(T, D)`, gamma and beta `(D,)` -> `(T, D)`.
    Cases: the running sentence's encoder input (6 × 512, γ = 1, β = 0); 3 × 5 random rows with
    random γ and β; rows whose spread is tiny or zero (where eps matters).
    Used in 04_feed_forward_and_encoder.ipynb.
    """

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "layer_norm")
        rng = np.random.default_rng(4)
        x = _encoder_input()
        d = x.shape[1]
        small = rng.normal(size=(3, 5)) * 3 + 1
        flat = np.array([[2.0, 2.001, 1.999, 2.0], [5.0, 5.0, 5.0, 5.0]])  # std 7e-4, then 0
        cases = [
            _Case((x, np.ones(d), np.zeros(d), 1e-5), f"{name}(X, ones, zeros, 1e-5)"),
            _Case(
                (small, rng.normal(size=5), rng.normal(size=5), 1e-5),
                f"{name}(x, gamma, beta, 1e-5)",
                "(3 rows of 5, random γ and β)",
            ),
            _Case(
                (flat, np.full(4, 2.0), np.full(4, 0.5), 1e-5),
                f"{name}(x, gamma, beta, 1e-5)",
                "(a row of almost equal values, then a row of equal values)",
            ),
        ]
        for case in cases:
            xs, gamma, beta, eps = case.args
            got = _array(_call(fn, case), case.label, xs.shape, NAN_HINT_LAYER_NORM)
            want = _layer_norm(xs, gamma, beta, eps)
            if _close(got, want):
                continue
            if _close(got, _layer_norm(xs, gamma, beta, eps, axis=0)):
                raise _NotYet(
                    f"{case.label} normalises each feature over the tokens (axis 0), like "
                    "BatchNorm. LayerNorm normalises each token over its own features: axis=-1."
                )
            if _close(got, _layer_norm(xs, gamma, beta, eps, ddof=1)):
                raise _NotYet(
                    f"{case.label} uses the unbiased variance (divided by D − 1). LayerNorm "
                    "divides by D: np.var's default, ddof=0 (torch: unbiased=False)."
                )
            mean, std = xs.mean(axis=-1, keepdims=True), xs.std(axis=-1, keepdims=True)
            if _close(got, (xs - mean) / (std + eps) * gamma + beta):
                raise _NotYet(
                    f"{case.label}: eps goes inside the square root, (x − mean) / "
                    "np.sqrt(var + eps), not after it; it matters when a row barely varies."
                )
            if _close(got, _layer_norm(xs, 1.0, 0.0, eps)):
                raise _NotYet(
                    f"{case.label} normalises, but then multiply by gamma and add beta "
                    "(the learned scale γ and shift β)."
                )
            raise _NotYet(f"{case.label} gave {_fmt(got)}, expected {_fmt(want)}.")
        out = _layer_norm(x, 1.0, 0.0, 1e-5)
        return (
            f"Right. Each of the 6 tokens now has mean {abs(out.mean(axis=1)).max():.4f} and "
            f"standard deviation {out.std(axis=1).mean():.4f} over its {d} features, and a "
            "constant row stays finite. That is nn.LayerNorm."
        )

    _check(fn, "check_layer_norm", "layer_norm", verdict)


# --- ★ counting an encoder block's parameters -----------------------------------------------------


def check_encoder_parameters(fn: Callable[..., Any]) -> None:
    """Check `fn(d_model, d_ff)` = the number of parameters of one encoder block (an integer).

    Cases: the book's block (512, 2048), BERT-base's (768, 3072) and a small (64, 256).
    Used in 04_feed_forward_and_encoder.ipynb.
    """

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "encoder_parameters")
        for d, f in ((512, 2048), (768, 3072), (64, 256)):
            case = _Case((d, f), f"{name}({d}, {f})")
            got = _call(fn, case)
            if isinstance(got, torch.Tensor) and got.numel() == 1:
                got = got.item()
            if isinstance(got, bool) or not isinstance(got, int | float | np.integer | np.floating):
                raise _NotYet(f"{case.label} should return one number, got {type(got).__name__}")
            if not float(got).is_integer():
                raise _NotYet(f"{case.label} returned {got}: a count is a whole number.")
            got = int(got)
            parts = _block_parameters(d, f)
            want = sum(parts.values())
            if got == want:
                continue
            misses = {
                parts["layer_norm"]: "LayerNorm has parameters too: γ and β, d_model each, in "
                "both Add & Norm steps (4 · d_model).",
                parts["layer_norm"] // 2: "there are two Add & Norm steps, each with its own "
                "γ and β.",
                d * d + d: "four projections in attention: W_q, W_k, W_v and the output W_o.",
                4 * d + f + d: "count the biases: every nn.Linear has one (4 · d_model in "
                "attention, d_ff + d_model in the FFN).",
                4 * d + f + d + parts["layer_norm"]: "count the biases and the LayerNorms' γ "
                "and β, not only the weight matrices.",
                parts["attention"] + parts["layer_norm"]: "that is the FFN alone; add attention "
                "and the two LayerNorms.",
                parts["ffn"] + parts["layer_norm"]: "that is attention alone; add the FFN and "
                "the two LayerNorms.",
            }
            hint = misses.get(int(want - got))
            if hint is not None:
                raise _NotYet(f"{case.label} returned {got:,}, {want - got:,} short: {hint}")
            raise _NotYet(f"{case.label} returned {got:,}, expected {want:,}.")
        parts = _block_parameters(512, 2048)
        total = sum(parts.values())
        bert = 12 * sum(_block_parameters(768, 3072).values())
        return (
            f"Right: {total:,} parameters per block, {parts['ffn'] / total:.0%} of them in the "
            f"FFN and {parts['attention'] / total:.0%} in attention; 6 blocks hold {6 * total:,}, "
            f"and BERT-base's 12 blocks of (768, 3072) {bert:,}."
        )

    _check(fn, "check_encoder_parameters", "encoder_parameters", verdict)


# --- ★★ a pre-norm block from a post-norm block's parts ------------------------------------------


def _blocks_for_pre_norm() -> list[tuple[Any, torch.Tensor, str]]:
    """(post-norm block, x, call) pairs: the book's sizes, and a small block whose two LayerNorms
    have different γ and β (so that mixing them up shows)."""
    from helpers.blocks import EncoderBlock

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(4)
        big = EncoderBlock(512, 8, 2048).eval()
        small = EncoderBlock(16, 2, 32).eval()
        with torch.no_grad():
            for p in (*small.norm1.parameters(), *small.norm2.parameters()):
                p.add_(torch.randn(p.shape) * 0.5)
        x_small = torch.randn(2, 5, 16)
    x = torch.from_numpy(_encoder_input()).float()[None]  # (T, D) -> (1, T, D)
    return [
        (big, x, "(X, block)"),
        (small, x_small, "(x, block)"),
    ]


def check_pre_norm_block(fn: Callable[..., Any]) -> None:
    """Check `fn(x, block)`: the pre-norm version of a post-norm `EncoderBlock`, from its parts.

    Pre-norm: x = x + MHA(Norm1(x)); x = x + FFN(Norm2(x)). The reference is
    `EncoderBlock(..., norm_first=True)` with the block's weights.
    Shapes: x `(B, T, D)` -> `(B, T, D)`.
    Cases: the book's sizes on "The cat sat on the mat.", and a batch of 2 through a small block.
    Used in 04_feed_forward_and_encoder.ipynb.
    """

    def verdict(fn: Callable[..., Any]) -> str:
        from helpers.blocks import EncoderBlock

        name = _name(fn, "pre_norm_block")
        for block, x, args in _blocks_for_pre_norm():
            with torch.random.fork_rng(devices=[]), torch.no_grad():
                pre = EncoderBlock(
                    x.shape[-1], block.self_attn.n_heads, block.ffn.d_ff, norm_first=True
                )
                pre.load_state_dict(block.state_dict())
                want = pre.eval()(x).double().numpy()

                def attn(h: torch.Tensor, mha: Any = block.self_attn) -> torch.Tensor:
                    return mha(h, h, h)[0]

                first_half = (x + attn(block.norm1(x))).double().numpy()
                no_residual = block.ffn(block.norm2(attn(block.norm1(x)))).double().numpy()
                h = x + attn(block.norm2(x))
                swapped = (h + block.ffn(block.norm1(h))).double().numpy()
                post = block(x).double().numpy()
            case = _Case((x.clone(), block), f"{name}{args}")  # a copy: ours stays intact
            try:
                with torch.no_grad():
                    result = _call(fn, case)
            except _NotYet as e:
                if "tuple" not in str(e):
                    raise
                raise _NotYet(
                    f"{e}. block.self_attn(q, k, v) returns (output, weights): keep only the "
                    "output, `block.self_attn(h, h, h)[0]`."
                ) from None
            got = _array(result, case.label, tuple(x.shape))
            if _close(got, want):
                continue
            if _close(got, post):
                raise _NotYet(
                    f"{case.label} is the post-norm block, Norm(x + sublayer(x)). Pre-norm "
                    "normalises what goes into each sub-layer: x + sublayer(Norm(x))."
                )
            if _close(got, first_half):
                raise _NotYet(f"{case.label} stops after attention: then x = x + FFN(Norm2(x)).")
            if _close(got, no_residual):
                raise _NotYet(
                    f"{case.label} forgets the residual connections: add x back after each "
                    "sub-layer, x = x + sublayer(Norm(x))."
                )
            if _close(got, swapped):
                raise _NotYet(
                    f"{case.label} swaps the norms: block.norm1 goes before attention, "
                    "block.norm2 before the FFN."
                )
            raise _NotYet(
                f"{case.label} gave {_fmt(got[0, 0])} for the first token, expected "
                f"{_fmt(want[0, 0])}."
            )
        return (
            "Right: x + MHA(Norm1(x)), then x + FFN(Norm2(x)), the same numbers as "
            "EncoderBlock(norm_first=True) and nn.TransformerEncoderLayer(norm_first=True). "
            "The residual path now runs from input to output without a single LayerNorm on it."
        )

    _check(fn, "check_pre_norm_block", "pre_norm_block", verdict)


# --- 05 masked and cross-attention ---------------------------------------------------------------


def _as_numpy(result: Any) -> Any:
    return result.detach().cpu().numpy() if isinstance(result, torch.Tensor) else result


def _masked_softmax(scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """softmax over the allowed keys of each row; a row with none gets zeros."""
    z = np.where(mask, scores, -np.inf)
    top = np.where(mask.any(axis=-1, keepdims=True), z.max(axis=-1, keepdims=True), 0.0)
    e = np.where(mask, np.exp(z - top), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


# --- ★ the causal mask by hand --------------------------------------------------------------------


def check_causal_mask(fn: Callable[..., Any]) -> None:
    """Check `fn(n)` = the causal (look-ahead) mask: an (n, n) boolean array, True = may attend.

    Row t (the query at position t) is True in columns 0 … t. NumPy or torch are both accepted.
    Cases: n = 4 (the Korean sentence), 1 and 7.
    Used in 05_masked_and_cross_attention.ipynb.
    """

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "causal_mask_by_hand")
        for n in (4, 1, 7):
            case = _Case((n,), f"{name}({n})")
            got = np.asarray(_as_numpy(_call(fn, case)))
            if got.shape != (n, n):
                raise _NotYet(f"{case.label}: the shape is {got.shape}, expected {(n, n)}.")
            if got.dtype != bool:
                raise _NotYet(
                    f"{case.label} has dtype {got.dtype}; a mask is boolean (True = may attend). "
                    "A float mask of 0s and 1s is *added* to the scores by "
                    "F.scaled_dot_product_attention, which masks nothing: use dtype=bool."
                )
            want = np.tril(np.ones((n, n), dtype=bool))
            if np.array_equal(got, want):
                continue
            if np.array_equal(got, ~want):
                raise _NotYet(
                    f"{case.label} is inverted: True where the key lies in the future. That is "
                    "the True = blocked convention of nn.MultiheadAttention; ours (and "
                    "F.scaled_dot_product_attention's) is True = may attend."
                )
            if np.array_equal(got, np.tril(want, k=-1)):
                raise _NotYet(
                    f"{case.label} leaves out the diagonal: a position may attend to itself "
                    "(without it, position 0 has no key at all)."
                )
            if np.array_equal(got, want.T):
                raise _NotYet(
                    f"{case.label} is transposed: rows are queries, so row t is True in columns "
                    "0 … t (np.tril), and position 0 sees only itself."
                )
            if got.all():
                raise _NotYet(f"{case.label} allows everything: that is no mask at all.")
            raise _NotYet(f"{case.label} gave {got.astype(int).tolist()}, expected np.tril.")
        return (
            "Right: np.tril of ones, True on and below the diagonal, "
            "the same as helpers.causal_mask(n). Position t sees 0 … t, never t + 1."
        )

    _check(fn, "check_causal_mask", "causal_mask_by_hand", verdict)


# --- ★★ softmax over the allowed keys only --------------------------------------------------------


def _masked_softmax_cases(name: str) -> list[_Case]:
    rng = np.random.default_rng(5)
    causal = np.tril(np.ones((4, 4), dtype=bool))
    padded = np.ones((3, 5), dtype=bool)
    padded[:, 3:] = False  # two padding keys
    padded[2] = False  # and a query that may attend to nothing
    return [
        _Case((rng.normal(size=(4, 4)), causal), f"{name}(scores, causal)", "(4 × 4, causal)"),
        _Case(
            (rng.normal(size=(3, 5)) * 3, padded),
            f"{name}(scores, mask)",
            "(3 × 5: two padding keys, and a last row with no key at all)",
        ),
        _Case(
            (rng.normal(size=(4, 4)) * 1000, causal),
            f"{name}(scores * 1000, causal)",
            "(very large scores)",
        ),
    ]


def check_masked_softmax(fn: Callable[..., Any]) -> None:
    """Check `fn(scores, mask)`: the softmax of each row over its allowed keys (mask True).

    Blocked keys get weight exactly 0; a row with no allowed key gets all zeros (never NaN), as
    in `helpers.scaled_dot_product_attention`. NumPy arrays in, an array out.
    Shapes: scores `(T, S)` float, mask `(T, S)` bool -> weights `(T, S)`.
    Cases: a causal 4 × 4; a 3 × 5 padding mask whose last row is all False; scores × 1000.
    Used in 05_masked_and_cross_attention.ipynb.
    """

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "masked_softmax")
        for case in _masked_softmax_cases(name):
            scores, mask = case.args
            got = np.asarray(_as_numpy(_call(fn, case)), dtype=np.float64)
            if got.shape != scores.shape:
                raise _NotYet(f"{case.label}: the shape is {got.shape}, expected {scores.shape}.")
            empty = ~mask.any(axis=-1)
            if np.isnan(got[empty]).any() and np.isfinite(got[~empty]).all():
                raise _NotYet(
                    f"{case.label} gives NaN for the row with no allowed key: softmax(−∞, …, −∞) "
                    "is 0 / 0. Give such a row zeros: it attends to nothing."
                )
            if not np.isfinite(got).all():
                raise _NotYet(f"{case.label}: found nan or inf. {OVERFLOW_HINT_ROWS}")
            want = _masked_softmax(scores, mask)
            if _close(got, want):
                continue
            if _close(got, _masked_softmax(scores, ~mask)):
                raise _NotYet(
                    f"{case.label} keeps the blocked keys and drops the allowed ones: True = may "
                    "attend. Set the scores where the mask is False to −∞."
                )
            if _close(got, _softmax(np.where(mask, scores, 0.0))):
                raise _NotYet(
                    f"{case.label} sets the blocked scores to 0, but exp(0) = 1: they still get "
                    "weight. Set them to −∞ (np.where(mask, scores, -np.inf)): exp(−∞) = 0."
                )
            if _close(got, _softmax(scores) * mask):
                raise _NotYet(
                    f"{case.label} zeroes the blocked weights after the softmax, so the rows no "
                    "longer sum to 1. Mask the scores before the softmax."
                )
            if _close(got, _softmax(scores)):
                raise _NotYet(f"{case.label} ignores the mask.")
            if empty.any() and _close(got[~empty], want[~empty]):
                raise _NotYet(
                    f"{case.label} is right except for the row with no allowed key: it attends "
                    f"to nothing, so its weights are all 0, not {_fmt(got[empty][0])}. (A large "
                    "negative number instead of −∞ spreads such a row evenly.)"
                )
            if (got[~mask] != 0).any():
                raise _NotYet(f"{case.label}: the blocked weights must be exactly 0.")
            raise _NotYet(f"{case.label} gave {_fmt(got)}, expected {_fmt(want)}.")
        return (
            "Right: blocked keys get exactly 0, each row sums to 1 over its allowed keys, and a "
            "row with no key at all stays 0 instead of NaN."
        )

    _check(fn, "check_masked_softmax", "masked_softmax", verdict)


# --- ★ cross-attention from the decoder to the encoder --------------------------------------------


def check_cross_attention(fn: Callable[..., Any]) -> None:
    """Check `fn(Y, X, W_q, W_k, W_v)` -> `(output, weights)`: the queries from the decoder's Y,
    the keys and values from the encoder's X, scaled by √d_k. NumPy in, NumPy (or torch) out.

    Shapes: Y `(T, D)`, X `(S, D)`, each W `(D, Dk)` -> output `(T, Dk)`, weights `(T, S)`.
    Cases: the Korean sentence (T = 4) against the English one (S = 6) with `bilingual_vectors`
    and `toy_projections`; 2 random decoder words against 5 encoder words (D = 8, Dk = 4).
    Used in 05_masked_and_cross_attention.ipynb.
    """
    from helpers.text import KOREAN_TOKENS, bilingual_vectors

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "cross_attention")
        y = bilingual_vectors(KOREAN_TOKENS).double().numpy()  # (T, D)
        x = bilingual_vectors(TOKENS).double().numpy()  # (S, D)
        ws = tuple(w.double().numpy() for w in toy_projections())  # 3 × (D, Dk)
        rng = np.random.default_rng(11)
        small = (rng.normal(size=(2, 8)), rng.normal(size=(5, 8)))
        small_ws = tuple(rng.normal(size=(8, 4)) for _ in range(3))
        cases = [
            _Case((y, x, *ws), f"{name}(Y, X, W_q, W_k, W_v)", "(Korean → English)"),
            _Case((*small, *small_ws), f"{name}(Y, X, W_q, W_k, W_v)", "(T = 2, S = 5)"),
        ]
        for case in cases:
            y1, x1, w_q, w_k, w_v = case.args
            t, s, dk = y1.shape[0], x1.shape[0], w_q.shape[1]
            output, weights = _pair(_call(fn, case), case, ("output", "weights"))
            output, weights = _as_numpy(output), _as_numpy(weights)
            if _shape(weights) == (s, t):
                swapped = _attention(x1 @ w_q, y1 @ w_k, y1 @ w_v)[1]
                if _close(np.asarray(weights, dtype=float), swapped):
                    raise _NotYet(
                        f"{case.label} takes the queries from X: in cross-attention the "
                        "decoder asks (Q = Y @ W_q) and the encoder answers (K = X @ W_k, "
                        "V = X @ W_v), so the weights are (T, S)."
                    )
            output = _array(output, f"the output of {case.label}", (t, dk), OVERFLOW_HINT_ROWS)
            weights = _array(weights, f"the weights of {case.label}", (t, s), OVERFLOW_HINT_ROWS)
            q, k, v = y1 @ w_q, x1 @ w_k, x1 @ w_v  # (T, Dk), (S, Dk), (S, Dk)
            want_output, want_weights = _attention(q, k, v)
            if not _close(weights, want_weights):
                raise _NotYet(_diagnose_weights(weights, q, k, f"the weights of {case.label}"))
            if not _close(output, want_output):
                raise _NotYet(
                    f"the weights of {case.label} are right, its output is not: the values come "
                    "from the encoder, `weights @ (X @ W_v)`."
                )
        return (
            "Right: 4 Korean queries against 6 English keys give a (4, 6) matrix and a (4, 64) "
            "output, one row per decoder word: T ≠ S, and that is fine."
        )

    _check(fn, "check_cross_attention", "cross_attention", verdict)


# --- 06 the decoder's output: references ----------------------------------------------------------


def _top_k_distribution(logits: np.ndarray, temperature: float, k: int) -> np.ndarray:
    """softmax(logits / T) over the k largest logits (ties with the k-th kept), float64."""
    scaled = logits / temperature
    kth = np.sort(scaled)[-k]
    return _softmax(np.where(scaled >= kth, scaled, -np.inf))


@lru_cache(maxsize=1)
def _demo_output_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The demo Transformer's last hidden state at step 1, and its output layer (float64)."""
    from helpers.text import BOS_ID, SENTENCE, SOURCE_VOCAB
    from helpers.transformer import demo_transformer

    model = demo_transformer()
    src = SOURCE_VOCAB.encode(SENTENCE)  # (1, S)
    with torch.no_grad():
        hidden = model.decode(torch.tensor([[BOS_ID]]), model.encode(src), src)[0, -1]  # (D,)
    w_out = model.out.weight.detach().T  # (D, V)
    b_out = model.out.bias.detach()  # (V,)
    return tuple(t.numpy().astype(np.float64) for t in (hidden, w_out, b_out))


# --- ★ the output layer: dense, softmax, the most likely word -----------------------------------


def check_output_layer(fn: Callable[..., Any]) -> None:
    """Check `fn(hidden, W_out, b_out)` -> `(probs, token_id)`: the decoder's output processing.

    probs = softmax(hidden @ W_out + b_out), token_id = the index of the largest probability.
    Shapes: hidden `(D,)`, W_out `(D, V)`, b_out `(V,)` -> probs `(V,)`, token_id an int.
    Cases: the demo Transformer's first step (D = 64, V = 11), and a layer whose scores are
    near 1000 (np.exp overflows unless the largest score is subtracted first).
    Used in 06_decoder_and_transformer.ipynb.
    """

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "output_layer")
        hidden, w_out, b_out = _demo_output_case()
        rng = np.random.default_rng(6)
        big = (rng.normal(size=4), rng.normal(size=(4, 5)), np.full(5, 1000.0))
        cases = [(hidden, w_out, b_out, "(hidden, W_out, b_out)"), (*big, "(h, W, b + 1000)")]
        for h, w, b, args in cases:
            case = _Case((h, w, b), f"{name}{args}")
            probs, token = _pair(_call(fn, case), case, ("probs", "token_id"))
            probs = _array(probs, f"the probs of {case.label}", b.shape)
            want = _softmax(h @ w + b)
            if not _close(probs, want):
                if _close(probs, _softmax(h @ w)):
                    raise _NotYet(f"{case.label}: add the bias b_out to the scores.")
                if _close(probs, h @ w + b):
                    raise _NotYet(
                        f"{case.label} returned the scores (logits): apply the softmax to them."
                    )
                if not np.isclose(probs.sum(), 1.0, atol=1e-6):
                    raise _NotYet(f"the probs of {case.label} sum to {probs.sum():.4f}, not 1.")
                raise _NotYet(f"{case.label} gave probs {_fmt(probs)}, expected {_fmt(want)}.")
            if isinstance(token, torch.Tensor | np.ndarray) and np.asarray(token).size == 1:
                token = np.asarray(token).item()  # a 0-d tensor or array holds one id: fine
            if isinstance(token, bool) or not isinstance(token, int | np.integer):
                raise _NotYet(
                    f"the token_id of {case.label} should be one integer (an index into the "
                    f"vocabulary), got {type(token).__name__}"
                )
            if int(token) != int(want.argmax()):
                if int(token) == int(want.argmin()):
                    raise _NotYet(f"{case.label} picked the least likely token: use argmax.")
                raise _NotYet(
                    f"{case.label} picked token {int(token)}; the most likely is "
                    f"{int(want.argmax())} (p = {want.max():.4f})."
                )
        from helpers.text import TARGET_VOCAB

        best = int(_softmax(hidden @ w_out + b_out).argmax())
        return (
            f"Right: 64 numbers -> 11 scores -> 11 probabilities -> one word. The untrained "
            f"model's first word is {TARGET_VOCAB.tokens[best]!r} at p = "
            f"{_softmax(hidden @ w_out + b_out).max():.4f}: a random guess (uniform would be "
            f"1/11 = {1 / 11:.4f}), right only by luck."
        )

    _check(fn, "check_output_layer", "output_layer", verdict)


# --- ★ the parameters of the whole Transformer ----------------------------------------------------


def _transformer_total(d_model: int, d_ff: int, n_layers: int, vocab_size: int, tied: bool) -> int:
    from helpers.transformer import Transformer

    with torch.device("meta"):  # sizes only: no memory, no initialisation
        model = Transformer(
            vocab_size, vocab_size, d_model, 1, d_ff, n_layers, pad_id=None, tie_embeddings=tied
        )
    return model.parameter_counts()["total"]


def check_transformer_parameters(fn: Callable[..., Any]) -> None:
    """Check `fn(d_model, d_ff, n_layers, vocab_size, tied)`: the parameters of the whole
    encoder–decoder (post-norm, no final LayerNorms, biases included), one vocabulary for source
    and target; `tied`: one matrix for both embeddings and the output layer.

    Cases: the paper's base model (512, 2048, 6, 37000) tied and untied, and a small one.
    Used in 06_decoder_and_transformer.ipynb.
    """

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "transformer_parameters")
        for d, f, n, v, tied in (
            (512, 2048, 6, 37000, True),
            (512, 2048, 6, 37000, False),
            (64, 256, 2, 11, False),
        ):
            case = _Case((d, f, n, v, tied), f"{name}({d}, {f}, {n}, {v}, tied={tied})")
            got = _call(fn, case)
            if isinstance(got, torch.Tensor) and got.numel() == 1:
                got = got.item()
            if isinstance(got, bool) or not isinstance(got, int | float | np.integer | np.floating):
                raise _NotYet(f"{case.label} should return one number, got {type(got).__name__}")
            if not float(got).is_integer():
                raise _NotYet(f"{case.label} returned {got}: a count is a whole number.")
            got, want = int(got), _transformer_total(d, f, n, v, tied)
            if got == want:
                continue
            attention, norm = 4 * (d * d + d), 2 * d
            misses = {
                v: "the output layer has a bias too: one per vocabulary word.",
                n * attention: "each decoder block has two attentions: masked self-attention "
                "and cross-attention.",
                n * norm: "a decoder block has three Add & Norm steps, so three LayerNorms.",
                5 * n * norm: "count the LayerNorms: γ and β (d_model each), two per encoder "
                "block and three per decoder block.",
                -v * d: "tied: one embedding matrix serves the source, the target and the "
                "output layer; count it once.",
                -2 * v * d: "tied: one embedding matrix serves the source, the target and the "
                "output layer; count it once.",
                v * d: "untied: the source embedding, the target embedding and the output "
                "layer are three matrices of vocab_size × d_model.",
            }
            hint = misses.get(want - got)
            if hint is not None:
                gap = f"{want - got:,} short" if want > got else f"{got - want:,} too many"
                raise _NotYet(f"{case.label} returned {got:,}, {gap}: {hint}")
            raise _NotYet(f"{case.label} returned {got:,}, expected {want:,}.")
        tied, untied = (_transformer_total(512, 2048, 6, 37000, t) for t in (True, False))
        return (
            f"Right: the base model holds {tied:,} parameters tied and {untied:,} untied; only "
            "the tied count comes near the paper's 65 M (its §3.4 shares the matrix)."
        )

    _check(fn, "check_transformer_parameters", "transformer_parameters", verdict)


# --- ★★ temperature and top-k ---------------------------------------------------------------------


def check_top_k_distribution(fn: Callable[..., Any]) -> None:
    """Check `fn(logits, temperature, k)` = softmax(logits / temperature) over the k largest
    logits, 0 elsewhere, in NumPy.

    Shapes: logits `(V,)` -> `(V,)`.
    Cases: the demo Transformer's first logits (V = 11) at (T, k) = (1, 11), (0.5, 3), (2, 1),
    (1.5, 4); and logits near 1000 (np.exp overflows unless the largest is subtracted).
    Used in 06_decoder_and_transformer.ipynb.
    """

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "top_k_distribution")
        hidden, w_out, b_out = _demo_output_case()
        logits = hidden @ w_out + b_out  # (V,)
        big = np.array([1000.0, 1003.0, 1001.0, 998.0, 1002.0])
        cases = [
            (logits, 1.0, 11, "logits"),
            (logits, 0.5, 3, "logits"),
            (logits, 2.0, 1, "logits"),
            (logits, 1.5, 4, "logits"),
            (big, 1.0, 2, "np.array([1000.0, 1003.0, 1001.0, 998.0, 1002.0])"),
        ]
        for scores, t, k, label in cases:
            case = _Case((scores, t, k), f"{name}({label}, {t:g}, {k})")
            got = _array(_call(fn, case), case.label, scores.shape)
            want = _top_k_distribution(scores, t, k)
            if _close(got, want):
                continue
            kept = want > 0
            if np.count_nonzero(got) == len(scores) and k < len(scores):
                if _close(got, _softmax(scores / t)):
                    raise _NotYet(
                        f"{case.label} keeps every token: set all but the {k} largest "
                        "logits to -inf before the softmax."
                    )
            if _close(got, np.where(kept, _softmax(scores / t), 0.0)):
                raise _NotYet(
                    f"{case.label} sums to {got.sum():.4f}: after dropping the other tokens, "
                    "renormalise (or take the softmax over the k kept logits only)."
                )
            if _close(got, _top_k_distribution(scores * t, 1.0, k)):
                raise _NotYet(
                    f"{case.label} multiplies the logits by the temperature; divide them by it."
                )
            if np.count_nonzero(got) == k and not np.array_equal(got > 0, kept):
                raise _NotYet(f"{case.label} keeps the wrong tokens: keep the {k} largest logits.")
            if _close(got, _top_k_distribution(scores, 1.0, k)) and t != 1.0:
                raise _NotYet(f"{case.label} ignores the temperature: divide the logits by it.")
            raise _NotYet(f"{case.label} gave {_fmt(got)}, expected {_fmt(want)}.")
        sharp = _top_k_distribution(logits, 0.5, 11).max()
        flat = _top_k_distribution(logits, 2.0, 11).max()
        return (
            f"Right. The untrained model's largest probability is {sharp:.4f} at T = 0.5 and "
            f"{flat:.4f} at T = 2; with k = 1 sampling is greedy decoding."
        )

    _check(fn, "check_top_k_distribution", "top_k_distribution", verdict)


# --- 08 a real BERT: references -------------------------------------------------------------------


@lru_cache(maxsize=1)
def _bert() -> tuple[Any, Any]:
    """The real BERT and its tokeniser, loaded once for every checker below."""
    from helpers.bert import load_bert, load_tokenizer

    return load_bert(), load_tokenizer()


# --- ★ WordPiece, greedy longest-match-first ------------------------------------------------------


def check_wordpiece(fn: Callable[..., Any]) -> None:
    """Check `fn(word, vocab)` = the WordPiece pieces of one lower-case word, as a list of str.

    `vocab` is a set of pieces; continuation pieces start with "##"; a word that cannot be cut
    entirely is ["[UNK]"]. Cases: a tiny vocabulary where the shortest match goes wrong, and the
    real vocabulary of all-MiniLM-L6-v2.
    Used in 08_real_bert.ipynb.
    """
    from helpers.bert import SPECIAL_TOKENS, WordPiece

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "wordpiece")
        tiny = {"un", "una", "unaff", "##aff", "##able", "##a", "##ble", "a"}
        real = set(_bert()[1].vocab)
        cases = [
            (_Case(("unaffable", tiny), f'{name}("unaffable", tiny)', "(a tiny vocabulary)"), tiny),
            (_Case(("unbelievably", real), f'{name}("unbelievably", vocab)'), real),
            (_Case(("transformer", real), f'{name}("transformer", vocab)'), real),
            (_Case(("unx", tiny), f'{name}("unx", tiny)', '("x" is in no piece)'), tiny),
        ]
        for case, vocab in cases:
            word = case.args[0]
            want = WordPiece([*SPECIAL_TOKENS, *sorted(vocab)]).wordpiece(word)
            got = _call(fn, case)
            if not isinstance(got, list | tuple) or not all(isinstance(p, str) for p in got):
                raise _NotYet(f"{case.label} should return a list of strings, got {got!r}")
            got = list(got)
            if got == want:
                continue
            if "[UNK]" in got and got != ["[UNK]"]:
                raise _NotYet(
                    f"{case.label} gave {got}: when one part cannot be matched, BERT gives up on "
                    'the whole word, which becomes ["[UNK]"].'
                )
            if len(got) > 1 and not any(p.startswith("##") for p in got):
                raise _NotYet(
                    f"{case.label} gave {got}: a piece that continues a word is written with "
                    '"##" in front ("##able"), so look up "##" + the rest.'
                )
            if got and len(got) > len(want):
                raise _NotYet(
                    f"{case.label} gave {got}, expected {want}: take the LONGEST piece first "
                    "(start from the whole rest of the word and shorten it until it is a piece)."
                )
            raise _NotYet(f"{case.label} gave {got}, expected {want}.")
        return (
            "Right: greedy longest-match-first, as BERT's tokenizer does. "
            '"unbelievably" -> un ##bel ##ie ##va ##bly: five pieces, each in the 30,522-piece '
            "vocabulary."
        )

    _check(fn, "check_wordpiece", "wordpiece", verdict)


# --- ★ mean pooling ---------------------------------------------------------------------------


def check_mean_pool(fn: Callable[..., Any]) -> None:
    """Check `fn(hidden, lengths)` = the normalised mean of each sentence's real token vectors.

    Shapes: hidden `(B, T, D)` (a padded batch), lengths `(B,)` -> `(B, D)`, each row of length 1.
    Cases: a batch of 3 with padding, and one sentence without.
    Used in 08_real_bert.ipynb.
    """
    from helpers.bert import mean_pool

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "mean_pool")
        hidden = _tensor(8, 3, 5, 6)
        hidden[1, 3:] = 9.0  # padding: large, so that counting it shows
        hidden[2, 1:] = -9.0
        cases = [(hidden, [5, 3, 1], "(3 sentences of 5, 3 and 1 tokens)"), (hidden[:1], [5], "")]
        for h, lengths, note in cases:
            case = _Case((h.clone(), list(lengths)), f"{name}(hidden, {lengths})", note)
            got = _array(_call(fn, case), case.label, (h.shape[0], h.shape[2]))
            want = mean_pool(h, lengths).double().numpy()
            if _close(got, want):
                continue
            everything = torch.nn.functional.normalize(h.mean(dim=1), dim=-1).double().numpy()
            if _close(got, everything):
                raise _NotYet(
                    f"{case.label} averages the padding too: average only the first "
                    "lengths[b] vectors of sentence b (a mask of the real tokens)."
                )
            norms = np.linalg.norm(got, axis=-1)
            if not np.allclose(norms, 1.0, atol=1e-5):
                raise _NotYet(
                    f"{case.label}: the rows have lengths {_fmt(norms)}; divide each mean by "
                    "its norm, so that cosine similarity is a plain dot product."
                )
            raise _NotYet(f"{case.label} gave {_fmt(got[0])}, expected {_fmt(want[0])}.")
        return (
            "Right: the mean of the real tokens, scaled to length 1, exactly the pooling of "
            "all-MiniLM-L6-v2 (sentence-transformers' mean pooling + Normalize)."
        )

    _check(fn, "check_mean_pool", "mean_pool", verdict)


# --- ★★ BERT's input embeddings -------------------------------------------------------------


def check_bert_embeddings(fn: Callable[..., Any]) -> None:
    """Check `fn(ids, model)` = BERT's input vectors, from `model.embeddings`' tables by hand.

    LayerNorm(word[ids] + position[0 … T−1] + token_type[0]) with BERT's eps (1e-12).
    Shapes: ids `(T,)` -> `(T, D)`. Cases: "The cat sat on the mat." and a one-word text.
    Used in 08_real_bert.ipynb.
    """
    from helpers.text import SENTENCE

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "bert_embeddings")
        model, tokenizer = _bert()
        emb = model.embeddings
        for text in (SENTENCE, "Hello"):
            ids = tokenizer.encode(text).ids
            case = _Case((ids.clone(), model), f"{name}(ids, model)", f"(ids of {text!r})")
            with torch.no_grad():
                got = _array(_call(fn, case), case.label, (len(ids), model.config.d_model))
                want = emb(ids[None])[0].double().numpy()
                word, position = emb.word(ids), emb.position(torch.arange(len(ids)))
                types = emb.token_type.weight[0]
                norm = emb.norm
                wrong = {
                    "no_type": norm(word + position),
                    "no_norm": word + position + types,
                    "no_position": norm(word + types),
                    "eps": torch.nn.functional.layer_norm(
                        word + position + types,
                        (emb.word.embedding_dim,),
                        norm.weight,
                        norm.bias,
                        1e-5,
                    ),
                }
            if _close(got, want):
                continue
            hints = {
                "no_type": "add the token-type embedding too: model.embeddings.token_type"
                ".weight[0] (every token is in sentence A).",
                "no_norm": "then apply LayerNorm: model.embeddings.norm(...) (its γ, β and eps).",
                "no_position": "add the learned position embedding of positions 0 … T−1: "
                "model.embeddings.position(torch.arange(T)).",
                "eps": "LayerNorm's eps is BERT's 1e-12, not torch's default 1e-5: use "
                "model.embeddings.norm itself (or eps=model.config.eps).",
            }
            for key, value in wrong.items():
                if _close(got, value.double().numpy()):
                    raise _NotYet(f"{case.label}: {hints[key]}")
            raise _NotYet(f"{case.label} gave {_fmt(got[0])} for [CLS], expected {_fmt(want[0])}.")
        return (
            "Right: word + position + token type, then LayerNorm with eps 1e-12: the input of "
            "BERT's first block, equal to the reference's hidden state 0."
        )

    _check(fn, "check_bert_embeddings", "bert_embeddings", verdict)


# --- 07: ★ the sort task's target, ★ teacher forcing's shift, ★★ a model that sorts ---------------


def _token_list(result: Any, what: str) -> list[int]:
    if isinstance(result, torch.Tensor):
        result = result.tolist()
    if not isinstance(result, list | tuple) or not all(
        isinstance(t, int) and not isinstance(t, bool) for t in result
    ):
        raise _NotYet(f"{what} should be a list of token ids (ints), got {result!r}")
    return list(result)


def check_sort_target(fn: Callable[..., Any]) -> None:
    """Check `fn(digits)` = the sort task's `tgt_out`: sorted digits as tokens (d + 3), `<eos>`.

    Used in 07_train_a_tiny_transformer.ipynb.
    """
    from helpers.reversal import DIGIT_OFFSET, EOS, batch_from_digits

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "sort_target")
        for digits in ([3, 1, 4, 1, 5], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], [0, 0, 7, 0, 0]):
            case = _Case((list(digits),), f"{name}({digits})")
            got = _token_list(_call(fn, case), case.label)
            want = batch_from_digits([digits], "sort").tgt_out[0].tolist()
            if got == want:
                continue
            ascending = sorted(digits)
            if got == ascending + [EOS] or got == ascending:
                raise _NotYet(
                    f"{case.label} gave {got}: those are digits, not tokens. Token of digit d "
                    f"is d + {DIGIT_OFFSET} (0, 1, 2 are <pad>, <bos>, <eos>)."
                )
            if got == want[:-1]:
                raise _NotYet(f"{case.label} gave {got}: end it with the <eos> token ({EOS}).")
            if got == [d + DIGIT_OFFSET for d in sorted(digits, reverse=True)] + [EOS]:
                raise _NotYet(f"{case.label} is sorted from largest to smallest: sort upwards.")
            raise _NotYet(f"{case.label} should be {want}, got {got}.")
        return (
            "Right: the same source, only another target. The model and the training loop do "
            "not change at all; train it with `TrainConfig(task='sort')`."
        )

    _check(fn, "check_sort_target", "sort_target", verdict)


def check_shift_right(fn: Callable[..., Any]) -> None:
    """Check `fn(tgt_out)` = teacher forcing's decoder input `tgt_in` for a padded batch `(B, T)`:
    `<bos>`, then tgt_out without its last column, with `<eos>` replaced by `<pad>`.

    Used in 07_train_a_tiny_transformer.ipynb.
    """
    from helpers.reversal import BOS, EOS, PAD, batch_from_digits

    def verdict(fn: Callable[..., Any]) -> str:
        name = _name(fn, "shift_right")
        for rows in ([[3, 1, 4, 1, 5]], [[2, 7], [1, 8, 2, 8], [4, 5, 9]]):
            batch = batch_from_digits(rows)
            case = _Case((batch.tgt_out.clone(),), f"{name}(tgt_out)", f"(for {rows})")
            got = _call(fn, case)
            if not isinstance(got, torch.Tensor):
                raise _NotYet(f"{case.label} should return a tensor, got {type(got).__name__}")
            want = batch.tgt_in
            if got.shape != want.shape:
                raise _NotYet(
                    f"{case.label} has shape {tuple(got.shape)}, expected {tuple(want.shape)}: "
                    "put <bos> in front and drop the last column, so the length stays T."
                )
            if torch.equal(got, want):
                continue
            if bool((got[:, 0] != BOS).any()):
                raise _NotYet(f"{case.label}: every row must start with <bos> ({BOS}).")
            if bool((got == EOS).any()):
                raise _NotYet(
                    f"{case.label} still contains <eos> ({EOS}): the decoder never reads it "
                    f"(nothing comes after it), so it becomes <pad> ({PAD})."
                )
            raise _NotYet(f"{case.label} should be {want.tolist()}, got {got.tolist()}.")
        return (
            "Right: position t of the decoder reads the answer up to t - 1 and is scored on "
            "token t. All T positions learn in one pass, the causal mask keeps them honest."
        )

    _check(fn, "check_shift_right", "shift_right", verdict)


def check_sort_model(model: Any) -> None:
    """Check that `model` (a trained `helpers.Transformer`) sorts held-out digit sequences:
    ≥ 99 % exact-sequence accuracy on 500 sequences of 5–10 digits.

    Used in 07_train_a_tiny_transformer.ipynb.
    """
    from helpers.reversal import held_out_set
    from helpers.training import sequence_accuracy
    from helpers.transformer import Transformer

    if not isinstance(model, Transformer):
        got = "None" if model is None else f"a {type(model).__name__}"
        print(
            "Not yet: pass a trained model, e.g. "
            "`check_sort_model(train(TrainConfig(task='sort')).model)`; "
            f"check_sort_model got {got}."
        )
        return
    try:
        accuracy = sequence_accuracy(model, held_out_set(500, task="sort").batch)
    except Exception as e:
        print(f"Not yet: decoding with your model failed with {type(e).__name__}: {e}")
        return
    if accuracy >= 0.99:
        print(
            f"✓ {accuracy:.1%} of held-out sequences sorted exactly. Look at its cross-attention "
            "with `plot_attention_snapshots`: no anti-diagonal now. Which source digit does each "
            "step attend to?"
        )
    else:
        print(
            f"Not yet: {accuracy:.1%} of held-out sequences sorted exactly (the goal is 99 %). "
            "Sorting needs more than pointing at one position: try more steps."
        )
