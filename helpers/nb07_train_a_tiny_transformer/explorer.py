"""The reversal explorer of 07_train_a_tiny_transformer.ipynb: your own digits, reversed."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np
import torch

from helpers.decoding import greedy_decode
from helpers.nb07_train_a_tiny_transformer.figures import ReversalFigure
from helpers.nb07_train_a_tiny_transformer.reversal import (
    BOS,
    EOS,
    TRAIN_LENGTHS,
    VOCAB,
    batch_from_digits,
    decode_tokens,
    parse_digits,
)
from helpers.nb07_train_a_tiny_transformer.reverser import trained_model
from helpers.training import one_thread
from helpers.widgets import Explorer, dropdown

__all__ = ["ReversalView", "reversal_explorer", "reversal_view"]


@dataclass(frozen=True)
class ReversalView:
    """What the reversal explorer shows. `weights` is None when there is nothing to draw.

    Shapes: src_labels `(S,)` (the digits, `<eos>`), out_labels `(N,)` (the tokens the model
    chose, up to its `<eos>`), weights `(N, S)` (cross-attention of the last decoder block, one
    head or their mean), probs `(N,)` (the probability of each chosen token).
    """

    src_labels: list[str]
    out_labels: list[str]
    weights: np.ndarray | None
    probs: np.ndarray | None
    output: str
    expected: str
    caption: str
    message: str

    @property
    def correct(self) -> bool:
        return self.weights is not None and self.output == self.expected

    def figure_args(self) -> tuple | None:
        """The arguments of `figures.ReversalFigure.update` (None: nothing to draw)."""
        if self.weights is None:
            return None
        return (self.src_labels, self.out_labels, self.weights, self.probs, self.caption)


def _no_reversal(message: str) -> ReversalView:
    return ReversalView([], [], None, None, "", "", "", message)


def reversal_view(text: str, head: int | None = None, model: object | None = None) -> ReversalView:
    """Greedy-decode typed digits with the trained model and take its cross-attention.

    Args:
        text: digits, spaces and commas ignored. Empty, non-digit (Hangul too) and more than
            `MAX_INPUT` digits get a friendly message; lengths outside training are flagged.
        head: which head's weights (0-based), None for the mean over the heads.
        model: a trained `helpers.Transformer`; default the committed checkpoint.
    """

    try:
        digits = parse_digits(text)
    except ValueError as e:
        return _no_reversal(str(e))
    model = trained_model() if model is None else model
    batch = batch_from_digits([digits])
    with one_thread():
        result = greedy_decode(model, batch.src, BOS, EOS, max_new_tokens=len(digits) + 3)
    chosen = result.tokens[0, 1:].tolist()  # (N,)
    n = chosen.index(EOS) + 1 if EOS in chosen else len(chosen)  # up to and with <eos>
    cross = result.cross_attention[0, :, :n]  # (H, N, S)
    n_heads = cross.shape[0]
    if head is not None and not 0 <= head < n_heads:
        return _no_reversal(f"There are {n_heads} heads: choose one from 1 to {n_heads}.")
    weights = cross.mean(dim=0) if head is None else cross[head]  # (H, N, S) -> (N, S)
    probs = result.probs[0, torch.arange(n), torch.tensor(chosen[:n])]  # (N,)
    output = decode_tokens(chosen)
    expected = "".join(str(d) for d in reversed(digits))
    verdict = "correct ✓" if output == expected else f"expected {expected} ✗"
    low, high = TRAIN_LENGTHS
    message = (
        ""
        if low <= len(digits) <= high
        else f"{len(digits)} digits: a length never seen in training ({low}–{high} digits); "
        "expect mistakes."
    )
    return ReversalView(
        [VOCAB[t] for t in batch.src[0].tolist()],
        [VOCAB[t] for t in chosen[:n]],
        weights.numpy().astype(float),
        probs.numpy().astype(float),
        output,
        expected,
        f"output {output or '(nothing)'}: {verdict}",
        message,
    )


def reversal_explorer(digits: str = "31415926") -> W.VBox:
    """Type digits: the trained model's reversal and its cross-attention, per head or averaged.

    Taught in 07_train_a_tiny_transformer.ipynb.
    """

    n_heads = trained_model().decoder.layers[-1].cross_attn.n_heads
    text = W.Text(
        value=digits,
        description="digits",
        continuous_update=False,
        layout=W.Layout(width="24em"),
    )
    heads = [(f"mean of the {n_heads} heads", -1)]  # not None: a Dropdown's "no choice"
    head = dropdown("cross-attention", heads + [(f"head {h + 1}", h) for h in range(n_heads)], -1)
    return Explorer(
        ReversalFigure(),
        lambda: reversal_view(text.value, None if head.value < 0 else head.value),
        [[text, head]],
    ).widget
