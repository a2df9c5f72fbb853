"""The rule that picks what a scratch notebook runs (explorers.py); no browser needed."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from explorers import explorer_cells, scratch_sources
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _cell(source: str, *tags: str) -> nbformat.NotebookNode:
    return new_code_cell(source, metadata={"tags": list(tags)})


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_notebook_has_an_explorer(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    setup = next(c for c in nb.cells if c.cell_type == "code")
    sources = scratch_sources(nb)
    assert explorer_cells(nb), "no cell tagged nbval-ignore-output under ## Try it"
    assert sources[0] == setup.source
    assert sources[-len(explorer_cells(nb)) :] == explorer_cells(nb)


def test_only_live_cells_under_try_it_and_tagged_cells_are_run() -> None:
    nb = new_notebook(
        cells=[
            _cell("import helpers"),
            new_markdown_cell("## 1. Training"),
            _cell("model = train()  # slow", "nbval-ignore-output"),
            _cell("digits = '123'", "explorer-setup"),
            _cell("other = 1"),
            new_markdown_cell("## Try it"),
            _cell("static_figure()"),
            _cell("explorer(digits)", "nbval-ignore-output"),
            new_markdown_cell("Things to try.\n\n## Exercises"),
            _cell("check()", "nbval-ignore-output"),
        ]
    )
    assert scratch_sources(nb) == ["import helpers", "digits = '123'", "explorer(digits)"]
