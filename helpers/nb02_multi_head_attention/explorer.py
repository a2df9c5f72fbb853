"""The multi-head explorer of 02_multi_head_attention.ipynb: the number of heads, one head, built
or random weights, your sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np
import torch

from helpers.nb02_multi_head_attention.data import (
    CONSTRUCTED_HEADS,
    LEXICON,
    constructed_attention,
    feature_vectors,
)
from helpers.nb02_multi_head_attention.figures import MultiHeadFigure
from helpers.text import MAX_WORDS, SENTENCE, tokenize
from helpers.widgets import WIDE, Explorer, dropdown, sentence_box

__all__ = ["HEAD_CHOICES", "MultiHeadView", "multi_head_explorer", "multi_head_view"]


HEAD_CHOICES = (1, 2, 4, 8)


@dataclass(frozen=True)
class MultiHeadView:
    """What the multi-head explorer shows. `weights` is None when there is nothing to draw.

    Shapes: tokens `(T,)`, weights `(H, T, T)`, concat `(T, D)` (the heads' outputs side by side,
    the input of W_o), titles `(H,)`: "grammatical: noun → its verb" for a built head, "random"
    otherwise.
    """

    tokens: list[str]
    weights: np.ndarray | None
    concat: np.ndarray | None
    head: int
    titles: list[str]
    message: str

    @property
    def n_heads(self) -> int:
        return len(self.titles)

    def figure_args(self) -> tuple | None:
        """The arguments of `MultiHeadFigure.update`, or None when there is nothing to draw."""
        if self.weights is None:
            return None
        return (self.tokens, self.weights, self.head, self.titles, self.concat)


_MULTI_HEAD_LAYERS: dict[tuple[int, int, bool], object] = {}


_MULTI_HEAD_CACHE: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}


def _multi_head_outputs(
    tokens: tuple[str, ...], n_heads: int, built: bool, d_model: int
) -> tuple[np.ndarray, np.ndarray]:
    """Weights and concatenated head outputs of the explorer's layer, cached: picking another head
    or coming back to a setting recomputes nothing."""

    key = (tokens, n_heads, built, d_model)
    if key not in _MULTI_HEAD_CACHE:
        if (d_model, n_heads, built) not in _MULTI_HEAD_LAYERS:
            relations = CONSTRUCTED_HEADS[:n_heads] if built else ()  # only as many as fit
            layer = constructed_attention(d_model, n_heads, relations=relations)
            _MULTI_HEAD_LAYERS[d_model, n_heads, built] = layer
        layer = _MULTI_HEAD_LAYERS[d_model, n_heads, built]
        x = feature_vectors(list(tokens), d_model)[None]  # (1, T, D)
        with torch.no_grad():
            concat, weights = layer.attend(x, x, x)  # (1, T, D), (1, H, T, T)
        weights = weights[0].numpy().astype(float)  # (1, H, T, T) -> (H, T, T)
        concat = concat[0].numpy().astype(float)  # (1, T, D) -> (T, D)
        if len(_MULTI_HEAD_CACHE) >= 64:
            _MULTI_HEAD_CACHE.clear()
        _MULTI_HEAD_CACHE[key] = weights, concat
    return _MULTI_HEAD_CACHE[key]


def _head_titles(n_heads: int, built: bool) -> list[str]:

    names = [name for name, _, _ in CONSTRUCTED_HEADS] if built else []
    return [names[h] if h < len(names) else "random" for h in range(n_heads)]


def _built_head_notes(tokens: list[str], n_heads: int) -> list[str]:
    """What the built heads cannot show: relations left out for lack of heads, and words the
    lexicon does not know (they have no features)."""
    notes = []
    if n_heads < len(CONSTRUCTED_HEADS):
        left_out = ", ".join(f'"{name}"' for name, _, _ in CONSTRUCTED_HEADS[n_heads:])
        notes.append(
            f"With {n_heads} head{'s' if n_heads > 1 else ''} there is room for only "
            f"{n_heads} of the 3 built heads: {left_out} left out. One head gives each query one "
            "blend of the values: it can serve two queries (cat → sat, on → mat), but a query "
            "that needs two words (cat → sat and cat → mat) gets their average."
        )
    unknown = list(dict.fromkeys(t for t in tokens if t.lower() not in LEXICON))
    if unknown:
        shown = ", ".join(f'"{t}"' for t in unknown[:4]) + (", …" if len(unknown) > 4 else "")
        notes.append(
            f"The built heads know only the words of a small lexicon: {shown} "
            "have no features, so those heads look past them (a uniform row)."
        )
    return notes


def multi_head_view(
    sentence: str = SENTENCE,
    n_heads: int = 8,
    head: int = 0,
    built: bool = True,
    d_model: int = 512,
) -> MultiHeadView:
    """Every head's weights for a sentence, with the heads of `constructed_attention`.

    `built=True`: the first min(n_heads, 3) heads are built by hand for the chapter notes' relations
    (with fewer than 3 heads only the first relations fit), the others random; `built=False`:
    all heads random (the same random heads 4…H as with `built=True`). d_k = d_model / n_heads.
    Empty input, one word, more than `MAX_WORDS` words, fewer heads than relations and words the
    lexicon does not know get a friendly message.
    """

    if n_heads < 1 or d_model % n_heads:
        return MultiHeadView(
            [], None, None, 0, [], f"The number of heads must divide d_model = {d_model}."
        )
    tokens = tokenize(sentence)
    if not tokens:
        return MultiHeadView(
            [],
            None,
            None,
            0,
            [],
            "Type a sentence: I need at least one word (letters or digits, in any language).",
        )
    notes = []
    if len(tokens) == 1:
        notes.append(f'Only one word: every head can attend only to "{tokens[0]}" itself.')
    elif len(tokens) > MAX_WORDS:
        notes.append(
            f"That is {len(tokens)} words; the explorer shows the first {MAX_WORDS} "
            "so the picture stays readable."
        )
        tokens = tokens[:MAX_WORDS]
    if built:
        notes += _built_head_notes(tokens, n_heads)
    weights, concat = _multi_head_outputs(tuple(tokens), n_heads, built, d_model)
    return MultiHeadView(
        tokens,
        weights.copy(),  # copies: the cache stays as computed whatever the caller does
        concat.copy(),
        min(max(head, 0), n_heads - 1),
        _head_titles(n_heads, built),
        " ".join(notes),
    )


def _head_options(n_heads: int, built: bool) -> list[tuple[str, int]]:
    titles = _head_titles(n_heads, built)
    return [(f"{h + 1}: {title.split(':')[0]}", h) for h, title in enumerate(titles)]


def multi_head_explorer(sentence: str = SENTENCE) -> W.VBox:
    """Choose the number of heads, pick a head, switch built/random heads, type a sentence.

    Taught in 02_multi_head_attention.ipynb.
    """

    text = sentence_box(sentence)
    n_heads = W.SelectionSlider(
        options=HEAD_CHOICES,
        value=8,
        description="number of heads",
        continuous_update=False,
        style=WIDE,
    )
    head = dropdown("head", _head_options(8, True), 0, width="14em")
    built = dropdown(
        "weights", [("heads 1–3 built, rest random", True), ("all random", False)], True
    )
    explorer = Explorer(
        MultiHeadFigure(),
        lambda: multi_head_view(text.value, n_heads.value, head.value or 0, built.value),
        [[text], [n_heads, head, built]],
        watch=[text, head],
    )

    def fit_heads() -> None:  # a new number of heads, or built/random: new head choices
        current = head.value or 0
        head.options = _head_options(n_heads.value, built.value)
        head.value = min(current, n_heads.value - 1)

    for control in (n_heads, built):
        control.observe(explorer.rebuild(fit_heads), names="value")
    return explorer.widget
