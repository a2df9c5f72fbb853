"""The house rules of helpers/: three layers, imports flowing down only, small files.

core (torch/numpy only) <- toolkits (plots, livefigure, widgets, checking, notebook) <- one
package per notebook (may import earlier notebooks' packages, never a later one's); maintainer
tools apart.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HELPERS = ROOT / "helpers"
# The core, in the order a module may import from: each may import only those before it.
CORE = (
    "text",
    "attention",
    "positional",
    "blocks",
    "transformer",
    "decoding",
    "beam",
    "training",
    "translator",
    "safetensors",
    "wordpiece",
    "bert",
)
TOOLKITS = ("notebook", "livefigure", "plots", "diagram", "widgets", "checking")
NOTEBOOK_PACKAGES = sorted(p.name for p in HELPERS.glob("nb[0-9][0-9]_*") if p.is_dir())
THIRD_PARTY_FOR_CORE = {"torch", "numpy"}
MAX_LINES = 500
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(HELPERS.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (a function-level import counts too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            if node.module == "helpers":
                found |= {f"helpers.{a.name}" for a in node.names}
    return found


def _layer(module: str) -> tuple[str, int]:
    """(layer, rank) of a helpers module name: rank orders modules within a layer."""
    parts = module.split(".")
    if len(parts) == 1:
        return "package", 0
    top = parts[1]
    if top in CORE:
        return "core", CORE.index(top)
    if top in TOOLKITS:
        return "toolkit", 0
    if top in NOTEBOOK_PACKAGES:
        return "notebook", int(top[2:4])
    if top == "maintainer":
        return "maintainer", 0
    return "unknown", 0


def _name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_every_module_has_a_layer():
    unknown = [_name(p) for p in _modules() if _layer(_name(p))[0] == "unknown"]
    assert unknown == [], f"add these to a layer in {Path(__file__).name}: {unknown}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(HELPERS)))
def test_imports_flow_down(path):
    layer, rank = _layer(_name(path))
    wrong = []
    for imported in _imports(path):
        root = imported.split(".")[0]
        if layer == "core" and root not in THIRD_PARTY_FOR_CORE | {"helpers", "__future__"}:
            if root not in sys.stdlib_module_names:
                wrong.append(f"{imported} (the core uses torch and numpy only)")
        if root != "helpers" or imported == "helpers":
            continue
        their_layer, their_rank = _layer(imported)
        allowed = {
            "core": their_layer == "core" and their_rank < rank,
            "toolkit": their_layer in {"core", "toolkit"},
            "notebook": their_layer in {"core", "toolkit"}
            or (their_layer == "notebook" and their_rank <= rank),
            "maintainer": their_layer != "package",
            "package": their_layer in {"core", "toolkit"},
        }[layer]
        if not allowed:
            wrong.append(f"{imported} ({their_layer})")
    assert wrong == [], f"{_name(path)} ({layer}) must not import {wrong}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(HELPERS)))
def test_files_and_functions_stay_small(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES, f"{path.name}: over {MAX_LINES} lines: split it"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == [], f"{path.name}: functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_import_helpers_is_light_and_changes_nothing():
    """`import helpers` pulls no ipywidgets and no pyplot, and leaves matplotlib's settings alone
    (the plot style is applied by `setup_notebook()`)."""
    code = (  # dict.items: the raw settings (reading rcParams["backend"] would import pyplot)
        "import sys, matplotlib as mpl\n"
        "before = dict(dict.items(mpl.rcParams))\n"
        "import helpers\n"
        "assert 'ipywidgets' not in sys.modules, 'ipywidgets'\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot'\n"
        "assert dict(dict.items(mpl.rcParams)) == before, 'rcParams changed'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
