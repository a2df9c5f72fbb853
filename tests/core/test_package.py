"""The package's public surface and import rules."""

import subprocess
import sys

import helpers


def test_import_helpers_stays_headless():
    """`import helpers` must not pull in ipywidgets (tests and scripts run without a frontend)."""
    code = "import sys, helpers; print('ipywidgets' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_public_api_is_exported():
    for name in helpers.__all__:
        assert getattr(helpers, name) is not None
    assert {
        "scaled_dot_product_attention",
        "causal_mask",
        "MultiHeadAttention",
        "EncoderBlock",
        "DecoderBlock",
        "sinusoidal_positional_encoding",
        "setup_notebook",
    } <= set(helpers.__all__)
