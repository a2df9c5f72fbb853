"""The shipped English → Korean translator of notebook 08, loaded from its checkpoint, and
`translate`: what `helpers.translate` and the explorers of notebooks 05 and 06 use.

The checkpoint (`nb08_train_a_translator/translator.pt`, package data) holds the weights, the
config and both vocabularies, so this module needs no grammar: the words it can read are the
English vocabulary's. It is made by one command, `python -m helpers.nb08_train_a_translator.train`.
Nothing is loaded until first use (`import helpers` stays light).
Taught in 08_train_a_translator.ipynb.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch

from helpers.beam import beam_search
from helpers.decoding import greedy_decode
from helpers.text import BOS_ID, EOS_ID, SPECIAL_TOKENS, Vocabulary, tokenize
from helpers.training import TrainConfig, build_model, load_model, one_thread
from helpers.transformer import Transformer

__all__ = [
    "CHECKPOINT",
    "MAX_INPUT_WORDS",
    "MAX_OUTPUT_TOKENS",
    "POSITIONS",
    "Translator",
    "check_english",
    "detokenize",
    "load_translator",
    "shipped_translator",
    "translate",
]

CHECKPOINT = Path(__file__).resolve().parent / "nb08_train_a_translator" / "translator.pt"
POSITIONS = 32  # the positional table: room for inputs longer than any seen in training (11 words)
MAX_INPUT_WORDS = 20  # about twice the longest training sentence (11 words); 32 positions
MAX_OUTPUT_TOKENS = 24  # the longest Korean sentence of the grammar has 8 words


@dataclass(frozen=True)
class Translator:
    """A trained translator: the model (eval mode), its vocabularies and its checkpoint's record
    (config, loss of every step, held-out accuracy history, split seed)."""

    model: Transformer
    english: Vocabulary
    korean: Vocabulary
    record: dict

    @property
    def known_words(self) -> tuple[str, ...]:
        """The English words the translator can read (its vocabulary without the specials)."""
        return tuple(self.english.tokens[len(SPECIAL_TOKENS) :])


def load_translator(path: Path = CHECKPOINT) -> Translator:
    """A checkpoint's translator: float32 weights in eval mode, its vocabularies, its record."""

    def build(record: dict) -> Transformer:
        sizes = len(record["english_vocab"]), len(record["korean_vocab"])
        return build_model(TrainConfig(**record["config"]), *sizes, max_len=POSITIONS)

    model, record = load_model(path, build)
    # the vocabularies are stored with the specials first: kept as they are
    english, korean = Vocabulary(record["english_vocab"]), Vocabulary(record["korean_vocab"])
    return Translator(model, english, korean, record)


@lru_cache(maxsize=1)
def shipped_translator() -> Translator:
    """The shipped checkpoint's translator, loaded once (shared: do not train it further)."""
    return load_translator()


def detokenize(ids: Sequence[int] | torch.Tensor, korean: Vocabulary | None = None) -> str:
    """Korean text from target ids: the words up to `<eos>`, spaces between, then the period.

    E.g. the ids of <bos> 고양이가 매트 위에 앉았다 <eos> -> "고양이가 매트 위에 앉았다."
    """
    korean = shipped_translator().korean if korean is None else korean
    words = []
    for token in korean.decode(ids):
        if token == "<eos>":
            break
        if token not in ("<bos>", "<pad>"):
            words.append(token)
    return " ".join(words) + "."


def check_english(text: str, known: Sequence[str] | None = None) -> list[str]:
    """The lower-cased words of `text`, or a ValueError a reader can act on.

    Case and punctuation are ignored ("the cat sat on the mat" = "The cat sat on the mat!").
    Raises ValueError for a non-string, an empty sentence, more than MAX_INPUT_WORDS words, or
    words the translator never saw (the message names them and lists every known word).
    """
    known = shipped_translator().known_words if known is None else known
    if not isinstance(text, str):
        raise ValueError(f"translate needs a string, got {type(text).__name__}")
    words = [w.lower() for w in tokenize(text)]
    if not words:
        raise ValueError('Type an English sentence, e.g. "The cat sat on the mat."')
    if len(words) > MAX_INPUT_WORDS:
        raise ValueError(
            f"That is {len(words)} words; the translator reads at most {MAX_INPUT_WORDS} "
            "(it was trained on sentences of 3 to 11 words)."
        )
    unknown = list(dict.fromkeys(w for w in words if w not in known))
    if unknown:
        raise ValueError(
            f"The translator does not know {', '.join(map(repr, unknown))}. "
            f"It knows these {len(known)} words: {', '.join(known)}."
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
    translator = shipped_translator()
    src = translator.english.encode(" ".join(words))  # (1, S)
    with one_thread():
        if beam_size == 1:
            result = greedy_decode(
                translator.model, src, BOS_ID, EOS_ID, MAX_OUTPUT_TOKENS, use_cache=True
            )
            best = result.tokens[0]  # (1 + N,)
        else:
            beam = beam_search(translator.model, src, BOS_ID, EOS_ID, MAX_OUTPUT_TOKENS, beam_size)
            best = beam.tokens[0, 0]  # (1 + N,)
    return detokenize(best, translator.korean)
