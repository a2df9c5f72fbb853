"""Every committed notebook, opened in JupyterLab with its saved outputs and not run: every cell and
every saved image is drawn, and no dialog, error toast, renderer error or page error appears.

All notebooks open in one page, attached to one idle kernel started for them (JupyterLab would
otherwise start a kernel per notebook); no cell is executed.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from jlab import KERNEL_START_MS
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
RENDER_MS = 30_000
RENDER_ERRORS = ("Error displaying", "No renderer could be found", "Javascript Error")

OPEN_JS = """async ([path, kernel]) => {
  window.renderedNotebook = await window.jupyterapp.commands.execute(
    'docmanager:open', {path, factory: 'Notebook', kernel: {id: kernel}});
}"""
# The open notebook as drawn: its cells, its output images (and whether all loaded), the text
# of every output, dialogs and error toasts on the page.
DRAWN_JS = """() => {
  const panel = window.renderedNotebook;
  if (!panel || !panel.context || !panel.context.isReady) return null;
  const imgs = Array.from(panel.node.querySelectorAll('.jp-OutputArea-output img'));
  return {
    cells: panel.content.widgets.length,
    images: imgs.length,
    loaded: imgs.every(img => img.complete && img.naturalWidth > 0),
    outputs: Array.from(panel.node.querySelectorAll('.jp-OutputArea-output'), o => o.textContent),
    dialogs: Array.from(document.querySelectorAll('.jp-Dialog'), d => d.textContent),
    toasts: Array.from(document.querySelectorAll('.Toastify__toast--error'), t => t.textContent),
  };
}"""


def _api(lab: object, method: str, path: str) -> dict | None:
    request = urllib.request.Request(f"{lab.url}{path}?token={lab.token}", method=method)
    with urllib.request.urlopen(request, timeout=KERNEL_START_MS / 1000) as response:
        body = response.read()
    return json.loads(body) if body else None


@pytest.fixture(scope="module")
def kernel_id(lab: object) -> Iterator[str]:
    """One idle kernel for every notebook opened here, shut down at the end."""
    kernel = _api(lab, "POST", "/api/kernels")
    yield kernel["id"]
    _api(lab, "DELETE", f"/api/kernels/{kernel['id']}")


@pytest.fixture(scope="module")
def lab_page(browser: object, lab: object) -> Iterator[object]:
    """One JupyterLab page for every notebook of this module."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{lab.url}/lab?reset&token={lab.token}")
    page.wait_for_function("() => window.jupyterapp", timeout=KERNEL_START_MS)
    page.evaluate("() => window.jupyterapp.restored.then(() => null)")  # every plugin is active
    try:
        yield page
    finally:
        context.close()


def _saved_images(nb: nbformat.NotebookNode) -> int:
    return sum(
        "image/png" in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )


def _draw(page: object, name: str, kernel_id: str, expected: dict) -> dict:
    """Open a notebook, wait until it is drawn as expected (or RENDER_MS passed), close it and
    return what was drawn."""
    page.evaluate(OPEN_JS, [name, kernel_id])
    try:
        page.wait_for_function(
            f"""() => {{ const d = ({DRAWN_JS})();
                return d && d.cells === {expected["cells"]} && d.images >= {expected["images"]}
                       && d.loaded; }}""",
            timeout=RENDER_MS,
        )
    except PlaywrightTimeoutError:
        pass  # the assertions below say what is missing
    drawn = page.evaluate(DRAWN_JS) or {}
    # Its kernel session connected before it is closed: closing a notebook whose session is still
    # connecting rejects that promise ("Disposed"), which is our doing, not a rendering error.
    page.evaluate("() => window.renderedNotebook.sessionContext.ready")
    page.evaluate("() => window.renderedNotebook.dispose()")  # no "save your work?" prompt
    return drawn


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_renders(lab_page: object, kernel_id: str, name: str) -> None:
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    expected = {"cells": len(nb.cells), "images": _saved_images(nb), "loaded": True}
    page_errors: list[str] = []
    on_error = lambda error: page_errors.append(str(error))  # noqa: E731
    lab_page.on("pageerror", on_error)
    try:
        drawn = _draw(lab_page, name, kernel_id, expected)
    finally:
        lab_page.remove_listener("pageerror", on_error)
    assert {k: drawn.get(k) for k in expected} == expected
    assert (drawn["dialogs"], drawn["toasts"], page_errors) == ([], [], [])
    failed = [text[:200] for text in drawn["outputs"] if any(e in text for e in RENDER_ERRORS)]
    assert failed == [], f"{name}: outputs that failed to render"
