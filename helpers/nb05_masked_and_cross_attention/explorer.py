"""The masked- and cross-attention explorer of 05_masked_and_cross_attention.ipynb."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np
import torch

from helpers.attention import causal_mask, scaled_dot_product_attention
from helpers.nb05_masked_and_cross_attention.data import (
    ALIGNED_STRENGTHS,
    BILINGUAL_LEXICON,
    aligned_cross_attention,
    bilingual_vectors,
)
from helpers.nb05_masked_and_cross_attention.figures import DecoderAttentionFigure
from helpers.text import KOREAN_SENTENCE, MAX_WORDS, SENTENCE, tokenize, toy_projections
from helpers.widgets import Explorer, dropdown, sentence_box, slider

__all__ = [
    "ARTICLES",
    "DecoderAttentionView",
    "cross_head_titles",
    "decoder_attention_explorer",
    "decoder_attention_view",
]


ARTICLES = ("the", "a", "an")  # Korean has none: no translation to align with, no message


@dataclass(frozen=True)
class DecoderAttentionView:
    """What the masked- and cross-attention explorer shows. `self_weights` is None when there is
    nothing to draw.

    Shapes: target `(T,)` the decoder's words, source `(S,)` the encoder's, self_weights `(T, T)`
    (masked when `causal`), mask `(T, T)` or None, cross_weights `(H, T, S)`, titles `(H,)`.
    """

    target: list[str]
    source: list[str]
    step: int
    causal: bool
    head: int
    self_weights: np.ndarray | None
    mask: np.ndarray | None
    cross_weights: np.ndarray | None
    titles: list[str]
    caption: str
    message: str

    def figure_args(self) -> tuple | None:
        """The arguments of `figures.DecoderAttentionFigure.update` (None: nothing to draw)."""
        if self.self_weights is None:
            return None
        return (
            self.target,
            self.source,
            self.self_weights,
            self.mask,
            self.cross_weights[self.head],
            self.step,
            f"{self.head + 1}: {self.titles[self.head]}",
            self.caption,
        )


_CROSS_LAYERS: dict[int, object] = {}


def cross_head_titles(n_heads: int = 8) -> list[str]:
    """The heads of `aligned_cross_attention`: "aligned (match score 5)", …, then "random"."""

    return [
        f"aligned (match score {ALIGNED_STRENGTHS[h]:g})"
        if h < len(ALIGNED_STRENGTHS)
        else "random"
        for h in range(n_heads)
    ]


def _sentence_tokens(sentence: str, role: str, notes: list[str]) -> list[str]:
    """The words of one of the explorer's sentences, at most MAX_WORDS (with a note)."""
    tokens = tokenize(sentence)
    if len(tokens) > MAX_WORDS:
        notes.append(
            f"The {role} sentence has {len(tokens)} words; the explorer shows the first "
            f"{MAX_WORDS} so the picture stays readable."
        )
        tokens = tokens[:MAX_WORDS]
    return tokens


def _unknown_words_notes(words: list[str]) -> list[str]:
    """A note naming the words the bilingual lexicon does not know (articles aside), if any."""
    unknown = list(
        dict.fromkeys(
            w for w in words if w.lower() not in BILINGUAL_LEXICON and w.lower() not in ARTICLES
        )
    )
    if not unknown:
        return []
    shown = ", ".join(f'"{w}"' for w in unknown[:4]) + (", …" if len(unknown) > 4 else "")
    return [
        f"The bilingual lexicon does not know {shown}: without meaning features the aligned "
        "heads find no translation for them (an even row, or a column nobody looks at)."
    ]


