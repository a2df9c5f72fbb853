"""Notebook 02's helpers in helpers.attention and helpers.text: the attend step, the heads built by
hand (any number of relations, any d_k) and the feature vectors they read."""

import math

import pytest
import torch

from helpers import TOKENS, MultiHeadAttention, tokenize, word_vectors
from helpers.nb02_multi_head_attention.data import (
    CONSTRUCTED_HEADS,
    FEATURES,
    LEXICON,
    constructed_attention,
    feature_vectors,
)

CAT, SAT, ON, MAT = (TOKENS.index(w) for w in ("cat", "sat", "on", "mat"))
RELATIONS = [(CAT, SAT), (CAT, MAT), (ON, MAT)]  # the book's three, one per built head


def _weights(mha: MultiHeadAttention, tokens: list[str] = TOKENS) -> torch.Tensor:
    x = feature_vectors(tokens, mha.d_model)[None]  # (1, T, D)
    with torch.no_grad():
        return mha(x, x, x)[1][0]  # (H, T, T)


def test_attend_is_forward_without_w_o():
    mha = MultiHeadAttention(16, 4)
    x = torch.randn(2, 5, 16)
    concat, weights = mha.attend(x, x, x)
    out, weights2 = mha(x, x, x)
    assert concat.shape == (2, 5, 16)
    torch.testing.assert_close(mha.W_o(concat), out)
    torch.testing.assert_close(weights, weights2)
    # head h writes columns h·Dk … (h+1)·Dk - 1 of the concatenation
    v = mha.W_v(x).view(2, 5, 4, 4).transpose(1, 2)  # (B, T, D) -> (B, H, T, Dk)
    torch.testing.assert_close(concat[..., 4:8], weights[:, 1] @ v[:, 1])


@pytest.mark.parametrize("n_heads", [1, 2, 4, 8])
def test_built_heads_have_the_same_strength_whatever_d_k(n_heads):
    relations = CONSTRUCTED_HEADS[:n_heads]
    mha = constructed_attention(512, n_heads, relations=relations)
    w = _weights(mha)
    want = math.exp(5.0) / (math.exp(5.0) + len(TOKENS) - 1)  # one match scoring 5, the rest 0
    for h, (query, key) in enumerate(RELATIONS[: len(relations)]):
        assert w[h, query].argmax().item() == key
        assert w[h, query, key].item() == pytest.approx(want, abs=1e-5)
        # a word without the query feature scores 0 everywhere: a uniform row
        torch.testing.assert_close(w[h, SAT], torch.full((6,), 1 / 6))


def test_strength_is_the_score_of_a_match():
    for strength in (1.0, 3.0):
        w = _weights(constructed_attention(512, 8, strength=strength))
        assert w[0, CAT, SAT].item() == pytest.approx(
            math.exp(strength) / (math.exp(strength) + 5), abs=1e-5
        )


def test_fewer_heads_than_relations_is_refused_with_a_way_out():
    with pytest.raises(ValueError, match=r"at least 3.*relations=CONSTRUCTED_HEADS\[:2\]"):
        constructed_attention(n_heads=2)
    with pytest.raises(ValueError, match="unknown feature 'colour'"):
        constructed_attention(relations=[("x", "noun", "colour")])


def test_random_heads_do_not_depend_on_the_built_ones():
    built, random = _weights(constructed_attention()), _weights(constructed_attention(relations=()))
    torch.testing.assert_close(built[3:], random[3:])  # heads 4…8: the same random heads
    assert not torch.allclose(built[:3], random[:3])


@pytest.mark.parametrize("n_heads", [1, 2, 4, 8])
def test_random_heads_are_as_sharp_as_notebook_01_whatever_d_k(n_heads):
    mha = constructed_attention(512, n_heads, relations=())
    x = feature_vectors(tokenize("a dog slept near the sofa under the old bed") * 8)[None]
    with torch.no_grad():
        q = mha.W_q(x).view(1, -1, n_heads, 512 // n_heads).transpose(1, 2)  # (B, H, T, Dk)
        k = mha.W_k(x).view(1, -1, n_heads, 512 // n_heads).transpose(1, 2)  # (B, H, T, Dk)
    scores = q @ k.transpose(-2, -1) / math.sqrt(512 // n_heads)  # (B, H, T, T)
    assert 0.6 < scores.var().item() < 1.6  # like toy_projections: variance about 1


def test_seed_changes_only_the_random_parts():
    a, b = _weights(constructed_attention(seed=0)), _weights(constructed_attention(seed=1))
    torch.testing.assert_close(a[:3], b[:3])
    assert not torch.allclose(a[3:], b[3:])


def test_feature_vectors_are_word_vectors_with_features_in_front():
    x, plain = feature_vectors(TOKENS), word_vectors(TOKENS)
    torch.testing.assert_close(x[:, len(FEATURES) :], plain[:, len(FEATURES) :])
    assert x[CAT, : len(FEATURES)].tolist() == [1, 0, 0, 0, 1, 0]  # noun, animal
    assert x[ON, : len(FEATURES)].tolist() == [0, 0, 1, 0, 0, 0]  # preposition
    assert feature_vectors(["zebra"])[0, : len(FEATURES)].tolist() == [0] * len(FEATURES)


def test_the_korean_running_sentence_shows_the_same_three_relations():
    tokens = tokenize("고양이가 매트 위에 앉았다")
    assert all(t in LEXICON for t in tokens)
    w = _weights(constructed_attention(), tokens)
    cat, mat, on, sat = range(4)
    for h, (query, key) in enumerate([(cat, sat), (cat, mat), (on, mat)]):
        assert w[h, query].argmax().item() == key and w[h, query, key].item() > 0.9


def test_the_korean_words_are_the_series_words():
    """One Korean word per English word across the series: notebook 02's Korean words that name an
    animal, a surface or an action are the ones notebook 05's bilingual lexicon translates."""
    from helpers.nb05_masked_and_cross_attention.data import BILINGUAL_LEXICON

    korean = [w for w in LEXICON if "\uac00" <= w[0] <= "\ud7a3"]
    named = [w for w in korean if LEXICON[w] & {"animal", "verb"}]
    assert "개가" in named and "강아지가" not in LEXICON
    assert [w for w in named if w not in BILINGUAL_LEXICON] == []


def test_built_heads_ignore_word_order():
    """The third head is 'positional' in the book; ours reads a feature, so order changes nothing:
    there are no positions in the vectors yet (notebook 03)."""
    shuffled = ["mat", "the", "on", "sat", "cat", "The"]
    w = _weights(constructed_attention(), shuffled)
    assert w[2, shuffled.index("on")].argmax().item() == shuffled.index("mat")
