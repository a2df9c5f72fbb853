"""Exercises of 07_train_a_tiny_transformer.ipynb, with their checkers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from helpers.checking import Case, NotYet, checker, fn_name
from helpers.nb07_train_a_tiny_transformer.reversal import (
    BOS,
    DIGIT_OFFSET,
    EOS,
    PAD,
    batch_from_digits,
    held_out_set,
)
from helpers.training import sequence_accuracy
from helpers.transformer import Transformer

__all__ = ["check_shift_right", "check_sort_model", "check_sort_target"]


def _token_list(result: Any, what: str) -> list[int]:
    if isinstance(result, torch.Tensor):
        result = result.tolist()
    if not isinstance(result, list | tuple) or not all(
        isinstance(t, int) and not isinstance(t, bool) for t in result
    ):
        raise NotYet(f"{what} should be a list of token ids (ints), got {result!r}")
    return list(result)


@checker("sort_target")
def check_sort_target(fn: Callable[..., Any]) -> str:
    """Check `fn(digits)` = the sort task's `tgt_out`: sorted digits as tokens (d + 3), `<eos>`.

    Used in 07_train_a_tiny_transformer.ipynb.
    """
    name = fn_name(fn, "sort_target")
    for digits in ([3, 1, 4, 1, 5], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], [0, 0, 7, 0, 0]):
        case = Case((list(digits),), f"{name}({digits})")
        got = _token_list(case.run(fn), case.label)
        want = batch_from_digits([digits], "sort").tgt_out[0].tolist()
        if got == want:
            continue
        ascending = sorted(digits)
        if got == ascending + [EOS] or got == ascending:
            raise NotYet(
                f"{case.label} gave {got}: those are digits, not tokens. Token of digit d "
                f"is d + {DIGIT_OFFSET} (0, 1, 2 are <pad>, <bos>, <eos>)."
            )
        if got == want[:-1]:
            raise NotYet(f"{case.label} gave {got}: end it with the <eos> token ({EOS}).")
        if got == [d + DIGIT_OFFSET for d in sorted(digits, reverse=True)] + [EOS]:
            raise NotYet(f"{case.label} is sorted from largest to smallest: sort upwards.")
        raise NotYet(f"{case.label} should be {want}, got {got}.")
    return (
        "Right: the same source, only another target. The model and the training loop do "
        "not change at all; train it with `TrainConfig(task='sort')`."
    )


@checker("shift_right")
def check_shift_right(fn: Callable[..., Any]) -> str:
    """Check `fn(tgt_out)` = teacher forcing's decoder input `tgt_in` for a padded batch `(B, T)`:
    `<bos>`, then tgt_out without its last column, with `<eos>` replaced by `<pad>`.

    Used in 07_train_a_tiny_transformer.ipynb.
    """
    name = fn_name(fn, "shift_right")
    for rows in ([[3, 1, 4, 1, 5]], [[2, 7], [1, 8, 2, 8], [4, 5, 9]]):
        batch = batch_from_digits(rows)
        case = Case((batch.tgt_out.clone(),), f"{name}(tgt_out)", f"(for {rows})")
        got = case.run(fn)
        if not isinstance(got, torch.Tensor):
            raise NotYet(f"{case.label} should return a tensor, got {type(got).__name__}")
        want = batch.tgt_in
        if got.shape != want.shape:
            raise NotYet(
                f"{case.label} has shape {tuple(got.shape)}, expected {tuple(want.shape)}: "
                "put <bos> in front and drop the last column, so the length stays T."
            )
        if torch.equal(got, want):
            continue
        if bool((got[:, 0] != BOS).any()):
            raise NotYet(f"{case.label}: every row must start with <bos> ({BOS}).")
        if bool((got == EOS).any()):
            raise NotYet(
                f"{case.label} still contains <eos> ({EOS}): the decoder never reads it "
                f"(nothing comes after it), so it becomes <pad> ({PAD})."
            )
        raise NotYet(f"{case.label} should be {want.tolist()}, got {got.tolist()}.")
    return (
        "Right: position t of the decoder reads the answer up to t - 1 and is scored on "
        "token t. All T positions learn in one pass, the causal mask keeps them honest."
    )


def check_sort_model(model: Any) -> None:
    """Check that `model` (a trained `helpers.Transformer`) sorts held-out digit sequences:
    ≥ 99 % exact-sequence accuracy on 500 sequences of 5–10 digits.

    Used in 07_train_a_tiny_transformer.ipynb.
    """

    if not isinstance(model, Transformer):
        got = "None" if model is None else f"a {type(model).__name__}"
        print(
            "Not yet: pass a trained model, e.g. "
            "`check_sort_model(reverser.train(TrainConfig(task='sort')).model)`; "
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