def _decoder_weights(
    tgt: list[str], src: list[str], causal: bool, d_model: int
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
    """The decoder's self-attention weights (masked when `causal`), the mask, and every head's
    cross-attention weights from the decoder's words to the encoder's.

    Shapes: self_weights `(T, T)`, mask `(T, T)` or None, cross `(H, T, S)`.
    """
    if d_model not in _CROSS_LAYERS:
        _CROSS_LAYERS[d_model] = aligned_cross_attention(d_model)
    layer = _CROSS_LAYERS[d_model]
    y = bilingual_vectors(tgt, d_model)  # (T, D): the decoder's words
    x = bilingual_vectors(src, d_model)  # (S, D): the encoder's words
    w_q, w_k, w_v = toy_projections(d_model, 64)  # each (D, Dk)
    mask = causal_mask(len(tgt)) if causal else None  # (T, T), True = may attend
    with torch.no_grad():
        _, self_weights = scaled_dot_product_attention(y @ w_q, y @ w_k, y @ w_v, mask)  # (T, T)
        _, cross = layer(y[None], x[None], x[None])  # (1, T, D), (1, S, D) -> (1, H, T, S)
    return self_weights, mask, cross[0]  # (1, H, T, S) -> (H, T, S)


def _decoder_caption(
    tgt: list[str],
    src: list[str],
    step: int,
    causal: bool,
    head: int,
    row: torch.Tensor,
    cross_row: torch.Tensor,
) -> str:
    """What the word at `step` may see, what the mask hides (or leaks without it), and where the
    cross-attention head `head` looks. Shapes: row `(T,)` its self-attention weights, cross_row
    `(S,)` its weights in that head.
    """
    seen = ", ".join(tgt[: step + 1])
    caption = f'step {step}: "{tgt[step]}" may attend to {seen}'
    future = row[step + 1 :]  # (T − t − 1,)
    if len(future) and causal:
        caption += f" · hidden by the mask: {', '.join(tgt[step + 1 :])}"
    elif len(future):
        caption += (
            f" · NO MASK: it also sees the future {', '.join(tgt[step + 1 :])} "
            f"({float(future.sum()):.0%} of its attention leaks there)"
        )
    elif not causal:
        caption += " · the last word: nothing lies ahead, mask or not"
    best = int(cross_row.argmax())
    return caption + (
        f'\ncross-attention head {head + 1}: "{tgt[step]}" looks most at "{src[best]}"'
        f" ({float(cross_row[best]):.2f})"
    )


def decoder_attention_view(
    target: str | None = None,
    source: str = SENTENCE,
    step: int = 2,
    causal: bool = True,
    head: int = 0,
    d_model: int = 512,
) -> DecoderAttentionView:
    """The decoder's (masked) self-attention and its cross-attention to the encoder's words.

    Self-attention: softmax(Q·Kᵀ / √d_k) of the target's `bilingual_vectors` with the series'
    `toy_projections` (notebook 01), with `causal_mask` when `causal`. Cross-attention: every head
    of `aligned_cross_attention` (heads 1–2 built to align translations, 3–8 random), queries from
    the target, keys and values from the source (standing in for the encoder's output).
    `target` defaults to `KOREAN_SENTENCE`. The step is clamped to 0 … T − 1, the head to
    0 … H − 1. An empty sentence, more than `MAX_WORDS` words and words the bilingual lexicon does
    not know get a friendly message.
    """

    notes: list[str] = []
    tgt = _sentence_tokens(KOREAN_SENTENCE if target is None else target, "decoder", notes)
    src = _sentence_tokens(source, "encoder", notes)
    empty = [role for role, tokens in (("decoder", tgt), ("encoder", src)) if not tokens]
    if empty:
        message = (
            f"Type a {' and an '.join(empty)} sentence: I need at least one word in each "
            "(letters or digits, in any language)."
        )
        return DecoderAttentionView(tgt, src, 0, causal, 0, None, None, None, [], "", message)
    notes += _unknown_words_notes(tgt + src)
    step = min(max(int(step), 0), len(tgt) - 1)
    self_weights, mask, cross = _decoder_weights(tgt, src, causal, d_model)
    titles = cross_head_titles(cross.shape[0])
    head = min(max(int(head), 0), cross.shape[0] - 1)
    caption = _decoder_caption(tgt, src, step, causal, head, self_weights[step], cross[head, step])
    return DecoderAttentionView(
        tgt,
        src,
        step,
        causal,
        head,
        self_weights.numpy().astype(float),
        None if mask is None else mask.numpy(),
        cross.numpy().astype(float),
        titles,
        caption,
        " ".join(notes),
    )


def decoder_attention_explorer(target: str | None = None, source: str = SENTENCE) -> W.VBox:
    """Move the decoding step, switch the causal mask, pick a cross-attention head, type the
    decoder's (Korean) and the encoder's (English) sentences.

    Taught in 05_masked_and_cross_attention.ipynb.
    """

    target_box = sentence_box(KOREAN_SENTENCE if target is None else target)
    target_box.description = "decoder"
    source_box = sentence_box(source)
    source_box.description = "encoder"
    first = decoder_attention_view(target_box.value, source_box.value)
    step = slider(
        "decoding step t", first.step, min=0, max=max(len(first.target) - 1, 1), live=True
    )
    causal = W.Checkbox(value=True, description="causal mask", indent=False)
    heads = [(f"{h + 1}: {title}", h) for h, title in enumerate(cross_head_titles())]
    head = dropdown("cross-attention head", heads, 0, width="28em")
    explorer = Explorer(
        DecoderAttentionFigure(),
        lambda: decoder_attention_view(
            target_box.value, source_box.value, step.value, causal.value, head.value
        ),
        [[target_box, source_box], [step, causal, head]],
        watch=[source_box, step, causal, head],
    )

    def fit_steps() -> None:  # a new decoder sentence: one step per word
        n = len(decoder_attention_view(target_box.value, source_box.value).target)
        step.max = max(n - 1, 1)  # a slider needs max > min; step is clamped by the view
        step.value = min(step.value, max(n - 1, 0))

    target_box.observe(explorer.rebuild(fit_steps), names="value")
    return explorer.widget
