"""Train the helpers Transformer on a digit task, evaluate it by greedy decoding, save checkpoints.

    python -m helpers.nb07_train_a_tiny_transformer.training   # the default model -> reversal.pt
    python -m helpers.nb07_train_a_tiny_transformer.training --steps 200 --out /tmp/x.pt

The committed checkpoint `reversal.pt` (beside this file) was made by the first command; it stores
its config and its loss curve, so a test can check that this script reproduces it.
Taught in 07_train_a_tiny_transformer.ipynb.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from helpers.decoding import greedy_decode
from helpers.nb07_train_a_tiny_transformer.reversal import (
    BOS,
    EOS,
    PAD,
    TRAIN_LENGTHS,
    VOCAB_SIZE,
    Batch,
    HeldOut,
    Task,
    held_out_set,
    random_batch,
)
from helpers.transformer import Transformer

__all__ = [
    "CHECKPOINT",
    "POSITIONS",
    "PROBE_LENGTH",
    "TrainConfig",
    "TrainResult",
    "build_model",
    "cross_attention",
    "exact_matches",
    "learning_rate",
    "load_checkpoint",
    "main",
    "make_optimizer",
    "one_thread",
    "save_checkpoint",
    "sequence_accuracy",
    "train",
    "train_step",
    "trained_model",
]

CHECKPOINT = Path(__file__).resolve().parent / "reversal.pt"
POSITIONS = 32  # the positional table: room for inputs longer than any seen in training
PROBE_LENGTH = 8  # the length of the sequences whose cross-attention `train` keeps


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run (the model, the optimiser, the data, the seed)."""

    d_model: int = 64
    n_heads: int = 4
    d_ff: int = 128
    n_layers: int = 2
    steps: int = 500
    batch_size: int = 64
    lr: float = 3e-3
    warmup: int = 100
    label_smoothing: float = 0.0
    small_embeddings: bool = True  # N(0, 1/d_model) embeddings, see `build_model`
    norm_first: bool = False
    task: Task = "reverse"  # the digit task; unused when `train` is given `sample_batch`
    seed: int = 0


