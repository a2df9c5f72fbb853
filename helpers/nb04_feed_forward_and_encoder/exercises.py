"""Exercises of 04_feed_forward_and_encoder.ipynb, with their checkers."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import torch

from helpers.blocks import EncoderBlock
from helpers.checking import Case, NotYet, checker, close, fmt, fn_name, mistake
from helpers.positional import sinusoidal_positional_encoding
from helpers.text import TOKENS, word_vectors

__all__ = [
    "NAN_HINT_LAYER_NORM",
    "check_encoder_parameters",
    "check_layer_norm",
    "check_pre_norm_block",
]


NAN_HINT_LAYER_NORM = (
    "A row whose entries are all equal has variance 0: add eps to the variance inside the "
    "square root, np.sqrt(var + eps), so the division stays finite."
)


def _layer_norm(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float, axis: int = -1, ddof: int = 0
) -> np.ndarray:
    """(x − mean) / √(var + eps) · γ + β over `axis`, float64 (ddof=0: the biased variance)."""
    mean = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, keepdims=True, ddof=ddof)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


@lru_cache(maxsize=1)
def _encoder_input() -> np.ndarray:
    """Word vectors + positional encoding of "The cat sat on the mat.", as in notebook 04."""

    x = word_vectors(TOKENS) + sinusoidal_positional_encoding(len(TOKENS), 512)  # (T, D)
    return x.numpy().astype(np.float64)


def _block_parameters(d_model: int, d_ff: int) -> dict[str, int]:
    """Parameters of one encoder block, by part: W_q, W_k, W_v, W_o with biases; W_1, W_2 with
    biases; γ and β of its two LayerNorms."""
    return {
        "attention": 4 * (d_model * d_model + d_model),
        "ffn": 2 * d_model * d_ff + d_ff + d_model,
        "layer_norm": 2 * 2 * d_model,
    }


def _layer_norm_cases(name: str) -> list[Case]:
    """The running sentence's encoder input (γ = 1, β = 0), 3 × 5 random rows with random γ and β,
    and rows whose spread is tiny or zero. Args of each case: (x, gamma, beta, eps)."""
    rng = np.random.default_rng(4)
    x = _encoder_input()  # (T, D)
    d = x.shape[1]
    small = rng.normal(size=(3, 5)) * 3 + 1
    flat = np.array([[2.0, 2.001, 1.999, 2.0], [5.0, 5.0, 5.0, 5.0]])  # std 7e-4, then 0
    return [
        Case((x, np.ones(d), np.zeros(d), 1e-5), f"{name}(X, ones, zeros, 1e-5)"),
        Case(
            (small, rng.normal(size=5), rng.normal(size=5), 1e-5),
            f"{name}(x, gamma, beta, 1e-5)",
            "(3 rows of 5, random γ and β)",
        ),
        Case(
            (flat, np.full(4, 2.0), np.full(4, 0.5), 1e-5),
            f"{name}(x, gamma, beta, 1e-5)",
            "(a row of almost equal values, then a row of equal values)",
        ),
    ]


def _layer_norm_hint(got: np.ndarray, case: Case) -> None:
    """Raise NotYet with a hint unless `got` is the LayerNorm of the case's rows.

    Shapes: got and the case's x `(T, D)`, its gamma and beta `(D,)`.
    """
    xs, gamma, beta, eps = case.args
    want = _layer_norm(xs, gamma, beta, eps)
    if close(got, want):
        return
    mean, std = xs.mean(axis=-1, keepdims=True), xs.std(axis=-1, keepdims=True)  # (T, 1) each
    label = case.label
    mistake(
        got,
        [
            (
                _layer_norm(xs, gamma, beta, eps, axis=0),
                f"{label} normalises each feature over the tokens (axis 0), like BatchNorm. "
                "LayerNorm normalises each token over its own features: axis=-1.",
            ),
            (
                _layer_norm(xs, gamma, beta, eps, ddof=1),
                f"{label} uses the unbiased variance (divided by D − 1). LayerNorm divides "
                "by D: np.var's default, ddof=0 (torch: unbiased=False).",
            ),
            (
                (xs - mean) / (std + eps) * gamma + beta,
                f"{label}: eps goes inside the square root, (x − mean) / np.sqrt(var + eps), "
                "not after it; it matters when a row barely varies.",
            ),
            (
                _layer_norm(xs, 1.0, 0.0, eps),
                f"{label} normalises, but then multiply by gamma and add beta "
                "(the learned scale γ and shift β).",
            ),
        ],
    )
    raise case.wrong(got, want)


@checker("layer_norm")
def check_layer_norm(fn: Callable[..., Any]) -> str:
    """Check `fn(x, gamma, beta, eps)` = LayerNorm of every row of x, in NumPy.

    Shapes: x `(T, D)`, gamma and beta `(D,)` -> `(T, D)`.
    Cases: the running sentence's encoder input (6 × 512, γ = 1, β = 0); 3 × 5 random rows with
    random γ and β; rows whose spread is tiny or zero (where eps matters).
    Used in 04_feed_forward_and_encoder.ipynb.
    """
    for case in _layer_norm_cases(fn_name(fn, "layer_norm")):
        shape = case.args[0].shape
        _layer_norm_hint(case.array(case.run(fn), shape, overflow_hint=NAN_HINT_LAYER_NORM), case)
    x = _encoder_input()  # (T, D)
    out = _layer_norm(x, 1.0, 0.0, 1e-5)
    return (
        f"Right. Each of the 6 tokens now has mean {abs(out.mean(axis=1)).max():.4f} and "
        f"standard deviation {out.std(axis=1).mean():.4f} over its {x.shape[1]} features, "
        "and a constant row stays finite. That is nn.LayerNorm."
    )


@checker("encoder_parameters")
def check_encoder_parameters(fn: Callable[..., Any]) -> str:
    """Check `fn(d_model, d_ff)` = the number of parameters of one encoder block (an integer).

    Cases: the book's block (512, 2048), BERT-base's (768, 3072) and a small (64, 256).
    Used in 04_feed_forward_and_encoder.ipynb.
    """
    name = fn_name(fn, "encoder_parameters")
    for d, f in ((512, 2048), (768, 3072), (64, 256)):
        case = Case((d, f), f"{name}({d}, {f})")
        got = case.count(case.run(fn))
        parts = _block_parameters(d, f)
        want = sum(parts.values())
        if got == want:
            continue
        misses = {
            parts["layer_norm"]: "LayerNorm has parameters too: γ and β, d_model each, in "
            "both Add & Norm steps (4 · d_model).",
            parts["layer_norm"] // 2: "there are two Add & Norm steps, each with its own γ and β.",
            d * d + d: "four projections in attention: W_q, W_k, W_v and the output W_o.",
            4 * d + f + d: "count the biases: every nn.Linear has one (4 · d_model in "
            "attention, d_ff + d_model in the FFN).",
            4 * d + f + d + parts["layer_norm"]: "count the biases and the LayerNorms' γ "
            "and β, not only the weight matrices.",
            parts["attention"] + parts["layer_norm"]: "that is the FFN alone; add attention "
            "and the two LayerNorms.",
            parts["ffn"] + parts["layer_norm"]: "that is attention alone; add the FFN and "
            "the two LayerNorms.",
        }
        hint = misses.get(int(want - got))
        if hint is not None:
            raise NotYet(f"{case.label} returned {got:,}, {want - got:,} short: {hint}")
        raise NotYet(f"{case.label} returned {got:,}, expected {want:,}.")
    parts = _block_parameters(512, 2048)
    total = sum(parts.values())
    bert = 12 * sum(_block_parameters(768, 3072).values())
    return (
        f"Right: {total:,} parameters per block, {parts['ffn'] / total:.0%} of them in the "
        f"FFN and {parts['attention'] / total:.0%} in attention; 6 blocks hold {6 * total:,}, "
        f"and BERT-base's 12 blocks of (768, 3072) {bert:,}."
    )


def _blocks_for_pre_norm() -> list[tuple[Any, torch.Tensor, str]]:
    """(post-norm block, x, call) pairs: the book's sizes, and a small block whose two LayerNorms
    have different γ and β (so that mixing them up shows)."""

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(4)
        big = EncoderBlock(512, 8, 2048).eval()
        small = EncoderBlock(16, 2, 32).eval()
        with torch.no_grad():
            for p in (*small.norm1.parameters(), *small.norm2.parameters()):
                p.add_(torch.randn(p.shape) * 0.5)
        x_small = torch.randn(2, 5, 16)
    x = torch.from_numpy(_encoder_input()).float()[None]  # (T, D) -> (1, T, D)
    return [
        (big, x, "(X, block)"),
        (small, x_small, "(x, block)"),
    ]


def _pre_norm_answers(block: Any, x: torch.Tensor) -> dict[str, np.ndarray]:
    """The right pre-norm output of `block` on x, and the outputs of the usual mistakes.

    Keys: "pre" (the answer, `EncoderBlock(norm_first=True)` with the block's weights), "post"
    (the block itself), "first_half" (attention only), "no_residual", "swapped" (norm1 and norm2
    exchanged). Shapes: x `(B, T, D)`; every answer `(B, T, D)`, float64.
    """
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        pre = EncoderBlock(x.shape[-1], block.self_attn.n_heads, block.ffn.d_ff, norm_first=True)
        pre.load_state_dict(block.state_dict())
        want = pre.eval()(x).double().numpy()

        def attn(h: torch.Tensor, mha: Any = block.self_attn) -> torch.Tensor:
            return mha(h, h, h)[0]

        first_half = (x + attn(block.norm1(x))).double().numpy()
        no_residual = block.ffn(block.norm2(attn(block.norm1(x)))).double().numpy()
        h = x + attn(block.norm2(x))
        swapped = (h + block.ffn(block.norm1(h))).double().numpy()
        post = block(x).double().numpy()
    return {
        "pre": want,
        "post": post,
        "first_half": first_half,
        "no_residual": no_residual,
        "swapped": swapped,
    }


def _call_pre_norm(fn: Callable[..., Any], case: Case) -> Any:
    """The learner's result on one case; a returned (output, weights) pair gets its own hint."""
    try:
        with torch.no_grad():
            return case.run(fn)
    except NotYet as e:
        if "tuple" not in str(e):
            raise
        raise NotYet(
            f"{e}. block.self_attn(q, k, v) returns (output, weights): keep only the "
            "output, `block.self_attn(h, h, h)[0]`."
        ) from None


def _pre_norm_hint(got: np.ndarray, answers: dict[str, np.ndarray], label: str) -> None:
    """Raise NotYet with a hint unless `got` is the pre-norm answer. Shapes: got `(B, T, D)`."""
    want = answers["pre"]
    if close(got, want):
        return
    hints = {
        "post": f"{label} is the post-norm block, Norm(x + sublayer(x)). Pre-norm normalises "
        "what goes into each sub-layer: x + sublayer(Norm(x)).",
        "first_half": f"{label} stops after attention: then x = x + FFN(Norm2(x)).",
        "no_residual": f"{label} forgets the residual connections: add x back after each "
        "sub-layer, x = x + sublayer(Norm(x)).",
        "swapped": f"{label} swaps the norms: block.norm1 goes before attention, "
        "block.norm2 before the FFN.",
    }
    mistake(got, [(answers[key], hint) for key, hint in hints.items()])
    raise NotYet(f"{label} gave {fmt(got[0, 0])} for the first token, expected {fmt(want[0, 0])}.")


@checker("pre_norm_block")
def check_pre_norm_block(fn: Callable[..., Any]) -> str:
    """Check `fn(x, block)`: the pre-norm version of a post-norm `EncoderBlock`, from its parts.

    Pre-norm: x = x + MHA(Norm1(x)); x = x + FFN(Norm2(x)). The reference is
    `EncoderBlock(..., norm_first=True)` with the block's weights.
    Shapes: x `(B, T, D)` -> `(B, T, D)`.
    Cases: the book's sizes on "The cat sat on the mat.", and a batch of 2 through a small block.
    Used in 04_feed_forward_and_encoder.ipynb.
    """

    name = fn_name(fn, "pre_norm_block")
    for block, x, args in _blocks_for_pre_norm():
        answers = _pre_norm_answers(block, x)
        case = Case((x.clone(), block), f"{name}{args}")  # a copy: ours stays intact
        got = case.array(_call_pre_norm(fn, case), tuple(x.shape))
        _pre_norm_hint(got, answers, case.label)
    return (
        "Right: x + MHA(Norm1(x)), then x + FFN(Norm2(x)), the same numbers as "
        "EncoderBlock(norm_first=True) and nn.TransformerEncoderLayer(norm_first=True). "
        "The residual path now runs from input to output without a single LayerNorm on it."
    )
