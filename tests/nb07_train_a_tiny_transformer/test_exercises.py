"""Notebook 07's exercise checkers: right answers pass, each mistake gets its hint. What every
checker made by helpers.checking.checker does with stubs, broken functions and None:
tests/project/test_checkers.py; check_sort_model, which takes a model, is tested here."""

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


def _tokens(digits):
    return [d + DIGIT_OFFSET for d in digits]


def _bos_then(first, t):
    return torch.cat([torch.full((t.shape[0], 1), first), t], dim=1)


def test_check_sort_model(said, monkeypatch):
    assert "pass a trained model" in said(check_sort_model, None)
    model = reverser.trained_model()  # it reverses, it does not sort
    assert "Not yet: " in said(check_sort_model, model)
    monkeypatch.setattr(exercises, "sequence_accuracy", lambda model, batch: 0.996)
    assert "✓ 99.6%" in said(check_sort_model, model)


# --- the tables of answers: tests/conftest.py runs the test above each table once per row ---------


def test_wrong_answers_get_their_hint(reply, hint):
    assert reply.startswith("Not yet: ") and hint in reply, reply


WRONG = {
    check_sort_target: [
        (lambda d: sorted(d) + [EOS], "not tokens"),
        (lambda d: _tokens(sorted(d)), "end it with the <eos>"),
        (lambda d: _tokens(sorted(d, reverse=True)) + [EOS], "largest to smallest"),
        (lambda d: _tokens(reversed(d)) + [EOS], "should be"),
        (lambda d: "abc", "list of token ids"),
    ],
    check_shift_right: [
        (lambda t: _bos_then(BOS, t), "drop the last"),
        (lambda t: _bos_then(BOS, t[:, :-1]), "<eos>"),
        (lambda t: _bos_then(PAD, t[:, :-1]), "<bos>"),
        (lambda t: t.tolist(), "should return a tensor"),
    ],
}


def test_right_answers_pass(reply):
    assert reply.startswith("✓ Right")


RIGHT = {check_sort_target: [sort_target], check_shift_right: [shift_right]}
