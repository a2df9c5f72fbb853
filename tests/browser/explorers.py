"""What the browser tests run of a notebook to reach its explorers, read from the notebook itself.

An explorer cell is a code cell tagged `nbval-ignore-output` in the "## Try it" section (the house
anatomy: a static figure, then the live widget). Its scratch notebook holds the notebook's Setup
cell (its first code cell), then every code cell tagged `explorer-setup` (for an explorer that needs
names defined earlier in the notebook), then the explorer cells, each group in notebook order.
"""

from __future__ import annotations

from collections.abc import Iterator

from nbformat import NotebookNode

TRY_IT = "## Try it"
LIVE_TAG = "nbval-ignore-output"
NEEDED_TAG = "explorer-setup"


def _code_cells_by_section(
    nb: NotebookNode,
) -> Iterator[tuple[str, NotebookNode]]:
    """Each code cell with the last `## ` heading above it (a heading may sit mid-cell)."""
    section = ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            headings = [line for line in cell.source.splitlines() if line.startswith("## ")]
            section = headings[-1].strip() if headings else section
        elif cell.cell_type == "code":
            yield section, cell


def _tags(cell: NotebookNode) -> list[str]:
    return cell.metadata.get("tags", [])


def explorer_cells(nb: NotebookNode) -> list[str]:
    """The sources of the live explorer cells: tagged `nbval-ignore-output`, under "## Try it"."""
    return [
        cell.source
        for section, cell in _code_cells_by_section(nb)
        if section == TRY_IT and LIVE_TAG in _tags(cell)
    ]


def scratch_sources(nb: NotebookNode) -> list[str]:
    """What a scratch notebook runs: Setup, the cells tagged `explorer-setup`, the explorers."""
    setup, *rest = (cell for _, cell in _code_cells_by_section(nb))
    needed = [cell.source for cell in rest if NEEDED_TAG in _tags(cell)]
    return [setup.source, *needed, *explorer_cells(nb)]
