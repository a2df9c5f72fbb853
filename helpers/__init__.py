"""Shared helpers for the Transformer notebooks: the canonical, tested version of every block.

Each concept is taught by hand in its notebook; the notebook then asserts that its hand-made version
equals the one here, and later notebooks import it from here.
"""

from helpers.attention import (
    MultiHeadAttention,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
)
from helpers.blocks import DecoderBlock, EncoderBlock, FeedForward
from helpers.decoding import greedy_decode
from helpers.notebook import setup_notebook
from helpers.positional import sinusoidal_positional_encoding
from helpers.text import SENTENCE, TOKENS, tokenize, toy_projections, word_vectors
from helpers.transformer import Decoder, Encoder, Transformer
from helpers.translator import translate

__all__ = [
    "SENTENCE",
    "TOKENS",
    "Decoder",
    "DecoderBlock",
    "Encoder",
    "EncoderBlock",
    "FeedForward",
    "MultiHeadAttention",
    "Transformer",
    "causal_mask",
    "padding_mask",
    "scaled_dot_product_attention",
    "setup_notebook",
    "sinusoidal_positional_encoding",
    "tokenize",
    "toy_projections",
    "translate",
    "greedy_decode",
    "word_vectors",
]
