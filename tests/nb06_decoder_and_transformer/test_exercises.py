"""Notebook 06's exercise checkers (the output layer, the whole Transformer's parameters, top-k
with a temperature): right answers pass, each mistake its hint. Stubs, broken functions and None,
for every checker: tests/project/test_checkers.py."""

import numpy as np
import torch

from helpers.nb06_decoder_and_transformer.exercises import (
    check_output_layer,
    check_top_k_distribution,
    check_transformer_parameters,
)

# --- answers a learner might write ----------------------------------------------------------------


def output_layer(hidden, W_out, b_out):
    scores = hidden @ W_out + b_out
    e = np.exp(scores - scores.max())
    probs = e / e.sum()
    return probs, int(probs.argmax())


def output_layer_torch(hidden, W_out, b_out):
    probs = torch.softmax(torch.from_numpy(hidden @ W_out + b_out), dim=-1)
    return probs, probs.argmax()  # a 0-d tensor as the id: fine


def output_layer_no_bias(hidden, W_out, b_out):
    return output_layer(hidden, W_out, 0 * b_out)


def output_layer_logits(hidden, W_out, b_out):
    scores = hidden @ W_out + b_out
    return scores, int(scores.argmax())


def output_layer_argmin(hidden, W_out, b_out):
    probs, _ = output_layer(hidden, W_out, b_out)
    return probs, int(probs.argmin())


def output_layer_overflow(hidden, W_out, b_out):
    e = np.exp(hidden @ W_out + b_out)
    return e / e.sum(), int(e.argmax())


def output_layer_word(hidden, W_out, b_out):
    probs, _ = output_layer(hidden, W_out, b_out)
    return probs, "고양이가"


def transformer_parameters(d_model, d_ff, n_layers, vocab_size, tied):
    attention = 4 * (d_model * d_model + d_model)
    ffn = 2 * d_model * d_ff + d_ff + d_model
    norm = 2 * d_model
    encoder = n_layers * (attention + ffn + 2 * norm)
    decoder = n_layers * (2 * attention + ffn + 3 * norm)
    return encoder + decoder + (1 if tied else 3) * vocab_size * d_model + vocab_size


def _minus(amount):
    def fn(d_model, d_ff, n_layers, vocab_size, tied):
        return transformer_parameters(d_model, d_ff, n_layers, vocab_size, tied) - amount(
            d_model, n_layers, vocab_size, tied
        )

    return fn


def top_k_distribution(logits, temperature, k):
    z = logits / temperature
    z = np.where(z >= np.sort(z)[-k], z, -np.inf)
    e = np.exp(z - z.max())
    return e / e.sum()


def top_k_times_temperature(logits, temperature, k):
    return top_k_distribution(logits * temperature**2, temperature, k)


def top_k_not_renormalised(logits, temperature, k):
    z = logits / temperature
    p = np.exp(z - z.max())
    p /= p.sum()
    return np.where(p >= np.sort(p)[-k], p, 0.0)


def top_k_ignores_k(logits, temperature, k):
    return top_k_distribution(logits, temperature, len(logits))


def top_k_smallest(logits, temperature, k):
    z = logits / temperature
    z = np.where(z <= np.sort(z)[k - 1], z, -np.inf)
    e = np.exp(z - z.max())
    return e / e.sum()


def top_k_ignores_temperature(logits, temperature, k):
    return top_k_distribution(logits, 1.0, k)


def top_k_overflow(logits, temperature, k):
    z = logits / temperature
    e = np.where(z >= np.sort(z)[-k], np.exp(z), 0.0)
    return e / e.sum()


def test_pass_messages_state_facts(said):
    for fn in (output_layer, output_layer_torch):
        line = said(check_output_layer, fn)
        assert line.startswith("✓ Right") and "'앉았다' at p = 0.2019" in line
    line = said(check_transformer_parameters, transformer_parameters)
    assert line.startswith("✓ Right") and "63,119,496" in line and "101,007,496" in line
    line = said(check_top_k_distribution, top_k_distribution)
    assert line.startswith("✓ Right") and "0.3478 at τ = 0.5" in line


# --- the tables of answers: tests/conftest.py runs the test above each table once per row ---------


def test_wrong_answers_get_their_hint(reply, hint):
    assert reply.startswith("Not yet: ") and hint in reply, reply


WRONG = {
    check_output_layer: """
        output_layer_no_bias   add the bias
        output_layer_logits    apply the softmax
        output_layer_argmin    least likely
        output_layer_overflow  nan or inf
        output_layer_word      one integer
    """,
    check_transformer_parameters: [
        (_minus(lambda d, n, v, t: v), "a bias too"),
        (_minus(lambda d, n, v, t: n * 4 * (d * d + d)), "two attentions"),
        (_minus(lambda d, n, v, t: n * 2 * d), "three LayerNorms"),
        (_minus(lambda d, n, v, t: 5 * n * 2 * d), "count the LayerNorms"),
        (_minus(lambda d, n, v, t: -2 * v * d if t else 0), "count it once"),
        (_minus(lambda d, n, v, t: 0 if t else v * d), "three matrices"),
        (_minus(lambda d, n, v, t: 7), "expected 63,119,496"),
        (lambda *a: 1.5, "whole number"),
        (lambda *a: "many", "one number"),
    ],
    check_top_k_distribution: [
        (top_k_times_temperature, "divide them by it"),
        (top_k_not_renormalised, "renormalise"),
        (top_k_ignores_k, "keeps every token"),
        (top_k_smallest, "keeps the wrong tokens"),
        (top_k_ignores_temperature, "ignores the temperature"),
        (top_k_overflow, "nan or inf"),
        (lambda logits, t, k: logits[:3], "the shape is (3,)"),
    ],
}


def test_right_answers_pass(reply):
    assert reply.startswith("✓ ")


RIGHT = {
    check_output_layer: [output_layer, output_layer_torch],
    check_transformer_parameters: [transformer_parameters],
    check_top_k_distribution: [top_k_distribution],
}
