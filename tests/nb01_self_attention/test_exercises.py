"""Notebook 01's checkers (softmax with a temperature, one query's attention, all queries'):
answers a learner might write, right ones pass and each mistake gets its own hint. Stubs, broken
functions and None, for every checker: tests/project/test_checkers.py."""

import numpy as np
import torch

import helpers
from helpers.nb01_self_attention.exercises import (
    attention_reference,
    check_attend_one,
    check_attention,
    check_softmax_with_temperature,
    running_qkv,
)

# --- answers a learner might write ----------------------------------------------------------------


def softmax_t(scores, temperature=1.0):
    z = scores / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


def softmax_t_torch(scores, temperature=1.0):
    return torch.softmax(torch.as_tensor(scores) / temperature, dim=-1)


def softmax_t_in_place(scores, temperature=1.0):
    scores /= temperature  # modifies its argument: the checker must not care
    scores -= scores.max()
    return list(np.exp(scores) / np.exp(scores).sum())


def softmax_t_naive(scores, temperature=1.0):
    e = np.exp(scores / temperature)  # overflows near 1000
    return e / e.sum()


def softmax_t_times(scores, temperature=1.0):
    return softmax_t(scores * temperature)


def softmax_t_ignores(scores, temperature=1.0):
    return softmax_t(scores)


def softmax_t_unnormalised(scores, temperature=1.0):
    return np.exp(scores / temperature - np.max(scores / temperature))


def attend_one(q, K, V):
    weights = softmax_t(K @ q / np.sqrt(len(q)))
    return weights @ V, weights


def attend_one_torch(q, K, V):
    q, K, V = (torch.tensor(a, dtype=torch.float32) for a in (q, K, V))
    out, w = helpers.scaled_dot_product_attention(q[None], K, V)  # one query: (1, Dk)
    return out[0], w[0]


def attend_one_unscaled(q, K, V):
    weights = softmax_t(K @ q)
    return weights @ V, weights


def attend_one_swapped(q, K, V):
    output, weights = attend_one(q, K, V)
    return weights, output


def attend_one_wrong_output(q, K, V):
    _, weights = attend_one(q, K, V)
    return V.mean(axis=0), weights


def attend_one_scores(q, K, V):
    scores = K @ q / np.sqrt(len(q))
    return scores @ V, scores


def attention(Q, K, V):
    scores = Q @ K.T / np.sqrt(Q.shape[-1])
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = e / e.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_torch(Q, K, V):
    return helpers.scaled_dot_product_attention(*(torch.from_numpy(a) for a in (Q, K, V)))


def attention_naive(Q, K, V):
    e = np.exp(Q @ K.T / np.sqrt(Q.shape[-1]))
    weights = e / e.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_global_max(Q, K, V):
    scores = Q @ K.T / np.sqrt(Q.shape[-1])
    e = np.exp(scores - scores.max())  # one max for the whole matrix: rows underflow
    weights = e / e.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_columns(Q, K, V):
    scores = Q @ K.T / np.sqrt(Q.shape[-1])
    e = np.exp(scores - scores.max(axis=0, keepdims=True))
    weights = e / e.sum(axis=0, keepdims=True)
    return weights @ V, weights


def attention_unscaled(Q, K, V):
    scores = Q @ K.T
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = e / e.sum(axis=-1, keepdims=True)
    return weights @ V, weights


def attention_transposed(Q, K, V):
    output, weights = attention(Q, K, V)
    return output, weights.T


def attention_swapped(Q, K, V):
    output, weights = attention(Q, K, V)
    return weights, output


def attention_output_only(Q, K, V):
    return attention(Q, K, V)[0]


def test_pass_messages_state_facts(said):
    line = said(check_softmax_with_temperature, softmax_t)
    assert "(largest weight 0.8746)" in line  # the notes' scores at temperature 0.1
    q, k, v = running_qkv()
    weights = attend_one(q[2], k, v)[1]
    top = helpers.TOKENS[int(weights.argmax())]
    expected = f'"sat" attends most to "{top}" (weight {weights.max():.4f})'
    assert expected in said(check_attend_one, attend_one)


def test_reference_is_the_helpers_attention():
    q, k, v = running_qkv()
    want_out, want_w = helpers.scaled_dot_product_attention(
        *(torch.from_numpy(a) for a in (q, k, v))
    )
    out, w = attention_reference(q, k, v)
    np.testing.assert_allclose(w, want_w.numpy(), rtol=1e-10)
    np.testing.assert_allclose(out, want_out.numpy(), rtol=1e-10, atol=1e-12)


def test_the_committed_stub_message_names_the_function(said):
    def softmax_with_temperature(scores, temperature=1.0):
        return None

    line = said(check_softmax_with_temperature, softmax_with_temperature)
    assert line.startswith("Not yet: `softmax_with_temperature(notes_scores, 1)` returned None")


# --- the tables of answers: tests/conftest.py runs the test above each table once per row ---------


def test_wrong_answers_get_their_hint(reply, hint):
    assert reply.startswith("Not yet: ") and hint in reply, reply


WRONG = {
    check_softmax_with_temperature: """
        softmax_t_naive         Subtract the largest score
        softmax_t_times         divide them by it
        softmax_t_ignores       ignores the temperature
        softmax_t_unnormalised  divide by the sum
    """,
    check_attend_one: """
        attend_one_unscaled      divide the scores by √d_k (here √64)
        attend_one_swapped       weights and output are swapped
        attend_one_wrong_output  `weights @ V`
        attend_one_scores        do not sum to 1
    """,
    check_attention: """
        attention_naive        each row's own largest score
        attention_global_max   each row's own largest score
        attention_columns      along the last axis
        attention_unscaled     without the scaling
        attention_transposed   one row per query
        attention_swapped      output and weights are swapped
        attention_output_only  should return two things
    """,
}


def test_right_answers_pass(reply):
    assert reply.startswith("✓ ")


RIGHT = {
    check_softmax_with_temperature: [softmax_t, softmax_t_torch, softmax_t_in_place],
    check_attend_one: [attend_one, attend_one_torch],
    check_attention: [attention, attention_torch],
}
