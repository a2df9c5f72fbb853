"""What notebook 07's accuracy dip is made of: the recipe's first `--steps` steps (300 by default,
the schedule of the full 500-step run), then the held-out errors of one teacher-forced pass, and
how many wrong digits are a neighbour of the right source digit (one position off).

    python -m helpers.maintainer.dip07 [--steps 300] [--write]   # --write: into benchmarks.md

Not imported by `import helpers`. Its numbers are quoted in 07_train_a_tiny_transformer.ipynb.
"""

from __future__ import annotations

import argparse
import sys

import torch

from helpers import training
from helpers.nb07_train_a_tiny_transformer import reversal as rev
from helpers.nb07_train_a_tiny_transformer import reverser


def off_by_one(steps: int) -> dict[str, float]:
    """Train `steps` steps of `TrainConfig()` as `reverser.train` does; count the wrong digits of
    the held-out set and those that are a neighbour (±1 position) of the right source digit."""
    config = reverser.TrainConfig()
    held_out = rev.held_out_set()
    model = reverser.build_model(config)
    optimizer = training.make_optimizer(model, config)
    generator = torch.Generator().manual_seed(config.seed)
    with training.one_thread():
        for step in range(steps):
            for group in optimizer.param_groups:
                group["lr"] = training.learning_rate(step, config)
            batch = rev.random_batch(config.batch_size, generator, exclude=held_out)
            training.train_step(model, optimizer, batch)
        b = held_out.batch
        with torch.no_grad():
            out = model.eval()(b.src, b.tgt_in).argmax(dim=-1)  # (B, T, V) -> (B, T)
    wrong = (out != b.tgt_out) & (b.tgt_out != rev.PAD)  # (B, T)
    digits, neighbours = 0, 0
    for row, t in wrong.nonzero().tolist():
        n = int(b.lengths[row])
        if t >= n:  # the <eos> position
            continue
        digits += 1
        right = n - 1 - t  # the source position the output digit t copies
        near = [int(b.src[row, j]) for j in (right - 1, right + 1) if 0 <= j < n]
        neighbours += int(out[row, t]) in near
    accuracy = 1 - float(wrong.any(dim=1).float().mean())
    return {"accuracy": accuracy, "wrong digits": digits, "neighbour of the right one": neighbours}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument(
        "--write", action="store_true", help="write the figures/benchmarks.md section"
    )
    args = parser.parse_args(argv)
    found = off_by_one(args.steps)
    print(f"after {args.steps} steps:", found)
    if args.write:
        from helpers.maintainer.bench import write_section

        write_section(
            "Notebook 07: the accuracy dip",
            f"`python -m helpers.maintainer.dip07 --steps {args.steps} --write`: the recipe's first"
            f" {args.steps} steps (seeded, one thread), then one teacher-forced pass over the"
            f" held-out set. Held-out exact-sequence accuracy {found['accuracy']:.1%};"
            f" {found['wrong digits']} wrong digits, of which"
            f" {found['neighbour of the right one']} are a neighbour (±1 position) of the right"
            " source digit.",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
