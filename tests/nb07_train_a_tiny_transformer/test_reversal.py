"""Notebook 07's reversal task: the digit tasks' tokens, batches, held-out set and input parsing."""

import pytest
import torch

from helpers.nb07_train_a_tiny_transformer.reversal import (
    BOS,
    EOS,
    PAD,
    TRAIN_LENGTHS,
    VOCAB,
    VOCAB_SIZE,
    apply_task,
    batch_from_digits,
    decode_tokens,
    held_out_set,
    parse_digits,
    random_batch,
    sequence_codes,
)


def _digits(tokens: list[int]) -> list[int]:
    return [t - 3 for t in tokens if t > EOS]


def test_vocabulary():
    assert VOCAB[:3] == ["<pad>", "<bos>", "<eos>"] and VOCAB_SIZE == 13
    assert [VOCAB[d + 3] for d in range(10)] == [str(d) for d in range(10)]


def test_batch_from_digits_matches_the_documented_example():
    b = batch_from_digits([[3, 1, 4, 1, 5], [2, 7]])
    assert b.src.tolist() == [[6, 4, 7, 4, 8, EOS], [5, 10, EOS, PAD, PAD, PAD]]
    assert b.tgt_out.tolist() == [[8, 4, 7, 4, 6, EOS], [10, 5, EOS, PAD, PAD, PAD]]
    assert b.tgt_in.tolist() == [[BOS, 8, 4, 7, 4, 6], [BOS, 10, 5, PAD, PAD, PAD]]
    assert b.lengths.tolist() == [5, 2]


@pytest.mark.parametrize("task", ["reverse", "sort"])
def test_random_batches_hold_the_task_answer(task):
    g = torch.Generator().manual_seed(3)
    for same_length in (True, False):
        b = random_batch(64, g, task=task, same_length=same_length)
        for src, out, n in zip(b.src.tolist(), b.tgt_out.tolist(), b.lengths.tolist(), strict=True):
            digits = _digits(src)
            assert len(digits) == n and TRAIN_LENGTHS[0] <= n <= TRAIN_LENGTHS[1]
            want = digits[::-1] if task == "reverse" else sorted(digits)
            assert _digits(out) == want and out[n] == EOS and src[n] == EOS
        assert (
            b.tgt_in[:, 1:] == b.tgt_out[:, :-1].masked_fill(b.tgt_out[:, :-1] == EOS, PAD)
        ).all()
        if same_length:
            assert len(set(b.lengths.tolist())) == 1 and not (b.src == PAD).any()


def test_apply_task_refuses_an_unknown_task():
    with pytest.raises(ValueError, match="task must be one of"):
        apply_task(torch.zeros(1, 3, dtype=torch.long), torch.tensor([3]), "shuffle")


def test_sequence_codes_keep_leading_zeros_apart():
    digits = torch.tensor([[0, 0, 7], [7, 0, 0], [0, 7, 0]])
    codes = sequence_codes(digits, torch.tensor([3, 1, 2]))
    assert codes.tolist() == [1007, 17, 107]


def test_held_out_set_is_unique_and_never_in_training_batches():
    held = held_out_set(300, seed=5)
    codes = sequence_codes(held.batch.src - 3, held.batch.lengths)  # digits = tokens - 3
    assert len(set(codes.tolist())) == len(codes) == len(held.codes)
    # Short sequences collide often: train on length 2 only, where the held-out set is dense.
    small = held_out_set(60, min_len=2, max_len=2, seed=0)
    assert len(small.codes) < 60  # duplicates were dropped
    g = torch.Generator().manual_seed(0)
    b = random_batch(500, g, min_len=2, max_len=2, exclude=small)
    assert len(b.src) < 500
    assert not torch.isin(sequence_codes(b.src - 3, b.lengths), small.codes).any()


def test_held_out_set_is_reproducible():
    a, b = held_out_set(50), held_out_set(50)
    assert torch.equal(a.batch.src, b.batch.src)


@pytest.mark.parametrize(
    ("text", "digits"),
    [("31415", [3, 1, 4, 1, 5]), ("3 1, 4", [3, 1, 4]), (" 0 ", [0])],
)
def test_parse_digits(text, digits):
    assert parse_digits(text) == digits


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type a few digits"),
        ("  , ", "Type a few digits"),
        ("12a4", "Only the digits 0–9"),
        ("일이삼", "Only the digits 0–9"),
        ("１２３", "Only the digits 0–9"),  # full-width digits are not our tokens
        ("-12", "Only the digits 0–9"),
        ("1" * 21, "That is 21 digits"),
    ],
)
def test_parse_digits_refuses_bad_input_with_a_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_digits(text)


def test_batch_from_digits_refuses_empty_and_non_digits():
    with pytest.raises(ValueError, match="at least one digit"):
        batch_from_digits([[1], []])
    with pytest.raises(ValueError, match="0–9"):
        batch_from_digits([[1, 10]])


def test_decode_tokens():
    assert decode_tokens([BOS, 8, 3, EOS, 5]) == "50"
    assert decode_tokens(torch.tensor([6, 4, PAD])) == "31"
