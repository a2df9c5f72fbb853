"""Notebook 05's demo data: word vectors that share meaning across English and Korean, and
cross-attention heads built from them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from helpers.attention import MultiHeadAttention
from helpers.nb02_multi_head_attention.data import constructed_attention, with_features

__all__ = [
    "ALIGNED_STRENGTHS",
    "BILINGUAL_LEXICON",
    "MEANINGS",
    "aligned_cross_attention",
    "bilingual_vectors",
]


# A small bilingual lexicon: each word's meaning, the same for a word and its translation. Korean
# words carry their particles (고양이가 = 고양이 "cat" + the subject marker 가), so each form is
# listed; 위에 ("on top of") is the postposition that plays the part of "on". Korean has no
# articles: "the" and "a" have no meaning here, and no Korean word translates them.
MEANINGS = ("cat", "dog", "bird", "mat", "sofa", "floor", "bed", "sit", "sleep", "lie", "on")


BILINGUAL_LEXICON: dict[str, str] = {
    "cat": "cat",
    "고양이": "cat",
    "고양이가": "cat",
    "고양이는": "cat",
    "dog": "dog",
    "개": "dog",
    "개가": "dog",
    "bird": "bird",
    "새가": "bird",
    "mat": "mat",
    "매트": "mat",
    "sofa": "sofa",
    "소파": "sofa",
    "floor": "floor",
    "바닥": "floor",
    "bed": "bed",
    "침대": "bed",
    "sat": "sit",
    "앉았다": "sit",
    "slept": "sleep",
    "잤다": "sleep",
    "lay": "lie",
    "누웠다": "lie",
    "on": "on",
    "위에": "on",
}


def bilingual_vectors(tokens: list[str], d_model: int = 512, seed: int = 0) -> Tensor:
    """Word vectors in which a word and its translation share their first len(MEANINGS) features.

    Dimension i is 1 when the word means MEANINGS[i] in `BILINGUAL_LEXICON` ("cat" and "고양이가"
    both have a 1 in dimension 0); the other D - len(MEANINGS) dimensions are the word's own seeded
    random vector (`word_vectors`), different in each language. Words the lexicon does not know
    ("the", or anything typed) get all-zero meaning features.
    Shapes: returns `(T, D)`.
    Taught in 05_masked_and_cross_attention.ipynb.
    """
    lexicon = {word: {meaning} for word, meaning in BILINGUAL_LEXICON.items()}
    return with_features(tokens, MEANINGS, lexicon, d_model, seed)


ALIGNED_STRENGTHS = (5.0, 2.0)  # the built heads of `aligned_cross_attention`: sharp, then soft


def aligned_cross_attention(
    d_model: int = 512,
    n_heads: int = 8,
    strengths: Sequence[float] = ALIGNED_STRENGTHS,
    seed: int = 0,
) -> MultiHeadAttention:
    """Cross-attention whose first heads align a word with its translation; the rest random.

    Built head h reads the meaning features of `bilingual_vectors` (their first
    len(MEANINGS) dimensions) into its queries and its keys alike, a·feature each: a decoder word
    and an encoder word of the same meaning score a·a / √d_k = strengths[h], any other pair 0. The
    random heads, W_o and W_v are those of `constructed_attention(..., relations=())`: what an
    untrained layer looks like. A trained translation model learns heads like the built ones.

    Args:
        d_model: width D. n_heads: heads H (Dk = D / H, at least len(MEANINGS)), at least
        len(strengths). strengths: the score of a match in each built head. seed: the random
        weights.
    Returns:
        a `MultiHeadAttention` in eval mode; use it as `layer(query=decoder, key=memory,
        value=memory)`.

    Taught in 05_masked_and_cross_attention.ipynb.
    """
    if n_heads < len(strengths):
        raise ValueError(f"n_heads must be at least {len(strengths)} for the built heads")
    if any(not s > 0 for s in strengths):
        raise ValueError(f"the strengths must be positive, got {tuple(strengths)}")
    mha = constructed_attention(d_model, n_heads, seed=seed, relations=())
    if mha.d_k < len(MEANINGS):
        raise ValueError(
            f"each head needs d_k ≥ {len(MEANINGS)} (one dimension per meaning); "
            f"d_model / n_heads = {mha.d_k}"
        )
    meanings = torch.arange(len(MEANINGS))  # (M,): meaning i is word dimension i
    with torch.no_grad():
        for h, strength in enumerate(strengths):
            a = math.sqrt(strength * math.sqrt(mha.d_k))  # (a·a) / √d_k = strength
            rows = slice(h * mha.d_k, (h + 1) * mha.d_k)  # this head's output features
            for lin in (mha.W_q, mha.W_k):
                lin.weight[rows] = 0.0
                lin.weight[h * mha.d_k + meanings, meanings] = a  # copy meaning i to feature i
    return mha
