"""Exercises of 06_decoder_and_transformer.ipynb, with their checkers."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import torch

from helpers.checking import Case, NotYet, checker, close, fmt, fn_name
from helpers.nb01_self_attention.exercises import softmax_reference
from helpers.nb06_decoder_and_transformer.data import SOURCE_VOCAB, TARGET_VOCAB, demo_transformer
from helpers.text import BOS_ID, SENTENCE
from helpers.transformer import Transformer

__all__ = ["check_output_layer", "check_top_k_distribution", "check_transformer_parameters"]


def _top_k_distribution(logits: np.ndarray, temperature: float, k: int) -> np.ndarray:
    """softmax(logits / T) over the k largest logits (ties with the k-th kept), float64."""
    scaled = logits / temperature
    kth = np.sort(scaled)[-k]
    return softmax_reference(np.where(scaled >= kth, scaled, -np.inf))


@lru_cache(maxsize=1)
def _demo_output_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The demo Transformer's last hidden state at step 1, and its output layer (float64)."""

    model = demo_transformer()
    src = SOURCE_VOCAB.encode(SENTENCE)  # (1, S)
    with torch.no_grad():
        hidden = model.decode(torch.tensor([[BOS_ID]]), model.encode(src), src)[0, -1]  # (D,)
    w_out = model.out.weight.detach().T  # (D, V)
    b_out = model.out.bias.detach()  # (V,)
    return tuple(t.numpy().astype(np.float64) for t in (hidden, w_out, b_out))


@checker("output_layer")
def check_output_layer(fn: Callable[..., Any]) -> str:
    """Check `fn(hidden, W_out, b_out)` -> `(probs, token_id)`: the decoder's output processing.

    probs = softmax(hidden @ W_out + b_out), token_id = the index of the largest probability.
    Shapes: hidden `(D,)`, W_out `(D, V)`, b_out `(V,)` -> probs `(V,)`, token_id an int.
    Cases: the demo Transformer's first step (D = 64, V = 11), and a layer whose scores are
    near 1000 (np.exp overflows unless the largest score is subtracted first).
    Used in 06_decoder_and_transformer.ipynb.
    """
    name = fn_name(fn, "output_layer")
    hidden, w_out, b_out = _demo_output_case()
    rng = np.random.default_rng(6)
    big = (rng.normal(size=4), rng.normal(size=(4, 5)), np.full(5, 1000.0))
    cases = [(hidden, w_out, b_out, "(hidden, W_out, b_out)"), (*big, "(h, W, b + 1000)")]
    for h, w, b, args in cases:
        case = Case((h, w, b), f"{name}{args}")
        probs, token = case.outputs(fn, ("probs", "token_id"))
        probs = case.array(probs, b.shape, "the probs")
        want = softmax_reference(h @ w + b)
        if not close(probs, want):
            if close(probs, softmax_reference(h @ w)):
                raise NotYet(f"{case.label}: add the bias b_out to the scores.")
            if close(probs, h @ w + b):
                raise NotYet(
                    f"{case.label} returned the scores (logits): apply the softmax to them."
                )
            if not np.isclose(probs.sum(), 1.0, atol=1e-6):
                raise NotYet(f"the probs of {case.label} sum to {probs.sum():.4f}, not 1.")
            raise NotYet(f"{case.label} gave probs {fmt(probs)}, expected {fmt(want)}.")
        if isinstance(token, torch.Tensor | np.ndarray) and np.asarray(token).size == 1:
            token = np.asarray(token).item()  # a 0-d tensor or array holds one id: fine
        if isinstance(token, bool) or not isinstance(token, int | np.integer):
            raise NotYet(
                f"the token_id of {case.label} should be one integer (an index into the "
                f"vocabulary), got {type(token).__name__}"
            )
        if int(token) != int(want.argmax()):
            if int(token) == int(want.argmin()):
                raise NotYet(f"{case.label} picked the least likely token: use argmax.")
            raise NotYet(
                f"{case.label} picked token {int(token)}; the most likely is "
                f"{int(want.argmax())} (p = {want.max():.4f})."
            )

    best = int(softmax_reference(hidden @ w_out + b_out).argmax())
    return (
        f"Right: 64 numbers -> 11 scores -> 11 probabilities -> one word. The untrained "
        f"model's first word is {TARGET_VOCAB.tokens[best]!r} at p = "
        f"{softmax_reference(hidden @ w_out + b_out).max():.4f}: a random guess (uniform "
        f"would be 1/11 = {1 / 11:.4f}), right only by luck."
    )


def _transformer_total(d_model: int, d_ff: int, n_layers: int, vocab_size: int, tied: bool) -> int:

    with torch.device("meta"):  # sizes only: no memory, no initialisation
        model = Transformer(
            vocab_size, vocab_size, d_model, 1, d_ff, n_layers, pad_id=None, tie_embeddings=tied
        )
    return model.parameter_counts()["total"]


