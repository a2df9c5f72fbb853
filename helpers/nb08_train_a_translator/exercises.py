"""Exercises of 08_train_a_translator.ipynb, with their checkers."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from helpers.checking import Case, NotYet, checker, fn_name
from helpers.nb08_train_a_translator.grammar import has_final_consonant, object_form

__all__ = ["check_length_normalised", "check_object_particle"]


def _swapped(fn: Callable[..., Any], noun: str, got: str) -> bool:
    """True when `fn` gives each noun the other particle: after a final consonant and a vowel."""
    if got != noun + ("를" if has_final_consonant(noun) else "을"):
        return False
    other = "사과" if has_final_consonant(noun) else "빵"  # a noun of the other kind
    return fn(other) == other + ("를" if has_final_consonant(other) else "을")


@checker("object_particle")
def check_object_particle(fn: Callable[..., Any]) -> str:
    """Check `fn(noun)` = the noun with its object particle: 을 after a final consonant (받침),
    else 를 (빵을, 사과를). Used in 08_train_a_translator.ipynb."""
    name = fn_name(fn, "object_particle")
    for noun in ("빵", "사과", "공", "고양이", "책", "케이크", "곰", "모자"):
        case = Case((noun,), f'{name}("{noun}")')
        got, want = case.run(fn), object_form(noun)
        if got == want:
            continue
        if not isinstance(got, str):
            raise NotYet(f"{case.label} should return a string, got {type(got).__name__}")
        if got in ("을", "를"):
            raise NotYet(f"{case.label} gave {got!r}: return the noun with its particle, {want!r}.")
        if _swapped(fn, noun, got):
            raise NotYet(
                f"{case.label} gave {got!r}: the other way round. 을 follows a final consonant "
                "(빵 ends in ㅇ), 를 a vowel (사과 ends in ㅏ)."
            )
        raise NotYet(f"{case.label} should be {want!r}, got {got!r}.")
    return (
        "Right: the particle depends on the sound the noun ends with, so the model has to learn "
        "it per noun. One token per word (빵을, 사과를) lets it learn each form as a whole."
    )


def _lp(length: int, alpha: float) -> float:
    return ((5 + length) / 6) ** alpha


@checker("length_normalised")
def check_length_normalised(fn: Callable[..., Any]) -> str:
    """Check `fn(log_prob, length, alpha)` = log_prob / ((5 + length) / 6) ** alpha (GNMT's
    length penalty, as `helpers.beam.gnmt_length_penalty`). Used in 08_train_a_translator.ipynb."""
    name = fn_name(fn, "length_normalised")
    for log_prob, length, alpha in ((-2.0, 5, 1.0), (-3.5, 9, 0.6), (-1.2, 1, 0.8), (-4.0, 7, 0.0)):
        case = Case((log_prob, length, alpha), f"{name}({log_prob}, {length}, {alpha})")
        got = case.run(fn)
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise NotYet(f"{case.label} should return a number, got {got!r}") from None
        want = log_prob / _lp(length, alpha)
        if math.isclose(got, want, rel_tol=1e-6):
            continue
        if math.isclose(got, log_prob / length, rel_tol=1e-6):
            raise NotYet(
                f"{case.label} gave {got:.4f}: that is the plain average per token. "
                "Divide by ((5 + length) / 6) ** alpha instead."
            )
        if math.isclose(got, log_prob * _lp(length, alpha), rel_tol=1e-6):
            raise NotYet(
                f"{case.label} gave {got:.4f}: divide by the penalty, do not multiply "
                "(a longer hypothesis must be helped, not punished twice)."
            )
        raise NotYet(f"{case.label} should be {want:.4f}, got {got:.4f}.")
    return (
        "Right: α = 0 keeps the plain sum of log-probabilities (lp = 1), and a larger α helps "
        "longer hypotheses. `beam_search(..., length_penalty=α)` ranks with it."
    )