def build_model(
    config: TrainConfig,
    src_vocab_size: int = VOCAB_SIZE,
    tgt_vocab_size: int = VOCAB_SIZE,
    max_len: int = POSITIONS,
) -> Transformer:
    """A fresh, seeded `Transformer` of the config's size (by default for the digit vocabulary).

    With `small_embeddings` the embeddings start as N(0, 1/d_model), as in the paper's code, so
    that embedding · √d_model has the scale of the positional encoding. With torch's default
    N(0, 1) a token vector is more than 10 times longer than its position's (8·√64 = 64 against
    √32 ≈ 5.7), and a task that is all about positions (reversal) learns far more slowly.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        model = Transformer(
            src_vocab_size,
            tgt_vocab_size,
            d_model=config.d_model,
            n_heads=config.n_heads,
            d_ff=config.d_ff,
            n_layers=config.n_layers,
            max_len=max_len,
            pad_id=PAD,
            norm_first=config.norm_first,
            final_norm=config.norm_first,
        )
        if config.small_embeddings:
            for emb in (model.src_embed, model.tgt_embed):
                nn.init.normal_(emb.weight, std=config.d_model**-0.5)
    return model


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """AdamW with β₂ = 0.98 (as in the paper); the learning rate is set every step."""
    return torch.optim.AdamW(model.parameters(), lr=config.lr, betas=(0.9, 0.98), fused=True)


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread inside the block, then restore the thread count.

    A model this small gains nothing from a second thread, and on a busy machine the threads wait
    for each other: one step took 10× longer with 2 threads than with 1 here (see
    07_train_a_tiny_transformer.ipynb). One thread also gives the same numbers on every machine
    setting (OMP_NUM_THREADS), so training in the notebook is reproducible.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def learning_rate(step: int, config: TrainConfig) -> float:
    """Linear warm-up to `lr` over `warmup` steps, then a cosine decay to lr/20 at `steps`."""
    if step < config.warmup:
        return config.lr * (step + 1) / config.warmup
    done = (step - config.warmup) / max(1, config.steps - config.warmup)
    return config.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(done, 1.0))))


def train_step(
    model: nn.Module, optimizer: torch.optim.Optimizer, batch: Batch, label_smoothing: float = 0.0
) -> float:
    """One step of teacher forcing: predict tgt_out from src and tgt_in, cross-entropy, update.

    `model(src (B, S), tgt_in (B, T))` must return logits `(B, T, V)`; padding is not scored.
    Returns the loss (a Python float).
    """
    model.train()
    logits = model(batch.src, batch.tgt_in)  # (B, S), (B, T) -> (B, T, V)
    loss = F.cross_entropy(
        logits.flatten(0, 1),  # (B, T, V) -> (B·T, V)
        batch.tgt_out.flatten(),  # (B, T) -> (B·T,)
        ignore_index=PAD,
        label_smoothing=label_smoothing,
    )
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.item()


def exact_matches(model: Transformer, batch: Batch, greedy: bool = True) -> Tensor:
    """True where the model's whole output equals the target, `<eos>` included.

    greedy=True decodes every source greedily (the definition). greedy=False takes the argmax
    of one teacher-forced pass instead, about 10× cheaper and the same verdict: greedy decoding
    writes the target exactly if and only if, fed the right prefix at every position, the model
    ranks the right token first at every position (induction over the steps; ties aside).
    Shapes: batch of B sequences -> `(B,)` bool.
    """
    width = batch.tgt_out.shape[1]
    with one_thread(), torch.no_grad():
        if greedy:
            out = greedy_decode(model, batch.src, BOS, EOS, max_new_tokens=width).tokens[:, 1:]
            out = F.pad(out, (0, width - out.shape[1]), value=PAD)  # (B, N) -> (B, T)
        else:
            was_training = model.training
            out = model.eval()(batch.src, batch.tgt_in).argmax(dim=-1)  # (B, T, V) -> (B, T)
            model.train(was_training)
            out = out.masked_fill(batch.tgt_out == PAD, PAD)  # nothing is scored after <eos>
    return (out == batch.tgt_out).all(dim=1)


def sequence_accuracy(model: Transformer, batch: Batch, greedy: bool = True) -> float:
    """Exact-sequence accuracy (a fraction): every digit right and `<eos>` in its place."""
    return float(exact_matches(model, batch, greedy).float().mean())


@torch.no_grad()
def cross_attention(model: Transformer, batch: Batch) -> Tensor:
    """The last decoder block's cross-attention under teacher forcing, averaged over heads.

    Shapes: a batch of B -> `(B, T, S)`: row t = the query that predicts tgt_out[:, t].
    """
    was_training = model.training
    model.eval()
    model.decode(batch.tgt_in, model.encode(batch.src), batch.src)
    weights = model.decoder.layers[-1].cross_attn_weights  # (B, H, T, S)
    model.train(was_training)
    return weights.mean(dim=1)  # (B, H, T, S) -> (B, T, S)


@dataclass
class TrainResult:
    """A trained model and what happened on the way.

    loss[i] is the training loss of step i. accuracy[k] is the held-out exact-sequence accuracy
    after eval_steps[k] steps. snapshots[k] is the cross-attention `(T, S)` of the probe, averaged
    over its sequences and the heads, after snapshot_steps[k] steps (0 = before training).
    """

    model: Transformer
    config: TrainConfig
    loss: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    snapshot_steps: list[int] = field(default_factory=list)
    snapshots: list[np.ndarray] = field(default_factory=list)
    seconds: float = 0.0  # training time, evaluations excluded (volatile: never print it)


def train(
    config: TrainConfig = TrainConfig(),
    held_out: HeldOut | None = None,
    eval_every: int = 100,
    snapshot_steps: Sequence[int] = (),
    probe: Batch | None = None,
    progress: Callable[[int, float], None] | None = None,
    sample_batch: Callable[[int, torch.Generator], Batch] | None = None,
    model: Transformer | None = None,
) -> TrainResult:
    """Train a fresh model for `config.steps` steps of AdamW on batches made on the fly.

    Args:
        config: model, optimiser and data; the seed fixes the weights and every batch.
        held_out: sequences excluded from training and scored every `eval_every` steps (and at
            the end); default `held_out_set(task=config.task)`.
        snapshot_steps: after which steps to keep the probe's cross-attention (0 = untrained).
        probe: sequences of one length whose mean cross-attention is kept (averaged over them,
            what the digits are washes out and the positions remain); default `PROBE_LENGTH`
            digits, 100 sequences.
        progress: called as progress(step, loss) after each step (a progress bar).
        sample_batch: sample_batch(batch_size, generator) -> a training `Batch` that leaves out
            the held-out set; default: `config.task`'s digit sequences (notebook 07).
        model: the fresh model to train; default `build_model(config)` (the digit vocabulary).
    Returns: a `TrainResult`.
    """
    held_out = held_out_set(task=config.task) if held_out is None else held_out
    model = build_model(config) if model is None else model
    optimizer = make_optimizer(model, config)
    generator = torch.Generator().manual_seed(config.seed)
    if probe is None and snapshot_steps:
        probe = held_out_set(100, PROBE_LENGTH, PROBE_LENGTH, seed=PROBE_LENGTH, task=config.task)
        probe = probe.batch
    result = TrainResult(model, config)
    wanted = set(snapshot_steps)

    def observe(step: int) -> None:
        if step in wanted:
            result.snapshot_steps.append(step)
            result.snapshots.append(cross_attention(model, probe).mean(dim=0).numpy())  # (T, S)
        if step % eval_every == 0 or step == config.steps:
            result.eval_steps.append(step)
            result.accuracy.append(sequence_accuracy(model, held_out.batch, greedy=False))

    with one_thread():
        observe(0)
        for step in range(config.steps):
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, config)
            if sample_batch is None:
                batch = random_batch(
                    config.batch_size, generator, task=config.task, exclude=held_out
                )
            else:
                batch = sample_batch(config.batch_size, generator)
            start = time.perf_counter()
            result.loss.append(train_step(model, optimizer, batch, config.label_smoothing))
            result.seconds += time.perf_counter() - start
            if progress is not None:
                progress(step + 1, result.loss[-1])
            observe(step + 1)
    model.eval()
    return result


def save_checkpoint(result: TrainResult, path: Path = CHECKPOINT) -> Path:
    """Save the weights (float16: half the size, same answers), the config and the loss curve."""
    state = {k: v.half() for k, v in result.model.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "config": asdict(result.config),
            "state_dict": state,
            "loss": [round(x, 6) for x in result.loss],
            "accuracy": result.accuracy[-1] if result.accuracy else None,
        },
        path,
    )
    return path


def load_checkpoint(path: Path = CHECKPOINT) -> tuple[Transformer, dict]:
    """The model of a checkpoint (float32, eval mode) and the checkpoint's record (config, loss)."""
    record = torch.load(path, weights_only=True)
    known = {f.name for f in fields(TrainConfig)}
    config = TrainConfig(**{k: v for k, v in record["config"].items() if k in known})
    model = build_model(config)
    model.load_state_dict({k: v.float() for k, v in record["state_dict"].items()})
    return model.eval(), record


