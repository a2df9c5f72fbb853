"""BERT's WordPiece tokeniser: basic tokenisation (lower-casing, accent stripping, punctuation
split), then greedy longest-match-first into the vocabulary's pieces, `[UNK]` for the rest.

Taught in 09_real_bert.ipynb.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

__all__ = [
    "SPECIAL_TOKENS",
    "Encoding",
    "WordPiece",
]

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


@dataclass(frozen=True)
class Encoding:
    """A text as the model reads it: its pieces with [CLS] and [SEP], their ids, and how many
    pieces truncation dropped. Shapes: ids `(T,)`."""

    tokens: list[str]
    ids: Tensor
    dropped: int = 0


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)  # BERT counts every non-letter, non-digit ASCII symbol as punctuation ("$", "^")
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk_ideograph(cp: int) -> bool:
    """Chinese characters (also used in Japanese and Korean Hanja), but not Hangul or kana."""
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


class WordPiece:
    """BERT's tokeniser: basic tokenisation, then greedy longest-match-first WordPiece.

    Basic: drop control characters, put spaces around Chinese characters, lower-case, strip
    accents (Unicode NFD, drop the combining marks), split off every punctuation mark, split on
    white space. WordPiece: cut each word into the longest vocabulary piece from its start, then
    the longest "##" continuation, and so on; a word that cannot be cut (or is over
    `max_chars_per_word` long) becomes "[UNK]".

    Args: vocab: the pieces in id order (line n of vocab.txt has id n).
    Taught in 09_real_bert.ipynb.
    """

    def __init__(
        self, vocab: Sequence[str], lowercase: bool = True, max_chars_per_word: int = 100
    ) -> None:
        self.id_to_token = list(vocab)
        self.vocab = {token: i for i, token in enumerate(self.id_to_token)}
        missing = [t for t in SPECIAL_TOKENS if t not in self.vocab]
        if missing:
            raise ValueError(f"the vocabulary lacks the special tokens {missing}")
        self.lowercase, self.max_chars_per_word = lowercase, max_chars_per_word

    @classmethod
    def from_file(cls, path: str | Path) -> WordPiece:
        """Read `vocab.txt`: one piece per line, the line number is its id."""
        return cls(Path(path).read_text(encoding="utf-8").splitlines())

    def basic_tokenize(self, text: str) -> list[str]:
        """Lower-cased, accent-stripped words and punctuation marks, before WordPiece."""
        if not isinstance(text, str):
            raise ValueError(f"text must be a string, got {type(text).__name__}")
        chars = []
        for ch in text:
            cp = ord(ch)
            if (
                cp == 0
                or cp == 0xFFFD
                or (unicodedata.category(ch).startswith("C") and ch not in "\t\n\r")
            ):
                continue
            if _is_cjk_ideograph(cp):
                chars.append(f" {ch} ")
            else:
                chars.append(" " if ch.isspace() else ch)
        words = []
        for word in unicodedata.normalize("NFC", "".join(chars)).split():
            if self.lowercase:
                word = word.lower()
                decomposed = unicodedata.normalize("NFD", word)
                word = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
            piece = ""
            for ch in word:
                if _is_punctuation(ch):
                    words += [piece, ch] if piece else [ch]
                    piece = ""
                else:
                    piece += ch
            if piece:
                words.append(piece)
        return words

    def wordpiece(self, word: str) -> list[str]:
        """Greedy longest-match-first: the pieces of one word, or ["[UNK]"]."""
        if len(word) > self.max_chars_per_word:
            return ["[UNK]"]
        pieces, start = [], 0
        while start < len(word):
            for end in range(len(word), start, -1):
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    break
            else:
                return ["[UNK]"]  # no piece fits here: the whole word is unknown
            pieces.append(piece)
            start = end
        return pieces

    def tokenize(self, text: str) -> list[str]:
        """All pieces of a text, without [CLS] and [SEP]."""
        return [piece for word in self.basic_tokenize(text) for piece in self.wordpiece(word)]

    def encode(self, text: str, max_positions: int = 512, truncate: bool = False) -> Encoding:
        """[CLS] pieces [SEP] and their ids. Longer than `max_positions` in all: a `ValueError`,
        or with `truncate=True` the last pieces are dropped (counted in `Encoding.dropped`)."""
        pieces = self.tokenize(text)
        room = max_positions - 2
        dropped = max(0, len(pieces) - room)
        if dropped and not truncate:
            raise ValueError(
                f"the text is {len(pieces) + 2} positions long with [CLS] and [SEP]; the model "
                f"has {max_positions}: shorten it or pass truncate=True"
            )
        tokens = ["[CLS]", *pieces[:room], "[SEP]"]
        ids = torch.tensor([self.vocab[t] for t in tokens])  # (T,)
        return Encoding(tokens, ids, dropped)
