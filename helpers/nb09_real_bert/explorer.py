"""The BERT head gallery of 09_real_bert.ipynb: layer, head and your own sentence."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np
import torch

from helpers.bert import load_bert, load_tokenizer
from helpers.nb09_real_bert.data import HEAD_PATTERNS, head_pattern_scores
from helpers.nb09_real_bert.figures import BertHeadsFigure
from helpers.text import SENTENCE
from helpers.widgets import Explorer, sentence_box, slider

__all__ = ["BertHeadsView", "bert_heads_explorer", "bert_heads_view"]


_BERT_CACHE: dict[str, tuple] = {}  # text -> (encoding, weights (L, H, T, T), scores)


_BERT_CACHE_SIZE = 8  # a 512-token text holds 6 × 12 × 512 × 512 float32 weights: 75 MB


@dataclass(frozen=True)
class BertHeadsView:
    """What the BERT head gallery shows. `layer_weights` is None when there is nothing to draw.

    Shapes: tokens `(T,)` (WordPiece pieces with [CLS] and [SEP]), layer_weights `(H, T, T)`: every
    head of the chosen layer; scores: `data.HEAD_PATTERNS` -> `(L, H)`. layer and head
    count from 0.
    """

    tokens: list[str]
    layer_weights: np.ndarray | None
    layer: int
    head: int
    scores: dict[str, np.ndarray] | None
    caption: str
    message: str

    def figure_args(self) -> tuple | None:
        """The arguments of `figures.BertHeadsFigure.update` (None: nothing to draw)."""
        if self.layer_weights is None:
            return None
        return (self.tokens, self.layer_weights, self.layer, self.head, self.scores, self.caption)


def _bert_heads(text: str) -> tuple:
    """The encoding, every head's weights and the pattern scores of a text, cached."""

    if text not in _BERT_CACHE:
        if "model" not in _BERT_CACHE:
            _BERT_CACHE["model"] = (load_bert(), load_tokenizer())
        model, tokenizer = _BERT_CACHE["model"]
        encoding = tokenizer.encode(text, model.config.max_positions, truncate=True)
        with torch.no_grad():
            out = model(encoding.ids)
        weights = torch.stack(out.attentions)[:, 0].numpy()  # L × (1, H, T, T) -> (L, H, T, T)
        scores = head_pattern_scores(weights, encoding.tokens) if len(encoding.tokens) > 2 else {}
        if len(_BERT_CACHE) > _BERT_CACHE_SIZE:  # keep the model, forget the texts
            for key in [k for k in _BERT_CACHE if k != "model"]:
                del _BERT_CACHE[key]
        _BERT_CACHE[text] = encoding, weights, scores
    return _BERT_CACHE[text]


def _bert_notes(text: str, tokens: list[str], dropped: int) -> list[str]:
    notes = []
    if dropped:
        notes.append(
            f"That is {len(tokens) + dropped} positions with [CLS] and [SEP]; the model has "
            f"{len(tokens)}, so the last {dropped} pieces were dropped."
        )
    if any("가" <= ch <= "힣" or "ᄀ" <= ch <= "ᇿ" for ch in text):
        notes.append(
            "This model reads English only (an uncased English vocabulary): Korean words become "
            "[UNK], or loose jamo (the letters of a syllable) as pieces. What you see is what "
            "the model reads."
        )
    unknown = tokens.count("[UNK]")
    if unknown:
        pieces = len(tokens) - 2
        notes.append(f"{unknown} of the {pieces} pieces are [UNK] (not in the vocabulary).")
    return notes


def bert_heads_view(sentence: str = SENTENCE, layer: int = 0, head: int = 2) -> BertHeadsView:
    """Every head's weights in one layer of all-MiniLM-L6-v2 for a sentence, and how much each
    head of every layer attends to the previous token, the next token, [CLS] / [SEP] and the
    same word (`data.head_pattern_scores`).

    The sentence is cut by `helpers.wordpiece.WordPiece`; beyond the model's 512 positions it is
    truncated, with a message; empty input gets a friendly message; Korean text is shown as the
    English model reads it, with a note. layer and head (from 0) are moved into range.
    """

    if not isinstance(sentence, str):
        return BertHeadsView([], None, 0, 0, None, "", "The sentence must be text.")
    encoding, weights, scores = _bert_heads(sentence)
    if len(encoding.tokens) <= 2:
        return BertHeadsView(
            [],
            None,
            0,
            0,
            None,
            "",
            "Type a sentence: I need at least one word to show what BERT's heads attend to.",
        )
    n_layers, n_heads = weights.shape[:2]
    layer, head = min(max(layer, 0), n_layers - 1), min(max(head, 0), n_heads - 1)
    values = {p: scores[p][layer, head] for p in HEAD_PATTERNS}
    shown = " · ".join(f"{p} {v:.2f}" if np.isfinite(v) else f"{p} –" for p, v in values.items())
    best = max((v, p) for p, v in values.items() if np.isfinite(v))
    kind = f": a {best[1]} head" if best[0] >= 0.5 else ""
    caption = f"layer {layer + 1}, head {head + 1}{kind}\n{shown}"
    return BertHeadsView(
        list(encoding.tokens),
        weights[layer].astype(float),  # (H, T, T), a copy: the cache stays as computed
        layer,
        head,
        {p: s.copy() for p, s in scores.items()},
        caption,
        " ".join(_bert_notes(sentence, encoding.tokens, encoding.dropped)),
    )


def bert_heads_explorer(sentence: str = SENTENCE, layer: int = 1, head: int = 3) -> W.VBox:
    """Pick a layer and a head of the real BERT (all-MiniLM-L6-v2), type your own sentence.

    layer and head count from 1, as on the sliders. Taught in 09_real_bert.ipynb.
    """

    text = sentence_box(sentence)
    layer_slider = slider("layer", layer, min=1, max=6)
    head_slider = slider("head", head, min=1, max=12)
    return Explorer(
        BertHeadsFigure(),
        lambda: bert_heads_view(text.value, layer_slider.value - 1, head_slider.value - 1),
        [[text], [layer_slider, head_slider]],
    ).widget
