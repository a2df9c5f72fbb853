"""Notebook 08's exercise checkers: right answers pass, stubs and mistakes get one hint line."""

import pytest

from helpers.nb08_train_a_translator.exercises import (
    check_length_normalised,
    check_object_particle,
)
from helpers.nb08_train_a_translator.grammar import has_final_consonant


def object_particle(noun):
    return noun + ("을" if has_final_consonant(noun) else "를")


def length_normalised(log_prob, length, alpha):
    return log_prob / ((5 + length) / 6) ** alpha


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (object_particle, "✓ Right"),
        (lambda n: None, "returned None"),
        (None, "pass your function itself"),
        (lambda n: n + ("를" if has_final_consonant(n) else "을"), "the other way round"),
        (lambda n: "을" if has_final_consonant(n) else "를", "with its particle"),
        (lambda n: n + "를", "should be"),
        (lambda n: 3, "should return a string"),
    ],
)
def test_check_object_particle(said, fn, expected):
    assert expected in said(check_object_particle, fn)


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (length_normalised, "✓ Right"),
        (lambda lp, n, a: None, "returned None"),
        (lambda lp, n, a: lp / n, "plain average"),
        (lambda lp, n, a: lp * ((5 + n) / 6) ** a, "do not multiply"),
        (lambda lp, n, a: lp, "should be"),
        (lambda lp, n, a: "x", "should return a number"),
    ],
)
def test_check_length_normalised(said, fn, expected):
    assert expected in said(check_length_normalised, fn)
