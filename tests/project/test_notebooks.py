"""Committed notebooks: normalised, shaped like the house template, and deterministic across
thread counts (nbval, run by `make test`, compares them at the machine's default thread count)."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

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


def _text_outputs(nb: nbformat.NotebookNode) -> list[list]:
    """What nbval compares, per code cell: streams, text/plain, text/html and error names."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "nbval-ignore-output" in cell.metadata.get("tags", []):
            continue
        texts = []
        for out in cell.outputs:
            if out.output_type == "stream":  # the kernel may split one print into chunks
                if texts and isinstance(texts[-1], tuple) and texts[-1][0] == out.name:
                    texts[-1] = (out.name, texts[-1][1] + out.text)
                else:
                    texts.append((out.name, out.text))
            elif out.output_type == "error":
                texts.append(out.ename)
            else:
                texts += [out.data.get(m, "") for m in ("text/plain", "text/html")]
        cells.append(texts)
    return cells


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_outputs_do_not_depend_on_thread_count(path, monkeypatch):
    """Re-executed with one thread, the notebook prints exactly what was committed."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("MKL_NUM_THREADS", "1")
    committed = nbformat.read(path, as_version=4)
    fresh = nbformat.read(path, as_version=4)
    NotebookClient(
        fresh,
        timeout=nbtools.TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    assert _text_outputs(fresh) == _text_outputs(committed)
