"""End-to-end latency of an explorer control in the browser, and the table of a run's medians.

A timed change runs from the input event (key, mouse button or `change`, whichever comes first,
seen in the page) until the widget's new image has loaded (its `load` event). A change that leaves
the image as it was is reported as None once the kernel has been idle for a moment. A timed drag
moves a slider's handle across its track in about a second and reports how many new pictures the
reader saw while dragging (a live slider: several; one that updates on release: none) and how
long after the release the last one loaded.

    python tests/browser/browser_latency.py LATENCY_JSON   # prints the table of a run
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

REDRAW_MS = 30_000
QUIET_MS = 1_000  # kernel idle this long and no new image: the change drew nothing new

# Arms a probe on the widget's root element: the time of the first input event, the time the
# first image with a new `src` loaded, and when the kernel went idle after being busy.
ARM_JS = """root => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const probe = {t0: null, t1: null, idleAt: null, busy: false,
                 before: new Set(Array.from(root.querySelectorAll('img')).map(i => i.src))};
  const start = () => { if (probe.t0 === null) probe.t0 = performance.now(); };
  const loaded = e => {
    if (e.target.tagName === 'IMG' && !probe.before.has(e.target.src) && probe.t1 === null)
      probe.t1 = performance.now();
  };
  const status = (_, s) => {
    if (s === 'busy') { probe.busy = true; probe.idleAt = null; }
    else if (s === 'idle' && probe.busy) probe.idleAt = performance.now();
  };
  const events = ['keydown', 'mousedown', 'change'];
  events.forEach(type => root.addEventListener(type, start, true));
  root.addEventListener('load', loaded, true);
  kernel.statusChanged.connect(status);
  probe.disarm = () => {
    events.forEach(type => root.removeEventListener(type, start, true));
    root.removeEventListener('load', loaded, true);
    kernel.statusChanged.disconnect(status);
  };
  root.__probe = probe;
}"""

SETTLED_JS = f"""root => {{
  const p = root.__probe, imgs = Array.from(root.querySelectorAll('img'));
  if (imgs.some(img => !p.before.has(img.src))) return p.t1 !== null && imgs.every(i => i.complete);
  return p.idleAt !== null && performance.now() - p.idleAt > {QUIET_MS};
}}"""

RESULT_JS = """root => {
  const p = root.__probe;
  p.disarm();
  return {t0: p.t0, t1: p.t1};
}"""


def timed_change(widget: object, act: Callable[[], None]) -> float | None:
    """Do `act` on the widget (a Playwright locator); return ms until its new image loaded, or
    None when the image did not change."""
    widget.evaluate(ARM_JS)
    act()
    widget.page.wait_for_function(SETTLED_JS, arg=widget.element_handle(), timeout=REDRAW_MS)
    times = widget.evaluate(RESULT_JS)
    if times["t1"] is None:
        return None
    assert times["t0"] is not None, "no input event was seen before the image changed"
    return times["t1"] - times["t0"]


# Counts every new image a widget shows during a drag, with the time each one loaded.
ARM_DRAG_JS = """root => {
  const srcs = Array.from(root.querySelectorAll('img')).map(i => i.src);
  const probe = {loads: [], seen: new Set(srcs)};
  const loaded = e => {
    if (e.target.tagName === 'IMG' && !probe.seen.has(e.target.src)) {
      probe.seen.add(e.target.src);
      probe.loads.push(performance.now());
    }
  };
  root.addEventListener('load', loaded, true);
  probe.disarm = () => root.removeEventListener('load', loaded, true);
  root.__drag = probe;
}"""
DRAG_MOVES = 20  # mouse moves, DRAG_PAUSE_MS apart: a drag of about one second
DRAG_PAUSE_MS = 50


def timed_drag(widget: object, handle: object, leftwards: bool) -> tuple[float, int]:
    """Drag a slider's handle with the mouse across its track (about one second, as a reader
    would); return (ms from the release until the last new image loaded, or 0 if it had already;
    how many new images were shown before the release)."""
    page = widget.page
    track = handle.locator("xpath=ancestor::*[contains(@class, 'noUi-target')][1]").bounding_box()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    end = track["x"] if leftwards else track["x"] + track["width"]
    widget.evaluate(ARM_DRAG_JS)
    page.mouse.move(x, y)
    page.mouse.down()
    for k in range(1, DRAG_MOVES + 1):
        page.mouse.move(x + (end - x) * k / DRAG_MOVES, y)
        page.wait_for_timeout(DRAG_PAUSE_MS)
    released = page.evaluate("() => performance.now()")
    page.mouse.up()
    page.wait_for_function(
        """root => { const panel = window.jupyterapp.shell.currentWidget;
            return panel.sessionContext.session.kernel.status === 'idle'
                && Array.from(root.querySelectorAll('img')).every(i => i.complete); }""",
        arg=widget.element_handle(),
        timeout=REDRAW_MS,
    )
    page.wait_for_timeout(QUIET_MS)  # any image still on its way arrives
    loads = widget.evaluate("root => { root.__drag.disarm(); return root.__drag.loads; }")
    during = sum(t <= released for t in loads)
    return max(max(loads, default=released) - released, 0.0), during


@dataclass
class Entry:
    """The latencies of one control: `category` is "control", "sentence" for a text box, or
    "drag" for a slider dragged with the mouse (`samples_ms`: the lag after the release)."""

    explorer: str  # "<notebook stem> #<widget index>"
    control: str
    label: str
    category: str
    samples_ms: list[float]
    load_average: list[float]
    frames: list[int] = field(default_factory=list)  # drags: new images shown while dragging

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.samples_ms) if self.samples_ms else None


@dataclass
class LatencyLog:
    """Every measured control of a run, written as JSON with the machine's load average."""

    entries: list[Entry] = field(default_factory=list)
    load_average_start: list[float] = field(default_factory=lambda: list(os.getloadavg()))

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)

    def write(self, path: Path) -> None:
        data = {
            "what": "ms from the input event until the new image has loaded, in JupyterLab "
            "in headless Chromium",
            "date": time.strftime("%Y-%m-%d %H:%M:%S"),
            "cpus": os.cpu_count(),
            "load_average_start": self.load_average_start,
            "load_average_end": list(os.getloadavg()),
            "entries": [asdict(e) | {"median_ms": e.median_ms} for e in self.entries],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def _ms(value: float | None) -> str:
    return "no redraw" if value is None else f"{value:.0f}"


def table(data: dict) -> str:
    """A Markdown table of a run's medians (one row per control), with its load averages."""
    loads = [
        " ".join(f"{x:.2f}" for x in data[k]) for k in ("load_average_start", "load_average_end")
    ]
    lines = [
        f"Browser latency ({data['what']}), {data['date']}, {data['cpus']} CPUs, "
        f"load average {loads[0]} at the start, {loads[1]} at the end.",
        "",
        "| explorer | control | kind | median ms | of | load (1 min) |",
        "|---|---|---|---:|---:|---:|",
    ]
    for e in data["entries"]:
        control = f"{e['label']} ({e['control']})" if e["label"] else e["control"]
        kind = e["category"]
        if e.get("frames"):
            kind += f": {statistics.median(e['frames']):.0f} pictures while dragging (median)"
        lines.append(
            f"| {e['explorer']} | {control} | {kind} | {_ms(e['median_ms'])} | "
            f"{len(e['samples_ms'])} | {e['load_average'][0]:.2f} |"
        )
    lines += [
        "",
        "Kinds: *control* and *sentence*, from the input event to the new image; *drag*, a "
        "one-second mouse drag of a slider across its track, from the release to the last new "
        "image (0: it had already arrived), with how many new pictures were shown during the drag.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: python {sys.argv[0]} LATENCY_JSON")
    print(table(json.loads(Path(sys.argv[1]).read_text())))
