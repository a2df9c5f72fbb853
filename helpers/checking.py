"""Exercise-checker plumbing: run the learner's function on known cases, compare, and say one
friendly line (✅ or ❌ with a hint). Each notebook's `exercises` module holds its checkers.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

__all__ = [
    "ATOL",
    "OVERFLOW_HINT",
    "RTOL",
    "Case",
    "NotYet",
    "as_array",
    "call",
    "checker",
    "close",
    "fmt",
    "fn_name",
    "pair",
    "shape_of",
]

Verdict = Callable[[Any], str]  # the learner's function -> what it got right (or NotYet)

OVERFLOW_HINT = (
    "np.exp overflowed. Subtract the largest score before np.exp: softmax does not change, "
    "and exp never sees a huge number."
)


RTOL = 1e-5


ATOL = 1e-5


class NotYet(Exception):
    """A wrong answer: the message is the hint shown to the learner."""


@dataclass(frozen=True)
class Case:
    args: tuple[Any, ...]
    call: str  # how the learner would write the call, e.g. "attend_one(Q[2], K, V)"
    note: str = ""  # what is special about the case, e.g. '(the query "sat")'

    @property
    def label(self) -> str:
        return f"`{self.call}`" + (f" {self.note}" if self.note else "")


def fmt(values: Any) -> str:
    """Rounded to 4 decimals whatever NumPy's print options: deterministic messages."""
    flat = np.asarray(values, dtype=float).ravel()
    shown = ", ".join(f"{x:.4f}" for x in flat[:6])
    return f"[{shown}{', …' if flat.size > 6 else ''}]"


def shape_of(x: Any) -> tuple[int, ...] | None:
    try:
        return np.shape(x)
    except Exception:  # a ragged list, an object NumPy cannot read
        return None


def call(fn: Callable[..., Any], case: Case) -> Any:
    args = [a.copy() if isinstance(a, np.ndarray) else a for a in case.args]  # keep ours intact
    try:
        result = fn(*args)
    except Exception as e:  # the learner's bug, reported as a hint
        raise NotYet(f"{case.label} raised {type(e).__name__}: {e}") from None
    if result is None or result is Ellipsis:
        raise NotYet(
            f"{case.label} returned {result!r}. Replace the `return None` of the stub with your "
            "code, run its cell, then run this check again."
        )
    return result


def as_array(
    result: Any, what: str, shape: tuple[int, ...], overflow_hint: str = OVERFLOW_HINT
) -> np.ndarray:
    if isinstance(result, torch.Tensor):
        result = result.detach().cpu().numpy()
    try:
        a = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        raise NotYet(
            f"{what} should be an array of numbers, got a {type(result).__name__}"
        ) from None
    if a.shape != shape:
        raise NotYet(f"{what}: the shape is {a.shape}, expected {shape}.")
    if not np.isfinite(a).all():
        raise NotYet(f"{what}: found nan or inf. {overflow_hint}")
    return a


def pair(result: Any, case: Case, names: tuple[str, str]) -> tuple[Any, Any]:
    if not isinstance(result, tuple | list) or len(result) != 2:
        got = type(result).__name__ + (f" of length {len(result)}" if shape_of(result) else "")
        raise NotYet(
            f"{case.label} should return two things, `return {names[0]}, {names[1]}`; got {got}"
        )
    return result[0], result[1]


def close(got: np.ndarray, want: np.ndarray) -> bool:
    return bool(np.allclose(got, want, rtol=RTOL, atol=ATOL))


def checker(example: str) -> Callable[[Verdict], Callable[[Any], None]]:
    """Make an exercise checker from a verdict: `verdict(fn)` returns what was right, or raises
    `NotYet` with a hint. The checker prints one line, "✓ …" or "Not yet: …", and never raises or
    warns (a learner's bug becomes a hint, not a traceback). `example` is the name of the
    learner's function, used when the checker is given something that is not a function.
    """

    def make(verdict: Verdict) -> Callable[[Any], None]:
        name = verdict.__name__

        @functools.wraps(verdict)
        def check(fn: Any) -> None:
            if fn is None or not callable(fn):
                got = "None" if fn is None else f"a value of type {type(fn).__name__}"
                print(
                    f"Not yet: pass your function itself, e.g. `{name}({example})` (its name, "
                    f"without parentheses); {name} got {got}."
                )
                return
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    message = "✓ " + verdict(fn)
            except NotYet as e:
                message = f"Not yet: {e}"
            except Exception as e:  # something the hints did not foresee: still no traceback
                message = f"Not yet: checking your function failed with {type(e).__name__}: {e}"
            print(message)

        check.__annotations__ = {"fn": "Any", "return": "None"}
        return check

    return make


def fn_name(fn: Callable[..., Any], default: str) -> str:
    name = getattr(fn, "__name__", default)
    return name if name.isidentifier() else default
