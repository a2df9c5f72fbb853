"""Speed figures of the series, printed as one table and written to figures/benchmarks.md.

    make bench                                   # everything (minutes: runs `make test`, a setup)
    python -m helpers.maintainer.bench --quick     # widget updates and attention kernels only
    python -m helpers.maintainer.bench --widgets   # the explorers' updates only
    python -m helpers.maintainer.bench --training  # notebook 08: time to 98 %, the KV cache

Medians and ratios only; nothing here is asserted (the machine is shared and noisy).
Not imported by `import helpers`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import re
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
from helpers.maintainer import nbtools
from helpers.nb08_train_a_translator.bench import bench_rows as translator_speed
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


# Every explorer of the series: (row label, "package.function" under helpers). Add new ones here.
EXPLORERS = [
    ("01 attention explorer", "nb01_self_attention.explorer.attention_explorer"),
    ("02 multi-head explorer", "nb02_multi_head_attention.explorer.multi_head_explorer"),
    ("03 positional explorer", "nb03_positional_encoding.explorer.positional_explorer"),
    ("04 depth explorer", "nb04_feed_forward_and_encoder.explorer.depth_explorer"),
    (
        "05 masked & cross-attention explorer",
        "nb05_masked_and_cross_attention.explorer.decoder_attention_explorer",
    ),
    ("06 decoding stepper", "nb06_decoder_and_transformer.explorer.decoding_stepper"),
    ("07 reversal explorer", "nb07_train_a_tiny_transformer.explorer.reversal_explorer"),
    ("08 translator explorer", "nb08_train_a_translator.explorer.translator_explorer"),
    ("09 BERT head gallery", "nb09_real_bert.explorer.bert_heads_explorer"),
]
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))  # per control
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

    from helpers.plots import use_style

    use_style()  # as in a notebook: the series' fonts (Hangul) and sizes
    rows = []
    for label, name in EXPLORERS:
        module, function = name.rsplit(".", 1)
        explorer = getattr(importlib.import_module(f"helpers.{module}"), function)
        for control in _controls(explorer()):
            what = control.description or getattr(control, "tooltip", "") or type(control).__name__
            ms = median_ms(_stepper(control), repeat=REPEAT)
            rows.append((f"{label}: {what}", f"{ms:.1f} ms"))
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
    """Wall time to execute each notebook headless (a scratch copy; nothing is written)."""
    rows = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        start = time.perf_counter()
        nbtools.execute(path)
        rows.append((f"execute {path.name}", f"{time.perf_counter() - start:.1f} s"))
    return rows


TEST_PARTS = ("lint", "unit", "nbval", "browser")  # what `make test` runs


def whole_runs() -> list[tuple[str, str]]:
    """Each part of `make test` alone, then `make test` (its parts two at a time) in this tree, and
    a fresh setup (venv + pinned install) in a scratch clone."""
    rows = []
    for part in TEST_PARTS:
        rows.append((f"make {part} (alone)", f"{_timed(['make', part], ROOT):.0f} s"))
    total = sum(float(seconds.split()[0]) for _, seconds in rows)
    rows.append(("the parts one after another (their sum)", f"{total:.0f} s"))
    rows.append(
        (
            "make test (its parts two at a time)",
            f"{_timed(['make', 'test'], ROOT):.0f} s (target ≤ 300 s)",
        )
    )
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


LATENCY_JSON = ROOT / "figures" / "browser_latency.json"  # written by `make bench`'s browser run


def browser_latency() -> list[str]:
    """The explorers' end-to-end latency in JupyterLab + Chromium (median of 7 per control), as
    measured by the browser tests with LATENCY_JSON set (`make bench` runs them first)."""
    if not LATENCY_JSON.exists():
        return []
    script = ROOT / "tests" / "browser" / "browser_latency.py"
    table = subprocess.run(
        [sys.executable, str(script), str(LATENCY_JSON)], check=True, capture_output=True, text=True
    ).stdout
    return ["## Explorers in the browser (input event → new image loaded)", "", table]


def write_section(title: str, body: str) -> None:
    """Put `## title` and `body` into figures/benchmarks.md, replacing a section of that title;
    the other sections (notebook 07's from speed07, the browser's …) stay as they are."""
    text = OUT.read_text() if OUT.exists() else "# Benchmarks\n"
    head, *parts = re.split(r"(?m)^(?=## )", text)
    sections = {part.splitlines()[0][3:]: part.rstrip() + "\n\n" for part in parts}
    sections[title] = f"## {title}\n\n{body.strip()}\n\n"
    OUT.write_text(head.rstrip() + "\n\n" + "".join(sections.values()).rstrip() + "\n")
    print(f"section {title!r} written to {OUT.relative_to(ROOT)}")


def _machine() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},"
        f" torch {torch.__version__}, {torch.get_num_threads()} torch threads,"
        " load average {:.1f} / {:.1f} / {:.1f} (1 / 5 / 15 min) at the end".format(
            *os.getloadavg()
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip notebook, test and setup runs")
    parser.add_argument(
        "--training",
        action="store_true",
        help="only notebook 08: time to 98 %% and the KV cache (notebook 07: speed07)",
    )
    parser.add_argument("--widgets", action="store_true", help="only the explorers' updates")
    parser.add_argument(
        "--browser", action="store_true", help=f"only the browser table from {LATENCY_JSON.name}"
    )
    args = parser.parse_args(argv)
    parts = {  # a part measured alone writes its own section
        "training": ("Notebook 08: time to 98 % and the KV cache", translator_speed),
        "widgets": ("Explorers, server side (recompute + redraw to PNG)", widget_updates),
    }
    if args.browser:
        latency = browser_latency()  # ["## title", "", table]
        write_section(latency[0][3:], "\n".join(latency[2:]))
        return 0
    for flag, (title, measure) in parts.items():
        if getattr(args, flag):
            text = _table(measure(), f"Measured by `python -m helpers.maintainer.bench --{flag}`")
            print(text)
            write_section(title, text)
            return 0
    rows = widget_updates() + attention_kernels() + bert_model()
    if not args.quick:
        rows += translator_speed() + notebooks() + whole_runs()
    text = _table(rows, "Measured by `make bench`")
    print(text)
    if not args.quick:
        write_section("Everything, by `make bench`", text)
        latency = browser_latency()
        if latency:
            write_section(latency[0][3:], "\n".join(latency[2:]))
    return 0


def _table(rows: list[tuple[str, str]], by: str) -> str:
    table = ["| what | median / time |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)]
    return "\n".join([f"{by} on {_machine()}.", "", *table])


if __name__ == "__main__":
    sys.exit(main())
