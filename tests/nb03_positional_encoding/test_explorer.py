"""The positional-encoding explorer without a browser: what it computes for every control (edge
values included), what it says for settings it cannot draw, and that its figure redraws in place."""

import math

import matplotlib
import numpy as np
import pytest

from helpers import sinusoidal_positional_encoding
from helpers.nb03_positional_encoding.explorer import (
    PE_MAX_D_MODEL,
    PE_POSITIONS,
    positional_explorer,
    positional_view,
)
from helpers.nb03_positional_encoding.figures import PositionalFigure
from helpers.plots import ENCODING_CMAP
from helpers.positional import offset_dot_product

matplotlib.use("Agg")


def _on_reference(view) -> None:
    """Every dot of the chosen position lies on the curve all positions share."""
    lookup = dict(zip(view.reference_offsets.tolist(), view.reference, strict=True))
    np.testing.assert_allclose(
        view.similarity, [lookup[k] for k in view.offsets.tolist()], atol=1e-6
    )


def test_default_view():
    view = positional_view()
    assert (view.d_model, view.base, view.position) == (64, 10000.0, 10)
    assert view.message == ""
    assert view.pe.shape == (PE_POSITIONS, 64)
    np.testing.assert_allclose(view.pe, sinusoidal_positional_encoding(PE_POSITIONS, 64), atol=1e-7)
    assert view.offsets.tolist() == list(range(-10, PE_POSITIONS - 10))
    assert view.similarity[10] == pytest.approx(1.0)  # a position with itself
    assert view.reference_offsets.tolist() == list(range(-(PE_POSITIONS - 1), PE_POSITIONS))
    assert view.caption == "d_model = 64, base = 10,000: wavelengths 6.3 … 47,117 positions"
    _on_reference(view)


def test_reference_is_the_offset_formula():
    view = positional_view(16, 100.0, 3)
    want = offset_dot_product(view.reference_offsets.tolist(), 16, 100.0).numpy() / 8
    np.testing.assert_allclose(view.reference, want, atol=1e-12)
    np.testing.assert_allclose(view.reference, view.reference[::-1], atol=1e-12)  # even in k


@pytest.mark.parametrize("d_model", [2, 4, 64, PE_MAX_D_MODEL])
@pytest.mark.parametrize("base", [10.0, 1000.0, 10000.0, 100000.0])
@pytest.mark.parametrize("position", [0, 31, PE_POSITIONS - 1])
def test_every_control_value(d_model, base, position):
    view = positional_view(d_model, base, position)
    assert view.message == ""
    assert view.pe.shape == (PE_POSITIONS, d_model)
    assert view.position == position
    np.testing.assert_allclose(
        np.linalg.norm(view.pe, axis=1), math.sqrt(d_model / 2), atol=1e-5
    )  # every row has norm √(d/2)
    assert np.abs(view.similarity).max() <= 1 + 1e-6  # float32 rows
    _on_reference(view)


def test_caption_with_one_pair_and_small_wavelengths():
    assert positional_view(2, 10.0, 0).caption == (
        "d_model = 2, base = 10: wavelengths 6.3 positions"
    )
    assert "6.3 … 31.4" in positional_view(4, 25.0, 0).caption  # 2π·√25


@pytest.mark.parametrize("d_model", [3, 7, 0, -2, 1])
def test_odd_or_too_small_d_model_gets_a_message(d_model):
    view = positional_view(d_model=d_model)
    assert view.pe is None and view.similarity is None
    assert "even number" in view.message and f"d_model = {d_model}" in view.message


@pytest.mark.parametrize("base", [1.0, 0.5, 0.0, -10.0])
def test_base_not_above_one_gets_a_message(base):
    view = positional_view(base=base)
    assert view.pe is None
    assert "greater than 1" in view.message


@pytest.mark.parametrize(("position", "shown"), [(-1, 0), (PE_POSITIONS, PE_POSITIONS - 1)])
def test_position_outside_the_table_is_moved_to_the_nearest_end(position, shown):
    view = positional_view(position=position)
    assert view.position == shown
    assert f"Position {position} is outside" in view.message and f"showing {shown}" in view.message
    assert view.pe is not None


def test_no_positions_gets_a_message():
    view = positional_view(n_positions=0)
    assert view.pe is None and "at least one position" in view.message


def test_figure_updates_in_place_for_every_control():
    fig = PositionalFigure()
    pngs = []
    axes = None
    for args in [
        (64, 10000.0, 10),
        (64, 10000.0, 40),
        (64, 100.0, 40),
        (4, 100.0, 40),
        (128, 10.0, 0),
    ]:
        view = positional_view(*args)
        fig.update(*view.figure_args())
        pngs.append(fig.png())
        axes = axes or fig.fig.axes
        assert fig.fig.axes == axes  # d_model, base and position never rebuild the layout
    assert all(p.startswith(b"\x89PNG") for p in pngs)
    assert len(set(pngs)) == len(pngs)  # every change shows
    assert fig.ax_map.images[0].get_cmap().name == ENCODING_CMAP
    assert fig.ax_map.get_xlim() == (-0.5, 127.5) and fig.ax_vec.get_xlim() == (-0.5, 127.5)


def test_figure_message_then_back():
    fig = PositionalFigure()
    fig.show_message(positional_view(d_model=3).message)
    assert fig.png().startswith(b"\x89PNG")
    view = positional_view()
    fig.update(*view.figure_args())
    assert len(fig.fig.axes) == 4  # heatmap, its colour bar, the vector, the similarity
    assert fig.png().startswith(b"\x89PNG")


def test_explorer_controls():
    box = positional_explorer()
    (d_model, base, position), message, image = box.children[0].children, *box.children[1:]
    for slider in (d_model, base):
        assert slider.continuous_update is False
    assert position.continuous_update is True  # dragging the position moves along the encoding
    assert (d_model.min, d_model.max, d_model.step) == (2, PE_MAX_D_MODEL, 2)  # no odd d_model
    assert (position.min, position.max) == (0, PE_POSITIONS - 1)
    assert (10**base.min, 10**base.max) == (10, 100000)
    assert math.isclose(base.value, 10000.0)
    seen = {image.value}
    for slider, value in [(d_model, 2), (d_model, 128), (base, 10.0), (base, 1000.0)]:
        slider.value = value
        seen.add(image.value)
    for value in (0, PE_POSITIONS - 1):
        position.value = value
        seen.add(image.value)
    assert len(seen) == 7  # every change redrew the image
    assert message.value == ""
