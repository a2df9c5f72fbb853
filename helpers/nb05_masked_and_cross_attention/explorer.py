"""The masked- and cross-attention explorer of 05_masked_and_cross_attention.ipynb: built and
random cross-attention heads, and the trained heads of notebook 08's translator."""

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
from helpers.text import (
    KOREAN_SENTENCE,
    MAX_WORDS,
    SENTENCE,
    SPECIAL_TOKENS,
    tokenize,
    toy_projections,
)
from helpers.translator import CHECKPOINT, shipped_translator
from helpers.widgets import Explorer, dropdown, sentence_box, slider

__all__ = [
    "ARTICLES",
    "BUILT_HEADS",
    "TRAINED_NOTE",
    "DecoderAttentionView",
    "cross_head_titles",
    "decoder_attention_explorer",
    "decoder_attention_view",
    "trained_cross_attention",
    "trained_head_titles",
]


ARTICLES = ("the", "a", "an")  # Korean has none: no translation to align with, no message


BUILT_HEADS = 8  # the heads of `aligned_cross_attention`; the trained heads come after them


TRAINED_NOTE = (
    "Trained heads: the cross-attention of notebook 08's translator, trained on an English → "
    "Korean grammar that never showed it the book's sentence (the shipped checkpoint "
    f"helpers/{CHECKPOINT.parent.name}/{CHECKPOINT.name}, loaded by "
    "helpers.translator.shipped_translator()). Its queries are the output of the block's masked "
    "self-attention, not the word vectors: each row is the query that writes that word, whose "
    "input is the word before it (<bos> first, as notebook 06 shifts the target)."
)


@dataclass(frozen=True)
class DecoderAttentionView:
    """What the masked- and cross-attention explorer shows. `self_weights` is None when there is
    nothing to draw.

    Shapes: target `(T,)` the decoder's words, source `(S,)` the encoder's, self_weights `(T, T)`
    (masked when `causal`), mask `(T, T)` or None, cross_weights `(H, T, S)`, titles `(H,)`.
    """

    target: list[str]
    source: list[str]
    step: int  # 1 … T, as in notebook 06: step t is the t-th decoder word
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
        title = self.titles[self.head]
        return (
            self.target,
            self.source,
            self.self_weights,
            self.mask,
            self.cross_weights[self.head],
            self.step,
            f"{self.head + 1}: {title}" if self.head < BUILT_HEADS else title,
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


def trained_head_titles() -> list[str]:
    """The trained translator's cross-attention heads, layer by layer: "1 of decoder layer 1, …"."""
    model = shipped_translator().model
    n_heads = model.decoder.layers[0].cross_attn.n_heads
    return [
        f"{h + 1} of decoder layer {layer + 1}, trained translator (notebook 08)"
        for layer in range(len(model.decoder.layers))
        for h in range(n_heads)
    ]


@torch.no_grad()
def trained_cross_attention(target: list[str], source: list[str]) -> torch.Tensor | None:
    """Every cross-attention head of the trained translator (notebook 08) for these sentences, or
    None when it does not know one of their words.

    One teacher-forced pass over `<bos>` + the target: row t is the query that writes word t (its
    input is word t − 1). Shapes: target `(T,)`, source `(S,)` -> `(L · H, T, S)`, layer by layer.
    """
    translator = shipped_translator()
    english = [w.lower() for w in source]
    korean = set(translator.korean.tokens[len(SPECIAL_TOKENS) :])
    if not set(english) <= set(translator.known_words) or not set(target) <= korean:
        return None
    src = translator.english.encode(" ".join(english))  # (1, S)
    tgt = translator.korean.encode(" ".join(target), bos=True)  # (1, 1 + T): <bos>, the words
    translator.model(src, tgt[:, :-1])  # inputs (1, T): <bos> and all words but the last
    layers = [layer.cross_attn_weights[0] for layer in translator.model.decoder.layers]
    return torch.cat(layers)  # L × (H, T, S) -> (L · H, T, S)


def _with_trained_heads(
    tgt: list[str], src: list[str], cross: torch.Tensor, head: int, notes: list[str]
) -> tuple[torch.Tensor, list[str], int]:
    """The built and random heads `(H, T, S)`, then the trained translator's when it knows every
    word; the titles of all of them; the head clamped to them (a trained head the translator
    cannot give falls back to head 1, with a note). Shapes: -> `(H + L · H', T, S)`."""
    titles = cross_head_titles(cross.shape[0])
    trained = trained_cross_attention(tgt, src)
    if trained is not None:
        cross, titles = torch.cat([cross, trained]), titles + trained_head_titles()
    elif head >= cross.shape[0]:
        notes.append(
            "The trained translator reads only the words of its grammar (notebook 08), and this "
            "pair of sentences has others: showing head 1."
        )
        head = 0
    head = min(max(int(head), 0), cross.shape[0] - 1)
    if head >= BUILT_HEADS:
        notes.append(TRAINED_NOTE)
    return cross, titles, head


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
    head: str,
    row: torch.Tensor,
    cross_row: torch.Tensor,
) -> str:
    """What the word of `step` (counted from 1) may see, what the mask hides (or leaks without
    it), and where the cross-attention head labelled `head` ("1", or a trained head's title) looks.
    Shapes: row `(T,)` its self-attention weights, cross_row `(S,)` its weights in that head.
    """
    word = tgt[step - 1]
    caption = f'step {step}: "{word}" may attend to {", ".join(tgt[:step])}'
    future = row[step:]  # (T − t,)
    if len(future) and causal:
        caption += f" · hidden by the mask: {', '.join(tgt[step:])}"
    elif len(future):
        caption += (
            f" · NO MASK: it also sees the future {', '.join(tgt[step:])} "
            f"({float(future.sum()):.0%} of its attention leaks there)"
        )
    elif not causal:
        caption += " · the last word: nothing lies ahead, mask or not"
    best = int(cross_row.argmax())
    return caption + (
        f'\ncross-attention head {head}: "{word}" looks most at "{src[best]}"'
        f" ({float(cross_row[best]):.2f})"
    )


