"""One call at the top of every notebook: seeds, print precision, plot style."""

from __future__ import annotations

import random

import numpy as np
import torch

__all__ = ["setup_notebook"]


def setup_notebook(seed: int = 0) -> None:
    """Seed every generator, print 4 decimals, and set the series' plot style (Hangul included)."""
    from helpers.plots import use_style  # matplotlib is needed only by notebooks and plots

    random.seed(seed)
    torch.manual_seed(seed)
    np.set_printoptions(precision=4, suppress=True)
    torch.set_printoptions(precision=4, sci_mode=False)
    use_style()
