"""The toy task of 07_train_a_tiny_transformer.ipynb: reverse a sequence of digits.

Vocabulary (shared by source and target): `<pad>` 0, `<bos>` 1, `<eos>` 2, then the digits 0–9 as
tokens 3–12. A source is the digits followed by `<eos>`; its target is `<bos>`, the digits in the
task's order (reversed, or sorted for the exercise), `<eos>`. With teacher forcing the decoder reads
the target without its last token and learns to predict it without its first:

    digits     3 1 4 1 5
    src        3 1 4 1 5 <eos>
    tgt_in     <bos> 5 1 4 1 3
    tgt_out    5 1 4 1 3 <eos>

Batches are generated on the fly from a seeded `torch.Generator`; a held-out set is excluded from
training by construction (`HeldOut`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import torch
from torch import Tensor

from helpers.training import Batch

__all__ = [
    "BOS",
    "DIGIT_OFFSET",
    "EOS",
    "MAX_INPUT",
    "PAD",
    "TASKS",
    "TRAIN_LENGTHS",
    "VOCAB",
    "VOCAB_SIZE",
    "Batch",
    "HeldOut",
    "Task",
    "apply_task",
    "batch_from_digits",
    "decode_tokens",
    "held_out_set",
    "parse_digits",
    "random_batch",
    "sequence_codes",
]

PAD, BOS, EOS = 0, 1, 2
DIGIT_OFFSET = 3  # digit d is token d + 3
VOCAB = ["<pad>", "<bos>", "<eos>", *(str(d) for d in range(10))]
VOCAB_SIZE = len(VOCAB)  # 13
TRAIN_LENGTHS = (5, 10)  # the shortest and the longest sequence seen in training
MAX_INPUT = 20  # the longest input the widget accepts (the model's positional table is longer)
Task = Literal["reverse", "sort"]
TASKS: tuple[str, ...] = get_args(Task)


def apply_task(digits: Tensor, lengths: Tensor, task: Task = "reverse") -> Tensor:
    """The answer for each row: its first `lengths[i]` digits reversed (or sorted), then padding.

    Shapes: digits `(B, L)` ints 0–9 (entries past a row's length are ignored), lengths `(B,)`
    -> `(B, L)`, with −1 past each row's length.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    b, width = digits.shape
    pos = torch.arange(width).expand(b, width)  # (B, L)
    real = pos < lengths[:, None]  # (B, L)
    if task == "reverse":
        index = (lengths[:, None] - 1 - pos).clamp(min=0)  # position i takes digit L − 1 − i
        answer = digits.gather(1, index)
    else:  # padding sorts last: give it a key larger than any digit
        answer = digits.masked_fill(~real, 10).sort(dim=1).values
    return answer.masked_fill(~real, -1)


def _assemble(digits: Tensor, lengths: Tensor, task: Task) -> Batch:
    """Tokens for source and targets from digits `(B, L)` and lengths `(B,)`."""
    b, width = digits.shape
    pos = torch.arange(width + 1).expand(b, width + 1)  # (B, L + 1)
    answer = apply_task(digits, lengths, task)  # (B, L)

    def tokens(values: Tensor) -> Tensor:  # digits then <eos>, then padding: (B, L) -> (B, L + 1)
        padded = torch.cat([values + DIGIT_OFFSET, torch.full((b, 1), PAD)], dim=1)
        padded = padded.masked_fill(pos > lengths[:, None], PAD)
        return padded.masked_fill(pos == lengths[:, None], EOS)

    src = tokens(digits)  # (B, L + 1)
    tgt_out = tokens(answer)  # (B, L + 1)
    tgt_in = torch.cat([torch.full((b, 1), BOS), tgt_out[:, :-1]], dim=1)  # shift right
    tgt_in = tgt_in.masked_fill(tgt_in == EOS, PAD)  # the decoder never reads <eos>
    return Batch(src, tgt_in, tgt_out, lengths.clone())


def sequence_codes(digits: Tensor, lengths: Tensor) -> Tensor:
    """One integer per sequence, unique over all digit sequences up to length 17: 10^L + value.

    (The leading 10^L keeps "007" and "7" apart.) Shapes: digits `(B, L)`, lengths `(B,)` -> `(B,)`.
    """
    width = digits.shape[1]
    pos = torch.arange(width)
    real = pos < lengths[:, None]  # (B, L)
    power = (lengths[:, None] - 1 - pos).clamp(min=0)  # (B, L): place value of each digit
    value = (digits.long() * 10**power * real).sum(dim=1)  # (B, L) -> (B,)
    return 10 ** lengths.long() + value


@dataclass(frozen=True)
class HeldOut:
    """Sequences the model never trains on: `batch` to evaluate on, `codes` to exclude them."""

    batch: Batch
    codes: Tensor


def _random_digits(
    n: int, min_len: int, max_len: int, generator: torch.Generator, same_length: bool
) -> tuple[Tensor, Tensor]:
    if not 1 <= min_len <= max_len:
        raise ValueError(f"lengths must satisfy 1 ≤ min_len ≤ max_len, got {min_len}, {max_len}")
    if same_length:
        length = int(torch.randint(min_len, max_len + 1, (1,), generator=generator))
        lengths = torch.full((n,), length)
    else:
        lengths = torch.randint(min_len, max_len + 1, (n,), generator=generator)
    width = int(lengths.max())
    return torch.randint(0, 10, (n, width), generator=generator), lengths  # (B, L), (B,)


def held_out_set(
    n: int = 1000,
    min_len: int = TRAIN_LENGTHS[0],
    max_len: int = TRAIN_LENGTHS[1],
    seed: int = 1234,
    task: Task = "reverse",
) -> HeldOut:
    """`n` random sequences (duplicates dropped, so possibly a few fewer), for evaluation only."""
    digits, lengths = _random_digits(
        n, min_len, max_len, torch.Generator().manual_seed(seed), same_length=False
    )
    codes = sequence_codes(digits, lengths)
    seen: set[int] = set()
    keep = torch.tensor([not (c in seen or seen.add(c)) for c in codes.tolist()])  # first copies
    batch = _assemble(digits[keep], lengths[keep], task)
    return HeldOut(batch, codes[keep].sort().values)


def random_batch(
    batch_size: int,
    generator: torch.Generator,
    min_len: int = TRAIN_LENGTHS[0],
    max_len: int = TRAIN_LENGTHS[1],
    task: Task = "reverse",
    exclude: HeldOut | None = None,
    same_length: bool = True,
) -> Batch:
    """A fresh training batch; rows that are in `exclude` are dropped (rare: a few per thousand).

    same_length=True draws one length for the whole batch, so there is no padding at all (the
    padding mask makes a mixed batch compute the same thing, only more slowly).
    """
    digits, lengths = _random_digits(batch_size, min_len, max_len, generator, same_length)
    if exclude is not None:
        keep = ~torch.isin(sequence_codes(digits, lengths), exclude.codes)
        digits, lengths = digits[keep], lengths[keep]
    return _assemble(digits, lengths, task)


def parse_digits(text: str, max_digits: int = MAX_INPUT) -> list[int]:
    """The digits of a typed string ("3 1 4", "3,1,4" and "314" all give [3, 1, 4]).

    Raises ValueError with a friendly message for empty input, anything that is not a digit 0–9
    (letters, Hangul, full-width or other scripts' digits, signs) and more than `max_digits`.
    """
    cleaned = [c for c in text if not c.isspace() and c != ","]
    if not cleaned:
        raise ValueError("Type a few digits, e.g. 3 1 4 1 5.")
    bad = sorted({c for c in cleaned if c not in "0123456789"})
    if bad:
        shown = " ".join(repr(c) for c in bad[:5])
        raise ValueError(
            f"Only the digits 0–9 are allowed (spaces and commas are ignored): {shown}"
        )
    if len(cleaned) > max_digits:
        raise ValueError(
            f"That is {len(cleaned)} digits; the limit here is {max_digits} "
            f"(training used {TRAIN_LENGTHS[0]}–{TRAIN_LENGTHS[1]})."
        )
    return [int(c) for c in cleaned]


def batch_from_digits(rows: Sequence[Sequence[int]], task: Task = "reverse") -> Batch:
    """A batch built from given digit lists (of any lengths ≥ 1)."""
    if not rows or any(len(r) == 0 for r in rows):
        raise ValueError("every sequence needs at least one digit")
    if any(not 0 <= d <= 9 for r in rows for d in r):
        raise ValueError("digits must be integers 0–9")
    lengths = torch.tensor([len(r) for r in rows])
    digits = torch.zeros(len(rows), int(lengths.max()), dtype=torch.long)
    for i, r in enumerate(rows):
        digits[i, : len(r)] = torch.tensor(list(r))
    return _assemble(digits, lengths, task)


def decode_tokens(tokens: Sequence[int] | Tensor) -> str:
    """Digits of a token sequence up to its first `<eos>` (skipping `<bos>`, `<pad>`); other
    special tokens appear by name. E.g. [1, 8, 3, 2, 0] -> "50"."""
    out = []
    for t in tokens.tolist() if isinstance(tokens, Tensor) else tokens:
        if t == EOS:
            break
        if t in (BOS, PAD):
            continue
        out.append(VOCAB[t])
    return "".join(out)
