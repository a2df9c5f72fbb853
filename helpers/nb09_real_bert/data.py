"""Notebook 09's data about the real BERT: what its heads do, and the reference numbers that prove
our BERT equal to Hugging Face's (written once by tests/nb09_real_bert/make_bert_reference.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from helpers.bert import BertModel, mean_pool
from helpers.text import SENTENCE
from helpers.wordpiece import SPECIAL_TOKENS, WordPiece

__all__ = [
    "HEAD_PATTERNS",
    "MISTAKES",
    "REFERENCE_PATH",
    "TOKENIZATION_PATH",
    "head_pattern_scores",
    "load_reference",
    "reference_gaps",
    "tokenization_cases",
]


REFERENCE_PATH = Path(__file__).resolve().parent / "bert_reference.npz"
TOKENIZATION_PATH = REFERENCE_PATH.with_name("bert_tokenization.json")


HEAD_PATTERNS = ("previous token", "next token", "[CLS] / [SEP]", "same word")


def head_pattern_scores(
    weights: np.ndarray | Tensor, tokens: Sequence[str]
) -> dict[str, np.ndarray]:
    """How much each head does each of `HEAD_PATTERNS`, as the mean attention weight it puts on:

    previous token: key i − 1 (queries 1 … T−1); next token: key i + 1 (queries 0 … T−2);
    [CLS] / [SEP]: the first and last key together (every query); same word: the other
    occurrences of the query's own piece ([CLS] and [SEP] excepted; NaN if no piece repeats).
    Shapes: weights `(L, H, T, T)` -> each score `(L, H)`, from 0 to 1.
    Taught in 09_real_bert.ipynb.
    """
    w = np.asarray(weights)  # float32 stays float32: a 512-token text has 19 M weights
    t = len(tokens)
    if w.ndim != 4 or w.shape[2:] != (t, t):
        raise ValueError(f"weights {w.shape} should be (L, H, T, T) with T = {t} tokens")
    if t < 2:
        raise ValueError("the patterns need at least two tokens")
    rows = np.arange(t - 1)
    pieces = np.array(tokens, dtype=object)
    same = (pieces[:, None] == pieces[None, :]) & ~np.eye(t, dtype=bool)  # (T, T): i ≠ j
    same &= ~np.isin(pieces, SPECIAL_TOKENS)[:, None]
    n_same = int(same.sum())
    f64 = np.float64
    same_word = np.full(w.shape[:2], np.nan)
    if n_same:
        same_word = np.einsum("lhij,ij->lh", w, same, dtype=f64) / n_same  # (L, H)
    return {
        "previous token": w[:, :, rows + 1, rows].mean(axis=-1, dtype=f64),  # (L, H, T−1) -> (L, H)
        "next token": w[:, :, rows, rows + 1].mean(axis=-1, dtype=f64),
        "[CLS] / [SEP]": (w[:, :, :, 0].astype(f64) + w[:, :, :, -1]).mean(axis=-1),
        "same word": same_word,
    }


@lru_cache(maxsize=1)
def load_reference() -> dict[str, np.ndarray]:
    """The reference numbers of bert_reference.npz beside this file (see
    tests/nb09_real_bert/make_bert_reference.py), as read-only arrays: hidden_states
    `(L + 1, T, D)`, attentions `(L, H, T, T)`, embedding `(D,)`, similarity_sentences `(N,)`,
    similarity_embeddings `(N, D)`, input_ids `(T,)`."""
    with np.load(REFERENCE_PATH) as f:
        ref = {k: f[k] for k in f.files}
    for a in ref.values():
        a.setflags(write=False)
    return ref


# Ways to build BERT almost right: name -> the `load_bert` arguments that make that mistake.
MISTAKES: dict[str, dict] = {
    "ours: exact GELU, eps 1e-12, token types": {},
    "tanh-approximate GELU": {"activation": "gelu_tanh"},
    "LayerNorm eps 1e-5 (torch's default)": {"eps": 1e-5},
    "no token-type embedding": {"token_type": False},
    "ReLU instead of GELU": {"activation": "relu"},
}


def reference_gaps(model: BertModel, tokenizer: WordPiece) -> dict[str, float]:
    """How far `model` lands from the reference (`load_reference`) on "The cat sat on the mat.".

    Returns: "hidden": the largest |difference| over every layer's hidden states (the embeddings
    included); "attention": the same over every head's weights; "cosine": the cosine similarity
    of the sentence embedding with the reference's (1 = the same direction).
    Taught in 09_real_bert.ipynb.
    """
    ref = load_reference()
    encoding = tokenizer.encode(SENTENCE)
    if encoding.ids.tolist() != ref["input_ids"].tolist():
        raise ValueError("the tokeniser does not give the reference's ids for the sentence")
    with torch.no_grad():
        out = model(encoding.ids)
        hidden = torch.stack(out.hidden_states)[:, 0].double().numpy()  # (L + 1, T, D)
        attention = torch.stack(out.attentions)[:, 0].double().numpy()  # (L, H, T, T)
        embedding = mean_pool(out.last, [len(encoding.tokens)])[0].double().numpy()  # (D,)
    return {
        "hidden": float(np.abs(hidden - ref["hidden_states"]).max()),
        "attention": float(np.abs(attention - ref["attentions"]).max()),
        "cosine": float(embedding @ ref["embedding"].astype(np.float64)),
    }


def tokenization_cases() -> list[dict]:
    """The reference tokenizer's answers for a dozen texts (bert_tokenization.json beside this
    file, written by tests/nb09_real_bert/make_bert_reference.py): text, tokens, input_ids."""
    return json.loads(TOKENIZATION_PATH.read_text(encoding="utf-8"))["cases"]
