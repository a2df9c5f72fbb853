"""The decoding stepper of 06_decoder_and_transformer.ipynb: next, reset, greedy or sampled, the
untrained demo model or the trained translator of notebook 08."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import ipywidgets as W
import numpy as np
import torch

from helpers.decoding import greedy_decode, next_token_distribution, sample_decode
from helpers.nb06_decoder_and_transformer.data import SOURCE_VOCAB, TARGET_VOCAB, demo_transformer
from helpers.nb06_decoder_and_transformer.figures import DecodingFigure
from helpers.text import BOS_ID, EOS_ID, SENTENCE, Vocabulary
from helpers.translator import CHECKPOINT, shipped_translator
from helpers.widgets import Explorer, dropdown, log_slider

if TYPE_CHECKING:
    from helpers.decoding import GreedyResult
    from helpers.transformer import Transformer


__all__ = [
    "DECODE_STEPS",
    "MODELS",
    "TRANSLATOR_NOTE",
    "DecodingView",
    "TOP_K_OPTIONS",
    "decoding_stepper",
    "decoding_view",
]


DECODE_STEPS = 8  # the stepper generates at most this many tokens


TOP_K_OPTIONS = (("all", 0), ("5", 5), ("3", 3), ("1 (= greedy)", 1))  # 0: keep every token


# The stepper's models: this notebook's untrained demo, or notebook 08's trained translator.
MODELS = (
    ("untrained demo (this notebook)", "demo"),
    ("trained translator (notebook 08)", "translator"),
)


TRANSLATOR_NOTE = (
    "The trained translator: notebook 08's Transformer (d_model 64, 2 + 2 blocks), trained on an "
    "English → Korean grammar that never showed it this sentence; its weights are the shipped "
    f"checkpoint helpers/{CHECKPOINT.parent.name}/{CHECKPOINT.name}, loaded by "
    "helpers.translator.shipped_translator()."
)


@dataclass(frozen=True)
class DecodingView:
    """What the decoding stepper shows at one step. `probs` is None at step 0 (nothing generated).

    Shapes: source `(S,)`, vocab `(V,)`, targets `(1 + step,)` (<bos>, then the chosen tokens),
    probs `(V,)` (the step's next-token distribution at the chosen temperature and top-k),
    attention `(DECODE_STEPS, S)` (each step's cross-attention over the source, last decoder
    block, mean of its heads; NaN after the current step).
    """

    source: list[str]
    vocab: list[str]
    targets: list[str]
    probs: np.ndarray | None
    chosen: int | None
    attention: np.ndarray
    step: int
    finished: bool
    caption: str
    message: str

    def figure_args(self) -> tuple:
        """The arguments of `figures.DecodingFigure.update`, in order."""
        return (
            self.vocab,
            self.source,
            self.targets,
            self.probs,
            self.chosen,
            self.attention,
            self.caption,
        )


_DECODING_MODEL: list[Transformer] = []  # the demo model, built once on first use


_DECODING_RUNS: dict[tuple, GreedyResult] = {}


def _model_and_vocabularies(model: str) -> tuple[Transformer, Vocabulary, Vocabulary]:
    """The stepper's model ("demo" or "translator") and its source and target vocabularies."""
    if model not in [name for _, name in MODELS]:
        raise ValueError(f"model must be one of {[name for _, name in MODELS]}, got {model!r}")
    if model == "translator":
        translator = shipped_translator()
        return translator.model, translator.english, translator.korean
    if not _DECODING_MODEL:
        _DECODING_MODEL.append(demo_transformer())
    return _DECODING_MODEL[0], SOURCE_VOCAB, TARGET_VOCAB


def _decoding_run(
    sample: bool, temperature: float, top_k: int | None, model_name: str = "demo"
) -> GreedyResult:
    """The whole run of DECODE_STEPS steps for one setting, cached: a step is then a slice of it
    (decoding is causal, so the first n steps of a long run are the run of n steps)."""

    key = (model_name, True, temperature, top_k) if sample else (model_name, False)
    if key not in _DECODING_RUNS:
        model, source_vocab, _ = _model_and_vocabularies(model_name)
        src = source_vocab.encode(SENTENCE)  # (1, S)
        if sample:
            run = sample_decode(model, src, BOS_ID, EOS_ID, DECODE_STEPS, temperature, top_k)
        else:
            run = greedy_decode(model, src, BOS_ID, EOS_ID, DECODE_STEPS)
        if len(_DECODING_RUNS) >= 64:
            _DECODING_RUNS.clear()
        _DECODING_RUNS[key] = run
    return _DECODING_RUNS[key]


def decoding_view(
    step: int = 1,
    temperature: float = 1.0,
    top_k: int | None = None,
    sample: bool = False,
    model: str = "demo",
) -> DecodingView:
    """Step `step` of decoding "The cat sat on the mat." with the untrained demo Transformer
    (`model="demo"`) or the trained translator of notebook 08 (`model="translator"`, the shipped
    checkpoint; its message says where the model comes from).

    Greedy (`sample=False`) takes the most likely token; the distribution shown is still
    `next_token_distribution(logits, temperature, top_k)`, to see what those do (they never
    move the argmax). Sampling draws from it, seeded. A step past the end of the run (the
    model chose <eos>, or DECODE_STEPS) is moved to the end; a bad temperature or top-k gets a
    message and the view of step 0.
    """

    _, source_vocab, target_vocab = _model_and_vocabularies(model)
    source = source_vocab.decode(source_vocab.encode(SENTENCE)[0])  # (S,)
    vocab = list(target_vocab.tokens)  # (V,)
    note = TRANSLATOR_NOTE if model == "translator" else ""
    blank = np.full((DECODE_STEPS, len(source)), np.nan)
    top_k = top_k or None  # 0 and None: every token
    try:
        next_token_distribution(torch.zeros(1), temperature, top_k)
    except ValueError as e:
        caption = "nothing to show"
        return DecodingView(source, vocab, ["<bos>"], None, None, blank, 0, False, caption, str(e))
    run = _decoding_run(sample, float(temperature), top_k, model)
    n_steps = run.probs.shape[1]
    message = note
    if not 0 <= step <= n_steps:
        clamped = min(max(step, 0), n_steps)
        message = f"The run has steps 0 … {n_steps}; showing step {clamped}. {note}".strip()
        step = clamped
    tokens = run.tokens[0, : step + 1]  # (1 + step,)
    targets = target_vocab.decode(tokens)
    attention = blank.copy()
    attention[:step] = run.cross_attention[0].mean(dim=0)[:step].numpy()  # (H, N, S) -> (N, S)
    finished = step == n_steps
    how = (
        f"sampled (τ = {temperature:.2g}, top-k {top_k or 'all'})"
        if sample
        else "greedy: the most likely token, at any τ and top-k"
    )
    if step == 0:
        probs, chosen, caption = None, None, f"step 0 · {how}"
    else:
        with torch.no_grad():
            p = next_token_distribution(run.logits[0, step - 1], temperature, top_k)  # (V,)
        probs, chosen = p.numpy().astype(float), int(tokens[-1])
        picked = f"{vocab[chosen]} (p = {probs[chosen]:.2f})"
        caption = f"step {step} · {how}: {picked}\ntarget so far: {' '.join(targets)}"
    if finished:
        end = "<eos>" if step and targets[-1] == "<eos>" else f"{DECODE_STEPS} tokens"
        caption += f"  ·  finished ({end})"
    return DecodingView(
        source, vocab, targets, probs, chosen, attention, step, finished, caption, message
    )


def decoding_stepper(step: int = 1) -> W.VBox:
    """Press "next" to generate one token: its distribution, the choice and the step's attention.

    Greedy or sampled, with a temperature τ and top-k; "reset" goes back to <bos> alone; the
    untrained demo model or the trained translator of notebook 08 (which writes
    고양이가 매트 위에 앉았다). Taught in 06_decoder_and_transformer.ipynb.
    """

    next_button = W.Button(description="next ▶", tooltip="generate one more token")
    reset = W.Button(description="reset", tooltip="back to <bos> alone")
    modes = [("greedy (argmax)", False), ("sample", True)]
    mode = dropdown("decoding", modes, False, width="15em")
    model = dropdown("model", MODELS, "demo", width="24em")
    temperature = log_slider(
        "temperature τ", 1.0, min=-1, max=1, step=0.1, readout_format=".2g", live=True
    )
    top_k = dropdown("top-k", TOP_K_OPTIONS, 0, width="11em")
    state = {"step": step, "finished": False}

    def follow(view: DecodingView) -> None:  # the stepper remembers where decoding stands
        state["step"], state["finished"] = view.step, view.finished
        next_button.description = "start over ▶" if view.finished else "next ▶"

    explorer = Explorer(
        DecodingFigure(),
        lambda: decoding_view(
            state["step"], temperature.value, top_k.value, mode.value, model.value
        ),
        [[next_button, reset, model], [mode, temperature, top_k]],
        on_view=follow,
    )

    def on_next(_: object) -> None:
        state["step"] = 0 if state["finished"] else state["step"] + 1
        explorer.redraw()

    def on_reset(_: object) -> None:
        state["step"] = 0
        explorer.redraw()

    next_button.on_click(on_next)
    reset.on_click(on_reset)
    return explorer.widget
