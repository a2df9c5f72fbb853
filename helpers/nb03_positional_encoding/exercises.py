"""Exercises of 03_positional_encoding.ipynb, with their checkers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from helpers.checking import ATOL, RTOL, Case, NotYet, checker, close, fmt, fn_name, shape_of
from helpers.positional import offset_dot_product, shift_matrix, sinusoidal_positional_encoding

__all__ = ["check_dot_at_offset", "check_positional_encoding_halves", "check_shift_matrix"]


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


@checker("positional_encoding_halves")
def check_positional_encoding_halves(fn: Callable[..., Any]) -> str:
    """Check `fn(n_positions, d_model, base)` -> `(n_positions, d_model)`: all d/2 sines, then all
    d/2 cosines, of the angles pos / base^(2i/d) (the paper's numbers, columns in another order).

    Cases: six positions with d = 4; 50 positions with d = 512; base 100; d = 2.
    Used in 03_positional_encoding.ipynb.
    """
    name = fn_name(fn, "positional_encoding_halves")
    cases = [
        Case((6, 4, 10000.0), f"{name}(6, 4, 10000.0)", "(six positions, d = 4)"),
        Case((50, 512, 10000.0), f"{name}(50, 512, 10000.0)"),
        Case((10, 6, 100.0), f"{name}(10, 6, 100.0)", "(base 100)"),
        Case((3, 2, 10000.0), f"{name}(3, 2, 10000.0)", "(one sin/cos pair)"),
    ]
    for case in cases:
        n, d, base = case.args
        result = case.run(fn)
        if shape_of(result) == (d, n) and d != n:
            raise NotYet(
                f"{case.label} has shape {(d, n)}: one row per position, so the shape is "
                f"(n_positions, d_model) = {(n, d)}."
            )
        got = case.array(result, (n, d))
        want = _pe_halves(n, d, base)
        if close(got, want):
            continue
        if d > 2 and close(got, _interleaved(want)):
            raise NotYet(
                f"{case.label} is interleaved (sin, cos, sin, cos, …) like helpers; here all "
                "d/2 sines come first, then all d/2 cosines."
            )
        if close(got, np.roll(want, d // 2, axis=1)):
            raise NotYet(f"{case.label} puts the cosines first; the sines come first.")
        if close(got, _pe_halves(n, d, base, exponent=1)):
            raise NotYet(
                f"{case.label} divides by base^(i/d); the exponent is 2i/d (i counts the "
                "sin/cos pairs, 0 … d/2 − 1)."
            )
        if base != 10000.0 and close(got, _pe_halves(n, d, 10000.0)):
            raise NotYet(f"{case.label} ignores the base: use `base`, not 10000.")
        if close(got, _pe_halves(n + 1, d, base)[1:]):
            raise NotYet(f"{case.label} starts at position 1; positions start at 0.")
        raise NotYet(_first_difference(got, want, f"{case.label}: row", "column"))
    pe = sinusoidal_positional_encoding(6, 512).double().numpy()  # (P, D)
    halves = _pe_halves(6, 512, 10000.0)  # (P, D)
    return (
        "Right: the paper's numbers, with the columns in another order. Dot products do not "
        f"see the order: PE(0)·PE(5) = {halves[0] @ halves[5]:.4f} in both layouts "
        f"(helpers: {pe[0] @ pe[5]:.4f})."
    )


@checker("dot_at_offset")
def check_dot_at_offset(fn: Callable[..., Any]) -> str:
    """Check `fn(k, d_model, base)` = PE(pos) · PE(pos + k) = Σ_i cos(k / base^(2i/d)), one number.

    Cases: k = 0, 1, 5 and −3 with d = 512; k = 2 with d = 4 and base 100; k = 40 with d = 64.
    Used in 03_positional_encoding.ipynb.
    """

    def sum_cos(k: int, pairs: int, d: int, base: float, exponent: int = 2) -> float:
        i = np.arange(pairs, dtype=np.float64)
        return float(np.cos(k / base ** (exponent * i / d)).sum())

    name = fn_name(fn, "dot_at_offset")
    cases = [
        Case((0, 512, 10000.0), f"{name}(0, 512, 10000.0)", "(a position with itself)"),
        Case((1, 512, 10000.0), f"{name}(1, 512, 10000.0)"),
        Case((5, 512, 10000.0), f"{name}(5, 512, 10000.0)"),
        Case((-3, 512, 10000.0), f"{name}(-3, 512, 10000.0)", "(a negative offset)"),
        Case((2, 4, 100.0), f"{name}(2, 4, 100.0)", "(d = 4, base 100)"),
        Case((40, 64, 10000.0), f"{name}(40, 64, 10000.0)"),
    ]
    for case in cases:
        k, d, base = case.args
        got = float(case.array(case.run(fn), ()))
        want = offset_dot_product(k, d, base).item()
        if np.isclose(got, want, rtol=RTOL, atol=ATOL):
            continue
        if np.isclose(got * d / 2, want, rtol=RTOL, atol=ATOL):
            raise NotYet(
                f"{case.label} = {got:.4f} is the cosine similarity; the dot product is "
                f"d_model/2 = {d // 2} times larger (every |PE|² is d/2)."
            )
        if np.isclose(got, sum_cos(k, d, d, base), rtol=RTOL, atol=ATOL):
            raise NotYet(
                f"{case.label} sums over d = {d} terms; there are d/2 = {d // 2} sin/cos "
                "pairs, i = 0 … d/2 − 1."
            )
        if np.isclose(got, sum_cos(k, d // 2, d, base, exponent=1), rtol=RTOL, atol=ATOL):
            raise NotYet(f"{case.label} divides by base^(i/d); the exponent is 2i/d.")
        if k == 0:
            raise NotYet(
                f"{case.label} = {got:.4f}, but a position with itself gives |PE|² = d/2 = "
                f"{d // 2}: each pair adds sin² + cos² = 1, i.e. cos(0 · ω_i) = 1."
            )
        raise NotYet(
            f"{case.label} should be Σ_i cos(k · ω_i) = {want:.4f}, got {got:.4f}. Each pair "
            "adds sin(a)·sin(a + kω) + cos(a)·cos(a + kω) = cos(kω)."
        )
    near, far = (offset_dot_product(k, 512).item() for k in (1, 50))
    return (
        f"Right. For d = 512 the dot product is 256 at k = 0, {near:.4f} at k = 1 and "
        f"{far:.4f} at k = 50, whatever the position: it depends only on the offset."
    )


@checker("shift_matrix")
def check_shift_matrix(fn: Callable[..., Any]) -> str:
    """Check `fn(k, d_model, base)` -> M `(d_model, d_model)` with PE(pos + k) = M @ PE(pos).

    Cases: k = 1 with d = 4; k = 3 with d = 8 and base 100; k = −2 with d = 6; k = 0; k = 7 with
    d = 512.
    Used in 03_positional_encoding.ipynb.
    """
    name = fn_name(fn, "shift_matrix")
    cases = [
        Case((1, 4, 10000.0), f"{name}(1, 4, 10000.0)", "(one step, d = 4)"),
        Case((3, 8, 100.0), f"{name}(3, 8, 100.0)", "(base 100)"),
        Case((-2, 6, 10000.0), f"{name}(-2, 6, 10000.0)", "(two steps back)"),
        Case((0, 4, 10000.0), f"{name}(0, 4, 10000.0)", "(no step at all)"),
        Case((7, 512, 10000.0), f"{name}(7, 512, 10000.0)"),
    ]
    for case in cases:
        k, d, base = case.args
        got = case.array(case.run(fn), (d, d))
        want = shift_matrix(k, d, base).numpy()  # (D, D)
        if close(got, want):
            continue
        if k == 0:
            raise NotYet(f"{case.label} should be the identity: PE(pos + 0) = PE(pos).")
        if close(got, want.T):
            raise NotYet(
                f"{case.label} moves k steps backwards (it is M_(-k), the transpose): "
                "PE(pos + k, 2i) = cos(kω)·PE(pos, 2i) + sin(kω)·PE(pos, 2i+1), so the "
                "+sin sits above the diagonal."
            )
        pe = sinusoidal_positional_encoding(abs(k) + 1, d, base).double().numpy()  # (P, D)
        start, end = (pe[0], pe[k]) if k > 0 else (pe[-k], pe[0])
        raise NotYet(
            f"{case.label} @ PE({max(-k, 0)}) should be PE({max(k, 0)}) = {fmt(end)}, got "
            f"{fmt(got @ start)}. Pair i (dimensions 2i, 2i+1) is turned by the angle "
            "k·ω_i: [[cos, sin], [−sin, cos]]."
        )
    m = shift_matrix(1, 4).numpy()
    return (
        f"Right. M_1 for d = 4 turns pair 0 by 1 radian and pair 1 by 0.01 radian "
        f"(its diagonal: {fmt(np.diag(m))}); M·Mᵀ = I, a rotation, so |PE| never changes."
    )
