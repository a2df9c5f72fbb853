"""Maintainer tool: time the translator to 98 % held-out accuracy, and the KV cache's speed-up.

    python -m helpers.nb08_train_a_translator.bench

Timings depend on the machine and its load: print them with `uptime`, never assert them in tests.
Not lesson code; the notebook quotes its output.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace

import torch

from helpers.decoding import greedy_decode
from helpers.nb08_train_a_translator.data import (
    ENGLISH_VOCAB,
    KOREAN_VOCAB,
    batch_sampler,
    held_out_batch,
    make_split,
)
from helpers.nb08_train_a_translator.train import CONFIG, build_translator
from helpers.text import BOS_ID, EOS_ID
from helpers.training import TrainConfig, build_model, one_thread, sequence_accuracy, train

__all__ = ["bench_rows", "kv_cache_timings", "time_to_accuracy"]


def time_to_accuracy(
    config: TrainConfig = CONFIG, target: float = 0.98, check_every: int = 10
) -> tuple[int | None, float, float]:
    """Train `config` in full, checking held-out accuracy every `check_every` steps off the clock.

    Returns (the first checked step at or above `target`, or None; the seconds of training up to
    it, batches included and the checks excluded; the seconds of the whole run, likewise).
    Held-out accuracy is the teacher-forced shortcut, which gives greedy decoding's verdict
    (`helpers.training.exact_matches`).
    """
    split = make_split()
    held_out = held_out_batch(split)
    model = build_translator(config)
    clock = {"seconds": 0.0, "last": 0.0, "reached": None, "at": 0.0}

    def progress(step: int, loss: float) -> None:
        now = time.perf_counter()
        clock["seconds"] += now - clock["last"]
        if clock["reached"] is None and step % check_every == 0:
            if sequence_accuracy(model, held_out, greedy=False) >= target:
                clock["reached"], clock["at"] = step, clock["seconds"]
        clock["last"] = time.perf_counter()

    clock["last"] = time.perf_counter()
    train(config, model, batch_sampler(split), held_out, config.steps, progress=progress)
    return clock["reached"], clock["at"], clock["seconds"]


@torch.no_grad()
def kv_cache_timings(
    new_tokens: int = 128, batch_size: int = 1, repeats: int = 5
) -> tuple[float, float]:
    """Median seconds of greedy decoding `new_tokens` tokens without and with the KV cache.

    A random model of the translator's size whose `<eos>` is never chosen (its output bias set
    to −1e4), so every run writes exactly `new_tokens` tokens; one thread; the tokens of both
    runs are checked equal.
    """
    model = build_model(CONFIG, len(ENGLISH_VOCAB), len(KOREAN_VOCAB), max_len=new_tokens + 1)
    model.eval().out.bias[EOS_ID] = -1e4
    src = torch.randint(3, model.src_embed.num_embeddings, (batch_size, 8))  # (B, S)
    times: dict[bool, list[float]] = {False: [], True: []}
    with one_thread():
        for _ in range(repeats):
            for use_cache in (False, True):
                start = time.perf_counter()
                result = greedy_decode(model, src, BOS_ID, EOS_ID, new_tokens, use_cache)
                times[use_cache].append(time.perf_counter() - start)
                assert result.tokens.shape[1] == new_tokens + 1
    return statistics.median(times[False]), statistics.median(times[True])


def bench_rows(seeds: tuple[int, ...] = (0, 1, 2), new_tokens: int = 128) -> list[tuple[str, str]]:
    """`make bench`'s rows: time to 98 % held-out accuracy (each seed, then the median) and the
    KV cache's speed-up on greedy decoding of `new_tokens` tokens."""
    seconds = []
    rows = []
    for seed in seeds:
        step, at, _ = time_to_accuracy(replace(CONFIG, seed=seed))
        seconds.append(at if step is not None else float("inf"))
        reached = f"step {step}, {at:.1f} s" if step is not None else "not reached"
        rows.append((f"08 translator: seed {seed}, ≥ 98 % held-out", reached))
    rows.append(
        (
            "08 translator: time to 98 % (median)",
            f"{statistics.median(seconds):.1f} s (target ≤ 90 s)",
        )
    )
    plain, cached = kv_cache_timings(new_tokens)
    rows.append(
        (
            f"08 greedy decoding of {new_tokens} tokens: no cache / KV cache",
            f"{plain * 1000:.0f} ms / {cached * 1000:.0f} ms = {plain / cached:.1f}×",
        )
    )
    return rows


def main() -> int:
    for run, seed in enumerate((0, 1, 2), start=1):
        step, seconds, total = time_to_accuracy(replace(CONFIG, seed=seed))
        print(
            f"run {run} (seed {seed}): ≥ 98 % at step {step}, {seconds:.1f} s ({total:.1f} s all)"
        )
    for new_tokens in (32, 128, 256):
        plain, cached = kv_cache_timings(new_tokens)
        print(
            f"greedy, {new_tokens} tokens: {plain * 1000:.0f} ms without the cache, "
            f"{cached * 1000:.0f} ms with it: {plain / cached:.1f}× faster"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
