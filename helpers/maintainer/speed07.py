"""Notebook 07's speed claim, measured: steps and seconds of training to 99 % held-out accuracy on
digit reversal for our recipe (median of 3), for the tutorial anchor (`anchor.TutorialTransformer`)
and for our recipe with one factor changed at a time (the factors notebook 07 names).

    python -m helpers.maintainer.speed07 --runs ours,anchor --out /tmp/a.jsonl
    python -m helpers.maintainer.speed07 --runs size,embeddings,warmup,optimiser --out /tmp/b.jsonl
    python -m helpers.maintainer.speed07 --write /tmp/a.jsonl /tmp/b.jsonl   # -> benchmarks.md

Every run checks the held-out accuracy every 25 steps, so the step counts do not depend on the
machine's load; the seconds do (the load average is recorded with each). Not imported by
`import helpers`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

import torch

from helpers.maintainer.anchor import TUTORIAL_DIFFERENCES, TutorialTransformer, time_to_accuracy
from helpers.nb07_train_a_tiny_transformer.reversal import HeldOut, held_out_set, random_batch
from helpers.nb07_train_a_tiny_transformer.reverser import TrainConfig, build_model
from helpers.training import learning_rate, make_optimizer, one_thread, sequence_accuracy

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "figures" / "benchmarks.md"
SECTION = "## Notebook 07: time to 99 % on digit reversal"
CHECK_EVERY_STEPS = 25

# name: (what changes from our recipe, the change). One factor at a time.
ABLATIONS: dict[str, tuple[str, dict]] = {
    "size": (
        "the tutorial's size: d_model 512, 8 heads, d_ff 512, 3 + 3 blocks",
        {"config": {"d_model": 512, "n_heads": 8, "d_ff": 512, "n_layers": 3}},
    ),
    "embeddings": ("torch's default N(0, 1) embeddings", {"config": {"small_embeddings": False}}),
    "warmup": ("no warm-up (cosine decay from 3e-3 at step 0)", {"config": {"warmup": 0}}),
    "optimiser": ("the tutorial's optimiser: Adam, constant 1e-4, eps 1e-9", {"adam": True}),
    "batch": ("batches of 128 (one length each)", {"config": {"batch_size": 128}}),
    "padding": ("batches of mixed lengths, padded", {"same_length": False}),
    "threads": ("two torch threads", {"threads": 2}),
}


def _load() -> float:
    return os.getloadavg()[0]


def run_recipe(
    held_out: HeldOut, budget_s: float, max_steps: int | None, change: dict | None = None
) -> dict:
    """Our recipe (`TrainConfig()`, AdamW, warm-up + cosine, batches of one length, one thread)
    with `change` applied; trained until 99 % or the budget. Returns the run's record."""
    change = change or {}
    config = replace(TrainConfig(), **change.get("config", {}))
    model = build_model(config)
    gen = torch.Generator().manual_seed(config.seed)
    if change.get("adam"):
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-9)
        set_lr = None
    else:
        optimizer = make_optimizer(model, config)

        def set_lr(step: int) -> None:
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, config)

    same_length = change.get("same_length", True)
    train = partial(
        time_to_accuracy,
        model,
        optimizer,
        lambda: random_batch(config.batch_size, gen, exclude=held_out, same_length=same_length),
        lambda: sequence_accuracy(model, held_out.batch, greedy=False),
        budget_s,
        set_lr,
        CHECK_EVERY_STEPS,
        max_steps,
    )
    return _measure(train, budget_s, threads=change.get("threads", 1))


def run_anchor(held_out: HeldOut, budget_s: float) -> dict:
    """The tutorial set-up (`TutorialTransformer`, Adam 1e-4, padded batches of 128)."""
    torch.manual_seed(0)
    anchor = TutorialTransformer()
    adam = torch.optim.Adam(anchor.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-9)
    gen = torch.Generator().manual_seed(0)
    train = partial(
        time_to_accuracy,
        anchor,
        adam,
        lambda: random_batch(128, gen, exclude=held_out, same_length=False),
        lambda: sequence_accuracy(anchor.to_helpers(), held_out.batch, greedy=False),
        budget_s,
        check_every_steps=CHECK_EVERY_STEPS,
    )
    return _measure(train, budget_s)


def _measure(train: Callable[[], tuple], budget_s: float, threads: int = 1) -> dict:
    """Run `train()` (a `time_to_accuracy` call) on `threads` torch threads; its record."""
    load_before, wall = _load(), time.perf_counter()
    with one_thread():
        torch.set_num_threads(threads)
        seconds, steps, accuracy = train()
    return {
        "seconds": seconds,
        "steps": steps,
        "accuracy": accuracy,
        "load": [load_before, _load()],
        "wall_s": time.perf_counter() - wall,
        "budget_s": budget_s,
    }


