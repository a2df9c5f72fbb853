"""Notebook 02's figures and explorer, without a browser: the per-head grid, the line view, the
blitted MultiHeadFigure, and `multi_head_view` for every control and awkward input."""

import numpy as np
import pytest

from helpers import SENTENCE, TOKENS, plots
from helpers.nb02_multi_head_attention.data import CONSTRUCTED_HEADS
from helpers.nb02_multi_head_attention.explorer import (
    _MULTI_HEAD_CACHE,
    HEAD_CHOICES,
    multi_head_explorer,
    multi_head_view,
)
from helpers.nb02_multi_head_attention.figures import MultiHeadFigure, plot_attention_lines
from helpers.plots import plot_head_grid


def _rows(h: int, t: int) -> np.ndarray:
    w = np.random.default_rng(0).random((h, t, t))
    return w / w.sum(-1, keepdims=True)


# --- plots ----------------------------------------------------------------------------------------


def test_head_grid_one_panel_per_head_and_shared_labels():
    axes = plot_head_grid(_rows(3, 6), TOKENS, titles=["a", "b", "c"], highlight=1)
    assert len(axes) == 3 and [ax.get_title() for ax in axes] == ["a", "b", "c"]
    assert [t.get_text() for t in axes[0].get_yticklabels()] == TOKENS
    assert axes[1].get_yticks().size == 0  # query labels only on the left column
    assert len(axes[0].texts) == 36  # 6 × 6 values annotated
    assert len(axes[1].patches) == 1 and len(axes[0].patches) == 0  # the highlighted head
    assert axes[0].images[0].get_clim() == (0.0, 1.0)
    assert len(axes[0].figure.axes) == 4  # three panels and one shared colour bar


def test_head_grid_wraps_hides_spare_axes_and_thins_long_labels():
    axes = plot_head_grid(_rows(5, 20), [f"w{i}" for i in range(20)], annotate=True)
    assert len(axes) == 5
    fig = axes[0].figure
    assert sum(not ax.get_visible() for ax in fig.axes) == 3  # 2 × 4 panels, 5 used
    assert len(axes[0].texts) == 0  # more than 8 × 8: no numbers
    assert len(axes[0].get_yticks()) == 10  # every 2nd of 20 tokens
    with pytest.raises(ValueError, match=r"should be \(H, T, T\) with T = 5"):
        plot_head_grid(_rows(2, 6), list("abcde"))
    with pytest.raises(ValueError, match="2 titles for 3 heads"):
        plot_head_grid(_rows(3, 2), ["x", "y"], titles=["a", "b"])


def test_line_view_opacity_is_the_weight():
    w = np.array([[0.9, 0.1], [0.25, 0.75]])
    ax = plot_attention_lines(w, ["q1", "q2"], ["k1", "k2"], title="head 1")
    lines = ax.collections[0]
    assert len(lines.get_segments()) == 4
    np.testing.assert_allclose(lines.get_colors()[:, 3], w.ravel())
    assert [t.get_text() for t in ax.texts] == ["q1", "q2", "k1", "k2"]
    assert ax.get_title() == "head 1"
    with pytest.raises(ValueError, match=r"\(2, 2\) do not match 3 query"):
        plot_attention_lines(w, ["a", "b", "c"])


def test_hangul_in_the_new_figures_renders_without_missing_glyphs():
    tokens = ["고양이가", "매트", "위에", "앉았다"]
    axes = plot_head_grid(_rows(2, 4), tokens, titles=["문법", "의미"])
    plot_attention_lines(_rows(1, 4)[0], tokens)
    axes[0].figure.canvas.draw()  # a missing glyph is an error (pyproject filterwarnings)
    fig = MultiHeadFigure()
    view = multi_head_view("고양이가 매트 위에 앉았다")
    fig.update(view.tokens, view.weights, 0, view.titles, view.concat)
    assert fig.png().startswith(b"\x89PNG")


def _update(fig: MultiHeadFigure, **kwargs) -> bytes:
    view = multi_head_view(**kwargs)
    fig.update(view.tokens, view.weights, view.head, view.titles, view.concat)
    return fig.png()


