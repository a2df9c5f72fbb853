"""One JupyterLab server and one headless Chromium for the whole browser suite.

The server runs on 127.0.0.1 with a random token, on a scratch copy of notebooks/ and with fresh
settings and workspaces (no restored tabs). It runs in a session of its own; every kernel it starts
runs in another (jupyter_client's choice). At the end of the session, also after a failure, Ctrl-C
or SIGTERM, the server's group and every kernel's group are ended; Playwright ends Chromium's group.
Without Chromium every browser test is skipped, loudly.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Flags for a headless, sandboxed machine with a closed network (see the README's maintainer notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_S = 120
SERVER_STOP_S = 15
SKIP_REASON = "browser tests SKIPPED: no Chromium found (install Debian's `chromium` to run them)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip every test marked `browser` when Chromium is missing."""
    if CHROMIUM:
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CHROMIUM:
        terminalreporter.write_line(
            "NOTE: the browser tests were SKIPPED: Chromium is not installed.", yellow=True
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """The running server: where it listens and the folder it serves."""

    url: str
    token: str
    root: Path

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"

    def write_notebook(self, name: str, sources: list[str]) -> str:
        """Save a notebook of these code cells in the served folder; return its name."""
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nbformat.write(nb, self.root / name)
        return name


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(
        f"jupyter lab did not answer within {SERVER_START_S} s:\n{log.read_text()[-3000:]}"
    )


def _lab_env(home: Path) -> dict[str, str]:
    """The environment of a server with fresh config, runtime, settings and workspaces."""
    env = dict(os.environ)
    for var, sub in (
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
    ):
        env[var] = str(home / sub)
    # No "Would you like to get notified about Jupyter news?" toast over the widgets.
    notification = home / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    return env


def _lab_command(port: int, token: str, root: Path) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--ServerApp.port_retries=0",
    ]
    if hasattr(os, "getuid") and os.getuid() == 0:
        cmd.append("--allow-root")
    return cmd


def _children(pid: int) -> list[int]:
    """The process ids whose parent is `pid` (`ps` works on Linux and macOS). Without `ps`, none:
    the server's own shutdown on SIGTERM still ends its kernels."""
    try:
        table = subprocess.run(
            ["ps", "-A", "-o", "pid=", "-o", "ppid="], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    rows = (line.split() for line in table.splitlines())
    return [int(child) for child, parent in rows if int(parent) == pid]


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass  # already gone


def stop_server(proc: subprocess.Popen) -> None:
    """End the server and its kernels: SIGTERM (the server shuts its kernels down), then SIGKILL.

    The server leads its own process group; each kernel leads one too (its pid is its group id).
    """
    kernels = _children(proc.pid)
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=SERVER_STOP_S)
    except subprocess.TimeoutExpired:
        pass
    for group in (proc.pid, *kernels):
        _signal_group(group, signal.SIGKILL)
    proc.wait(timeout=SERVER_STOP_S)


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A JupyterLab server on a scratch copy of notebooks/, stopped with all its kernels."""
    home = tmp_path_factory.mktemp("lab")
    root = home / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    port, token = _free_port(), secrets.token_hex(16)
    log = home / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            _lab_command(port, token, root),
            env=_lab_env(home),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{url}/api/status?token={token}", proc, log)
        yield Lab(url, token, root)
    finally:
        stop_server(proc)


@pytest.fixture(scope="session")
def browser(lab: Lab) -> Iterator[object]:
    """Headless Chromium, launched by Playwright in a process group that Playwright ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh browser context and page, with the window size of a laptop."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
