"""pytest plugin for `make nbval`: once a notebook has run top to bottom, run every code cell again.

Readers re-run a cell after the notebook has run, so every cell must run a second time without
error in that state: a later cell that gives a name another meaning breaks the earlier cells that
use it. The second pass goes from the last cell to the first, so that each cell meets the names
the cells below it left (going forward, the cells above would set them back first). It compares
no outputs (a re-run may draw fresh random numbers); a cell tagged raises-exception may raise
again. Each cell's second run is its own test, "Cell N again".
"""

from collections import defaultdict

import pytest
from nbval.plugin import IPyNbCell


def _again(cell: IPyNbCell) -> IPyNbCell:
    options = defaultdict(bool, cell.options)
    options["check"] = False
    return IPyNbCell.from_parent(
        cell.parent,
        name=f"{cell.name} again",
        cell_num=cell.cell_num,
        cell=cell.cell,
        options=options,
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """After the last cell of each notebook, the notebook's cells once more, last to first."""
    out: list[pytest.Item] = []
    notebook: list[IPyNbCell] = []
    for item in [*items, None]:
        if notebook and (not isinstance(item, IPyNbCell) or item.parent is not notebook[0].parent):
            out += [_again(cell) for cell in reversed(notebook)]
            notebook = []
        if isinstance(item, IPyNbCell):
            notebook.append(item)
        if item is not None:
            out.append(item)
    items[:] = out