def test_figure_updates_in_place_for_every_control():
    fig = MultiHeadFigure()
    first = _update(fig)
    axes = list(fig.fig.axes)
    seen = {first}
    for kwargs in [
        dict(head=2),
        dict(built=False, head=2),
        dict(n_heads=2, head=1),
        dict(n_heads=1),
    ]:
        png = _update(fig, **kwargs)
        assert fig.fig.axes == axes  # the same tokens: no new layout, only the data moved
        assert png not in seen
        seen.add(png)
    png = _update(fig, sentence="고양이가 매트 위에 앉았다")
    assert fig.fig.axes == axes  # new tokens: relabelled in place, no new layout
    assert png not in seen
    shown = [t.get_text() for t in fig._ticks[0].texts if t.get_visible()]
    assert shown == ["고양이가", "매트", "위에", "앉았다"]
    assert [t.get_text() for t in fig._line_labels if t.get_visible()] == shown * 2
    assert fig._images[0].get_extent() == [-0.5, 3.5, 3.5, -0.5]
    _update(fig, sentence="Pneumonoultramicroscopicsilicovolcanoconiosis is long")
    assert fig.fig.axes != axes  # a word wider than the room kept for it: laid out again


def test_a_word_longer_than_the_line_views_room_lays_it_out_again():
    """The line view keeps room for RESERVED_LABEL on each side; a longer word (which the token
    ticks' room may still hold) lays the figure out again instead of running off the panel."""
    fig = MultiHeadFigure()
    _update(fig)
    axes = list(fig.fig.axes)
    _update(fig, sentence="The elephants sat")
    assert fig.fig.axes != axes
    assert "elephants" in [t.get_text() for t in fig._line_labels if t.get_visible()]


def test_figure_shows_unused_slots_and_the_selected_head():
    fig = MultiHeadFigure()
    view = multi_head_view(n_heads=2, head=1)
    fig.update(view.tokens, view.weights, view.head, view.titles, view.concat)
    assert fig._titles[1].get_text() == "2 · semantic"
    assert fig._empty[5].get_text() == "no head 6:\n2 × d_k 256"
    assert fig._frames[1].get_edgecolor() != fig._frames[0].get_edgecolor()
    assert fig._block.get_x() == 256 - 0.5 and fig._block.get_width() == 256
    assert "columns 256–511" in fig._concat_caption.get_text()
    view = multi_head_view(n_heads=1)
    fig.update(view.tokens, view.weights, view.head, view.titles, view.concat)
    assert "nothing to concatenate" in fig._concat_caption.get_text()


def test_figure_refuses_what_it_cannot_draw():
    fig = MultiHeadFigure()
    view = multi_head_view()
    with pytest.raises(ValueError, match="1 to 8 heads"):
        fig.update(view.tokens, np.zeros((16, 6, 6)), 0, ["x"] * 16, view.concat)
    with pytest.raises(ValueError, match="do not fit 5 tokens"):
        fig.update(TOKENS[:5], view.weights, 0, view.titles, view.concat)
    fig.show_message("nothing to draw")
    assert fig.png().startswith(b"\x89PNG")


def test_static_fallback_can_be_saved(tmp_path, monkeypatch):
    monkeypatch.setattr(plots, "FIGURES_DIR", tmp_path)
    monkeypatch.setenv(plots.EXPORT_FIGURES_ENV, "1")  # as under `make notebooks`
    fig = MultiHeadFigure()
    view = multi_head_view()
    fig.update(view.tokens, view.weights, view.head, view.titles, view.concat)
    assert plots.save_figure(fig.fig, "02_test").read_bytes().startswith(b"\x89PNG")


# --- multi_head_view ------------------------------------------------------------------------------


def test_default_view_is_the_running_sentence_with_the_books_relations():
    view = multi_head_view(SENTENCE)
    assert view.tokens == TOKENS and view.n_heads == 8 and view.head == 0
    assert view.weights.shape == (8, 6, 6) and view.concat.shape == (6, 512)
    assert view.titles[:3] == [name for name, _, _ in CONSTRUCTED_HEADS]
    assert view.titles[3:] == ["random"] * 5
    assert view.message == ""
    np.testing.assert_allclose(view.weights.sum(-1), 1.0, atol=1e-6)
    cat, sat, on, mat = 1, 2, 3, 5
    assert view.weights[0, cat].argmax() == sat
    assert view.weights[1, cat].argmax() == mat
    assert view.weights[2, on].argmax() == mat


@pytest.mark.parametrize("n_heads", HEAD_CHOICES)
def test_every_number_of_heads(n_heads):
    view = multi_head_view(n_heads=n_heads, head=7)
    assert view.weights.shape == (n_heads, 6, 6)
    assert view.concat.shape == (6, 512)  # H × d_k = 512 whatever H
    assert view.head == n_heads - 1  # clamped
    built = min(n_heads, 3)
    assert view.titles.count("random") == n_heads - built
    if n_heads < 3:
        assert f"room for only {n_heads} of the 3 built heads" in view.message
    else:
        assert view.message == ""
    # the built heads are equally sharp whatever d_k
    assert view.weights[0, 1, 2] == pytest.approx(multi_head_view().weights[0, 1, 2], abs=1e-6)


