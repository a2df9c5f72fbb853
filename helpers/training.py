"""Train an encoder–decoder by teacher forcing, with notebook 07's recipe: warm-up then cosine
AdamW, embeddings N(0, 1/d_model), one torch thread. Evaluation by exact match, checkpoints.

Token ids follow `helpers.text`: `<pad>` 0, `<bos>` 1, `<eos>` 2. A task brings its own batches
(`sample_batch`) and held-out set: notebook 07's digits, notebook 08's sentences.
Taught in 07_train_a_tiny_transformer.ipynb.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from helpers.decoding import greedy_decode
from helpers.text import BOS_ID, EOS_ID, PAD_ID
from helpers.transformer import Transformer

__all__ = [
    "Batch",
    "TrainConfig",
    "TrainResult",
    "build_model",
    "config_from_argv",
    "cross_attention",
    "exact_matches",
    "learning_rate",
    "load_model",
    "make_optimizer",
    "one_thread",
    "save_checkpoint",
    "sequence_accuracy",
    "text_progress",
    "train",
    "train_step",
]


@dataclass(frozen=True)
class Batch:
    """One batch for teacher forcing, padded with `<pad>` on the right.

    Shapes: src `(B, S)` (the source, `<eos>`), tgt_in `(B, T)` (`<bos>`, the target), tgt_out
    `(B, T)` (the target, `<eos>`), lengths `(B,)` (source tokens per row, `<eos>` not counted).
    """

    src: Tensor
    tgt_in: Tensor
    tgt_out: Tensor
    lengths: Tensor


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
    seed: int = 0


def build_model(
    config: TrainConfig, src_vocab_size: int, tgt_vocab_size: int, max_len: int
) -> Transformer:
    """A fresh, seeded `Transformer` of the config's size for the given vocabularies.

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
            pad_id=PAD_ID,
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

    One thread gives the same numbers on every machine setting (OMP_NUM_THREADS), so training in
    the notebooks is reproducible; a second thread gains little for a model this small (notebook
    07's recipe: 10 s against 11 s to 99 % on an idle 2-core machine, figures/benchmarks.md).
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
        ignore_index=PAD_ID,
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
            out = greedy_decode(model, batch.src, BOS_ID, EOS_ID, max_new_tokens=width).tokens[
                :, 1:
            ]
            out = F.pad(out, (0, width - out.shape[1]), value=PAD_ID)  # (B, N) -> (B, T)
        else:
            was_training = model.training
            out = model.eval()(batch.src, batch.tgt_in).argmax(dim=-1)  # (B, T, V) -> (B, T)
            model.train(was_training)
            out = out.masked_fill(batch.tgt_out == PAD_ID, PAD_ID)  # nothing is scored after <eos>
    return (out == batch.tgt_out).all(dim=1)


def sequence_accuracy(model: Transformer, batch: Batch, greedy: bool = True) -> float:
    """Exact-sequence accuracy (a fraction): every token right and `<eos>` in its place."""
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
    # training time, evaluations excluded (volatile: print it only where nbval does not compare)
    seconds: float = 0.0


def train(
    config: TrainConfig,
    model: Transformer,
    sample_batch: Callable[[int, torch.Generator], Batch],
    held_out: Batch,
    eval_every: int = 100,
    snapshot_steps: Sequence[int] = (),
    probe: Batch | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> TrainResult:
    """Train `model` for `config.steps` steps of AdamW on batches made on the fly.

    Args:
        config: the optimiser and the seed (which fixes every batch).
        model: the fresh model to train (`build_model`); trained in place.
        sample_batch: sample_batch(batch_size, generator) -> a training `Batch` that leaves out
            the held-out sequences.
        held_out: sequences never trained on, scored every `eval_every` steps (and at the end)
            by exact match under teacher forcing (= greedy decoding, see `exact_matches`).
        snapshot_steps: after which steps to keep the probe's cross-attention (0 = untrained).
        probe: sequences of one length whose mean cross-attention is kept (needed with
            `snapshot_steps`).
        progress: called as progress(step, loss) after each step (a progress bar).
    Returns: a `TrainResult`.
    """
    if snapshot_steps and probe is None:
        raise ValueError("snapshot_steps needs a probe batch")
    optimizer = make_optimizer(model, config)
    generator = torch.Generator().manual_seed(config.seed)
    result = TrainResult(model, config)
    wanted = set(snapshot_steps)

    def observe(step: int) -> None:
        if step in wanted:
            result.snapshot_steps.append(step)
            result.snapshots.append(cross_attention(model, probe).mean(dim=0).numpy())  # (T, S)
        if step % eval_every == 0 or step == config.steps:
            result.eval_steps.append(step)
            result.accuracy.append(sequence_accuracy(model, held_out, greedy=False))

    with one_thread():
        observe(0)
        for step in range(config.steps):
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, config)
            batch = sample_batch(config.batch_size, generator)
            start = time.perf_counter()
            result.loss.append(train_step(model, optimizer, batch, config.label_smoothing))
            result.seconds += time.perf_counter() - start
            if progress is not None:
                progress(step + 1, result.loss[-1])
            observe(step + 1)
    model.eval()
    return result


def save_checkpoint(result: TrainResult, path: Path, **extra: object) -> Path:
    """Save the weights (float16: half the size, same answers), the config, the loss of every
    step, the held-out accuracy at every evaluation, and anything in `extra` (a vocabulary)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "config": asdict(result.config),
            "state_dict": {k: v.half() for k, v in result.model.state_dict().items()},
            "loss": [round(x, 6) for x in result.loss],
            "eval_steps": result.eval_steps,
            "accuracy": [round(a, 6) for a in result.accuracy],
            **extra,
        },
        path,
    )
    return path


Model = TypeVar("Model", bound=nn.Module)


def load_model(path: Path, build: Callable[[dict], Model]) -> tuple[Model, dict]:
    """The model of a checkpoint saved by `save_checkpoint` (float32, eval mode), and its record.

    `build(record)` makes the fresh model from the record (its "config", its vocabularies) or
    raises ValueError when the checkpoint does not fit the task; the weights are then loaded in.
    """
    record = torch.load(path, weights_only=True)
    model = build(record)
    model.load_state_dict({k: v.float() for k, v in record["state_dict"].items()})
    return model.eval(), record


def text_progress(total: int) -> Callable[[int, float], None]:
    """A plain progress bar on stderr."""

    def show(step: int, loss: float) -> None:
        if step % 20 and step != total:
            return
        filled = round(30 * step / total)
        bar = "#" * filled + "." * (30 - filled)
        end = "\n" if step == total else ""
        print(f"\r[{bar}] step {step}/{total} loss {loss:.4f}", end=end, file=sys.stderr)

    return show


def config_from_argv(
    defaults: TrainConfig, out: Path, doc: str | None, argv: list[str] | None = None
) -> tuple[TrainConfig, Path]:
    """A training script's command line: one option per config field (`--d-model 32` …) and
    `--out`, defaulting to `defaults` and `out`. Returns the config and the output path."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    for f in fields(defaults):
        value = getattr(defaults, f.name)
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=type(value), default=value)
    parser.add_argument("--out", type=Path, default=out)
    args = parser.parse_args(argv)
    changes = {f.name: getattr(args, f.name) for f in fields(defaults)}
    return replace(defaults, **changes), args.out
