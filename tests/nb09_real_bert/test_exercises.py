"""The checkers of notebook 09's exercises: right answers pass, common mistakes get their hint."""

import pytest
import torch
import torch.nn.functional as F

from helpers.nb09_real_bert.exercises import check_bert_embeddings, check_mean_pool, check_wordpiece

# --- ★ WordPiece --------------------------------------------------------------------------------


def wordpiece(word, vocab):
    pieces, start = [], 0
    while start < len(word):
        for end in range(len(word), start, -1):
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                break
        else:
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces


def no_hashes(word, vocab):
    pieces, start = [], 0
    while start < len(word):
        for end in range(len(word), start, -1):
            if word[start:end] in vocab:
                break
        else:
            return ["[UNK]"]
        pieces.append(word[start:end])
        start = end
    return pieces


def keeps_going(word, vocab):
    pieces, start = [], 0
    while start < len(word):
        for end in range(len(word), start, -1):
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                pieces.append(piece)
                start = end
                break
        else:
            pieces.append("[UNK]")
            start += 1
    return pieces


def test_wordpiece_right(said):
    assert said(check_wordpiece, wordpiece).startswith("✓ Right: greedy")


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (keeps_going, "gives up on the whole word"),
        (lambda w, v: w, "should return a list of strings"),
        (lambda w, v: None, "Replace the `return None`"),
        (lambda w, v: [w], "expected ['unaff', '##able']"),
    ],
)
def test_wordpiece_hints(said, fn, hint):
    line = said(check_wordpiece, fn)
    assert line.startswith("Not yet:") and hint in line


def test_wordpiece_without_hashes_is_caught(said):
    line = said(check_wordpiece, no_hashes)
    assert line.startswith("Not yet:") and "expected ['unaff', '##able']" in line


def test_wordpiece_checker_needs_a_function(said):
    assert "pass your function itself" in said(check_wordpiece, None)


# --- ★ mean pooling -------------------------------------------------------------------------


def mean_pool(hidden, lengths):
    keep = (torch.arange(hidden.shape[1])[None, :] < torch.tensor(lengths)[:, None])[..., None]
    return F.normalize((hidden * keep).sum(1) / keep.sum(1), dim=-1)


def test_mean_pool_right(said):
    assert said(check_mean_pool, mean_pool).startswith("✓ Right")


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (lambda h, n: F.normalize(h.mean(1), dim=-1), "averages the padding too"),
        (lambda h, n: mean_pool(h, n) * 2, "divide each mean by its norm"),
        (lambda h, n: h.mean(-1), "the shape is"),
    ],
)
def test_mean_pool_hints(said, fn, hint):
    line = said(check_mean_pool, fn)
    assert line.startswith("Not yet:") and hint in line


# --- ★★ BERT's input embeddings ----------------------------------------------------------------


def embeddings(ids, model, token_type=True, layer_norm=True, position=True, eps=None):
    e = model.embeddings
    x = e.word(ids)
    if position:
        x = x + e.position(torch.arange(len(ids)))
    if token_type:
        x = x + e.token_type.weight[0]
    if not layer_norm:
        return x
    return F.layer_norm(x, (x.shape[-1],), e.norm.weight, e.norm.bias, eps or model.config.eps)


def test_bert_embeddings_right(said):
    with torch.no_grad():
        assert said(check_bert_embeddings, embeddings).startswith("✓ Right")


@pytest.mark.parametrize(
    ("kwargs", "hint"),
    [
        ({"token_type": False}, "token-type embedding"),
        ({"layer_norm": False}, "then apply LayerNorm"),
        ({"position": False}, "learned position embedding"),
        ({"eps": 1e-5}, "not torch's default 1e-5"),
    ],
)
def test_bert_embeddings_hints(said, kwargs, hint):
    line = said(check_bert_embeddings, lambda ids, m: embeddings(ids, m, **kwargs))
    assert line.startswith("Not yet:") and hint in line
