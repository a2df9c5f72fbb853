"""Shared fixtures: deterministic torch, headless matplotlib, and no figure left open."""

import warnings
from collections.abc import Callable, Iterator

import matplotlib
import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.artist import Artist

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


@pytest.fixture
def draw_warnings() -> Callable[[Artist], list[str]]:
    """Draw a figure (or the figure of an axes) and return every warning it raised."""

    def draw(artist: Artist) -> list[str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            artist.figure.canvas.draw()
        return [str(w.message) for w in caught]

    return draw
