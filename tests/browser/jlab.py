"""Driving JupyterLab from Playwright through its own models (exposed with
`--LabApp.expose_app_in_browser`): open a notebook, run it, read its state."""

from __future__ import annotations

KERNEL_START_MS = 180_000
RUN_ALL_MS = 600_000

# The open notebook's state: kernel status, cells not yet run, errors outside `raises-exception`
# cells, and how many widget views its outputs hold.
STATE_JS = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.model || !panel.sessionContext) return null;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const code = Array.from(panel.content.model.cells).filter(c => c.type === 'code');
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


def state(page: object) -> dict:
    return page.evaluate(STATE_JS)


def open_notebook(page: object, url: str) -> None:
    """Open a notebook's URL and wait until its kernel is idle."""
    page.goto(url)
    page.wait_for_function(
        f"() => {{ const s = ({STATE_JS})(); return s && s.kernel === 'idle'; }}",
        timeout=KERNEL_START_MS,
    )


def clear_all(page: object) -> None:
    """Clear every output (and execution count) of the open notebook."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(f"() => ({STATE_JS})().pending === ({STATE_JS})().code")


def run_all(page: object) -> dict:
    """Run every cell of the open notebook; return its state once all ran or one failed."""
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function(
        f"""() => {{ const s = ({STATE_JS})();
            return s.kernel === 'idle' && (s.pending === 0 || s.errors.length > 0); }}""",
        timeout=RUN_ALL_MS,
    )
    return state(page)
