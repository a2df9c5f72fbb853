"""Speed figures of the series, printed as one table and written to figures/benchmarks.md.

    python -m helpers.bench            # everything (a few minutes: runs `make test` and a setup)
    python -m helpers.bench --quick    # widget updates and attention kernels only
    python -m helpers.bench --training # notebook 07: time to 99 %, ours and nn.Transformer's

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
from helpers.text import SENTENCE

ROOT = Path(__file__).resolve().parents[1]
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
        OUT.write_text("# Benchmarks\n\n" + text)
        print(f"written to {OUT.relative_to(ROOT)}")
    return 0


# --- 07: time to 99 % on digit reversal, our recipe against a typical nn.Transformer set-up ------

TARGET_ACCURACY = 0.99
CHECK_EVERY_S = 2.0  # evaluate after every 2 s of training (evaluation time is not counted)


class TutorialTransformer(torch.nn.Module):
    """The anchor: a straightforward `nn.Transformer` set-up, as in PyTorch's translation tutorial.

    Token embedding · √d_model + sinusoidal PE, dropout 0.1, `nn.Transformer` (post-norm, final
    LayerNorms), a linear output; trained with Adam, lr 1e-4 constant, betas (0.9, 0.98), on
    padded mixed-length batches. `to_helpers()` copies it into a `helpers.Transformer` (dropout is
    off in evaluation, so the two compute the same), to decode it with `greedy_decode`.
    Shapes: forward(src `(B, S)`, tgt `(B, T)`) -> logits `(B, T, V)`.
    """

    def __init__(
        self, d_model: int = 128, n_heads: int = 8, d_ff: int = 512, n_layers: int = 3
    ) -> None:
        from helpers.positional import sinusoidal_positional_encoding
        from helpers.reversal import VOCAB_SIZE
        from helpers.training import POSITIONS

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

    def _embed(self, tokens: torch.Tensor, embedding: torch.nn.Embedding) -> torch.Tensor:
        x = embedding(tokens) * self.d_model**0.5  # (B, T) -> (B, T, D)
        return self.dropout(x + self.pe[: tokens.shape[1]])

    def forward(self, src: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:
        from helpers.attention import causal_mask
        from helpers.reversal import PAD

        hidden = self.transformer(
            self._embed(src, self.src_embed),
            self._embed(tgt, self.tgt_embed),
            tgt_mask=~causal_mask(tgt.shape[1]),  # torch's convention: True = blocked
            src_key_padding_mask=src == PAD,
            memory_key_padding_mask=src == PAD,
        )  # (B, T, D)
        return self.out(hidden)  # (B, T, D) -> (B, T, V)

    def to_helpers(self):  # noqa: ANN201 (a helpers.transformer.Transformer)
        from helpers.reversal import PAD, VOCAB_SIZE
        from helpers.training import POSITIONS
        from helpers.transformer import Decoder, Encoder, Transformer

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
) -> tuple[float | None, int, float]:
    """Train until `evaluate()` ≥ TARGET_ACCURACY, checking after every CHECK_EVERY_S of training.

    Returns (training seconds to the target or None if the budget ran out, steps, last accuracy).
    Only `train_step` is timed: making batches and evaluating are not counted.
    """
    from helpers.training import train_step

    trained, step, accuracy, next_check = 0.0, 0, 0.0, CHECK_EVERY_S
    while trained < budget_s:
        if set_lr is not None:
            set_lr(step)
        batch = next_batch()
        start = time.perf_counter()
        train_step(model, optimizer, batch)
        trained += time.perf_counter() - start
        step += 1
        if trained >= next_check:
            next_check += CHECK_EVERY_S
            accuracy = evaluate()
            if accuracy >= TARGET_ACCURACY:
                return trained, step, accuracy
    return None, step, accuracy


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def training_speed(anchor_budget_s: float = 1200.0) -> list[tuple[str, str]]:
    """Time to 99 % held-out exact-sequence accuracy on digit reversal (notebook 07), both set-ups
    in one run, one torch thread each (see `helpers.training.one_thread`)."""
    from helpers.reversal import held_out_set, random_batch
    from helpers.training import (
        TrainConfig,
        build_model,
        learning_rate,
        make_optimizer,
        one_thread,
        sequence_accuracy,
    )

    held_out = held_out_set()
    rows = []
    config = TrainConfig()
    with one_thread():
        ours = build_model(config)
        optimizer = make_optimizer(ours, config)
        gen = torch.Generator().manual_seed(config.seed)

        def set_lr(step: int) -> None:
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, config)

        before = _load()
        ours_s, ours_steps, ours_acc = time_to_accuracy(
            ours,
            optimizer,
            lambda: random_batch(config.batch_size, gen, exclude=held_out),
            lambda: sequence_accuracy(ours, held_out.batch, greedy=False),
            budget_s=anchor_budget_s,
            set_lr=set_lr,
        )
        rows.append(_speed_row("07 reversal, helpers recipe", ours_s, ours_steps, ours_acc, before))

        torch.manual_seed(0)
        anchor = TutorialTransformer()
        adam = torch.optim.Adam(anchor.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-9)
        gen = torch.Generator().manual_seed(0)
        before = _load()
        anchor_s, anchor_steps, anchor_acc = time_to_accuracy(
            anchor,
            adam,
            lambda: random_batch(128, gen, exclude=held_out, same_length=False),
            lambda: sequence_accuracy(anchor.to_helpers(), held_out.batch, greedy=False),
            budget_s=anchor_budget_s,
        )
        rows.append(
            _speed_row(
                "07 reversal, nn.Transformer tutorial set-up",
                anchor_s,
                anchor_steps,
                anchor_acc,
                before,
            )
        )
    if ours_s is not None and anchor_s is not None:
        rows.append(
            ("07 reversal: speed-up (anchor / ours)", f"{anchor_s / ours_s:.1f}× (target ≥ 4×)")
        )
    elif ours_s is not None:
        rows.append(("07 reversal: speed-up (anchor / ours)", f"> {anchor_budget_s / ours_s:.1f}×"))
    return rows


def _speed_row(
    label: str, seconds: float | None, steps: int, accuracy: float, load: str
) -> tuple[str, str]:
    what = f"{label}: time to {TARGET_ACCURACY:.0%}"
    if seconds is None:
        return what, f"not reached in {steps} steps ({accuracy:.1%}; {load} → {_load()})"
    return what, f"{seconds:.0f} s ({steps} steps, {accuracy:.1%}; {load} → {_load()})"


if __name__ == "__main__":
    sys.exit(main())
