"""The Makefile keeps its promises: `make test` runs every part, each notebook once, one thread."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def _recipe(target: str) -> tuple[str, str]:
    """The prerequisites and the recipe lines of a target."""
    match = re.search(rf"^{target}:([^\n#]*).*?\n((?:\t[^\n]*\n)*)", MAKEFILE, re.M)
    assert match, f"no target {target}"
    return match.group(1).strip(), match.group(2)


def test_make_test_runs_every_part():
    assert "lint unit nbval browser" in _recipe("test")[1]


def test_nbval_runs_the_notebooks_once_with_one_thread():
    """`make notebooks` makes the outputs with the default thread count; nbval compares at one."""
    _, recipe = _recipe("nbval")
    assert "OMP_NUM_THREADS=1" in recipe and "--nbval " in recipe and "$(NOTEBOOKS)" in recipe
    _, notebooks = _recipe("notebooks")
    assert "NUM_THREADS" not in notebooks


def test_unit_tests_execute_no_notebook_and_no_browser():
    _, recipe = _recipe("unit")
    assert "--nbval" not in recipe and '-m "not browser"' in recipe
