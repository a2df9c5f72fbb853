"""Notebook 06's demo: the running example's toy vocabularies, an untrained Transformer for them."""

from __future__ import annotations

import torch

from helpers.text import KOREAN_TOKENS, TOKENS, Vocabulary
from helpers.transformer import Transformer

__all__ = ["DEMO_SIZES", "SOURCE_VOCAB", "TARGET_VOCAB", "demo_transformer"]


# The demo vocabularies of notebook 06: the running sentence and a few words it could have used.
SOURCE_VOCAB = Vocabulary([*TOKENS, "dog", "sofa", "slept", "under"])


TARGET_VOCAB = Vocabulary([*KOREAN_TOKENS, "개가", "소파", "아래에", "잤다"])


DEMO_SIZES = {"d_model": 64, "n_heads": 4, "d_ff": 256, "n_layers": 2}


def demo_transformer(seed: int = 0) -> Transformer:
    """An untrained Transformer for the demo vocabularies of `helpers.text` (English → Korean).

    The paper's architecture at toy size (`DEMO_SIZES`: d_model 64, 4 heads, d_ff 256, 2 + 2
    blocks), seeded, in eval mode: it runs in milliseconds, and what it says is nonsense.
    Taught in 06_decoder_and_transformer.ipynb.
    """
    with torch.random.fork_rng(devices=[]):  # seeded weights, the caller's RNG left untouched
        torch.manual_seed(seed)
        model = Transformer(len(SOURCE_VOCAB), len(TARGET_VOCAB), max_len=64, **DEMO_SIZES)
    return model.eval()
