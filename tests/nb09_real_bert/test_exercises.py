"""The checkers of notebook 09's exercises: right answers pass, common mistakes get their hint. What
every checker does with stubs, broken functions and None: tests/project/test_checkers.py."""

import torch
import torch.nn.functional as F

from helpers.nb09_real_bert.exercises import check_bert_embeddings, check_mean_pool, check_wordpiece

# --- ★ WordPiece --------------------------------------------------------------------------------


def wordpiece(word, vocab, prefix="##", give_up=True):
    """Greedy longest match first; a piece inside the word has the prefix. With `give_up=False`
    (a mistake), a letter no piece matches becomes [UNK] and the rest of the word goes on."""
    pieces, start = [], 0
    while start < len(word):
        for end in range(len(word), start, -1):
            piece = word[start:end] if start == 0 else prefix + word[start:end]
            if piece in vocab:
                pieces.append(piece)
                start = end
                break
        else:
            if give_up:
                return ["[UNK]"]
            pieces.append("[UNK]")
            start += 1
    return pieces


def no_hashes(word, vocab):
    return wordpiece(word, vocab, prefix="")


def keeps_going(word, vocab):
    return wordpiece(word, vocab, give_up=False)


def test_wordpiece_right(said):
    assert said(check_wordpiece, wordpiece).startswith("✓ Right: greedy")


# --- ★ mean pooling -------------------------------------------------------------------------


def mean_pool(hidden, lengths):
    keep = (torch.arange(hidden.shape[1])[None, :] < torch.tensor(lengths)[:, None])[..., None]
    return F.normalize((hidden * keep).sum(1) / keep.sum(1), dim=-1)


def test_mean_pool_right(said):
    assert said(check_mean_pool, mean_pool).startswith("✓ Right")


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


def _embeddings_without(**mistake):
    return lambda ids, model: embeddings(ids, model, **mistake)


def test_bert_embeddings_right(said):
    with torch.no_grad():
        assert said(check_bert_embeddings, embeddings).startswith("✓ Right")


# --- the tables of answers: tests/conftest.py runs the test above each table once per row ---------


def test_wrong_answers_get_their_hint(reply, hint):
    assert reply.startswith("Not yet: ") and hint in reply, reply


WRONG = {
    check_wordpiece: [
        (keeps_going, "gives up on the whole word"),
        (no_hashes, "expected ['unaff', '##able']"),
        (lambda w, v: w, "should return a list of strings"),
        (lambda w, v: [w], "expected ['unaff', '##able']"),
    ],
    check_mean_pool: [
        (lambda h, n: F.normalize(h.mean(1), dim=-1), "averages the padding too"),
        (lambda h, n: mean_pool(h, n) * 2, "divide each mean by its norm"),
        (lambda h, n: h.mean(-1), "the shape is"),
    ],
    check_bert_embeddings: [
        (_embeddings_without(token_type=False), "token-type embedding"),
        (_embeddings_without(layer_norm=False), "then apply LayerNorm"),
        (_embeddings_without(position=False), "learned position embedding"),
        (_embeddings_without(eps=1e-5), "not torch's default 1e-5"),
    ],
}
