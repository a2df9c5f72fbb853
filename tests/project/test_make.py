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


def _variable(name: str) -> str:
    match = re.search(rf"^{name} := (.*)$", MAKEFILE, re.M)
    assert match, f"no variable {name}"
    return match.group(1)


def test_make_test_runs_every_part():
    parts = _recipe("test")[1].split("--output-sync=target")[1].split()
    assert sorted(parts) == ["browser", "lint", "nbval", "unit"]


def test_nbval_runs_every_notebook_once_with_one_thread():
    """`make notebooks` makes the outputs with the default thread count; nbval compares at one,
    then runs every cell again (tests/nbval_again.py)."""
    nbval = _variable("NBVAL")
    assert "OMP_NUM_THREADS=1" in nbval and "--nbval " in nbval and "-p nbval_again" in nbval
    assert _recipe("nbval")[1].split() == ["$(NBVAL)", "$(NOTEBOOKS)"]
    _, notebooks = _recipe("notebooks")
    assert "NUM_THREADS" not in notebooks


def test_unit_tests_execute_no_notebook_and_no_browser():
    _, recipe = _recipe("unit")
    assert "--nbval" not in recipe and '-m "not browser"' in recipe
