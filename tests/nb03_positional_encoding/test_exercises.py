"""The checkers of 03_positional_encoding.ipynb (the encoding in halves, the dot product at an
offset, the shift matrix): right answers pass, each mistake gets its own hint. Stubs, broken
functions and None, for every checker: tests/project/test_checkers.py."""

import numpy as np
import torch

import helpers
from helpers.nb03_positional_encoding.exercises import (
    check_dot_at_offset,
    check_positional_encoding_halves,
    check_shift_matrix,
)

# --- answers a learner might write ----------------------------------------------------------------


def halves(n_positions, d_model, base=10000.0):
    pos = np.arange(n_positions)[:, None]
    i = np.arange(d_model // 2)
    angles = pos / base ** (2 * i / d_model)
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)


def halves_torch(n_positions, d_model, base=10000.0):
    pe = helpers.sinusoidal_positional_encoding(n_positions, d_model, base)
    return torch.cat([pe[:, 0::2], pe[:, 1::2]], dim=1)  # float32 is fine


def halves_interleaved(n_positions, d_model, base=10000.0):
    return helpers.sinusoidal_positional_encoding(n_positions, d_model, base).numpy()


def halves_cos_first(n_positions, d_model, base=10000.0):
    return np.roll(halves(n_positions, d_model, base), d_model // 2, axis=1)


def halves_no_two(n_positions, d_model, base=10000.0):
    pos = np.arange(n_positions)[:, None]
    angles = pos / base ** (np.arange(d_model // 2) / d_model)
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)


def halves_fixed_base(n_positions, d_model, base=10000.0):
    return halves(n_positions, d_model)


def halves_from_one(n_positions, d_model, base=10000.0):
    return halves(n_positions + 1, d_model, base)[1:]


def halves_transposed(n_positions, d_model, base=10000.0):
    return halves(n_positions, d_model, base).T


def halves_off(n_positions, d_model, base=10000.0):
    pe = halves(n_positions, d_model, base)
    pe[-1, -1] += 0.5
    return pe


def dot(k, d_model, base=10000.0):
    i = np.arange(d_model // 2)
    return np.cos(k / base ** (2 * i / d_model)).sum()


def dot_from_rows(k, d_model, base=10000.0):
    pe = helpers.sinusoidal_positional_encoding(100, d_model, base).double()
    return pe[50] @ pe[50 + k]  # a 0-d tensor


def dot_similarity(k, d_model, base=10000.0):
    return dot(k, d_model, base) / (d_model / 2)


def dot_all_columns(k, d_model, base=10000.0):
    i = np.arange(d_model)
    return np.cos(k / base ** (2 * i / d_model)).sum()


def dot_no_two(k, d_model, base=10000.0):
    i = np.arange(d_model // 2)
    return np.cos(k / base ** (i / d_model)).sum()


def dot_sin(k, d_model, base=10000.0):
    i = np.arange(d_model // 2)
    return np.sin(k / base ** (2 * i / d_model)).sum()


def dot_array(k, d_model, base=10000.0):
    return np.array([dot(k, d_model, base)])


def shift(k, d_model, base=10000.0):
    m = np.zeros((d_model, d_model))
    for i in range(d_model // 2):
        angle = k / base ** (2 * i / d_model)
        c, s = np.cos(angle), np.sin(angle)
        m[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = [[c, s], [-s, c]]
    return m


def shift_torch(k, d_model, base=10000.0):
    return helpers.positional.shift_matrix(k, d_model, base)


def shift_backwards(k, d_model, base=10000.0):
    return shift(k, d_model, base).T


def shift_identity(k, d_model, base=10000.0):
    return np.eye(d_model)


def shift_ignores_zero(k, d_model, base=10000.0):
    return shift(k or 1, d_model, base)  # forgets that k = 0 is no step at all


def test_pass_messages_state_facts(said):
    assert "PE(0)·PE(5) = 189.5967 in both layouts" in said(
        check_positional_encoding_halves, halves
    )
    line = said(check_dot_at_offset, dot)
    assert f"{dot(1, 512):.4f} at k = 1" in line and f"{dot(50, 512):.4f} at k = 50" in line
    assert "[0.5403, 0.5403, 1.0000, 1.0000]" in said(check_shift_matrix, shift)


def test_a_message_with_numbers_is_deterministic(said):
    first = said(check_shift_matrix, shift_identity)  # quotes PE(1) and what it got, rounded
    torch.manual_seed(1)
    with np.printoptions(precision=2, suppress=True):
        assert said(check_shift_matrix, shift_identity) == first


def test_the_committed_stub_message_names_the_function(said):
    def positional_encoding_halves(n_positions, d_model, base=10000.0):
        return None

    line = said(check_positional_encoding_halves, positional_encoding_halves)
    assert line.startswith(
        "Not yet: `positional_encoding_halves(6, 4, 10000.0)` (six positions, d = 4) returned None"
    )


# --- the tables of answers: tests/conftest.py runs the test above each table once per row ---------


def test_wrong_answers_get_their_hint(reply, hint):
    assert reply.startswith("Not yet: ") and hint in reply, reply


WRONG = {
    check_positional_encoding_halves: """
        halves_interleaved  is interleaved
        halves_cos_first    cosines first
        halves_no_two       the exponent is 2i/d
        halves_fixed_base   ignores the base
        halves_from_one     positions start at 0
        halves_transposed   one row per position
        halves_off          row 5, column 3: expected
    """,
    check_dot_at_offset: """
        dot_similarity   is the cosine similarity
        dot_all_columns  there are d/2 = 256 sin/cos pairs
        dot_no_two       the exponent is 2i/d
        dot_sin          |PE|² = d/2 = 256
        dot_array        the shape is (1,), expected ()
    """,
    check_shift_matrix: """
        shift_backwards     moves k steps backwards
        shift_identity      @ PE(0) should be PE(1)
        shift_ignores_zero  should be the identity
    """,
}


def test_right_answers_pass(reply):
    assert reply.startswith("✓ ")


RIGHT = {
    check_positional_encoding_halves: [halves, halves_torch],
    check_dot_at_offset: [dot, dot_from_rows],
    check_shift_matrix: [shift, shift_torch],
}