@checker("transformer_parameters")
def check_transformer_parameters(fn: Callable[..., Any]) -> str:
    """Check `fn(d_model, d_ff, n_layers, vocab_size, tied)`: the parameters of the whole
    encoder–decoder (post-norm, no final LayerNorms, biases included), one vocabulary for source
    and target; `tied`: one matrix for both embeddings and the output layer.

    Cases: the paper's base model (512, 2048, 6, 37000) tied and untied, and a small one.
    Used in 06_decoder_and_transformer.ipynb.
    """
    name = fn_name(fn, "transformer_parameters")
    for d, f, n, v, tied in (
        (512, 2048, 6, 37000, True),
        (512, 2048, 6, 37000, False),
        (64, 256, 2, 11, False),
    ):
        case = Case((d, f, n, v, tied), f"{name}({d}, {f}, {n}, {v}, tied={tied})")
        got, want = case.count(case.run(fn)), _transformer_total(d, f, n, v, tied)
        if got == want:
            continue
        attention, norm = 4 * (d * d + d), 2 * d
        misses = {
            v: "the output layer has a bias too: one per vocabulary word.",
            n * attention: "each decoder block has two attentions: masked self-attention "
            "and cross-attention.",
            n * norm: "a decoder block has three Add & Norm steps, so three LayerNorms.",
            5 * n * norm: "count the LayerNorms: γ and β (d_model each), two per encoder "
            "block and three per decoder block.",
            -v * d: "tied: one embedding matrix serves the source, the target and the "
            "output layer; count it once.",
            -2 * v * d: "tied: one embedding matrix serves the source, the target and the "
            "output layer; count it once.",
            v * d: "untied: the source embedding, the target embedding and the output "
            "layer are three matrices of vocab_size × d_model.",
        }
        hint = misses.get(want - got)
        if hint is not None:
            gap = f"{want - got:,} short" if want > got else f"{got - want:,} too many"
            raise NotYet(f"{case.label} returned {got:,}, {gap}: {hint}")
        raise NotYet(f"{case.label} returned {got:,}, expected {want:,}.")
    tied, untied = (_transformer_total(512, 2048, 6, 37000, t) for t in (True, False))
    return (
        f"Right: the base model holds {tied:,} parameters tied and {untied:,} untied; only "
        "the tied count comes near the paper's 65 M (its §3.4 shares the matrix)."
    )


@checker("top_k_distribution")
def check_top_k_distribution(fn: Callable[..., Any]) -> str:
    """Check `fn(logits, temperature, k)` = softmax(logits / temperature) over the k largest
    logits, 0 elsewhere, in NumPy.

    Shapes: logits `(V,)` -> `(V,)`.
    Cases: the demo Transformer's first logits (V = 11) at (T, k) = (1, 11), (0.5, 3), (2, 1),
    (1.5, 4); and logits near 1000 (np.exp overflows unless the largest is subtracted).
    Used in 06_decoder_and_transformer.ipynb.
    """
    name = fn_name(fn, "top_k_distribution")
    hidden, w_out, b_out = _demo_output_case()
    logits = hidden @ w_out + b_out  # (V,)
    big = np.array([1000.0, 1003.0, 1001.0, 998.0, 1002.0])
    cases = [
        (logits, 1.0, 11, "logits"),
        (logits, 0.5, 3, "logits"),
        (logits, 2.0, 1, "logits"),
        (logits, 1.5, 4, "logits"),
        (big, 1.0, 2, "np.array([1000.0, 1003.0, 1001.0, 998.0, 1002.0])"),
    ]
    for scores, t, k, label in cases:
        case = Case((scores, t, k), f"{name}({label}, {t:g}, {k})")
        got = case.array(case.run(fn), scores.shape)
        want = _top_k_distribution(scores, t, k)
        if close(got, want):
            continue
        kept = want > 0
        if np.count_nonzero(got) == len(scores) and k < len(scores):
            if close(got, softmax_reference(scores / t)):
                raise NotYet(
                    f"{case.label} keeps every token: set all but the {k} largest "
                    "logits to -inf before the softmax."
                )
        if close(got, np.where(kept, softmax_reference(scores / t), 0.0)):
            raise NotYet(
                f"{case.label} sums to {got.sum():.4f}: after dropping the other tokens, "
                "renormalise (or take the softmax over the k kept logits only)."
            )
        if close(got, _top_k_distribution(scores * t, 1.0, k)):
            raise NotYet(
                f"{case.label} multiplies the logits by the temperature; divide them by it."
            )
        if np.count_nonzero(got) == k and not np.array_equal(got > 0, kept):
            raise NotYet(f"{case.label} keeps the wrong tokens: keep the {k} largest logits.")
        if close(got, _top_k_distribution(scores, 1.0, k)) and t != 1.0:
            raise NotYet(f"{case.label} ignores the temperature: divide the logits by it.")
        raise case.wrong(got, want)
    sharp = _top_k_distribution(logits, 0.5, 11).max()
    flat = _top_k_distribution(logits, 2.0, 11).max()
    return (
        f"Right. The untrained model's largest probability is {sharp:.4f} at τ = 0.5 and "
        f"{flat:.4f} at τ = 2; with k = 1 sampling is greedy decoding."
    )
