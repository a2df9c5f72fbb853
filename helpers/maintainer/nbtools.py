"""Maintainer tool: execute notebooks in place and normalise them, or check they are normalised.

    python -m helpers.maintainer.nbtools run notebooks/*.ipynb    # what `make notebooks` does
    python -m helpers.maintainer.nbtools check notebooks/*.ipynb  # exit 1: not as `run` leaves it

Normalised = executed (every code cell has an execution count), outputs kept, and nothing that
changes from one machine or session to another: no saved widget state, no timings, no Python
version, only the `tags` of cell metadata. Not imported by `import helpers`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from helpers.plots import EXPORT_FIGURES_ENV

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
TIMEOUT_S = 900
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _merge_streams(outputs: list) -> list:
    """Join consecutive prints to the same stream (the kernel splits them at random moments)."""
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            out.get("output_type") == "stream"
            and prev is not None
            and prev.get("output_type") == "stream"
            and prev.get("name") == out.get("name")
        ):
            prev["text"] += out["text"]
        else:
            merged.append(out)
    return merged


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip volatile metadata in place and return the notebook."""
    nb.metadata = nbformat.from_dict(
        {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    )
    for i, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags")
        cell.metadata = nbformat.from_dict({"tags": tags} if tags else {})
        cell.id = f"c{i:03d}"
        if "outputs" in cell:
            cell.outputs = _merge_streams(cell.outputs)
        for output in cell.get("outputs", []):
            output.get("metadata", {}).pop("execution", None)
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is not None:  # a random id per run, and its state is not saved anyway
                view["model_id"] = ""
    return nb


def problems(nb: nbformat.NotebookNode) -> list[str]:
    """What keeps a notebook from being committed (empty when it is fine)."""
    found = []
    if "widgets" in nb.metadata:
        found.append("it carries saved widget state")
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("execution_count") is None:
            found.append(f"code cell {i} is not executed")
        tags = cell.metadata.get("tags", [])
        if "raises-exception" not in tags and any(
            o.get("output_type") == "error" for o in cell.get("outputs", [])
        ):
            found.append(f"code cell {i} has an error output but no raises-exception tag")
    copy = nbformat.from_dict(nbformat.from_dict(dict(nb)))
    if nbformat.writes(normalise(copy)) != nbformat.writes(nb):
        found.append("its metadata is not normalised (run `make notebooks`)")
    return found


def execute(path: Path, cwd: Path | None = None) -> nbformat.NotebookNode:
    """Execute a notebook (in `cwd`, by default its own folder) and return it; raises on an error
    in a cell not tagged raises-exception. The file is not written."""
    nb = nbformat.read(path, as_version=4)
    folder = path.parent if cwd is None else cwd
    NotebookClient(
        nb, timeout=TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    return nb


def run(path: Path) -> None:
    """Execute a notebook in its own folder with figure export on, normalise it, write it back.

    The machine's default thread count is used; `make nbval` re-runs the notebooks with one
    thread and compares, so the committed outputs are shown not to depend on it."""
    os.environ[EXPORT_FIGURES_ENV] = "1"  # the kernel inherits it: save_figure writes figures/
    nbformat.write(normalise(execute(path)), path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run", "check"])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    failed = False
    for path in args.notebooks:
        if args.command == "run":
            print(f"executing {path} ...", flush=True)
            run(path)
        for problem in problems(nbformat.read(path, as_version=4)):
            print(f"{path}: {problem}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