def test_random_heads_switch():
    built, random = multi_head_view(built=True), multi_head_view(built=False)
    assert random.titles == ["random"] * 8
    np.testing.assert_allclose(built.weights[3:], random.weights[3:], atol=1e-6)
    assert random.weights[0, 1, 2] < 0.5  # no head insists on cat → sat any more
    assert multi_head_view(n_heads=1, built=False).message == ""  # nothing left out


@pytest.mark.parametrize("sentence", ["", "   ", "?!", "🐱🐱"])
def test_empty_input_gets_a_message(sentence):
    view = multi_head_view(sentence)
    assert view.weights is None and view.tokens == [] and view.n_heads == 0
    assert "at least one word" in view.message


def test_one_word():
    view = multi_head_view("cat")
    assert view.weights.shape == (8, 1, 1)
    np.testing.assert_allclose(view.weights, 1.0)
    assert 'only to "cat" itself' in view.message


def test_long_sentence_is_cut_with_a_message():
    view = multi_head_view(" ".join(["the cat sat on the mat"] * 7))
    assert len(view.tokens) == 32 and view.weights.shape == (8, 32, 32)
    assert "42 words" in view.message and "first 32" in view.message


def test_korean_and_unknown_words():
    view = multi_head_view("고양이가 매트 위에 앉았다", head=2)
    assert view.tokens == ["고양이가", "매트", "위에", "앉았다"] and view.message == ""
    assert view.weights[2, 2].argmax() == 1  # 위에 → 매트
    view = multi_head_view("The zebra sat on the xylophone")
    assert '"zebra", "xylophone" have no features' in view.message
    np.testing.assert_allclose(view.weights[1, 1], 1 / 6, atol=1e-6)  # zebra: no feature, uniform
    assert "no features" not in multi_head_view("The zebra sat", built=False).message


def test_heads_that_do_not_divide_d_model_are_refused_politely():
    assert "must divide d_model = 512" in multi_head_view(n_heads=3).message
    assert multi_head_view(n_heads=0).weights is None


def test_views_are_cached_and_callers_cannot_spoil_the_cache():

    _MULTI_HEAD_CACHE.clear()
    a = multi_head_view(head=0)
    multi_head_view(head=5)  # picking another head recomputes nothing
    assert len(_MULTI_HEAD_CACHE) == 1
    a.weights[:] = 0.0
    np.testing.assert_allclose(multi_head_view().weights.sum(-1), 1.0, atol=1e-6)


# --- multi_head_explorer --------------------------------------------------------------------------


def _controls(box):
    text, (n_heads, head, built), message, image = (
        box.children[0],
        box.children[1].children,
        box.children[2],
        box.children[3],
    )
    return text, n_heads, head, built, message, image


def test_explorer_controls_redraw():
    text, n_heads, head, built, message, image = _controls(multi_head_explorer())
    for control in (text, n_heads):
        assert control.continuous_update is False
    assert n_heads.options == HEAD_CHOICES and n_heads.value == 8
    assert [label for label, _ in head.options][:4] == [
        "1: grammatical",
        "2: semantic",
        "3: positional",
        "4: random",
    ]
    first = image.value
    head.value = 2
    built.value = False
    assert [label for label, _ in head.options][0] == "1: random"
    assert head.value == 2  # kept across the switch
    n_heads.value = 2
    assert len(head.options) == 2 and head.value == 1  # clamped to the last head
    n_heads.value = 1
    built.value = True
    assert "room for only 1" in message.value
    text.value = "고양이가 매트 위에 앉았다"
    assert image.value != first
    assert "no features" not in message.value  # the lexicon knows the Korean running sentence
    text.value = ""
    assert "at least one word" in message.value
    text.value = " ".join(["word"] * 33)
    assert "33 words" in message.value


def test_every_control_changes_the_image():
    text, n_heads, head, built, message, image = _controls(multi_head_explorer())
    for control, value in [
        (head, 1),
        (built, False),
        (text, "the dog slept on the sofa"),
        (n_heads, 1),
        (n_heads, 4),
    ]:
        before = image.value
        control.value = value
        assert image.value != before, f"{control.description} = {value!r} did not redraw"
