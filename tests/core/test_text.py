"""helpers.text: the running sentence, tokenisation and seeded vectors."""

import pytest
import torch

from helpers import SENTENCE, TOKENS, tokenize, toy_projections, word_vectors


def test_running_sentence_tokens():
    assert SENTENCE == "The cat sat on the mat."
    assert TOKENS == ["The", "cat", "sat", "on", "the", "mat"]


@pytest.mark.parametrize(
    ("sentence", "tokens"),
    [
        ("고양이가 매트 위에 앉았다.", ["고양이가", "매트", "위에", "앉았다"]),
        ("Le chat s'est assis.", ["Le", "chat", "s'est", "assis"]),
        ("  ", []),
        ("🐱 ?!", []),
        ("3 cats", ["3", "cats"]),
    ],
)
def test_tokenize_any_script(sentence, tokens):
    assert tokenize(sentence) == tokens


def test_tokenize_refuses_non_strings():
    with pytest.raises(ValueError, match="must be a string"):
        tokenize(None)


def test_word_vectors_are_seeded_per_word():
    x = word_vectors(TOKENS)
    assert x.shape == (6, 512)
    assert torch.equal(x[0], x[4])  # "The" and "the": no position information yet
    assert torch.equal(word_vectors(["cat"])[0], x[1])  # same word, same vector, any sentence
    assert not torch.equal(word_vectors(["cat"], seed=1)[0], x[1])
    assert abs(x.std().item() - 1) < 0.1


def test_word_vectors_refuse_empty_input():
    with pytest.raises(ValueError, match="at least one token"):
        word_vectors([])


def test_toy_projections_shapes_and_scale():
    w_q, w_k, w_v = toy_projections()
    assert w_q.shape == w_k.shape == w_v.shape == (512, 64)
    assert not torch.equal(w_q, w_k)
    q = word_vectors(TOKENS * 20) @ w_q
    assert 0.7 < q.var().item() < 1.3  # Q entries of variance about 1
