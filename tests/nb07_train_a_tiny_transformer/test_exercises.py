"""Notebook 07's exercise checkers: right answers pass, stubs and mistakes get one hint line."""

import pytest
import torch

from helpers.nb07_train_a_tiny_transformer import exercises, reverser
from helpers.nb07_train_a_tiny_transformer.exercises import (
    check_shift_right,
    check_sort_model,
    check_sort_target,
)
from helpers.nb07_train_a_tiny_transformer.reversal import BOS, DIGIT_OFFSET, EOS, PAD


def sort_target(digits):
    return [d + DIGIT_OFFSET for d in sorted(digits)] + [EOS]


def shift_right(tgt_out):
    bos = torch.full((tgt_out.shape[0], 1), BOS)
    tgt_in = torch.cat([bos, tgt_out[:, :-1]], dim=1)
    return tgt_in.masked_fill(tgt_in == EOS, PAD)


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (sort_target, "✓ Right"),
        (lambda d: None, "returned None"),
        (None, "pass your function itself"),
        (lambda d: sorted(d) + [EOS], "not tokens"),
        (lambda d: [x + 3 for x in sorted(d)], "end it with the <eos>"),
        (lambda d: [x + 3 for x in sorted(d, reverse=True)] + [EOS], "largest to smallest"),
        (lambda d: [x + 3 for x in reversed(d)] + [EOS], "should be"),
        (lambda d: "abc", "list of token ids"),
        (lambda d: 1 / 0, "raised ZeroDivisionError"),
    ],
)
def test_check_sort_target(said, fn, expected):
    assert expected in said(check_sort_target, fn)


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (shift_right, "✓ Right"),
        (lambda t: None, "returned None"),
        (lambda t: torch.cat([torch.full((t.shape[0], 1), BOS), t], dim=1), "drop the last"),
        (lambda t: torch.cat([torch.full((t.shape[0], 1), BOS), t[:, :-1]], dim=1), "<eos>"),
        (lambda t: torch.cat([torch.full((t.shape[0], 1), PAD), t[:, :-1]], dim=1), "<bos>"),
        (lambda t: t.tolist(), "should return a tensor"),
    ],
)
def test_check_shift_right(said, fn, expected):
    assert expected in said(check_shift_right, fn)


def test_check_sort_model(said, monkeypatch):
    assert "pass a trained model" in said(check_sort_model, None)
    model = reverser.trained_model()  # it reverses, it does not sort
    assert "Not yet: " in said(check_sort_model, model)
    monkeypatch.setattr(exercises, "sequence_accuracy", lambda model, batch: 0.996)
    assert "✓ 99.6%" in said(check_sort_model, model)
