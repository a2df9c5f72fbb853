"""The explorer skeleton (helpers.widgets): one redraw per change, holds, and what a saved
notebook shows before its kernel runs."""

import ipywidgets as W

from helpers.plots import LiveFigure
from helpers.widgets import RUN_NOTE, Explorer, progress_bar


class _Figure(LiveFigure):
    def __init__(self) -> None:
        super().__init__((1.0, 1.0))
        self.drawn: list[tuple] = []

    def update(self, *args: object) -> None:
        self.drawn.append(args)

    def show_message(self, message: str) -> None:
        self.drawn.append(("message", message))


class _View:
    def __init__(self, value: int) -> None:
        self.message = "" if value >= 0 else "negative"
        self.value = value

    def figure_args(self) -> tuple | None:
        return None if self.value < 0 else (self.value,)


def _explorer() -> tuple[Explorer, W.IntSlider, W.IntSlider, _Figure]:
    a, b = W.IntSlider(value=1, min=-5), W.IntSlider(value=2)
    figure = _Figure()
    explorer = Explorer(figure, lambda: _View(a.value + b.value), [[a], [b]])
    return explorer, a, b, figure


def test_every_control_redraws_once_and_the_layout_is_rows_message_image():
    explorer, a, b, figure = _explorer()
    assert figure.drawn == [(3,)]
    a.value = 2
    assert figure.drawn[-1] == (4,) and len(figure.drawn) == 2
    assert explorer.widget.children == (a, b, explorer.message, explorer.image)
    assert bytes(explorer.image.value).startswith(b"\x89PNG")


def test_a_view_with_nothing_to_draw_shows_its_message():
    explorer, a, _, figure = _explorer()
    a.value = -5
    assert figure.drawn[-1] == ("message", "negative")
    assert explorer.message.value == "<i>negative</i>"


def test_holding_redraws_once_at_the_end():
    explorer, a, b, figure = _explorer()
    with explorer.holding():
        a.value, b.value = 3, 4
        assert len(figure.drawn) == 1
    assert figure.drawn[-1] == (7,) and len(figure.drawn) == 2


def test_a_saved_explorer_or_progress_bar_reads_as_a_note_not_a_repr():
    explorer, *_ = _explorer()
    assert explorer.widget._repr_mimebundle_()["text/plain"] == RUN_NOTE
    bar, progress = progress_bar(10)
    assert bar._repr_mimebundle_()["text/plain"].startswith("▶ Run the notebook")
    progress(10, 0.5)
    assert bar.children[1].value == "10 / 10 steps, loss 0.500"
