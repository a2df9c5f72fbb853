"""Every notebook, run in JupyterLab in headless Chromium: no cell errors, and every widget control
visibly changes the figure it drives (element screenshots before and after differ).

Set SCREENSHOTS_DIR to keep those screenshots (`make screenshots` writes figures/screenshots/).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
KERNEL_START_MS = 180_000
RUN_ALL_MS = 600_000
REDRAW_MS = 30_000
SENTENCE = "고양이가 매트 위에 앉았다 and the dog sat"
SHOTS = Path(os.environ["SCREENSHOTS_DIR"]) if os.environ.get("SCREENSHOTS_DIR") else None

# The open notebook's state, read from JupyterLab's own models (exposed with
# --LabApp.expose_app_in_browser).
STATE_JS = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.model || !panel.sessionContext) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = Array.from(panel.content.model.cells);
  const code = cells.filter(c => c.type === 'code');
  const errors = [];
  code.forEach((c, i) => {
    const tags = c.getMetadata('tags') || [];
    for (const o of c.outputs.toJSON()) {
      if (o.output_type === 'error' && !tags.includes('raises-exception'))
        errors.push(`code cell ${i}: ${o.ename}: ${o.evalue}`);
    }
  });
  return {
    kernel: kernel ? kernel.status : 'none',
    widgets: code.reduce((n, c) => n + c.outputs.toJSON().filter(
      o => o.data && o.data['application/vnd.jupyter.widget-view+json']).length, 0),
    pending: code.filter(c => c.executionCount === null).length,
    code: code.length,
    errors,
  };
}"""


def _state(page) -> dict:
    return page.evaluate(STATE_JS)


def _open_and_run_all(page, lab, name: str) -> dict:
    page.goto(lab.notebook_url(name))
    page.wait_for_function(
        f"() => {{ const s = ({STATE_JS})(); return s && s.kernel === 'idle'; }}",
        timeout=KERNEL_START_MS,
    )
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(f"() => ({STATE_JS})().pending === ({STATE_JS})().code")
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function(
        f"""() => {{ const s = ({STATE_JS})();
            return s.kernel === 'idle' && (s.pending === 0 || s.errors.length > 0); }}""",
        timeout=RUN_ALL_MS,
    )
    return _state(page)


def _widget_outputs(page, expected: int):
    """Output areas that hold a live widget with at least one image (a figure it draws)."""
    selector = ".jp-OutputArea-output > .jupyter-widgets"
    page.wait_for_function(
        f"""() => {{ const ws = document.querySelectorAll('{selector}');
            return ws.length >= {expected} && Array.from(ws).every(w =>
                Array.from(w.querySelectorAll('img')).every(img => img.complete)); }}""",
        timeout=REDRAW_MS,
    )
    outputs = page.locator(selector)
    return [outputs.nth(i) for i in range(outputs.count()) if outputs.nth(i).locator("img").count()]


def _controls(widget) -> list[tuple[str, object]]:
    found = []
    for kind, selector in (
        ("dropdown", "select"),
        ("checkbox", "input[type=checkbox]"),
        ("text", ".widget-text input[type=text]"),
        ("slider", ".widget-slider .noUi-handle"),
        ("button", "button.jupyter-button:not(.widget-toggle-button)"),
        ("toggle", "button.widget-toggle-button"),
    ):
        loc = widget.locator(selector)
        found += [(f"{kind} {i}", loc.nth(i)) for i in range(loc.count())]
    return found


def _change(kind: str, control, page) -> None:
    if kind.startswith("dropdown"):
        options = control.locator("option")
        current = control.evaluate("el => el.selectedIndex")
        control.select_option(index=(current + 1) % options.count())
    elif kind.startswith("text"):
        control.fill(SENTENCE)
        control.press("Enter")
    elif kind.startswith("slider"):
        before = control.get_attribute("aria-valuenow")
        control.focus()
        page.keyboard.press("End")
        if control.get_attribute("aria-valuenow") == before:  # already at the maximum
            page.keyboard.press("Home")
    else:
        control.click()


def _images(widget) -> list[bytes]:
    imgs = widget.locator("img")
    return [imgs.nth(i).screenshot() for i in range(imgs.count())]


def _sources(widget) -> list[str]:
    return widget.locator("img").evaluate_all("els => els.map(e => e.src)")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_widgets_redraw(page, lab, name: str) -> None:
    state = _open_and_run_all(page, lab, name)
    assert state["errors"] == [], f"{name}: cells raised errors"
    assert state["pending"] == 0, f"{name}: {state['pending']} cells did not run"

    widgets = _widget_outputs(page, state["widgets"])
    assert widgets, f"{name}: no widget with a figure was displayed"
    stem = name.removesuffix(".ipynb")
    for w, widget in enumerate(widgets):
        widget.scroll_into_view_if_needed()
        controls = _controls(widget)
        assert controls, f"{name}: widget {w} has no control"
        if SHOTS:
            SHOTS.mkdir(parents=True, exist_ok=True)
            widget.screenshot(path=SHOTS / f"{stem}_widget{w}_default.png")
        for kind, control in controls:
            sources, pixels = _sources(widget), _images(widget)
            _change(kind, control, page)
            widget.page.wait_for_function(
                "([el, before]) => Array.from(el.querySelectorAll('img'))"
                ".some((img, i) => img.src !== before[i]) && Array.from(el.querySelectorAll('img'))"
                ".every(img => img.complete)",
                arg=[widget.element_handle(), sources],
                timeout=REDRAW_MS,
            )
            assert _images(widget) != pixels, f"{name}: {kind} did not change the figure"
            if SHOTS:
                slug = re.sub(r"\W+", "_", kind)
                widget.screenshot(path=SHOTS / f"{stem}_widget{w}_{slug}.png")