@lru_cache(maxsize=1)
def trained_model() -> Transformer:
    """The committed checkpoint's model, loaded once (shared: do not train it further)."""
    return load_checkpoint()[0]


def _text_progress(total: int) -> Callable[[int, float], None]:
    """A plain progress bar on stderr."""

    def show(step: int, loss: float) -> None:
        if step % 20 and step != total:
            return
        filled = round(30 * step / total)
        bar = "#" * filled + "." * (30 - filled)
        end = "\n" if step == total else ""
        print(f"\r[{bar}] step {step}/{total} loss {loss:.4f}", end=end, file=sys.stderr)

    return show


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = TrainConfig()
    for f in fields(TrainConfig):
        value = getattr(defaults, f.name)
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=type(value), default=value)
    parser.add_argument("--out", type=Path, default=CHECKPOINT)
    args = parser.parse_args(argv)
    config = TrainConfig(**{f.name: getattr(args, f.name) for f in fields(TrainConfig)})
    result = train(config, eval_every=config.steps, progress=_text_progress(config.steps))
    path = save_checkpoint(result, args.out)
    low, high = TRAIN_LENGTHS
    print(
        f"held-out exact-sequence accuracy (lengths {low}–{high}): {result.accuracy[-1]:.4f}; "
        f"{result.seconds:.1f} s of training; saved {path} ({path.stat().st_size // 1024} kB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
