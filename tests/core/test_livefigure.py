"""`helpers.livefigure.TokenTicks`: a live figure's token labels are laid out once, then a new
sentence relabels them in place, and each axis title stays just beyond the labels it shows.
Notebook 01's `AttentionFigure` is the figure under test (its bars' x axis, its map's x and y)."""

import io

import numpy as np
import pytest

from helpers import SENTENCE
from helpers.livefigure import RESERVED_LABEL
from helpers.nb01_self_attention.explorer import attention_view
from helpers.nb01_self_attention.figures import AttentionFigure
from helpers.nb02_multi_head_attention.explorer import multi_head_view
from helpers.nb02_multi_head_attention.figures import MultiHeadFigure
from helpers.nb05_masked_and_cross_attention.explorer import decoder_attention_view
from helpers.nb05_masked_and_cross_attention.figures import DecoderAttentionFigure


def _draw(fig: AttentionFigure, words: str) -> bytes:
    tokens = words.split()
    n = len(tokens)
    fig.update(tokens, np.full((n, n), 1 / n), 0)
    return fig.png()


def _reach(ticks: object) -> tuple[float, float]:
    """How far (px) the widest shown label and the axis title reach beyond the axes."""
    renderer = ticks.ax.figure.canvas.get_renderer()
    edge = ticks.ax.bbox.y0 if ticks.axis == "x" else ticks.ax.bbox.x0
    shown = [t.get_window_extent(renderer) for t in ticks.texts if t.get_visible()]
    title = ticks._title.get_window_extent(renderer)
    if ticks.axis == "x":
        return edge - min(b.y0 for b in shown), edge - title.y1
    return edge - min(b.x0 for b in shown), edge - title.x1


def test_a_new_sentence_relabels_in_place_and_the_titles_follow_the_labels():
    fig = AttentionFigure()
    _draw(fig, "The extraordinarily long cat sat")
    axes, reach = list(fig.fig.axes), [_reach(t) for t in fig._ticks]
    _draw(fig, "a b c")
    assert fig.fig.axes == axes  # no new layout
    for ticks in fig._ticks:
        assert [t.get_text() for t in ticks.texts if t.get_visible()] == ["a", "b", "c"]
        assert ticks._title.get_visible() and ticks._title.get_text()
    for (labels, title), (long_labels, long_title) in zip(
        (_reach(t) for t in fig._ticks), reach, strict=True
    ):
        assert 0 < labels < long_labels  # shorter labels …
        assert labels < title < long_title  # … and the title moved in with them, still beyond
        assert abs((title - labels) - (long_title - long_labels)) < 1.0  # the same gap, ±1 px


def test_a_label_wider_than_the_room_lays_the_figure_out_again():
    fig = AttentionFigure()
    _draw(fig, "The cat sat")
    axes = list(fig.fig.axes)
    _draw(fig, "The " + "m" * 12 + " sat")  # wider than RESERVED_LABEL
    assert fig.fig.axes != axes
    assert fig.png().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("figure", "view"),
    [
        (AttentionFigure, lambda: attention_view(SENTENCE)),
        (MultiHeadFigure, multi_head_view),
        (DecoderAttentionFigure, decoder_attention_view),
    ],
)
def test_a_static_figure_shows_its_own_labels_not_the_reserved_room(figure, view):
    """Shown or saved whole (a notebook's static fallback), without png(): the real tokens."""
    fig = figure()
    returned = fig.update(*view().figure_args())
    returned.savefig(io.BytesIO(), format="png")
    drawn = returned.findobj(lambda a: hasattr(a, "get_text") and a.get_visible())
    texts = [t.get_text() for t in drawn if t.get_alpha() != 0]  # alpha 0: room kept, not shown
    assert RESERVED_LABEL not in texts
    assert "위에" in texts or "cat" in texts  # the sentence's own words label the axes
