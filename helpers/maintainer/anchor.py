"""Notebook 07's speed claim, measured: time to 99 % held-out accuracy on digit reversal for our
recipe and for the anchor (`TutorialTransformer`), in one run. Called by `helpers.maintainer.bench`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch

from helpers.attention import causal_mask
from helpers.nb07_train_a_tiny_transformer.reversal import (
    PAD,
    VOCAB_SIZE,
)
from helpers.nb07_train_a_tiny_transformer.reverser import POSITIONS
from helpers.positional import sinusoidal_positional_encoding
from helpers.training import (
    train_step,
)
from helpers.transformer import Decoder, Encoder, Transformer

TARGET_ACCURACY = 0.99
TUTORIAL_DIFFERENCES = (
    "the data: digit reversal (13 tokens, 5–10 digits, fresh batches) instead of Multi30k "
    "German→English (the task of notebook 07)",
    "batch_first=True instead of sequence-first tensors (the same computation, another layout)",
    "a positional table of 32 positions instead of 5000 (only the first 11 are ever read)",
    "evaluation: exact-sequence accuracy on 1,000 held-out sequences every 25 steps, instead of "
    "the validation loss after each epoch (the target of the comparison is 99 % exact)",
    "one torch thread, as for our recipe (the same machine conditions for both)",
)
CHECK_EVERY_S = 2.0  # evaluate after every 2 s of training (evaluation time is not counted)


class TutorialTransformer(torch.nn.Module):
    """The anchor: the `Seq2SeqTransformer` of PyTorch's translation tutorial ("Language
    Translation with nn.Transformer and torchtext"), as the tutorial writes it.

    Token embedding · √d_model + sinusoidal PE, dropout 0.1, `nn.Transformer` (post-norm, final
    LayerNorms), a linear output; `xavier_uniform_` on every parameter with more than one
    dimension (embeddings included); EMB_SIZE 512, 8 heads, FFN 512, 3 + 3 layers; trained with
    Adam, lr 1e-4 constant, betas (0.9, 0.98), eps 1e-9, batches of 128 padded mixed lengths,
    cross-entropy ignoring padding (`TUTORIAL_DIFFERENCES` names what differs, and why).
    `to_helpers()` copies it into a `helpers.Transformer` (dropout is off in evaluation, so the
    two compute the same at every real position), to decode it with `greedy_decode`.
    Shapes: forward(src `(B, S)`, tgt `(B, T)`) -> logits `(B, T, V)`.
    """

    def __init__(
        self, d_model: int = 512, n_heads: int = 8, d_ff: int = 512, n_layers: int = 3
    ) -> None:

        super().__init__()
        self.d_model, self.n_heads, self.d_ff, self.n_layers = d_model, n_heads, d_ff, n_layers
        self.src_embed = torch.nn.Embedding(VOCAB_SIZE, d_model)
        self.tgt_embed = torch.nn.Embedding(VOCAB_SIZE, d_model)
        pe = sinusoidal_positional_encoding(POSITIONS, d_model).float()  # (P, D)
        self.register_buffer("pe", pe, persistent=False)
        self.dropout = torch.nn.Dropout(0.1)
        self.transformer = torch.nn.Transformer(
            d_model, n_heads, n_layers, n_layers, d_ff, dropout=0.1, batch_first=True
        )
        self.transformer.encoder.use_nested_tensor = False  # the plain path, no prototype warning
        self.out = torch.nn.Linear(d_model, VOCAB_SIZE)
        for p in self.parameters():  # the tutorial's initialisation
            if p.dim() > 1:
                torch.nn.init.xavier_uniform_(p)

    def _embed(self, tokens: torch.Tensor, embedding: torch.nn.Embedding) -> torch.Tensor:
        x = embedding(tokens) * self.d_model**0.5  # (B, T) -> (B, T, D)
        return self.dropout(x + self.pe[: tokens.shape[1]])

    def forward(self, src: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:

        hidden = self.transformer(
            self._embed(src, self.src_embed),
            self._embed(tgt, self.tgt_embed),
            tgt_mask=~causal_mask(tgt.shape[1]),  # torch's convention: True = blocked
            src_key_padding_mask=src == PAD,
            tgt_key_padding_mask=tgt == PAD,
            memory_key_padding_mask=src == PAD,
        )  # (B, T, D)
        return self.out(hidden)  # (B, T, D) -> (B, T, V)

    def to_helpers(self):  # noqa: ANN201 (a helpers.transformer.Transformer)

        ours = Transformer(
            VOCAB_SIZE,
            VOCAB_SIZE,
            self.d_model,
            self.n_heads,
            self.d_ff,
            self.n_layers,
            max_len=POSITIONS,
            pad_id=PAD,
            final_norm=True,
        )
        ours.encoder = Encoder.from_torch(self.transformer.encoder)
        ours.decoder = Decoder.from_torch(self.transformer.decoder)
        for mine, theirs in (
            (ours.src_embed, self.src_embed),
            (ours.tgt_embed, self.tgt_embed),
            (ours.out, self.out),
        ):
            mine.load_state_dict(theirs.state_dict())
        return ours.eval()


def time_to_accuracy(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    next_batch: Callable[[], object],
    evaluate: Callable[[], float],
    budget_s: float,
    set_lr: Callable[[int], None] | None = None,
    check_every_steps: int | None = None,
    max_steps: int | None = None,
) -> tuple[float | None, int, float]:
    """Train until `evaluate()` ≥ TARGET_ACCURACY, checking after every CHECK_EVERY_S of training
    (or, with `check_every_steps`, every that many steps: then the step count does not depend on
    the machine's load). Stops at `budget_s` seconds of training or `max_steps` steps.

    Returns (training seconds to the target or None if the budget ran out, steps, last accuracy).
    Only `train_step` is timed: making batches and evaluating are not counted.
    """

    trained, step, accuracy, next_check = 0.0, 0, 0.0, CHECK_EVERY_S
    while trained < budget_s and (max_steps is None or step < max_steps):
        if set_lr is not None:
            set_lr(step)
        batch = next_batch()
        start = time.perf_counter()
        train_step(model, optimizer, batch)
        trained += time.perf_counter() - start
        step += 1
        if check_every_steps is None:
            due = trained >= next_check
            next_check += CHECK_EVERY_S if due else 0.0
        else:
            due = step % check_every_steps == 0
        if due:
            accuracy = evaluate()
            if accuracy >= TARGET_ACCURACY:
                return trained, step, accuracy
    return None, step, accuracy
