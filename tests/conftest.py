"""Shared fixtures: deterministic torch, headless matplotlib in the series' style, and no figure
left open."""

import signal
import warnings
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.artist import Artist

from helpers.plots import use_style

matplotlib.use("Agg")
use_style()  # what setup_notebook() applies in a notebook: Hangul-capable fonts, the colours


def _interrupt_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """SIGTERM → KeyboardInterrupt: pytest then tears every fixture down as after Ctrl-C, so the
    kernels (nbval's, the browser tests') and the JupyterLab server and browser stop with it.
    A second SIGTERM ends the process at once (the default action is restored first)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config: pytest.Config) -> None:
    signal.signal(signal.SIGTERM, _interrupt_on_sigterm)


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


@pytest.fixture
def said(capsys: pytest.CaptureFixture[str]) -> Callable[[Callable, Any], str]:
    """Run an exercise checker as a learner would and return the one line it prints.

    A checker prints exactly one line (✓ … or Not yet: …), writes nothing to stderr, returns
    None (no stray Out[] in a notebook) and lets no warning escape (e.g. np.exp's overflow).
    """

    def run(checker: Callable, fn: Any) -> str:
        capsys.readouterr()  # only what this checker prints
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = checker(fn)
        out, err = capsys.readouterr()
        assert result is None, "a checker prints; it returns nothing"
        assert err == ""
        assert out.endswith("\n") and out.count("\n") == 1, f"expected one line, got {out!r}"
        assert out.startswith(("✓ ", "Not yet: ")) and "Traceback" not in out, out
        return out.rstrip("\n")

    return run
