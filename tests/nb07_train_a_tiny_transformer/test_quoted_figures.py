"""Notebook 07 quotes only committed figures: its §4 table has the steps to 99 % and the training
times of `figures/benchmarks.md`'s notebook-07 section (written by helpers.maintainer.speed07)."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Notebook 07: time to 99 % on digit reversal"
# The notebook's row names → the benchmark's, each run by its keyword.
RUNS = {
    "**ours**": "our recipe",
    "the anchor": "(anchor)",
    "the tutorial's size": "the tutorial's size",
    "default": "default N(0, 1)",
    "the tutorial's optimiser": "the tutorial's optimiser",
    "no warm-up": "no warm-up",
    "batches of 128": "batches of 128",
    "mixed lengths": "mixed lengths",
    "two torch threads": "two torch threads",
}


def _rows(lines: list[str]) -> list[list[str]]:
    return [
        [c.strip() for c in line.strip("|").split("|")] for line in lines if line.startswith("|")
    ]


def _figures(steps: str, seconds: str) -> tuple[list[int], list[int]]:
    """The step counts and the seconds a row states (commas dropped)."""
    number = r"(\d[\d,]*)"
    found_steps = re.findall(number + r"(?= steps)", steps) or re.findall(rf"^{number}$", steps)
    found_seconds = re.findall(number + r"(?= s\b)", seconds)[:1]
    return (
        [int(x.replace(",", "")) for x in found_steps],
        [int(x.replace(",", "")) for x in found_seconds],
    )


def _benchmark_rows() -> dict[str, tuple]:
    text = (ROOT / "figures" / "benchmarks.md").read_text()
    section = text[text.index(SECTION) :].split("\n## ")[0]
    return {row[0]: _figures(row[1], row[2]) for row in _rows(section.splitlines())[2:]}


def _notebook_rows() -> dict[str, tuple]:
    nb = json.loads((ROOT / "notebooks" / "07_train_a_tiny_transformer.ipynb").read_text())
    (cell,) = [
        "".join(c["source"]) for c in nb["cells"] if "".join(c["source"]).startswith("## 4 ·")
    ]
    table = [line for line in cell.splitlines() if line.startswith("|")]
    return {row[0]: _figures(row[1], row[2]) for row in _rows(table)[2:]}


def test_the_notebook_quotes_the_committed_steps_and_seconds():
    bench, notebook = _benchmark_rows(), _notebook_rows()
    assert len(notebook) == len(RUNS) == len(bench)
    for ours, theirs in RUNS.items():
        (row,) = [figures for name, figures in notebook.items() if ours in name]
        (committed,) = [figures for name, figures in bench.items() if theirs in name]
        assert row[0] == committed[0], f"{ours}: steps {row[0]} ≠ committed {committed[0]}"
        if row[1]:  # a time quoted: the committed one
            assert row[1] == committed[1], f"{ours}: {row[1]} s ≠ committed {committed[1]} s"
