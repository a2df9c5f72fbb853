"""The numbers notebook 01's prose quotes about its two worked examples (§8), pinned here rather
than on the learner's path: the book's "I am good" and the chapter notes' row for "cat"."""

import numpy as np

from helpers.nb01_self_attention import data
from helpers.text import TOKENS


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_book_scaled_scores_are_exact():
    scaled = np.array(data.BOOK_SCORES) / np.sqrt(data.BOOK_D_K)
    np.testing.assert_array_equal(scaled, np.array(data.BOOK_SCALED_SCORES))


def test_book_softmax_within_0012_and_which_rows_are_adjusted():
    true = softmax(np.array(data.BOOK_SCALED_SCORES))
    printed = np.array(data.BOOK_SOFTMAX)
    assert round(np.abs(printed - true).max(), 4) == 0.012  # "within 0.013"
    np.testing.assert_allclose(printed.sum(axis=1), 1.0)
    honest = np.round(true, 2)
    np.testing.assert_allclose(honest.sum(axis=1), [0.99, 1.01, 1.00])  # rows I, am: not 1
    np.testing.assert_allclose(honest[2], [0.22, 0.02, 0.76])  # row good: already sums to 1
    np.testing.assert_allclose(true.round(4)[0], [0.9045, 0.0742, 0.0213])  # the shared notes


def test_notes_row_is_not_the_softmax_of_their_scores():
    scores, weights = np.array(data.NOTES_CAT_SCORES), np.array(data.NOTES_CAT_SOFTMAX)
    true = softmax(scores)
    assert np.isclose(weights.sum(), 1.0)
    assert np.abs(true - weights).max() > 0.1
    assert np.isclose(true.max() / true.min(), np.exp(0.9))  # e^(1.0 − 0.1) ≈ 2.46
    assert np.isclose(weights.max() / weights.min(), 20)  # 0.4 / 0.02
    assert (np.argsort(weights) == np.argsort(scores)).all()  # the same ranking
    assert [TOKENS[j] for j in np.argsort(scores)] == ["on", "The", "the", "mat", "sat", "cat"]


def test_no_temperature_fits_the_notes_row():
    scores, weights = np.array(data.NOTES_CAT_SCORES), np.array(data.NOTES_CAT_SOFTMAX)
    implied = (scores[1:] - scores[0]) / np.log(weights[1:] / weights[0])  # each word vs "The"
    assert (round(implied.min(), 2), round(implied.max(), 2)) == (0.11, 0.43)
    temperatures = np.logspace(-2, 1, 3001)
    errors = [((softmax(scores / t) - weights) ** 2).sum() for t in temperatures]
    tau = temperatures[int(np.argmin(errors))]
    assert round(tau, 2) == 0.41
    miss = np.abs(softmax(scores / tau) - weights)
    assert TOKENS[int(miss.argmax())] == "sat" and round(miss.max(), 2) == 0.09
