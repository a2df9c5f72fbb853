"""Widget update logic, without a browser: what each explorer computes and draws."""

import numpy as np
import pytest

from helpers import SENTENCE
from helpers.nb01_self_attention.explorer import attention_explorer, attention_view
from helpers.nb01_self_attention.figures import AttentionFigure


def test_default_view_is_the_running_sentence():
    view = attention_view(SENTENCE)
    assert view.tokens == ["The", "cat", "sat", "on", "the", "mat"]
    assert view.weights.shape == (6, 6)
    assert view.query == 1
    assert view.message == ""
    np.testing.assert_allclose(view.weights.sum(axis=1), 1.0, atol=1e-6)


def test_temperature_and_scaling_sharpen_or_flatten():
    base = attention_view(SENTENCE).weights
    hot = attention_view(SENTENCE, temperature=10.0).weights
    cold = attention_view(SENTENCE, temperature=0.1).weights
    unscaled = attention_view(SENTENCE, scale=False).weights
    assert hot.max() < base.max() < cold.max()
    assert unscaled.max() > base.max()  # without 1/√d_k the softmax saturates
    np.testing.assert_allclose(
        attention_view(SENTENCE, scale=False, temperature=8.0).weights, base, atol=1e-6
    )  # dividing by √64 = 8 is a temperature of 8


@pytest.mark.parametrize(("sentence", "words"), [("", 0), ("   ", 0), ("🐱🐱", 0), ("?!", 0)])
def test_empty_input_gets_a_message(sentence, words):
    view = attention_view(sentence)
    assert view.weights is None and view.tokens == []
    assert "at least one word" in view.message


def test_one_word():
    view = attention_view("cat")
    assert view.weights.tolist() == [[1.0]]
    assert "only to itself" in view.message


def test_long_sentence_is_cut_with_a_message():
    view = attention_view(" ".join(["cat"] * 40))
    assert len(view.tokens) == 32 and view.weights.shape == (32, 32)
    assert "40 words" in view.message and "first 32" in view.message


def test_korean_sentence_and_out_of_range_query():
    view = attention_view("고양이가 매트 위에 앉았다", query=99)
    assert view.tokens == ["고양이가", "매트", "위에", "앉았다"]
    assert view.query == 3


def test_non_positive_temperature_is_refused_politely():
    assert "greater than 0" in attention_view(SENTENCE, temperature=0).message


def test_figure_updates_in_place_and_changes_pixels():
    fig = AttentionFigure()
    view = attention_view(SENTENCE)
    fig.update(view.tokens, view.weights, 1)
    first = fig.png()
    axes = fig.fig.axes
    fig.update(view.tokens, view.weights, 2)
    assert fig.fig.axes == axes  # same tokens: same axes, only the data moved
    assert fig.png() != first
    other = attention_view("고양이가 매트 위에 앉았다")
    fig.update(other.tokens, other.weights, 0)
    assert fig.png().startswith(b"\x89PNG")
    assert fig.fig.axes == axes  # a new sentence: relabelled in place, no new layout
    for ticks in fig._ticks:  # bars x, map x, map y
        assert [t.get_text() for t in ticks.texts if t.get_visible()] == other.tokens
    assert sum(t.get_visible() for t in fig._cells) == 16  # 4 × 4 values
    assert sum(b.get_visible() for b in fig._bars) == 4


def test_a_word_wider_than_the_room_kept_lays_the_figure_out_again():
    fig = AttentionFigure()
    view = attention_view(SENTENCE)
    fig.update(view.tokens, view.weights, 1)
    fig.png()
    axes = fig.fig.axes
    wide = attention_view("the Pneumonoultramicroscopicsilicovolcanoconiosis")
    fig.update(wide.tokens, wide.weights, 1)
    assert fig.fig.axes != axes
    # laid out again by the update itself (a figure shown whole is right without png())
    assert [t.get_text() for t in fig._ticks[2].texts if t.get_visible()] == wide.tokens
    assert fig.png().startswith(b"\x89PNG")


def test_explorer_controls_redraw(controls):
    parts = controls(attention_explorer())
    text, query, message, image = (parts[k] for k in ("sentence", "query", "message", "image"))
    scale, temperature = parts["divide scores by √d_k"], parts["temperature"]
    assert temperature.continuous_update is True  # the weights sharpen and flatten as you drag
    first = image.value
    query.value = 3
    assert image.value != first
    after_query = image.value
    scale.value = False
    assert image.value != after_query
    temperature.value = 3.0
    text.value = "고양이가 매트 위에 앉았다"
    assert [label for label, _ in query.options][0] == "0: 고양이가"
    text.value = ""
    assert "at least one word" in message.value
    text.value = " ".join(["word"] * 33)
    assert "33 words" in message.value
