"""The digit reverser of notebook 07: its config, its training run, the shipped checkpoint.

    python -m helpers.nb07_train_a_tiny_transformer.reverser   # the default model -> reversal.pt
    python -m helpers.nb07_train_a_tiny_transformer.reverser --steps 200 --out /tmp/x.pt

The committed checkpoint `reversal.pt` (beside this file) was made by the first command; it stores
its config and its loss curve, so a test can check that this script reproduces it. The recipe
itself (schedule, step, evaluation) is the core's `helpers.training`.
Taught in 07_train_a_tiny_transformer.ipynb.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import torch

from helpers import training
from helpers.nb07_train_a_tiny_transformer.reversal import (
    TRAIN_LENGTHS,
    VOCAB_SIZE,
    HeldOut,
    Task,
    held_out_set,
    random_batch,
)
from helpers.training import Batch, TrainResult, config_from_argv, save_checkpoint, text_progress
from helpers.transformer import Transformer

__all__ = [
    "CHECKPOINT",
    "EVAL_EVERY",
    "POSITIONS",
    "PROBE_LENGTH",
    "TrainConfig",
    "build_model",
    "load_checkpoint",
    "main",
    "train",
    "trained_model",
]

CHECKPOINT = Path(__file__).resolve().parent / "reversal.pt"
POSITIONS = 32  # the positional table: room for inputs longer than any seen in training
PROBE_LENGTH = 8  # the length of the sequences whose cross-attention `train` keeps
EVAL_EVERY = 50  # the checkpoint records the held-out accuracy every 50 steps, as the notebook does


@dataclass(frozen=True)
class TrainConfig(training.TrainConfig):
    """The core's training config, and which digit task the batches come from."""

    task: Task = "reverse"


def build_model(config: TrainConfig) -> Transformer:
    """A fresh, seeded `Transformer` for the digit vocabulary (source and target share it)."""
    return training.build_model(config, VOCAB_SIZE, VOCAB_SIZE, POSITIONS)


def train(
    config: TrainConfig = TrainConfig(),
    held_out: HeldOut | None = None,
    eval_every: int = 100,
    snapshot_steps: Sequence[int] = (),
    progress: Callable[[int, float], None] | None = None,
) -> TrainResult:
    """Train a fresh model on the config's digit task (`helpers.training.train`).

    held_out: sequences excluded from training and scored every `eval_every` steps; default
    `held_out_set(task=config.task)`. snapshot_steps: after which steps to keep the mean
    cross-attention of 100 held-out sequences of `PROBE_LENGTH` digits (what the digits are washes
    out, the positions remain).
    """
    held_out = held_out_set(task=config.task) if held_out is None else held_out

    def sample(batch_size: int, generator: torch.Generator) -> Batch:
        return random_batch(batch_size, generator, task=config.task, exclude=held_out)

    probe = None
    if snapshot_steps:
        probe = held_out_set(100, PROBE_LENGTH, PROBE_LENGTH, seed=PROBE_LENGTH, task=config.task)
    return training.train(
        config,
        build_model(config),
        sample,
        held_out.batch,
        eval_every=eval_every,
        snapshot_steps=snapshot_steps,
        probe=None if probe is None else probe.batch,
        progress=progress,
    )


def load_checkpoint(path: Path = CHECKPOINT) -> tuple[Transformer, dict]:
    """The model of a checkpoint (float32, eval mode) and the checkpoint's record (config, loss)."""

    def build(record: dict) -> Transformer:
        known = {f.name for f in fields(TrainConfig)}
        return build_model(TrainConfig(**{k: v for k, v in record["config"].items() if k in known}))

    return training.load_model(path, build)


@lru_cache(maxsize=1)
def trained_model() -> Transformer:
    """The committed checkpoint's model, loaded once (shared: do not train it further)."""
    return load_checkpoint()[0]


def main(argv: list[str] | None = None) -> int:
    config, out = config_from_argv(TrainConfig(), CHECKPOINT, __doc__, argv)
    result = train(config, eval_every=EVAL_EVERY, progress=text_progress(config.steps))
    path = save_checkpoint(result, out)
    low, high = TRAIN_LENGTHS
    print(
        f"held-out exact-sequence accuracy (lengths {low}–{high}): {result.accuracy[-1]:.4f}; "
        f"{result.seconds:.1f} s of training; saved {path} ({path.stat().st_size // 1024} kB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
