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
    "checker",
    "close",
    "fmt",
    "fn_name",
    "mistake",
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


def close(got: np.ndarray, want: np.ndarray) -> bool:
    return bool(np.allclose(got, want, rtol=RTOL, atol=ATOL))


def mistake(got: np.ndarray, hints: list[tuple[np.ndarray, str]]) -> None:
    """Raise NotYet with the hint of the first known mistake that `got` equals (`close`).

    `hints`: (what the mistake returns, its hint), the likeliest first.
    """
    for wrong, hint in hints:
        if close(got, wrong):
            raise NotYet(hint)


@dataclass(frozen=True)
class Case:
    """One call of the learner's function, and the checks of what it returns.

    `case.run(fn)` calls it (a bug or a `None` becomes a hint), `case.outputs(fn, names)` also
    splits a returned pair, `case.array` and `case.count` read a result as numbers, and
    `case.wrong(got, want)` is the last-resort hint. Every message names the case by its `label`.
    """

    args: tuple[Any, ...]
    call: str  # how the learner would write the call, e.g. "attend_one(Q[2], K, V)"
    note: str = ""  # what is special about the case, e.g. '(the query "sat")'

    @property
    def label(self) -> str:
        return f"`{self.call}`" + (f" {self.note}" if self.note else "")

    def run(self, fn: Callable[..., Any]) -> Any:
        """fn(*args) on copies of the NumPy arguments (ours stay intact)."""
        args = [a.copy() if isinstance(a, np.ndarray) else a for a in self.args]
        try:
            result = fn(*args)
        except Exception as e:  # the learner's bug, reported as a hint
            raise NotYet(f"{self.label} raised {type(e).__name__}: {e}") from None
        if result is None or result is Ellipsis:
            raise NotYet(
                f"{self.label} returned {result!r}. Replace the `return None` of the stub with "
                "your code, run its cell, then run this check again."
            )
        return result

    def outputs(self, fn: Callable[..., Any], names: tuple[str, str]) -> tuple[Any, Any]:
        """The two things fn returns, named `names` in the hint when it returns something else."""
        result = self.run(fn)
        if not isinstance(result, tuple | list) or len(result) != 2:
            got = type(result).__name__ + (f" of length {len(result)}" if shape_of(result) else "")
            raise NotYet(
                f"{self.label} should return two things, `return {names[0]}, {names[1]}`; got {got}"
            )
        return result[0], result[1]

    def array(
        self,
        result: Any,
        shape: tuple[int, ...],
        part: str = "",
        overflow_hint: str = OVERFLOW_HINT,
    ) -> np.ndarray:
        """`result` (NumPy, torch or nested lists) as a finite float64 array of `shape`.

        `part` names what is read in the hints, e.g. "the weights" -> "the weights of `…`".
        """
        what = f"{part} of {self.label}" if part else self.label
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

    def count(self, result: Any) -> int:
        """`result` as a whole number (an int, a whole float or a one-element tensor)."""
        if isinstance(result, torch.Tensor) and result.numel() == 1:
            result = result.item()
        number = int | float | np.integer | np.floating
        if isinstance(result, bool) or not isinstance(result, number):
            raise NotYet(f"{self.label} should return one number, got {type(result).__name__}")
        if not float(result).is_integer():
            raise NotYet(f"{self.label} returned {result}: a count is a whole number.")
        return int(result)

    def wrong(self, got: Any, want: Any) -> NotYet:
        """The last-resort hint, to raise: what the case gave and what it should (rounded)."""
        return NotYet(f"{self.label} gave {fmt(got)}, expected {fmt(want)}.")


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
