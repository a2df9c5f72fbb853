"""Notebook 07's explorer and figures: reversal_view (pure), ReversalFigure, the explorer's
controls, the progress bar, and the training plots."""

import numpy as np
import pytest

from helpers.nb07_train_a_tiny_transformer.explorer import reversal_explorer, reversal_view
from helpers.nb07_train_a_tiny_transformer.figures import (
    ReversalFigure,
    plot_attention_snapshots,
    plot_length_accuracy,
    plot_training_curves,
)
from helpers.widgets import progress_bar


def test_default_view_reverses_with_a_distribution_per_output_step():
    view = reversal_view("31415926")
    assert view.output == view.expected == "62951413" and view.correct
    assert view.src_labels == list("31415926") + ["<eos>"]
    assert view.out_labels == list("62951413") + ["<eos>"]
    assert view.weights.shape == (9, 9) and view.probs.shape == (9,)
    np.testing.assert_allclose(view.weights.sum(axis=1), 1.0, atol=1e-5)
    assert (view.probs > 0.5).all() and (view.probs <= 1).all()
    assert view.message == "" and "correct ✓" in view.caption


def test_spaces_and_commas_are_ignored():
    assert reversal_view("3 1, 4 1 5").output == "51413"


def test_one_head_differs_from_the_mean_and_out_of_range_heads_get_a_message():
    mean, head = reversal_view("31415926"), reversal_view("31415926", head=0)
    assert mean.output == head.output
    assert not np.allclose(mean.weights, head.weights)
    assert "choose one from 1 to 4" in reversal_view("31415926", head=7).message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type a few digits"),
        ("고양이가 매트 위에 앉았다 and the dog sat", "Only the digits 0–9"),
        ("3.14", "Only the digits 0–9"),
        ("1" * 25, "That is 25 digits"),
    ],
)
def test_bad_input_gets_a_friendly_message_and_no_figure(text, message):
    view = reversal_view(text)
    assert message in view.message and view.weights is None and not view.correct


@pytest.mark.parametrize("text", ["12", "314159265358"])
def test_lengths_never_seen_in_training_are_drawn_and_flagged(text):
    view = reversal_view(text)
    assert "never seen in training" in view.message
    assert view.weights is not None and view.weights.shape[1] == len(text) + 1


def test_figure_updates_in_place_and_shows_messages(draw_warnings):
    figure = ReversalFigure()
    view = reversal_view("31415926")
    figure.update(view.src_labels, view.out_labels, view.weights, view.probs, view.caption)
    first = figure.png()
    axes = figure.fig.axes
    other = reversal_view("31415926", head=2)
    figure.update(other.src_labels, other.out_labels, other.weights, other.probs, other.caption)
    assert figure.fig.axes == axes, "same labels: no new layout"
    assert figure.png() != first
    figure.show_message(reversal_view("고양이").message)
    assert draw_warnings(figure.fig.axes[0]) == []
    with pytest.raises(ValueError, match="do not fit"):
        figure.update(view.src_labels, view.out_labels, view.weights[:3], view.probs, "")


def _show(figure: ReversalFigure, digits: str) -> bytes:
    view = reversal_view(digits)
    figure.update(view.src_labels, view.out_labels, view.weights, view.probs, view.caption)
    return figure.png()


def _ticks(axis: object) -> list[str]:
    return [t.get_text() for t in axis.get_ticklabels()]


def test_new_digits_of_the_same_length_relabel_the_ticks_in_place():
    figure = ReversalFigure()
    first = _show(figure, "31415926")
    axes = figure.fig.axes
    assert _show(figure, "27182818") != first
    assert figure.fig.axes == axes  # the same counts: relabelled, not laid out again
    assert _ticks(figure.ax_map.xaxis) == list("27182818") + ["<eos>"]
    assert _ticks(figure.ax_steps.yaxis) == list("81828172") + ["<eos>"]
    assert _show(figure, "31415926") == first  # and back: the same pixels
    _show(figure, "2718281")  # one digit fewer: laid out again
    assert figure.fig.axes != axes


def test_explorer_controls_each_change_the_picture(controls):
    parts = controls(reversal_explorer())
    text, head, image, message = (
        parts[k] for k in ("digits", "cross-attention", "image", "message")
    )
    assert head.index == 0, "the mean is chosen, and shown, at first"
    before = image.value
    head.index = 1
    assert image.value != before
    before = image.value
    text.value = "123456789012"
    assert image.value != before and "never seen in training" in message.value
    text.value = "abc"
    assert "Only the digits" in message.value


def test_progress_bar_moves_every_ten_steps_and_at_the_end():
    box, progress = progress_bar(25)
    bar, label = box.children
    progress(5, 1.0)
    assert bar.value == 0
    progress(10, 0.5)
    assert bar.value == 10 and "10 / 25 steps, loss 0.500" in label.value
    progress(25, 0.25)
    assert bar.value == 25


def test_training_curves_and_length_plot_draw(draw_warnings):
    axes = plot_training_curves([2.5, 1.0, 0.1, 0.01], [0, 2, 4], [0.0, 0.5, 1.0])
    assert len(axes) == 2 and axes[1].get_ylabel().startswith("exact-sequence")
    ax = plot_length_accuracy([4, 5, 6, 11], [0.5, 1.0, 1.0, 0.0], (5, 10))
    assert draw_warnings(ax) == []


def test_attention_snapshots_one_panel_per_step_and_shape_checks():
    labels = ["x1", "x2", "<eos>"]
    snaps = [np.full((3, 3), 1 / 3), np.eye(3)[::-1]]
    axes = plot_attention_snapshots(snaps, [0, 100], labels, labels)
    assert [ax.get_title() for ax in axes] == ["untrained", "after 100 steps"]
    with pytest.raises(ValueError, match="does not fit"):
        plot_attention_snapshots([np.eye(2)], [0], labels, labels)
    with pytest.raises(ValueError, match="snapshots for"):
        plot_attention_snapshots(snaps, [0], labels, labels)
