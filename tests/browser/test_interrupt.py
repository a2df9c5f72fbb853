"""An interrupted browser run leaves nothing behind.

A pytest run of its own starts the server, Chromium and a kernel (a probe test that then sleeps);
once they are up it is stopped as `make test` would be: SIGTERM to pytest (what `make` forwards
when a time limit ends it), or SIGINT to its whole process group (Ctrl-C in a terminal). Every
process of that run carries a marker in its environment; afterwards none may be left.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the run's processes in /proc"),
]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MARKER = "BROWSER_TEST_RUN"
START_S = 240
STOP_S = 60
PROBE = """
import os
import time
from pathlib import Path

from jlab import open_notebook


def test_probe(lab, page):
    open_notebook(page, lab.notebook_url(lab.write_notebook("probe.ipynb", ["1 + 1"])))
    Path(os.environ["BROWSER_PROBE_READY"]).touch()
    time.sleep(600)
"""


def _processes(marker: str) -> dict[int, str]:
    """pid → command line of every live process whose environment holds MARKER=marker."""
    found = {}
    needle = f"{MARKER}={marker}".encode()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if needle in (proc / "environ").read_bytes().split(b"\0"):
                found[int(proc.name)] = (
                    (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                )
        except OSError:
            pass  # gone, or not ours to read
    return found


def _start_probe(tmp_path: Path, marker: str) -> tuple[subprocess.Popen, Path]:
    """A pytest run, in a process group of its own, whose probe test holds the fixtures open."""
    probe, ready = tmp_path / "test_probe.py", tmp_path / "ready"
    probe.write_text(PROBE)
    path = os.pathsep.join([str(HERE), str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = os.environ | {MARKER: marker, "BROWSER_PROBE_READY": str(ready), "PYTHONPATH": path}
    cmd = [sys.executable, "-m", "pytest", "-p", "conftest", "-c", str(ROOT / "pyproject.toml")]
    cmd += ["--rootdir", str(ROOT), "-q", str(probe)]
    log = (tmp_path / "probe.log").open("w")
    run = subprocess.Popen(
        cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    return run, ready


def _wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.parametrize("signal_to", ["SIGTERM to pytest", "SIGINT to its process group"])
def test_an_interrupted_run_leaves_nothing_behind(tmp_path: Path, signal_to: str) -> None:
    marker = secrets.token_hex(8)
    run, ready = _start_probe(tmp_path, marker)
    try:
        up = _wait_for(lambda: ready.exists() or run.poll() is not None, START_S)
        assert up and ready.exists(), (tmp_path / "probe.log").read_text()[-3000:]
        started = " ".join(_processes(marker).values())
        for part in ("jupyter", "ipykernel", "chromium"):
            assert part in started, f"no {part} process among {started!r}"
        if signal_to.startswith("SIGTERM"):
            os.kill(run.pid, signal.SIGTERM)
        else:
            os.killpg(run.pid, signal.SIGINT)
        run.wait(timeout=STOP_S)
        _wait_for(lambda: not _processes(marker), 10)
        assert _processes(marker) == {}, (tmp_path / "probe.log").read_text()[-3000:]
    finally:
        for pid in _processes(marker):
            os.kill(pid, signal.SIGKILL)
        run.kill()
