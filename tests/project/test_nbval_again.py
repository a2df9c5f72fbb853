"""The plugin behind `make nbval`'s second pass catches a cell that cannot run again."""

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, sources: list[str]) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    args = [
        "--nbval-lax",
        "--nbval-current-env",
        "-p",
        "nbval_again",
        "-v",
        "-p",
        "no:cacheprovider",
    ]
    cmd = [sys.executable, "-m", "pytest", str(path), *args, "--rootdir", str(ROOT)]
    cmd += ["-c", str(ROOT / "pyproject.toml")]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout


def test_a_later_cell_that_changes_a_name_fails_the_earlier_cell_s_second_run(tmp_path):
    out = _run(tmp_path, ["memory = [1, 2, 3]", "first = memory[2]", "memory = []"])
    assert "Cell 2 again PASSED" in out
    assert "Cell 1 again FAILED" in out
    assert "Cell 0 again PASSED" in out


def test_cells_that_run_again_pass(tmp_path):
    out = _run(tmp_path, ["memory = [1, 2, 3]", "first = memory[2]"])
    assert "4 passed" in out and "Cell 1 again PASSED" in out
