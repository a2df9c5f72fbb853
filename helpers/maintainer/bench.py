"""Speed figures of the series, printed as one table and written to figures/benchmarks.md.

    make bench                                   # everything (minutes: runs `make test`, a setup)
    python -m helpers.maintainer.bench --quick     # widget updates and attention kernels only
    python -m helpers.maintainer.bench --training  # notebook 07: time to 99 %, ours and anchor's

Medians and ratios only; nothing here is asserted (the machine is shared and noisy).
Not imported by `import helpers`.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F

from helpers.attention import scaled_dot_product_attention
from helpers.maintainer.anchor import training_speed
from helpers.maintainer.speed07 import SECTION
from helpers.text import SENTENCE

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "figures" / "benchmarks.md"


def median_ms(fn: Callable[[], object], repeat: int = 30, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


# Every explorer of the series: (row label, function in helpers.widgets). Add new ones here.
EXPLORERS = [
    ("01 attention explorer", "attention_explorer"),
    ("02 multi-head explorer", "multi_head_explorer"),
    ("03 positional explorer", "positional_explorer"),
    ("04 depth explorer", "depth_explorer"),
    ("05 masked & cross-attention explorer", "decoder_attention_explorer"),
    ("06 decoding stepper", "decoding_stepper"),
    ("08 BERT head gallery", "bert_heads_explorer"),
    ("07 reversal explorer", "reversal_explorer"),
]
SENTENCES = [SENTENCE, "고양이가 매트 위에 앉았다", "A much longer sentence of many more words"]


def _controls(widget) -> list:  # noqa: ANN001
    """Every control in a widget tree, depth first."""
    import ipywidgets as W

    if isinstance(widget, W.Box):
        return [c for child in widget.children for c in _controls(child)]
    if isinstance(widget, W.Button | W.ValueWidget) and not isinstance(widget, W.Image | W.HTML):
        return [widget]
    return []


def _stepper(control) -> Callable[[], None]:  # noqa: ANN001
    """A function that moves one control to another value each call (as a reader would)."""
    import ipywidgets as W

    if isinstance(control, W.Button):
        return control.click
    if isinstance(control, W.Text):
        values = SENTENCES
    elif hasattr(control, "options"):
        values = [value for _, value in control._options_full] or [control.value]
    elif isinstance(control, W.Checkbox | W.ToggleButton):
        values = [not control.value, control.value]
    else:  # sliders: between their two ends (a log slider's min and max are exponents)
        ends = (control.min, control.max)
        if isinstance(control, W.FloatLogSlider):
            ends = tuple(control.base**e for e in ends)
        values = list(ends) if control.value != ends[0] else list(reversed(ends))
    state = {"i": 0}

    def step() -> None:
        state["i"] += 1
        control.value = values[state["i"] % len(values)]

    return step


def widget_updates() -> list[tuple[str, str]]:
    """Median server-side time of one update (recompute + redraw to PNG) per widget control."""
    import helpers.widgets  # ipywidgets only when measuring widgets

    rows = []
    for label, name in EXPLORERS:
        for control in _controls(getattr(helpers.widgets, name)()):
            what = control.description or type(control).__name__
            ms = median_ms(_stepper(control))
            rows.append((f"{label}: {what}", f"{ms:.1f} ms (target ≤ 50 ms)"))
    return rows


def attention_kernels() -> list[tuple[str, str]]:
    """helpers vs torch's fused kernel, side by side at B=8, H=8, T=256, Dk=64."""
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(8, 8, 256, 64, generator=g) for _ in range(3))
    with torch.no_grad():
        ours = median_ms(lambda: scaled_dot_product_attention(q, k, v), repeat=20)
        theirs = median_ms(lambda: F.scaled_dot_product_attention(q, k, v), repeat=20)
    return [
        ("helpers.scaled_dot_product_attention (8, 8, 256, 64)", f"{ours:.1f} ms"),
        ("torch F.scaled_dot_product_attention (8, 8, 256, 64)", f"{theirs:.1f} ms"),
        ("ratio helpers / torch", f"{ours / theirs:.2f}×"),
    ]


def bert_model() -> list[tuple[str, str]]:
    """Loading all-MiniLM-L6-v2 into our blocks (files read, weights placed), and one forward
    pass of "The cat sat on the mat." (9 tokens) and of 512 tokens."""
    from helpers.bert import load_bert, load_tokenizer

    start = time.perf_counter()
    model, tokenizer = load_bert(), load_tokenizer()
    load_s = time.perf_counter() - start
    short = tokenizer.encode(SENTENCE).ids
    long = tokenizer.encode("cat " * 600, truncate=True).ids
    with torch.no_grad():
        short_ms = median_ms(lambda: model(short), repeat=20)
        long_ms = median_ms(lambda: model(long), repeat=5, warmup=1)
    return [
        ("08 load BERT (safetensors + vocab.txt) into our blocks", f"{load_s:.2f} s"),
        ("08 BERT forward, 9 tokens", f"{short_ms:.1f} ms"),
        ("08 BERT forward, 512 tokens", f"{long_ms:.0f} ms"),
    ]


def _timed(cmd: list[str], cwd: Path, env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def notebooks() -> list[tuple[str, str]]:
    """Wall time to execute each notebook headless (into a scratch copy)."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
            copy = Path(tmp) / path.name
            shutil.copy(path, copy)
            seconds = _timed(
                [
                    sys.executable,
                    "-m",
                    "jupyter",
                    "nbconvert",
                    "--to",
                    "notebook",
                    "--execute",
                    "--inplace",
                    str(copy),
                ],
                cwd=path.parent,
            )
            rows.append((f"execute {path.name}", f"{seconds:.1f} s"))
    return rows


def whole_runs() -> list[tuple[str, str]]:
    """`make test` in this tree, and a fresh setup (venv + pinned install) in a scratch clone."""
    rows = [("make test (this tree)", f"{_timed(['make', 'test'], ROOT):.0f} s")]
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        rows.append(
            (
                "fresh setup: make setup in a clean clone",
                f"{_timed(['make', 'setup'], clone, env):.0f} s (target < 180 s)",
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip notebook, test and setup runs")
    parser.add_argument(
        "--training", action="store_true", help="only notebook 07's time to 99 %% (minutes)"
    )
    args = parser.parse_args(argv)
    if args.training:
        rows = training_speed()
    else:
        rows = widget_updates() + attention_kernels() + bert_model()
    if not (args.quick or args.training):
        rows += training_speed() + notebooks() + whole_runs()
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},"
        f" torch {torch.__version__}, {torch.get_num_threads()} torch threads"
    )
    table = ["| what | median / time |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)]
    text = "\n".join([f"Measured by `make bench` on {machine}.", "", *table, ""])
    print(text)
    if not (args.quick or args.training):
        kept = OUT.read_text() if OUT.exists() else ""  # notebook 07's section (speed07) stays
        kept = kept[kept.index(SECTION) :] if SECTION in kept else ""
        OUT.write_text("# Benchmarks\n\n" + text + ("\n" + kept if kept else ""))
        print(f"written to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
