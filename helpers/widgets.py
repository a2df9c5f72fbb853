"""The explorer skeleton every notebook's explorer is built on: controls → view → figure → image.

A *view function* reads the controls and returns a view: a frozen dataclass that knows what to
draw (`figure_args()`, or None when the input cannot be drawn) and what to say (`message`). The
`Explorer` draws it into its `LiveFigure` and shows the PNG; `Explorer.holding()` keeps it from
redrawing while controls are rebuilt. `sentence_box` is the text box every explorer offers for
your own sentence; `slider`, `log_slider` and `dropdown` make the other controls with the series'
defaults; `progress_bar` follows a training loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

import ipywidgets as W

from helpers.plots import LiveFigure
from helpers.training import one_thread  # an explorer's tensors are tiny: one thread is enough

__all__ = [
    "RUN_NOTE",
    "WIDE",
    "Explorer",
    "ExplorerBox",
    "ProgressBox",
    "View",
    "dropdown",
    "log_slider",
    "progress_bar",
    "sentence_box",
    "slider",
]

# What a saved notebook shows for an explorer before its kernel runs (JupyterLab without the
# widget's state, GitHub): this line instead of the VBox's repr.
RUN_NOTE = "▶ Run the notebook to move this explorer; its picture is above."


WIDE = {"description_width": "initial"}  # a control's style: its description never cut short


class View(Protocol):
    """What a view function returns: the figure's arguments (None: nothing to draw) and a note."""

    message: str

    def figure_args(self) -> tuple | None: ...


def sentence_box(sentence: str, description: str = "sentence") -> W.Text:
    """The text box every explorer offers for your own sentence (applied on Enter)."""
    return W.Text(
        value=sentence,
        description=description,
        continuous_update=False,
        layout=W.Layout(width="32em"),
    )


class _Noted:
    """A widget box whose plain-text form (what a notebook shows without the kernel) is `note`."""

    note = ""

    def _repr_mimebundle_(self, **kwargs: object) -> dict:
        bundle = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        bundle["text/plain"] = self.note
        return bundle


class ExplorerBox(_Noted, W.VBox):
    """The box an explorer is shown in."""

    note = RUN_NOTE


class ProgressBox(_Noted, W.HBox):
    """The box a training progress bar is shown in."""

    note = "▶ Run the notebook to train the model here; this bar follows its steps."


def _slider(
    kind: type[W.ValueWidget], description: str, value: object, live: bool, **limits: object
) -> W.ValueWidget:
    """A slider of `kind` whose value changes while it is dragged (`live`) or when released."""
    return kind(value=value, description=description, continuous_update=live, style=WIDE, **limits)


def slider(
    description: str, value: int, *, min: int, max: int, step: int = 1, live: bool = False
) -> W.IntSlider:
    """An integer slider, redrawn when released, or while dragged if `live` (for a slider whose
    drag teaches something, e.g. a position or a decoding step, when its redraw is fast)."""
    return _slider(W.IntSlider, description, value, live, min=min, max=max, step=step)


def log_slider(
    description: str,
    value: float,
    *,
    min: float,
    max: float,
    step: float,
    readout_format: str = ".3g",
    live: bool = False,
) -> W.FloatLogSlider:
    """A slider over powers of 10 (min, max and step are exponents), redrawn when released, or
    while dragged if `live` (e.g. a temperature)."""
    limits = {"min": min, "max": max, "step": step, "readout_format": readout_format}
    return _slider(W.FloatLogSlider, description, value, live, base=10, **limits)


def dropdown(
    description: str, options: Sequence[tuple[str, object]], value: object, width: str = ""
) -> W.Dropdown:
    """A drop-down list of (label, value) options; `width` (e.g. "15em") fixes its width."""
    layout = W.Layout(width=width) if width else W.Layout()
    return W.Dropdown(
        description=description, options=options, value=value, style=WIDE, layout=layout
    )


class Explorer:
    """Controls → view function → figure → image, wired once for every explorer.

    Args:
        figure: the `LiveFigure` the views are drawn into (updated in place).
        view: reads the controls and returns a `View`.
        rows: the controls, row by row (a row of one control is shown as it is).
        watch: the controls whose change redraws (default: every control in `rows` that has a
            value; buttons call `redraw` themselves).
        on_view: called with each view after it is drawn (e.g. to relabel a button).
    `widget` is the VBox to display: the rows, then the message, then the image.
    """

    def __init__(
        self,
        figure: LiveFigure,
        view: Callable[[], View],
        rows: Sequence[Sequence[W.Widget]],
        watch: Sequence[W.Widget] | None = None,
        on_view: Callable[[View], None] | None = None,
    ) -> None:
        self.figure, self.view, self.on_view = figure, view, on_view
        self.message = W.HTML()
        self.image = W.Image(format="png")
        self._held = 0
        if watch is None:
            watch = [c for row in rows for c in row if isinstance(c, W.ValueWidget)]
        for control in watch:
            control.observe(self.redraw, names="value")
        boxes = [row[0] if len(row) == 1 else W.HBox(list(row)) for row in rows]
        self.widget = ExplorerBox([*boxes, self.message, self.image])
        self.redraw()

    @contextmanager
    def holding(self) -> Iterator[None]:
        """No redraw inside the block (while controls are rebuilt); redraw once at its end."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
        self.redraw()

    def rebuild(self, fit: Callable[[], None]) -> Callable[..., None]:
        """An observer that runs `fit` (which changes other controls) with redraws held."""

        def observer(*_: object) -> None:
            with self.holding(), one_thread():
                fit()

        return observer

    def redraw(self, *_: object) -> None:
        """Compute the view from the controls, draw it, and show the PNG and the message."""
        if self._held:
            return
        with one_thread():
            view = self.view()
            args = view.figure_args()
            if args is None:
                self.figure.show_message(view.message)
            else:
                self.figure.update(*args)
            png = self.figure.png()
        self.message.value = f"<i>{view.message}</i>" if view.message else ""
        self.image.value = png
        if self.on_view is not None:
            self.on_view(view)


def progress_bar(total: int, description: str = "training") -> tuple[ProgressBox, Callable]:
    """A progress bar for a loop of `total` steps, and the `progress(step, loss)` that moves it.

    Shown in a cell tagged nbval-ignore-output (its text changes with every run).
    Taught in 07_train_a_tiny_transformer.ipynb.
    """
    bar = W.IntProgress(value=0, min=0, max=total, description=description)
    label = W.Label(value=f"0 / {total}")

    def progress(step: int, loss: float) -> None:
        if step % 10 and step != total:  # a widget message every 10 steps is plenty
            return
        bar.value = step
        label.value = f"{step} / {total} steps, loss {loss:.3f}"

    return ProgressBox([bar, label]), progress
