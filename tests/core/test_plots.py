"""helpers.plots: labelled axes, Hangul glyphs, no pyplot.show()."""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import plots
from helpers.nb01_self_attention.figures import plot_score_spread


def test_hangul_labels_render_without_missing_glyphs(draw_warnings):
    labels = ["고양이가", "매트", "위에", "앉았다"]
    ax = plots.plot_attention_heatmap(np.eye(4), labels, title="교차 어텐션")
    assert draw_warnings(ax) == []
    assert "NanumGothic" in matplotlib.rcParams["font.family"]


def test_heatmap_labels_and_annotations():
    w = np.full((3, 5), 0.2)
    ax = plots.plot_attention_heatmap(w, ["a", "b", "c"], list("vwxyz"), highlight_row=1)
    assert [t.get_text() for t in ax.get_xticklabels()] == list("vwxyz")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.texts) == 15 and ax.texts[0].get_text() == "0.20"
    assert len(ax.patches) == 1  # the highlighted query row


def test_heatmap_stops_annotating_above_8x8_and_checks_shapes():
    ax = plots.plot_attention_heatmap(np.zeros((9, 9)), list("abcdefghi"))
    assert len(ax.texts) == 0
    with pytest.raises(ValueError, match=r"\(2, 2\) do not match 3 query and 3 key labels"):
        plots.plot_attention_heatmap(np.zeros((2, 2)), list("abc"))


def test_bars_one_group_per_label():
    ax = plots.plot_bars({"book": [0.1, 0.9], "formula": [0.4, 0.6]}, ["x", "y"])
    assert len(ax.patches) == 4
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["book", "formula"]
    assert ax.get_ylabel() == "attention weight"


def test_score_spread_axes():
    ax = plot_score_spread([4, 16, 64], [4.1, 15.8, 63.0], [1.0, 0.99, 0.98])
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert len(ax.get_lines()) == 3


def test_save_figure_writes_png_only_when_regenerating(tmp_path, monkeypatch):
    """A reader running a notebook leaves figures/ alone; `make notebooks` exports."""
    monkeypatch.setattr(plots, "FIGURES_DIR", tmp_path)
    fig, _ = plt.subplots()
    monkeypatch.delenv(plots.EXPORT_FIGURES_ENV, raising=False)
    assert plots.save_figure(fig, "example") is None
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv(plots.EXPORT_FIGURES_ENV, "1")
    path = plots.save_figure(fig, "example")
    assert path == tmp_path / "example.png"
    assert path.read_bytes().startswith(b"\x89PNG")
