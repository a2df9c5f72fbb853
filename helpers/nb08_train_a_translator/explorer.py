"""The translator explorer of 08_train_a_translator.ipynb: your English sentence, its Korean, the
cross-attention of every layer and head, each step's top candidates."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np
import torch

from helpers.beam import beam_search
from helpers.decoding import greedy_decode
from helpers.nb08_train_a_translator.figures import TranslatorFigure
from helpers.text import BOS_ID, EOS_ID
from helpers.training import one_thread
from helpers.translator import (
    MAX_OUTPUT_TOKENS,
    Translator,
    check_english,
    detokenize,
    shipped_translator,
)
from helpers.widgets import Explorer, dropdown, sentence_box

__all__ = [
    "TOP_CANDIDATES",
    "TranslationView",
    "learned_cross_attention",
    "translation_view",
    "translator_explorer",
]

TOP_CANDIDATES = 3  # candidates shown per step


@dataclass(frozen=True)
class TranslationView:
    """What the translator explorer shows. `weights` is None when there is nothing to draw.

    Shapes: src_labels `(S,)` the English words, out_labels `(N,)` the Korean words written and
    `<eos>`, weights `(N, S)` (one layer's cross-attention, one head or their mean), candidates
    `(N,)` one line per step ("고양이가 0.99 · 개가 0.00 · …").
    """

    src_labels: list[str]
    out_labels: list[str]
    weights: np.ndarray | None
    candidates: list[str]
    output: str
    caption: str
    message: str

    def figure_args(self) -> tuple | None:
        """The arguments of `figures.TranslatorFigure.update` (None: nothing to draw)."""
        if self.weights is None:
            return None
        return (self.src_labels, self.out_labels, self.weights, self.candidates, self.caption)


@torch.no_grad()
def learned_cross_attention(
    translator: Translator, src: torch.Tensor, tokens: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Every decoder layer's cross-attention and each step's next-word distribution, for an
    output already chosen: one teacher-forced pass over `<bos>` + the output.

    Shapes: src `(1, S)`, tokens `(1 + N,)` (`<bos>`, the output up to its `<eos>`) ->
    weights `(L, H, N, S)`, probs `(N, V)`.
    """
    model = translator.model
    logits = model(src, tokens[None, :-1])  # (1, S), (1, N) -> (1, N, V)
    weights = torch.stack([layer.cross_attn_weights[0] for layer in model.decoder.layers])
    return weights, torch.softmax(logits[0], dim=-1)  # (L, H, N, S), (N, V)


def _decode(translator: Translator, src: torch.Tensor, beam_size: int) -> torch.Tensor:
    """The chosen output `(1 + N,)`: `<bos>`, the words, `<eos>` (cut after it)."""
    with one_thread():
        if beam_size == 1:
            run = greedy_decode(translator.model, src, BOS_ID, EOS_ID, MAX_OUTPUT_TOKENS, True)
            tokens = run.tokens[0]  # (1 + N,)
        else:
            run = beam_search(translator.model, src, BOS_ID, EOS_ID, MAX_OUTPUT_TOKENS, beam_size)
            tokens = run.tokens[0, 0]  # (1 + N,)
    ids = tokens.tolist()
    end = ids.index(EOS_ID, 1) + 1 if EOS_ID in ids[1:] else len(ids)
    return tokens[:end]


def translation_view(
    text: str, beam_size: int = 1, layer: int = 1, head: int | None = None
) -> TranslationView:
    """Translate `text` with the shipped translator (greedy, or beam search of `beam_size`) and
    take the cross-attention of decoder layer `layer` (0-based), one head or (None) their mean.

    Unknown words, an empty sentence or too many words get the message of `check_english`
    (it lists the words the translator knows). Taught in 08_train_a_translator.ipynb.
    """
    translator = shipped_translator()
    try:
        words = check_english(text)
    except ValueError as e:
        return TranslationView([], [], None, [], "", "", str(e))
    src = translator.english.encode(" ".join(words))  # (1, S)
    tokens = _decode(translator, src, beam_size)  # (1 + N,)
    weights, probs = learned_cross_attention(translator, src, tokens)  # (L, H, N, S), (N, V)
    n_layers, n_heads = weights.shape[:2]
    layer = min(max(int(layer), 0), n_layers - 1)
    if head is not None and not 0 <= head < n_heads:
        head = None
    w = weights[layer].mean(dim=0) if head is None else weights[layer, head]  # (N, S)
    top_p, top_id = probs.topk(TOP_CANDIDATES, dim=-1)  # (N, K), (N, K)
    candidates = [
        " · ".join(
            f"{translator.korean.tokens[i]} {p:.2f}"
            for p, i in zip(ps.tolist(), ids.tolist(), strict=True)
        )
        for ps, ids in zip(top_p, top_id, strict=True)
    ]
    output = detokenize(tokens, translator.korean)
    how = "greedy" if beam_size == 1 else f"beam search, width {beam_size}"
    which = f"mean of the {n_heads} heads" if head is None else f"head {head + 1}"
    longest = 11  # words of the longest training sentence
    message = (
        f"{len(words)} words: longer than any sentence seen in training (at most {longest}); "
        "expect mistakes."
        if len(words) > longest
        else ""
    )
    return TranslationView(
        src_labels=words,
        out_labels=translator.korean.decode(tokens[1:]),
        weights=w.numpy().astype(float),
        candidates=candidates,
        output=output,
        caption=f"{output}  ({how}; layer {layer + 1}, {which})",
        message=message,
    )


def translator_explorer(text: str = "The cat sat on the mat.") -> W.VBox:
    """Type an English sentence: the shipped translator's Korean (greedy or beam search), the
    cross-attention of each layer and head, and each step's top candidates.

    Taught in 08_train_a_translator.ipynb.
    """
    model = shipped_translator().model
    n_layers, n_heads = len(model.decoder.layers), model.decoder.layers[0].cross_attn.n_heads
    box = sentence_box(text, "English")
    beam = dropdown(
        "decoding",
        [("greedy (beam width 1)", 1), *((f"beam search, width {k}", k) for k in (2, 4, 8))],
        1,
        "16em",
    )
    layer = dropdown(
        "decoder", [(f"layer {i + 1}", i) for i in range(n_layers)], n_layers - 1, "12em"
    )
    head = dropdown(
        "cross-attention",
        [(f"mean of the {n_heads} heads", -1)] + [(f"head {h + 1}", h) for h in range(n_heads)],
        -1,
    )
    return Explorer(
        TranslatorFigure(),
        lambda: translation_view(
            box.value, beam.value, layer.value, None if head.value < 0 else head.value
        ),
        [[box], [beam, layer, head]],
    ).widget