def run(names: list[str], anchor_cap_s: float, ablation_cap_s: float, out: Path) -> None:
    """Run the named measurements ("ours" = 3 runs, "anchor", or ablation names), one JSON line
    each, appended to `out` as soon as it is done."""
    held_out = held_out_set()
    for name in names:
        if name == "ours":
            records = [run_recipe(held_out, ablation_cap_s, None) for _ in range(3)]
        elif name == "anchor":
            records = [run_anchor(held_out, anchor_cap_s)]
        else:
            records = [run_recipe(held_out, ablation_cap_s, 2000, ABLATIONS[name][1])]
        with out.open("a") as f:
            f.write(json.dumps({"name": name, "runs": records}) + "\n")
        print(name, records, flush=True)


def _cell(runs: list[dict]) -> tuple[str, str, str]:
    """(steps, seconds, load) of one measurement: the median of the runs' seconds, a run that
    stopped at its cap counted as longer than any that reached the target."""
    loads = f"{min(r['load'][0] for r in runs):.1f}–{max(r['load'][1] for r in runs):.1f}"
    reached = sorted(r["seconds"] for r in runs if r["seconds"] is not None)
    if len(reached) <= len(runs) // 2:
        r = runs[0]
        return (
            f"not reached: {r['accuracy']:.1%} after {r['steps']} steps",
            f"not reached (stopped after ≤ {_trained(r):.0f} s)",
            loads,
        )
    seconds = reached[(len(runs) - 1) // 2]  # the median, the capped runs being the longest
    steps = next(r["steps"] for r in runs if r["seconds"] is not None)
    if len(runs) == 1:
        return f"{steps}", f"{seconds:.0f} s", loads
    each = [f"{x:.0f}" for x in reached] + [
        f"> {_trained(r):.0f} (capped)" for r in runs if r["seconds"] is None
    ]
    return f"{steps}", f"{seconds:.0f} s (median of {', '.join(each)})", loads


def _trained(record: dict) -> float:
    """Training seconds of a run that stopped without reaching the target (its budget, or less
    if it stopped at its step cap: then the wall time is an upper bound)."""
    return min(record["budget_s"], record["wall_s"])


def section(results: dict[str, list[dict]], command: str) -> str:
    """The notebook-07 section of benchmarks.md."""
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},"
        f" torch {torch.__version__}, one torch thread unless stated"
    )
    rows = [
        "| run | steps to 99 % | training time to 99 % | load average (1 min) | s per step |",
        "|---|---|---|---|---|",
    ]
    labels = {"ours": "our recipe (`TrainConfig()`)", "anchor": "the tutorial's set-up (anchor)"}
    for name in ["ours", "anchor", *ABLATIONS]:
        if name in results:
            label = labels.get(name) or f"ours, but {ABLATIONS[name][0]}"
            runs = results[name]
            per_step = statistics.median(
                (r["seconds"] or _trained(r)) / max(1, r["steps"]) for r in runs
            )
            cells = [*_cell(runs), f"{per_step:.2f}"]
            rows.append(f"| {label} | " + " | ".join(cells) + " |")
    differences = "\n".join(f"- {d}" for d in TUTORIAL_DIFFERENCES)
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured on {machine}, {time.strftime('%Y-%m-%d')}, by",
            "",
            "```",
            command,
            "```",
            "",
            "Held-out exact-sequence accuracy checked every 25 steps (evaluation time not counted),"
            " so the steps do not depend on the machine; the seconds do, and on its load (the"
            " 1-minute load average at the start and end of each run, in its column; on 2 cores"
            " a load above 2 slows a run down). Ablations stop at 2,000 steps or their time cap.",
            "",
            *rows,
            "",
            "The anchor is `helpers.maintainer.anchor.TutorialTransformer`, PyTorch's translation"
            " tutorial as written (xavier_uniform_ on every parameter with more than one dimension,"
            " EMB_SIZE 512, 8 heads, FFN 512, 3 + 3 layers, dropout 0.1, Adam lr 1e-4 betas"
            " (0.9, 0.98) eps 1e-9, batches of 128). What differs, and why:",
            "",
            differences,
            "",
        ]
    )


def write(paths: list[Path], command: str) -> None:
    """Merge JSON-lines results into the notebook-07 section of benchmarks.md (the rest of the
    file is kept as it is)."""
    results = {}
    for path in paths:
        for line in path.read_text().splitlines():
            record = json.loads(line)
            results[record["name"]] = record["runs"]
    text = BENCHMARKS.read_text()
    if SECTION in text:
        start = text.index(SECTION)
        end = text.find("\n## ", start + 1)
        text = text[:start] + text[end + 1 :] if end != -1 else text[:start]
    BENCHMARKS.write_text(text.rstrip("\n") + "\n\n" + section(results, command))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="ours,anchor," + ",".join(ABLATIONS))
    parser.add_argument("--anchor-cap", type=float, default=600.0, help="seconds of training")
    parser.add_argument("--ablation-cap", type=float, default=240.0, help="seconds of training")
    parser.add_argument("--out", type=Path, default=Path("speed07.jsonl"))
    parser.add_argument("--write", type=Path, nargs="*", help="JSON-lines files to merge")
    parser.add_argument("--command", default="", help="the command(s) to quote in the section")
    args = parser.parse_args(argv)
    if args.write:
        write(args.write, args.command)
        return 0
    run(args.runs.split(","), args.anchor_cap, args.ablation_cap, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
