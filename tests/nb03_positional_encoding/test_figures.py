"""helpers.plots for positional encodings: diverging colours, labelled axes, one trace each."""

import numpy as np
import pytest

from helpers import plots, sinusoidal_positional_encoding
from helpers.nb03_positional_encoding.data import NOTES_PE_TABLE
from helpers.nb03_positional_encoding.figures import plot_encoding_waves, plot_positional_encoding
from helpers.positional import wavelengths


def test_encoding_heatmap_small_table_is_annotated_and_diverging(draw_warnings):
    labels = [f"{p} {t}" for p, t in enumerate(["The", "cat", "sat", "on", "the", "mat"])]
    ax = plot_positional_encoding(NOTES_PE_TABLE, row_labels=labels, title="노트 (notes)")
    image = ax.images[0]
    assert image.get_cmap().name == plots.ENCODING_CMAP
    assert image.get_clim() == (-1.0, 1.0)  # symmetric: 0 is white
    assert [t.get_text() for t in ax.get_yticklabels()] == labels
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2", "3"]
    assert len(ax.texts) == 24 and ax.texts[-1].get_text() == "0.750"
    assert ax.get_xlabel().startswith("dimension") and ax.get_ylabel() == "position"
    assert ax.get_title() == "노트 (notes)"
    assert draw_warnings(ax) == []  # Hangul title: no missing glyphs


def test_encoding_heatmap_large_is_not_annotated_and_frames_a_row():
    pe = sinusoidal_positional_encoding(20, 16).numpy()
    ax = plot_positional_encoding(pe, highlight_row=5)
    assert len(ax.texts) == 0
    assert len(ax.patches) == 1 and ax.patches[0].get_y() == 4.5


def test_encoding_heatmap_checks_its_input():
    with pytest.raises(ValueError, match="matrix"):
        plot_positional_encoding(np.zeros(4))
    with pytest.raises(ValueError, match="2 row labels for 3 positions"):
        plot_positional_encoding(np.zeros((3, 4)), row_labels=["a", "b"])


def test_waves_one_trace_per_dimension_with_its_wavelength():
    pe = sinusoidal_positional_encoding(100, 512).numpy()
    ax = plot_encoding_waves(pe, [0, 1, 128], wavelengths(512).numpy())
    assert len(ax.get_lines()) == 6  # a trace and its zero line per dimension
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["dim 0 (sin)\nλ = 6.3", "dim 1 (cos)\nλ = 6.3", "dim 128 (sin)\nλ = 62.8"]
    assert ax.get_xlabel() == "position"


def test_offset_similarity_one_line_per_series():
    offsets = np.arange(5)
    ax = plots.plot_offset_similarity(offsets, {"pos 0": np.ones(5), "pos 9": np.zeros(5)})
    assert len(ax.get_lines()) == 3  # two series and the zero line
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["pos 0", "pos 9"]
    assert ax.get_xlabel() == "offset k"
