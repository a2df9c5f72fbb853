"""The BERT head gallery of notebook 09 without a browser: what it computes and draws."""

import numpy as np
import pytest

from helpers import SENTENCE
from helpers.nb09_real_bert.data import HEAD_PATTERNS
from helpers.nb09_real_bert.explorer import bert_heads_explorer, bert_heads_view
from helpers.nb09_real_bert.figures import BertHeadsFigure, plot_head_patterns, plot_similarity

RUNNING = ["[CLS]", "the", "cat", "sat", "on", "the", "mat", ".", "[SEP]"]
KOREAN = "고양이가 매트 위에 앉았다 and the dog sat"


def test_default_view_is_the_previous_token_head_on_the_running_sentence():
    view = bert_heads_view(SENTENCE)
    assert view.tokens == RUNNING
    assert (view.layer, view.head) == (0, 2)
    assert view.layer_weights.shape == (12, 9, 9)
    np.testing.assert_allclose(view.layer_weights.sum(axis=-1), 1.0, atol=1e-5)
    assert view.caption.startswith("layer 1, head 3: a previous token head")
    assert list(view.scores) == list(HEAD_PATTERNS)
    assert all(s.shape == (6, 12) for s in view.scores.values())
    assert view.message == ""


def test_layer_and_head_are_moved_into_range():
    view = bert_heads_view(SENTENCE, layer=99, head=-3)
    assert (view.layer, view.head) == (5, 0)
    assert view.caption.startswith("layer 6, head 1")


def test_the_view_returns_copies_of_the_cache():
    view = bert_heads_view(SENTENCE)
    view.layer_weights[:] = 0
    view.scores["next token"][:] = 0
    again = bert_heads_view(SENTENCE)
    assert again.layer_weights.max() > 0.9 and again.scores["next token"].max() > 0.5


@pytest.mark.parametrize("sentence", ["", "   ", "\x07\x00"])
def test_empty_input_gets_a_message(sentence):
    view = bert_heads_view(sentence)
    assert view.layer_weights is None and view.tokens == []
    assert "at least one word" in view.message


def test_not_text_gets_a_message():
    assert "must be text" in bert_heads_view(None).message


def test_korean_is_shown_as_the_english_model_reads_it():
    view = bert_heads_view(KOREAN)
    assert view.tokens[:3] == ["[CLS]", "[UNK]", "ᄆ"] and view.tokens[-2:] == ["sat", "[SEP]"]
    assert "English only" in view.message and "3 of the 11 pieces are [UNK]" in view.message


def test_a_sentence_without_a_repeated_word_has_no_same_word_score():
    view = bert_heads_view("A dog slept.")
    assert np.isnan(view.scores["same word"]).all()
    assert "same word –" in view.caption


def test_very_long_input_is_truncated_with_a_message():
    view = bert_heads_view("cat " * 600)
    assert len(view.tokens) == 512 and view.layer_weights.shape == (12, 512, 512)
    assert "602 positions" in view.message and "last 90 pieces were dropped" in view.message


def test_figure_moves_data_only_for_a_new_head_and_draws_hangul(draw_warnings):
    fig = BertHeadsFigure()
    fig.update(*bert_heads_view(SENTENCE).figure_args())
    first = fig.png()
    axes = list(fig.fig.axes)
    fig.update(*bert_heads_view(SENTENCE, layer=3, head=7).figure_args())
    assert fig.fig.axes == axes  # same sentence: no new layout
    assert fig.png() != first
    fig.update(*bert_heads_view(KOREAN).figure_args())
    assert draw_warnings(fig.fig) == []
    fig.show_message("nothing to draw")
    assert fig.png().startswith(b"\x89PNG")


def test_figure_refuses_weights_that_do_not_fit():
    view = bert_heads_view(SENTENCE)
    with pytest.raises(ValueError, match="do not fit 8 tokens"):
        BertHeadsFigure().update(view.tokens[:-1], view.layer_weights, 0, 0, view.scores)


def test_plot_head_patterns_frames_the_best_head_and_greys_a_missing_pattern():
    scores = {"a": np.eye(3, 4) * 0.7, "b": np.full((3, 4), np.nan)}
    axes = plot_head_patterns(scores)
    assert len(axes) == 2
    assert "best: layer 1, head 1 (0.70)" in axes[0].get_title()
    assert "no repeated word" in axes[1].get_title()
    with pytest.raises(ValueError, match="layers, heads"):
        plot_head_patterns({"a": np.zeros(3)})


def test_explorer_controls_redraw(controls):
    parts = controls(bert_heads_explorer())
    text, layer, head = parts["sentence"], parts["layer"], parts["head"]
    message, image = parts["message"], parts["image"]
    first = image.value
    layer.value = 2
    assert image.value != first
    after_layer = image.value
    head.value = 9
    assert image.value != after_layer
    text.value = KOREAN
    assert "English only" in message.value
    text.value = ""
    assert "at least one word" in message.value


def test_long_pieces_are_cut_in_the_labels_and_the_layout_stays():
    fig = BertHeadsFigure()
    fig.update(*bert_heads_view(SENTENCE).figure_args())
    fig.png()
    position = fig.ax_map.get_position().bounds
    fig.update(*bert_heads_view("international cooperation").figure_args())
    labels = [t.get_text() for t in fig.ax_map.get_yticklabels()]
    assert labels == ["[CLS]", "internati…", "cooperation"[:9] + "…", "[SEP]"]
    assert fig.ax_map.get_position().bounds == position  # no new layout for a new sentence


def test_plot_similarity_annotates_and_draws_hangul(draw_warnings):
    labels = ["The cat sat on the mat.", "고양이가 매트 위에 앉았다", "Stocks fell."]
    s = np.array([[1.0, -0.03, 0.04], [-0.03, 1.0, -0.04], [0.04, -0.04, 1.0]])
    ax = plot_similarity(s, labels)
    assert [t.get_text() for t in ax.texts][:3] == ["1.00", "-0.03", "0.04"]
    assert [t.get_text() for t in ax.get_yticklabels()][1] == "2  고양이가 매트 위에 앉았다"
    assert draw_warnings(ax) == []
    with pytest.raises(ValueError, match="does not match 2 labels"):
        plot_similarity(s, labels[:2])


def test_every_token_is_labelled_up_to_32_tokens():
    fig = BertHeadsFigure()
    sentence = " ".join(["the cat sat on the mat"] * 5)  # 30 words + [CLS], [SEP] = 32 tokens
    view = bert_heads_view(sentence)
    assert len(view.tokens) == 32
    fig.update(*view.figure_args())
    for axis in (fig.ax_map.get_xticklabels(), fig.ax_map.get_yticklabels()):
        assert [t.get_text() for t in axis] == view.tokens
    fig.update(*bert_heads_view(sentence + " and the dog").figure_args())  # 35 tokens
    assert len(fig.ax_map.get_yticklabels()) == 12  # every 3rd (tick_tokens)
