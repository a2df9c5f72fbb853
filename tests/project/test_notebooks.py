"""Committed notebooks: normalised and shaped like the house template.

That their outputs do not depend on the thread count is shown by `make nbval`: it re-executes
them with one thread and compares with the outputs `make notebooks` made with the default count."""

from pathlib import Path

import nbformat
import pytest

from helpers.maintainer import nbtools

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SECTIONS = ["## Learning goals", "## Setup", "## Try it", "## Exercises", "## Summary"]
ids = [p.name for p in NOTEBOOKS]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_committed_notebook_is_normalised(path):
    assert nbtools.problems(nbformat.read(path, as_version=4)) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_anatomy(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert nb.cells[0].source.startswith("# "), "the first cell is the title"
    assert "README.md" in nb.cells[0].source and "Book §" in nb.cells[0].source
    positions = [markdown.find(s) for s in SECTIONS]
    assert -1 not in positions, (
        f"missing sections: {[s for s, p in zip(SECTIONS, positions, strict=True) if p < 0]}"
    )
    assert positions == sorted(positions), "sections out of the house order"
    setup = next(c for c in nb.cells if c.cell_type == "code")
    assert "helpers.setup_notebook()" in setup.source
    assert "shared/" not in "\n".join(c.source for c in nb.cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_learning_goals_show_the_architecture_map(path):
    nb = nbformat.read(path, as_version=4)
    goals = next(c.source for c in nb.cells if c.source.startswith("## Learning goals"))
    image = f"../figures/map_{path.name[:2]}.png"
    assert f"]({image})" in goals, "the goals show this notebook's map (make notebooks draws it)"
    assert (path.parent / image).resolve().exists()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_output_shows_a_widget_s_raw_repr(path):
    """Before its kernel runs, an explorer reads as a one-line note (helpers.widgets.RUN_NOTE)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/plain", "")
            assert not text.startswith(("VBox(", "HBox(", "Image(", "IntProgress(")), text[:80]
