"""Notebook 08's explorer and figures, without a browser: translation_view (pure), the figure,
and the explorer's controls."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.nb08_train_a_translator.explorer import translation_view, translator_explorer
from helpers.nb08_train_a_translator.figures import (
    TranslatorFigure,
    plot_layer_heads,
    plot_learned_beside_constructed,
)


def test_default_view_translates_the_book_sentence_with_its_attention():
    view = translation_view("The cat sat on the mat.")
    assert view.output == "고양이가 매트 위에 앉았다." and view.message == ""
    assert view.src_labels == ["the", "cat", "sat", "on", "the", "mat"]
    assert view.out_labels == ["고양이가", "매트", "위에", "앉았다", "<eos>"]
    assert view.weights.shape == (5, 6)
    np.testing.assert_allclose(view.weights.sum(axis=1), 1.0, atol=1e-5)
    assert view.candidates[0].startswith("고양이가 1.00") and len(view.candidates) == 5
    assert "greedy" in view.caption


def test_the_learned_alignment_reorders():
    view = translation_view("The cat sat on the mat.", layer=1)  # the last layer, mean of heads
    looks_at = [view.src_labels[j] for j in view.weights.argmax(axis=1)]
    assert looks_at[:4] == ["cat", "mat", "sat", "sat"]  # 앉았다 (last) reads "sat" (third)
    on = translation_view("The cat sat on the mat.", layer=1, head=2)
    assert on.src_labels[int(on.weights[2].argmax())] == "on"  # 위에 ← on in one head


def test_beam_and_heads_change_the_caption_not_the_translation():
    greedy = translation_view("The dog ate the fish on the mat.")
    beam = translation_view("The dog ate the fish on the mat.", beam_size=4, layer=0, head=1)
    assert greedy.output == beam.output == "개가 매트 위에서 생선을 먹었다."
    assert "beam search, width 4" in beam.caption and "layer 1, head 2" in beam.caption
    assert not np.allclose(greedy.weights, beam.weights)


BAD_INPUT = {  # what the reader types: what the explorer says (and it draws nothing)
    "": "Type an English sentence",
    "The cat flew over the moon": "does not know 'flew', 'over', 'moon'",
    "고양이가 매트 위에 앉았다": "It knows these 47 words",
    "the cat " * 15: "That is 30 words",
}


def test_bad_input_gets_a_friendly_message_and_no_figure():
    for text, message in BAD_INPUT.items():
        view = translation_view(text)
        assert message in view.message and view.figure_args() is None, text


def test_sentences_longer_than_any_seen_are_translated_and_flagged():
    view = translation_view("The small black cat saw the big white dog on the small white mat.")
    assert "longer than any sentence seen in training" in view.message
    assert view.weights is not None


def test_figure_updates_in_place_and_shows_messages(draw_warnings):
    figure = TranslatorFigure()
    figure.update(*translation_view("The cat sat on the mat.").figure_args())
    first, axes = figure.png(), figure.fig.axes
    figure.update(*translation_view("The cat sat on the mat.", head=0).figure_args())
    assert figure.fig.axes == axes and figure.png() != first
    figure.show_message(translation_view("the cat flew").message)
    assert draw_warnings(figure.fig.axes[0]) == []
    view = translation_view("The cat sat on the mat.")
    with pytest.raises(ValueError, match="do not fit"):
        figure.update(view.src_labels, view.out_labels, view.weights[:2], view.candidates, "")


def test_static_figures_draw_korean_without_warnings(draw_warnings):
    view = translation_view("The cat sat on the mat.")
    weights = np.stack([np.stack([view.weights] * 4)] * 2)  # (L, H, T, S)
    axes = plot_layer_heads(weights, view.src_labels, view.out_labels)
    assert len(axes) == 8 and draw_warnings(axes[0]) == []
    pair = plot_learned_beside_constructed(
        view.weights[:4], view.weights[:4], view.src_labels, view.out_labels[:4], "a", "b"
    )
    assert draw_warnings(pair[0]) == []
    plt.close("all")


def test_explorer_controls_each_change_the_picture(controls):
    parts = controls(translator_explorer())
    image = parts["image"]
    moves = []
    for name in ("decoding", "decoder", "cross-attention"):  # beam width, layer, head (or mean)
        dropdown = parts[name]
        moves.append((dropdown, next(v for _, v in dropdown.options if v != dropdown.value)))
    for control, value in moves:
        before = image.value
        control.value = value
        assert image.value != before, control.description
    parts["English"].value = "The cat flew."
    assert "does not know 'flew'" in parts["message"].value
