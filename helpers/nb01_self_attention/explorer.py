"""The attention explorer of 01_self_attention.ipynb: query, √d_k, temperature, your sentence.

`attention_view` computes what it shows (tested without a browser); `attention_explorer` wires
it to the controls through `helpers.widgets.Explorer`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ipywidgets as W
import numpy as np
import torch

from helpers.attention import scaled_dot_product_attention
from helpers.nb01_self_attention.figures import AttentionFigure
from helpers.text import MAX_WORDS, SENTENCE, tokenize, toy_projections, word_vectors
from helpers.widgets import Explorer, dropdown, log_slider, sentence_box

__all__ = ["AttentionView", "attention_explorer", "attention_view"]


@dataclass(frozen=True)
class AttentionView:
    """What the attention explorer shows. `weights` is None when there is nothing to draw.

    Shapes: tokens `(T,)`, weights `(T, T)`.
    """

    tokens: list[str]
    weights: np.ndarray | None
    query: int
    message: str

    def figure_args(self) -> tuple | None:
        """The arguments of `AttentionFigure.update`, or None when there is nothing to draw."""
        return None if self.weights is None else (self.tokens, self.weights, self.query)


def attention_view(
    sentence: str,
    query: int = 1,
    scale: bool = True,
    temperature: float = 1.0,
    d_model: int = 512,
    d_k: int = 64,
) -> AttentionView:
    """Self-attention weights of a sentence with the series' toy vectors and projections.

    weights = softmax(Q·Kᵀ · s / temperature), s = 1/√d_k if `scale` else 1.
    Empty input, one word and more than `MAX_WORDS` words get a friendly message.
    """
    if not temperature > 0:
        return AttentionView([], None, 0, "The temperature must be greater than 0.")
    tokens = tokenize(sentence)
    if not tokens:
        return AttentionView(
            [],
            None,
            0,
            "Type a sentence: I need at least one word (letters or digits, in any language).",
        )
    message = ""
    if len(tokens) == 1:
        message = f'Only one word: "{tokens[0]}" can attend only to itself, with weight 1.'
    elif len(tokens) > MAX_WORDS:
        message = (
            f"That is {len(tokens)} words; the explorer shows the first {MAX_WORDS} "
            "so the picture stays readable."
        )
        tokens = tokens[:MAX_WORDS]
    query = min(max(query, 0), len(tokens) - 1)

    x = word_vectors(tokens, d_model)  # (T, D)
    w_q, w_k, w_v = toy_projections(d_model, d_k)  # each (D, Dk)
    factor = (1 / math.sqrt(d_k) if scale else 1.0) / temperature
    with torch.no_grad():
        _, weights = scaled_dot_product_attention(x @ w_q, x @ w_k, x @ w_v, scale=factor)
    return AttentionView(tokens, weights.numpy().astype(float), query, message)  # (T, T)


def _query_options(tokens: list[str]) -> list[tuple[str, int]]:
    return [(f"{i}: {t}", i) for i, t in enumerate(tokens)]


def attention_explorer(sentence: str = SENTENCE) -> W.VBox:
    """Pick the query word, toggle √d_k scaling, change the temperature, type a sentence.

    Taught in 01_self_attention.ipynb.
    """
    text = sentence_box(sentence)
    query = dropdown("query", _query_options(tokenize(sentence)), 1)
    scale = W.Checkbox(value=True, description="divide scores by √d_k")
    temperature = log_slider("temperature", 1.0, min=-1, max=1, step=0.05, live=True)
    explorer = Explorer(
        AttentionFigure(),
        lambda: attention_view(text.value, query.value or 0, scale.value, temperature.value),
        [[text], [query, scale, temperature]],
        watch=[query, scale, temperature],
    )

    def fit_queries() -> None:  # a new sentence: its words become the query choices
        view = attention_view(text.value)
        query.options = _query_options(view.tokens)
        query.value = view.query if view.tokens else None

    text.observe(explorer.rebuild(fit_queries), names="value")
    return explorer.widget
