"""`translate`: English → Korean with the shipped translator, greedy or beam search.

The code lives in the core (`helpers.translator`, so that `helpers.translate` and the explorers
of notebooks 05 and 06 can use the shipped checkpoint); this module names it for notebook 08,
with the grammar's words.
Taught in 08_train_a_translator.ipynb.
"""

from __future__ import annotations

from helpers.nb08_train_a_translator.data import ENGLISH_VOCAB
from helpers.text import SPECIAL_TOKENS
from helpers.translator import (
    MAX_INPUT_WORDS,
    MAX_OUTPUT_TOKENS,
    check_english,
    translate,
)

__all__ = ["KNOWN_WORDS", "MAX_INPUT_WORDS", "MAX_OUTPUT_TOKENS", "check_english", "translate"]

KNOWN_WORDS = tuple(ENGLISH_VOCAB.tokens[len(SPECIAL_TOKENS) :])  # what the translator can read