def decoder_attention_view(
    target: str | None = None,
    source: str = SENTENCE,
    step: int = 3,
    causal: bool = True,
    head: int = 0,
    d_model: int = 512,
) -> DecoderAttentionView:
    """The decoder's (masked) self-attention and its cross-attention to the encoder's words.

    Self-attention: softmax(Q·Kᵀ / √d_k) of the target's `bilingual_vectors` with the series'
    `toy_projections` (notebook 01), with `causal_mask` when `causal`. Cross-attention: every head
    of `aligned_cross_attention` (heads 1–2 built to align translations, 3–8 random), queries from
    the target, keys and values from the source (standing in for the encoder's output); then, when
    it knows every word, every head of notebook 08's trained translator (`head` ≥ BUILT_HEADS,
    `trained_cross_attention`; the message says where the model comes from).
    `target` defaults to `KOREAN_SENTENCE`. Steps count from 1, as in notebook 06 (step t: the
    t-th decoder word); the step is clamped to 1 … T, the head to 0 … H − 1. An empty sentence,
    more than `MAX_WORDS` words and words the bilingual lexicon does not know get a friendly
    message.
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
        return DecoderAttentionView(tgt, src, 1, causal, 0, None, None, None, [], "", message)
    notes += _unknown_words_notes(tgt + src)
    step = min(max(int(step), 1), len(tgt))
    self_weights, mask, cross = _decoder_weights(tgt, src, causal, d_model)
    cross, titles, head = _with_trained_heads(tgt, src, cross, int(head), notes)
    label = str(head + 1) if head < BUILT_HEADS else titles[head]
    row = step - 1  # the step's decoder word
    caption = _decoder_caption(tgt, src, step, causal, label, self_weights[row], cross[head, row])
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
    step = slider("decoding step t", first.step, min=1, max=max(len(first.target), 2), live=True)
    causal = W.Checkbox(value=True, description="causal mask", indent=False)
    heads = [(f"{h + 1}: {title}", h) for h, title in enumerate(cross_head_titles(BUILT_HEADS))]
    trained = trained_head_titles()
    per_layer = len(trained) // len(shipped_translator().model.decoder.layers)
    heads += [
        (f"trained: layer {i // per_layer + 1}, head {i % per_layer + 1}", BUILT_HEADS + i)
        for i in range(len(trained))
    ]
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
        step.max = max(n, 2)  # a slider needs max > min; step is clamped by the view
        step.value = min(step.value, max(n, 1))

    target_box.observe(explorer.rebuild(fit_steps), names="value")
    return explorer.widget
