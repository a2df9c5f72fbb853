"""pytest plugin, loaded by every run (pyproject.toml's addopts): SIGTERM stops a run cleanly.

SIGTERM becomes KeyboardInterrupt, so pytest tears every fixture down as after Ctrl-C: the kernels
(nbval's, the browser tests') and the JupyterLab server and browser stop with it
(tests/browser/test_interrupt.py shows it). A second SIGTERM ends the process at once.
"""

import signal
from types import FrameType

import pytest


def _interrupt_on_sigterm(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the next SIGTERM: the default action
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config: pytest.Config) -> None:
    signal.signal(signal.SIGTERM, _interrupt_on_sigterm)
