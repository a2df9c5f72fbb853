"""Every explorer, live in JupyterLab in headless Chromium: every control visibly changes the
figure it drives (the image reloads, and element screenshots before and after differ).

Each notebook's explorers run in a scratch notebook beside it that holds only what they need
(see explorers.py), not the whole notebook: nbval runs every cell.

Set SCREENSHOTS_DIR to keep the screenshots (`make screenshots` writes figures/screenshots/).
Set LATENCY_JSON to also time 7 changes of every control and write them there (`make bench`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import nbformat
import pytest
from browser_latency import REDRAW_MS, Entry, LatencyLog, timed_change, timed_drag
from explorers import scratch_sources
from jlab import clear_all, open_notebook, run_all

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SENTENCE = "고양이가 매트 위에 앉았다 and the dog sat"
SHOTS = Path(os.environ["SCREENSHOTS_DIR"]) if os.environ.get("SCREENSHOTS_DIR") else None
LATENCY_JSON = Path(os.environ["LATENCY_JSON"]) if os.environ.get("LATENCY_JSON") else None
REPEATS = 7
CONTROL_SELECTORS = (
    ("dropdown", "select"),
    ("checkbox", "input[type=checkbox]"),
    ("text", ".widget-text input[type=text]"),
    ("slider", ".widget-slider .noUi-handle"),
    ("button", "button.jupyter-button:not(.widget-toggle-button)"),
    ("toggle", "button.widget-toggle-button"),
)
# A control's name as the reader sees it: its description, or a button's text.
LABEL_JS = """el => {
  const box = el.closest('.widget-inline-hbox') || el;
  const labels = Array.from(box.querySelectorAll('.widget-label-basic, .widget-label'));
  const names = [...labels, el].map(l => l.textContent.replace(/\\u200b/g, '').trim());
  return names.find(name => name) || '';
}"""


@pytest.fixture(scope="module")
def latency_log() -> Iterator[LatencyLog]:
    log = LatencyLog()
    yield log
    if LATENCY_JSON and log.entries:
        log.write(LATENCY_JSON)


def _widget_outputs(page: object, expected: int) -> list:
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


def _controls(widget: object) -> list[tuple[str, object]]:
    """("kind i", locator) for every control, kinds in a fixed order (the screenshots' names)."""
    found = []
    for kind, selector in CONTROL_SELECTORS:
        loc = widget.locator(selector)
        found += [(f"{kind} {i}", loc.nth(i)) for i in range(loc.count())]
    return found


def _at_max(slider: object) -> bool:
    return float(slider.get_attribute("aria-valuenow")) >= float(
        slider.get_attribute("aria-valuemax")
    )


def _change(widget: object, kind: str, control: object, text: str = SENTENCE) -> float | None:
    """Change one control of `widget` as a reader would; return the ms until the new image loaded
    (None: the image did not change).

    Dropdowns take the next option, text boxes `text` then Enter, sliders jump to the end (to the
    start if already there), checkboxes and buttons are clicked.
    """
    if kind.startswith("dropdown"):
        index = (control.evaluate("el => el.selectedIndex") + 1) % control.locator("option").count()
        return timed_change(widget, lambda: control.select_option(index=index))
    if kind.startswith("text"):
        control.fill(text)
        return timed_change(widget, lambda: control.press("Enter"))
    if kind.startswith("slider"):
        key = "Home" if _at_max(control) else "End"
        return timed_change(widget, lambda: control.press(key))
    return timed_change(widget, control.click)


def _there_and_back(kind: str, control: object) -> tuple[Callable, Callable]:
    """Two actions: to a neighbouring state of the control (the next option, one slider step,
    the other checkbox state) and back."""
    if kind.startswith("dropdown"):
        here = control.evaluate("el => el.selectedIndex")
        there = here + 1 if here + 1 < control.locator("option").count() else here - 1
        return (
            lambda: control.select_option(index=there),
            lambda: control.select_option(index=here),
        )
    if kind.startswith("slider"):
        keys = ("ArrowLeft", "ArrowRight") if _at_max(control) else ("ArrowRight", "ArrowLeft")
        return (lambda: control.press(keys[0]), lambda: control.press(keys[1]))
    return control.click, control.click


def _variants(value: str) -> list[str]:
    """REPEATS new texts from the words of `value` (its characters, if one word): its rotations,
    then its reversed rotations."""
    parts, sep = (value.split(), " ") if len(value.split()) > 1 else (list(value), "")
    turns = [parts[k:] + parts[:k] for k in range(len(parts))]
    candidates = [sep.join(t) for t in turns[1:] + [t[::-1] for t in turns]]
    return list(dict.fromkeys(c for c in candidates if c != value))[:REPEATS]


def _samples(widget: object, controls: list, texts: dict[str, str]) -> dict[str, list[float]]:
    """REPEATS timed changes per control, each control left as it was found (one more change back),
    so that the next is measured with the others as they were. Text boxes get REPEATS new texts;
    buttons take turns (next, reset, next, …), as a reset pressed twice draws nothing new."""
    samples: dict[str, list] = {}
    for kind, control in controls:
        if kind in texts:
            samples[kind] = [_change(widget, kind, control, t) for t in _variants(texts[kind])]
        elif kind.startswith("dropdown") and control.locator("option").count() < 2:
            continue  # nowhere to move
        elif not kind.startswith("button"):
            moves = _there_and_back(kind, control)
            changes = [timed_change(widget, moves[i % 2]) for i in range(REPEATS + REPEATS % 2)]
            samples[kind] = changes[:REPEATS]
    buttons = [(kind, c) for kind, c in controls if kind.startswith("button")]
    for _ in range(REPEATS):
        for kind, button in buttons:
            samples.setdefault(kind, []).append(timed_change(widget, button.click))
    return {kind: [ms for ms in values if ms is not None] for kind, values in samples.items()}


def _images(widget: object) -> list[bytes]:
    imgs = widget.locator("img")
    return [imgs.nth(i).screenshot() for i in range(imgs.count())]


def _shoot(widget: object, name: str) -> None:
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.screenshot(path=SHOTS / f"{name}.png")


def _run_explorers(page: object, name: str) -> list:
    """Run the open scratch notebook from the top; return its explorers' output areas."""
    state = run_all(page)
    assert state["errors"] == [], f"{name}: cells raised errors (a missing `explorer-setup` tag?)"
    assert state["pending"] == 0, f"{name}: {state['pending']} cells did not run"
    return _widget_outputs(page, state["widgets"])


def _measure(log: LatencyLog, stem: str, widgets: list) -> None:
    """Time REPEATS changes of every control of every explorer (fresh, in its default state),
    then REPEATS mouse drags of each slider (`timed_drag`)."""
    for w, widget in enumerate(widgets):
        widget.scroll_into_view_if_needed()
        controls = _controls(widget)
        texts = {kind: c.input_value() for kind, c in controls if kind.startswith("text")}
        labels = {kind: c.evaluate(LABEL_JS) for kind, c in controls}
        for kind, samples in _samples(widget, controls, texts).items():
            category = "sentence" if kind in texts else "control"
            load = list(os.getloadavg())
            log.add(Entry(f"{stem} #{w}", kind, labels[kind], category, samples, load))
        for kind, handle in controls:
            if kind.startswith("slider"):
                # Across the whole track and back: a first drag to the far end (untimed: from
                # the middle it is shorter), then REPEATS timed ones, alternating.
                leftwards = _at_max(handle)
                drags = [timed_drag(widget, handle, leftwards != (i % 2 == 1)) for i in range(8)]
                lags, frames = zip(*drags[1:], strict=True)
                load = list(os.getloadavg())
                log.add(Entry(f"{stem} #{w}", kind, labels[kind], "drag", [*lags], load, [*frames]))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_control_redraws(page, lab, latency_log: LatencyLog, name: str) -> None:
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    open_notebook(
        page, lab.notebook_url(lab.write_notebook(f"scratch_{name}", scratch_sources(nb)))
    )
    widgets = _run_explorers(page, name)
    assert widgets, f"{name}: no widget with a figure was displayed"
    stem = name.removesuffix(".ipynb")
    for w, widget in enumerate(widgets):
        widget.scroll_into_view_if_needed()
        controls = _controls(widget)
        assert controls, f"{name}: widget {w} has no control"
        _shoot(widget, f"{stem}_widget{w}_default")
        pixels = _images(widget)
        for kind, control in controls:
            assert _change(widget, kind, control) is not None, f"{name}: {kind} drew nothing new"
            before, pixels = pixels, _images(widget)  # after this control: before the next one
            assert pixels != before, f"{name}: {kind} did not change the figure"
            _shoot(widget, f"{stem}_widget{w}_{kind.replace(' ', '_')}")
    if LATENCY_JSON:
        clear_all(page)
        _measure(latency_log, stem, _run_explorers(page, name))
