"""`translate`: English → Korean with the shipped translator, greedy or beam search.

Taught in 08_train_a_translator.ipynb.
"""

from __future__ import annotations

from helpers.beam import beam_search
from helpers.decoding import greedy_decode
from helpers.nb08_train_a_translator.data import ENGLISH_VOCAB, detokenize, english_words
from helpers.nb08_train_a_translator.train import translator
from helpers.text import BOS_ID, EOS_ID, SPECIAL_TOKENS
from helpers.training import one_thread

__all__ = ["KNOWN_WORDS", "MAX_INPUT_WORDS", "MAX_OUTPUT_TOKENS", "check_english", "translate"]

KNOWN_WORDS = tuple(ENGLISH_VOCAB.tokens[len(SPECIAL_TOKENS) :])  # what the translator can read
MAX_INPUT_WORDS = 20  # about twice the longest training sentence (11 words); 32 positions
MAX_OUTPUT_TOKENS = 24  # the longest Korean sentence of the grammar has 8 words


def check_english(text: str) -> list[str]:
    """The lower-cased words of `text`, or a ValueError a reader can act on.

    Case and punctuation are ignored ("the cat sat on the mat" = "The cat sat on the mat!").
    Raises ValueError for a non-string, an empty sentence, more than MAX_INPUT_WORDS words, or
    words the translator never saw (the message names them and lists every known word).
    """
    if not isinstance(text, str):
        raise ValueError(f"translate needs a string, got {type(text).__name__}")
    words = english_words(text)
    if not words:
        raise ValueError('Type an English sentence, e.g. "The cat sat on the mat."')
    if len(words) > MAX_INPUT_WORDS:
        raise ValueError(
            f"That is {len(words)} words; the translator reads at most {MAX_INPUT_WORDS} "
            "(it was trained on sentences of 3 to 11 words)."
        )
    unknown = list(dict.fromkeys(w for w in words if w not in KNOWN_WORDS))
    if unknown:
        raise ValueError(
            f"The translator does not know {', '.join(map(repr, unknown))}. "
            f"It knows these {len(KNOWN_WORDS)} words: {', '.join(KNOWN_WORDS)}."
        )
    return words


def translate(text: str, beam_size: int = 1) -> str:
    """Translate an English sentence of the grammar into Korean with the shipped checkpoint.

    beam_size=1 is greedy decoding (`greedy_decode`); a wider beam uses `beam_search` and returns
    its most probable hypothesis. E.g. translate("The cat sat on the mat.") ->
    "고양이가 매트 위에 앉았다." Raises ValueError as `check_english`, and for beam_size < 1.
    Taught in 08_train_a_translator.ipynb.
    """
    if isinstance(beam_size, bool) or not isinstance(beam_size, int) or beam_size < 1:
        raise ValueError(f"beam_size must be a positive integer, got {beam_size!r}")
    words = check_english(text)
    src = ENGLISH_VOCAB.encode(" ".join(words))  # (1, S)
    model = translator()
    with one_thread():
        if beam_size == 1:
            tokens = greedy_decode(model, src, BOS_ID, EOS_ID, MAX_OUTPUT_TOKENS, use_cache=True)
            best = tokens.tokens[0]  # (1 + N,)
        else:
            best = beam_search(model, src, BOS_ID, EOS_ID, MAX_OUTPUT_TOKENS, beam_size).tokens[
                0, 0
            ]
    return detokenize(best)
