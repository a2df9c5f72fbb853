"""Notebook 04's figures and its depth explorer, without a browser: what each control computes and
that the figure it drives changes."""

import numpy as np
import pytest

from helpers.nb04_feed_forward_and_encoder.experiment import depth_statistics
from helpers.nb04_feed_forward_and_encoder.explorer import (
    DEPTH_MAX,
    depth_explorer,
    depth_verdict,
    depth_view,
)
from helpers.nb04_feed_forward_and_encoder.figures import (
    DEPTH_STATISTICS,
    DepthFigure,
    _decades,
    plot_activations,
    plot_layer_norm_effect,
    plot_layer_statistic,
)

# --- plot functions -------------------------------------------------------------------------------


def test_activations_one_line_per_function(draw_warnings):
    z = np.linspace(-3, 3, 7)
    ax = plot_activations(z, {"ReLU": np.maximum(z, 0), "GELU": z / 2})
    assert len(ax.get_lines()) == 2 + 2  # two curves, plus the two zero lines
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ReLU", "GELU"]
    assert ax.get_xlabel() and ax.get_ylabel()
    assert draw_warnings(ax.figure) == []


def test_layer_norm_effect_shows_mean_and_std_per_token(draw_warnings):
    rng = np.random.default_rng(0)
    before = rng.normal(2.0, 3.0, size=(3, 50))
    after = (before - before.mean(1, keepdims=True)) / before.std(1, keepdims=True)
    ax = plot_layer_norm_effect(before, after, ["고양이가", "cat", "mat"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["고양이가", "cat", "mat"]
    assert "50 features" in ax.get_ylabel()
    means = [c.lines[0].get_ydata() for c in ax.containers]
    np.testing.assert_allclose(means[1], 0.0, atol=1e-12)
    np.testing.assert_allclose(means[0], before.mean(axis=1))
    assert draw_warnings(ax.figure) == []
    with pytest.raises(ValueError, match=r"must both be \(3, D\)"):
        plot_layer_norm_effect(before, after[:2], ["a", "b", "c"])


@pytest.mark.parametrize("statistic", list(DEPTH_STATISTICS))
def test_layer_statistic_axes(statistic):
    series = [depth_statistics(4), depth_statistics(4, residual=False, layer_norm=False)]
    ax = plot_layer_statistic(series, statistic)
    assert len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [s.label for s in series]
    log = DEPTH_STATISTICS[statistic][1]
    assert ax.get_yscale() == ("log" if log else "linear")
    first = ax.get_lines()[0].get_xdata()
    assert first[0] == (1 if statistic == "param_grad" else 0) and first[-1] == 4
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert plot_layer_statistic(series, statistic, legend=False).get_legend() is None
    with pytest.raises(ValueError, match="statistic must be one of"):
        plot_layer_statistic(series, "mean")


def test_decades_cover_the_data_with_a_margin():
    assert _decades(np.array([1.0, 1.0])) == (0.1, 10.0)
    lo, hi = _decades(np.array([1.7e-24, 31.0]))
    assert (lo, hi) == (pytest.approx(1e-24), pytest.approx(100.0))
    assert _decades(np.array([np.nan, -1.0])) == (0.1, 10.0)


# --- the live figure ------------------------------------------------------------------------------


def test_depth_figure_updates_in_place_and_changes_pixels(draw_warnings):
    fig = DepthFigure()
    axes = list(fig.fig.axes)
    view = depth_view(6)
    fig.update(view.stats, view.reference, view.caption)
    first = fig.png()
    assert first.startswith(b"\x89PNG")
    other = depth_view(30, residual=False)
    fig.update(other.stats, other.reference, other.caption)
    assert fig.fig.axes == axes  # same axes, the data and limits moved
    assert fig.axes[0].get_xlim()[1] > 30
    assert fig.axes[1].get_ylim()[0] <= other.stats.param_grad.min()
    second = fig.png()
    assert second != first
    fig.update(view.stats, view.reference, view.caption)
    assert fig.png() == first  # back to the first state: the same pixels
    assert draw_warnings(fig.fig) == []


# --- the explorer's pure function -----------------------------------------------------------------


def test_default_view_is_the_books_stack():
    view = depth_view()
    assert view.stats is view.reference  # post-norm, residual + LayerNorm: the book's
    assert view.stats.depth == 24 and view.message == ""
    assert view.caption.startswith("24 blocks, ReLU, post-norm: residual + LayerNorm\n")


@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("layer_norm", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_every_combination_of_switches(residual, layer_norm, norm_first, activation):
    view = depth_view(8, residual, layer_norm, norm_first, activation)
    stats = view.stats
    assert (stats.residual, stats.layer_norm, stats.norm_first) == (
        residual,
        layer_norm,
        norm_first,
    )
    assert view.reference.label == "post-norm: residual + LayerNorm"
    assert view.reference.activation == stats.activation == activation
    assert ("GELU" if activation == "gelu" else "ReLU") in view.caption
    assert ("nothing to place" in view.message) == (norm_first and not layer_norm)


@pytest.mark.parametrize(
    ("depth", "shown"),
    [
        (1, 1),
        (DEPTH_MAX, DEPTH_MAX),
        (0, 1),
        (-5, 1),
        (DEPTH_MAX + 1, DEPTH_MAX),
        (7.6, 7),
        ("x", 1),
    ],
)
def test_depth_edges(depth, shown):
    view = depth_view(depth)
    assert view.stats.depth == shown
    in_range = isinstance(depth, int) and 1 <= depth <= DEPTH_MAX
    assert (view.message == "") == in_range
    if not in_range:
        assert f"1 to {DEPTH_MAX} blocks; showing {shown}" in view.message


def test_unknown_activation_gets_a_message():
    view = depth_view(activation="tanh")
    assert view.stats is None and "'relu' or 'gelu'" in view.message


def test_verdicts_name_what_happens():
    assert "add layers" in depth_verdict(depth_statistics(1))
    plain = depth_verdict(depth_statistics(24, residual=False, layer_norm=False))
    assert plain.startswith("vanishing gradients: block 1 gets") and "one vector" in plain
    book = depth_statistics(24)
    assert depth_verdict(book).startswith("block 1 gets 0.75 × block 24's gradient")
    assert "token similarity 0.90" in depth_verdict(book)
    residual = depth_statistics(48, residual=True, layer_norm=False)
    assert depth_verdict(residual, depth_statistics(48)).startswith("exploding gradients: 600 ×")
    assert not depth_verdict(residual).startswith("exploding")  # nothing to compare with


# --- the widget -----------------------------------------------------------------------------------


def test_explorer_every_control_redraws():
    box = depth_explorer()
    controls, message, image = box.children
    depth, residual, layer_norm, placement, activation = controls.children
    assert depth.continuous_update is False
    assert (depth.min, depth.max, depth.value) == (1, DEPTH_MAX, 24)
    seen = {image.value}
    for control, value in (
        (placement, True),
        (activation, "gelu"),
        (residual, False),
        (layer_norm, False),
        (depth, DEPTH_MAX),
        (depth, 1),
    ):
        control.value = value
        assert image.value not in seen, control.description
        seen.add(image.value)
    assert "nothing to place" in message.value  # pre-norm without LayerNorm
    placement.value = False
    assert message.value == ""
