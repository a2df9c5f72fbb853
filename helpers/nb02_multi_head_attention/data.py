"""Notebook 02's demo data: readable word features, and multi-head attention whose first heads are
built by hand from them (the chapter notes' relations cat → sat, cat → mat, on → mat).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from helpers.attention import MultiHeadAttention
from helpers.text import word_vectors

__all__ = [
    "CONSTRUCTED_HEADS",
    "FEATURES",
    "LEXICON",
    "constructed_attention",
    "feature_vectors",
    "with_features",
]


# Hand-made word features for the constructed heads of notebook 02. A real model learns features
# like these; here they are written down so that each head's job can be read off its weights.
FEATURES = ("noun", "verb", "preposition", "determiner", "animal", "surface")


LEXICON: dict[str, set[str]] = {
    word: set(features.split())
    for words, features in (
        ("the a", "determiner"),
        ("cat dog bird", "noun animal"),
        ("mat sofa floor table bed", "noun surface"),
        ("sat slept lay stood", "verb"),
        ("on under near", "preposition"),
        # The running sentence in Korean, "고양이가 매트 위에 앉았다". Korean words carry their
        # particles (고양이가 = cat + subject marker); 위에 ("on top of") is a postposition, given
        # the feature "preposition" because it plays the same part.
        ("고양이가 고양이 개가 개", "noun animal"),
        ("매트 매트에 소파", "noun surface"),
        ("위에 아래에", "preposition"),
        ("앉았다 잤다", "verb"),
    )
    for word in words.split()
}


def feature_vectors(tokens: list[str], d_model: int = 512, seed: int = 0) -> Tensor:
    """`word_vectors` whose first len(FEATURES) dimensions hold 0/1 features from `LEXICON`.

    Dimension i is 1 when the word has feature FEATURES[i]; the other D - 6 dimensions are the
    word's seeded random vector. Words missing from the lexicon get all-zero features.
    Shapes: returns `(T, D)`.
    Taught in 02_multi_head_attention.ipynb.
    """
    return with_features(tokens, FEATURES, LEXICON, d_model, seed)


def with_features(
    tokens: list[str],
    names: tuple[str, ...],
    lexicon: dict[str, set[str]],
    d_model: int,
    seed: int,
) -> Tensor:
    """`word_vectors` whose first len(names) dimensions are 0/1: dimension i is 1 when the word's
    entry in `lexicon` holds names[i]. Shapes: returns `(T, D)`."""
    if d_model <= len(names):
        raise ValueError(f"d_model must exceed the {len(names)} feature dimensions")
    x = word_vectors(tokens, d_model, seed)  # (T, D)
    for t, token in enumerate(tokens):
        features = lexicon.get(token.lower(), set())
        x[t, : len(names)] = torch.tensor([float(f in features) for f in names])
    return x


# The heads built by hand in notebook 02: (name, query feature, key feature). Each one reproduces
# one of the chapter notes' three relations in "The cat sat on the mat" (the notes' example, not
# the book's). The third is positional in the notes; ours keys on the feature "surface", because the
# word vectors carry no position before notebook 03.
CONSTRUCTED_HEADS = (
    ("grammatical: noun → its verb", "noun", "verb"),  # cat → sat
    ("semantic: animal → a surface", "animal", "surface"),  # cat → mat
    ("positional: preposition → its place", "preposition", "surface"),  # on → mat
)


def constructed_attention(
    d_model: int = 512,
    n_heads: int = 8,
    strength: float = 5.0,
    seed: int = 0,
    relations: Sequence[tuple[str, str, str]] = CONSTRUCTED_HEADS,
) -> MultiHeadAttention:
    """Multi-head attention whose first heads are built by hand from `relations`; the rest random.

    Built head h compares one feature of the query word with one feature of the key word (the
    first dimensions of `feature_vectors`): its query and key use one number each,
    a·feature, so a match scores a·a / √d_k = `strength` and anything else scores 0, whatever d_k.
    Random heads get W_q, W_k with N(0, 1/d_model) entries, the scale of `toy_projections`
    (notebook 01): their scores have variance about 1 whatever d_k. `relations=()` gives a layer
    of random heads only; random head h is the same whichever heads before it are built.

    Args:
        d_model: width D. n_heads: heads H (Dk = D / H), at least `len(relations)`.
        strength: the score of a match, after the 1/√d_k scaling.
        seed: seeds every random weight. relations: `(name, query feature, key feature)` triples.
    Returns:
        a `MultiHeadAttention` in eval mode.

    Taught in 02_multi_head_attention.ipynb.
    """
    if n_heads < len(relations):
        raise ValueError(
            f"n_heads must be at least {len(relations)} for the built heads, got {n_heads}; "
            f"pass relations=CONSTRUCTED_HEADS[:{n_heads}] to build only the first {n_heads}"
        )
    for _, query_feature, key_feature in relations:
        for feature in (query_feature, key_feature):
            if feature not in FEATURES:
                raise ValueError(f"unknown feature {feature!r}; the features are {FEATURES}")
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        mha = MultiHeadAttention(d_model, n_heads)
    g = torch.Generator().manual_seed(seed)
    a = math.sqrt(strength * math.sqrt(mha.d_k))  # (a·a) / √d_k = strength
    with torch.no_grad():
        for lin in (mha.W_q, mha.W_k):
            lin.weight.copy_(torch.randn(d_model, d_model, generator=g) / math.sqrt(d_model))
            lin.bias.zero_()
        for h, (_, query_feature, key_feature) in enumerate(relations):
            rows = slice(h * mha.d_k, (h + 1) * mha.d_k)  # this head's output features
            for lin, feature in ((mha.W_q, query_feature), (mha.W_k, key_feature)):
                lin.weight[rows] = 0.0
                lin.weight[h * mha.d_k, FEATURES.index(feature)] = a
    return mha.eval()
