"""Notebook 02's exercise checkers: a right answer gets ✓, each common mistake its own hint. What
every checker does with stubs, broken functions and None: tests/project/test_checkers.py."""

import math

import numpy as np
import torch

from helpers import scaled_dot_product_attention
from helpers.nb02_multi_head_attention.data import FEATURES
from helpers.nb02_multi_head_attention.exercises import (
    check_build_head,
    check_multi_head_attention,
    check_split_heads,
)

# --- ★ split_heads --------------------------------------------------------------------------------


def split_heads(x, n_heads):
    b, t, d = x.shape
    return x.view(b, t, n_heads, d // n_heads).transpose(1, 2)  # (B, T, D) -> (B, H, T, Dk)


def split_heads_numpy(x, n_heads):
    b, t, d = x.shape
    return np.swapaxes(x.numpy().reshape(b, t, n_heads, d // n_heads), 1, 2)


def test_split_heads_right(said):
    assert said(check_split_heads, split_heads).startswith("✓ Right. Head h is simply features")


# --- ★★ multi_head_attention ----------------------------------------------------------------------


def _mha(scale_by_d_model=False, w_o=True, transpose_back=True):
    def multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads):
        b, t, d = X.shape
        q, k, v = (split_heads(X @ W, n_heads) for W in (W_q, W_k, W_v))  # (B, H, T, Dk)
        scale = 1 / math.sqrt(d) if scale_by_d_model else None
        heads, weights = scaled_dot_product_attention(q, k, v, scale=scale)  # (B, H, T, Dk)
        concat = (heads.transpose(1, 2) if transpose_back else heads).reshape(b, t, d)
        return (concat @ W_o if w_o else concat), weights

    return multi_head_attention


def test_multi_head_attention_right(said):
    assert said(check_multi_head_attention, _mha()).startswith(
        "✓ Right: your function equals helpers.MultiHeadAttention"
    )


def test_multi_head_attention_does_not_touch_the_inputs_it_shares(said):
    def vandal(X, W_q, W_k, W_v, W_o, n_heads):
        W_q.zero_()
        return _mha()(X, W_q, W_k, W_v, W_o, n_heads)

    # zeroing its own copy of W_q gives uniform weights
    assert said(check_multi_head_attention, vandal).startswith("Not yet:")
    # and the reference is intact afterwards
    assert said(check_multi_head_attention, _mha()).startswith("✓")


# --- ★★ build_head --------------------------------------------------------------------------------


def build_head(d_model, d_k, query_feature, key_feature, strength):
    a = math.sqrt(strength * math.sqrt(d_k))  # a·a / √d_k = strength
    W_q, W_k = torch.zeros(d_model, d_k), torch.zeros(d_model, d_k)
    W_q[FEATURES.index(query_feature), 0] = a
    W_k[FEATURES.index(key_feature), 0] = a
    return W_q, W_k


def test_build_head_right(said):
    assert said(check_build_head, build_head) == (
        '✓ Right. Your head makes "sat" put 0.9674 of its attention on "cat": '
        "the verb finds who did it."
    )


def _leaky(d, dk, qf, kf, s):
    w_q, w_k = build_head(d, dk, qf, kf, s)
    w_q[100, 0] = 1.0
    return w_q, w_k


# --- the tables of answers: tests/conftest.py runs the test above each table once per row ---------


def test_wrong_answers_get_their_hint(reply, hint):
    assert reply.startswith("Not yet: ") and hint in reply, reply


WRONG = {
    check_split_heads: [
        (lambda x, h: x.view(x.shape[0], x.shape[1], h, -1), "not moved in front of the words"),
        (lambda x, h: x.reshape(x.shape[0], h, x.shape[1], -1), "mix words"),
        (lambda x, h: split_heads(x, h) * 2, "should be its first 4 features"),
        (lambda x, h: "heads", "should be an array of numbers"),
    ],
    check_multi_head_attention: [
        (_mha(scale_by_d_model=True), "√d_model = √12; each head divides by √d_k = √4"),
        (_mha(w_o=False), "multiply it by W_o"),
        (_mha(transpose_back=False), "wrong order"),
        (lambda X, *w: X, "should return two things"),
        (
            lambda X, W_q, W_k, W_v, W_o, h: (X, torch.ones(X.shape[0], h, X.shape[1], X.shape[1])),
            "do not sum to 1",
        ),
    ],
    check_build_head: [
        (lambda d, dk, qf, kf, s: build_head(d, dk, qf, kf, s / math.sqrt(dk)), "a·a / √d_k"),
        (lambda d, dk, qf, kf, s: tuple(w.T for w in build_head(d, dk, qf, kf, s)), "(D, Dk)"),
        (lambda d, dk, qf, kf, s: build_head(d, dk, kf, qf, s), 'must read the feature "verb"'),
        (_leaky, "only the feature rows 0–5"),
        (lambda d, dk, qf, kf, s: build_head(d, dk, qf, kf, 2 * s), "is 10.0000, not 5"),
    ],
}


def test_right_answers_pass(reply):
    assert reply.startswith("✓ ")


RIGHT = {
    check_split_heads: [split_heads, split_heads_numpy],
    check_multi_head_attention: [_mha()],
    check_build_head: [build_head],
}
