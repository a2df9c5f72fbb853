"""The numbers notebook 03's prose quotes about its two worked examples (§3), pinned here rather
than on the learner's path: the book's "I am good" matrix and the chapter notes' table."""

import numpy as np

import helpers
from helpers.nb03_positional_encoding import data


def test_book_matrix_is_base_10000_truncated():
    true = helpers.sinusoidal_positional_encoding(3, 4).double().numpy()
    printed = np.array(data.BOOK_PE_PRINTED)
    np.testing.assert_array_equal(printed, np.trunc(true * 1000) / 1000)
    assert not np.array_equal(printed, np.round(true, 3))  # truncated, not rounded
    printed_base = helpers.sinusoidal_positional_encoding(3, 4, data.PRINTED_BASE).double().numpy()
    assert np.abs(printed - printed_base).max() > 0.02  # base 1000 would not give it


def test_notes_table_uses_pos_plus_one_and_one_typo():
    notes = np.array(data.NOTES_PE_TABLE)
    p = np.arange(6)
    rule = np.stack([np.sin(p), np.cos(p), np.sin(p + 1), np.cos(p + 1)], axis=1)
    differences = np.abs(notes - rule)
    assert differences[5, 3] > 0.2 and np.delete(differences.ravel(), 23).max() < 1e-3
    assert np.array_equal(notes[:5, 2:], notes[1:, :2])  # each row continues into the next
    assert round(float(rule[5, 3]), 3) == 0.960  # cos 6
    mat_pair = notes[5, 2:]
    assert round(float(mat_pair @ mat_pair), 2) == 0.64  # not a (sin, cos) pair
    assert round(float(np.linalg.norm(notes[5])), 2) == 1.28
    formula = helpers.sinusoidal_positional_encoding(6, 4).numpy()
    np.testing.assert_allclose(notes[:, :2], formula[:, :2], atol=1e-3)  # dimensions 0–1 agree
    assert np.abs(notes[:, 2:] - formula[:, 2:]).max() > 0.5  # dimensions 2–3 do not
    for base in [10.0, 100.0, 1000.0, 10000.0]:  # any base: position 0 = [0, 1, 0, 1]
        row_0 = helpers.sinusoidal_positional_encoding(1, 4, base)[0].numpy()
        np.testing.assert_allclose(row_0, [0, 1, 0, 1])
