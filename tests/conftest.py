"""Shared fixtures: deterministic torch, headless matplotlib in the series' style, no figure left
open; running an exercise checker, an explorer's controls, a training script's first steps; and the
hook that runs each notebook's table of exercise answers."""

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import ipywidgets as W
import matplotlib
import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.artist import Artist

from helpers.plots import use_style

matplotlib.use("Agg")
use_style()  # what setup_notebook() applies in a notebook: Hangul-capable fonts, the colours


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


@pytest.fixture
def controls() -> Callable[[W.Widget], dict[str, W.Widget]]:
    """An explorer's widgets by their description, however its boxes nest them; its image is
    `image` and its message line (the HTML widget) `message`."""

    def parts(widget: W.Widget) -> dict[str, W.Widget]:
        if isinstance(widget, W.Box):
            found: dict[str, W.Widget] = {}
            for child in widget.children:
                for key, part in parts(child).items():
                    assert key not in found, f"two widgets are called {key!r}"
                    found[key] = part
            return found
        if isinstance(widget, W.Image):
            return {"image": widget}
        if isinstance(widget, W.HTML):
            return {"message": widget}
        return {widget.description: widget}

    return parts


@pytest.fixture
def first_steps(tmp_path) -> Callable[[Callable, Callable, dict], None]:
    """Run a training script's `main` for 60 steps and check that they give the shipped
    checkpoint's first 60 losses (still in the warm-up: the same learning rates as the full run).

    Args: the script's `main(argv)`, its checkpoint loader `load(path)` -> (model, record), and the
    shipped record.
    """

    def run(main: Callable, load: Callable, shipped: dict) -> None:
        steps = 60
        assert main(["--steps", str(steps), "--out", str(tmp_path / "short.pt")]) == 0
        _, record = load(tmp_path / "short.pt")
        assert record["config"] == {**shipped["config"], "steps": steps}
        torch.testing.assert_close(
            torch.tensor(record["loss"]), torch.tensor(shipped["loss"][:steps]), atol=2e-3, rtol=0
        )

    return run


# --- exercise checkers: a module's tables of answers drive its tests -----------------------------


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a checker test once per answer of its module's tables.

    A test that asks for `reply` without `hint` runs for every right answer of the module's
    `RIGHT = {checker: [fn, …]}`; with `hint`, for every wrong answer of `WRONG = {checker: rows}`.
    The rows are `(fn, hint)` pairs, or a text of lines "name_of_a_function_of_the_module  hint".
    """
    if "reply" not in metafunc.fixturenames:
        return
    if "hint" in metafunc.fixturenames:
        rows = [
            (checker, fn, hint)
            for checker, answers in metafunc.module.WRONG.items()
            for fn, hint in _wrong_answers(answers, vars(metafunc.module))
        ]
        metafunc.parametrize(("checker", "fn", "hint"), rows, ids=_answer_ids(rows))
    else:
        rows = [(checker, fn) for checker, fns in metafunc.module.RIGHT.items() for fn in fns]
        metafunc.parametrize(("checker", "fn"), rows, ids=_answer_ids(rows))


def _wrong_answers(answers: list[tuple[Callable, str]] | str, names: dict) -> list[tuple]:
    if isinstance(answers, list):
        return answers
    return [
        (names[name], hint)
        for name, hint in (line.split(None, 1) for line in answers.strip().splitlines())
    ]


def _answer_ids(rows: list[tuple]) -> list[str]:
    """`check_attention-attention_naive`: the checker and the answer's name; a wrong answer with
    no name of its own (a lambda, a name two answers share) is called by its hint."""
    ids = []
    for checker, fn, *hint in rows:
        name = fn.__name__
        shared = sum(c is checker and f.__name__ == name for c, f, *_ in rows) > 1
        if name == "<lambda>" or shared:
            assert hint, f"give each right answer of {checker.__name__} a name: it is its test id"
            name = hint[0]
        ids.append(f"{checker.__name__}-{name}")
    assert len(set(ids)) == len(ids), f"two answers have the same test id: {ids}"
    return ids


@pytest.fixture
def reply(said: Callable[[Callable, Any], str], checker: Callable, fn: Any) -> str:
    """What `checker` says to `fn`, a row of the module's RIGHT or WRONG table."""
    return said(checker, fn)
