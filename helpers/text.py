"""The running sentence, its tokens and seeded toy vectors: the same numbers in every notebook."""

from __future__ import annotations

import re
import zlib

import torch
from torch import Tensor

__all__ = [
    "BOS_ID",
    "EOS_ID",
    "KOREAN_SENTENCE",
    "KOREAN_TOKENS",
    "MAX_WORDS",
    "PAD_ID",
    "SENTENCE",
    "SPECIAL_TOKENS",
    "TOKENS",
    "Vocabulary",
    "tokenize",
    "toy_projections",
    "word_vectors",
]


SENTENCE = "The cat sat on the mat."


MAX_WORDS = 32


_WORD = re.compile(r"\w+(?:['’]\w+)*")


def tokenize(sentence: str) -> list[str]:
    """Split a sentence into words, dropping punctuation and keeping case.

    Any script works (`\\w` is Unicode-aware): "고양이가 앉았다" -> ["고양이가", "앉았다"].
    Taught in 01_self_attention.ipynb.
    """
    if not isinstance(sentence, str):
        raise ValueError(f"sentence must be a string, got {type(sentence).__name__}")
    return _WORD.findall(sentence)


TOKENS = tokenize(SENTENCE)  # ['The', 'cat', 'sat', 'on', 'the', 'mat']


def _generator(key: str, seed: int) -> torch.Generator:
    # crc32 is stable across runs and machines (unlike hash()), so a word always gets its vector.
    return torch.Generator().manual_seed(zlib.crc32(key.encode("utf-8")) * 1000 + seed)


def word_vectors(tokens: list[str], d_model: int = 512, seed: int = 0) -> Tensor:
    """A seeded N(0, 1) vector per word, the same for a word wherever it appears ("The" = "the").

    Shapes: returns `(T, D)` with T = len(tokens).
    Taught in 01_self_attention.ipynb.
    """
    if not tokens:
        raise ValueError("word_vectors needs at least one token")
    if d_model < 1:
        raise ValueError(f"d_model must be positive, got {d_model}")
    rows = [torch.randn(d_model, generator=_generator(t.lower(), seed)) for t in tokens]
    return torch.stack(rows)  # T × (D,) -> (T, D)


def toy_projections(
    d_model: int = 512, d_k: int = 64, seed: int = 0
) -> tuple[Tensor, Tensor, Tensor]:
    """Seeded projection matrices W_q, W_k, W_v with N(0, 1/d_model) entries.

    With N(0, 1) word vectors this gives Q, K, V entries of variance about 1.
    Shapes: each `(D, Dk)`.
    Taught in 01_self_attention.ipynb.
    """
    g = torch.Generator().manual_seed(seed)
    w_q, w_k, w_v = (torch.randn(d_model, d_k, generator=g) / d_model**0.5 for _ in range(3))
    return w_q, w_k, w_v


KOREAN_SENTENCE = "고양이가 매트 위에 앉았다."  # SENTENCE in Korean (the verb comes last)


KOREAN_TOKENS = tokenize(KOREAN_SENTENCE)  # ['고양이가', '매트', '위에', '앉았다']


SPECIAL_TOKENS = ("<pad>", "<bos>", "<eos>")


PAD_ID, BOS_ID, EOS_ID = 0, 1, 2


class Vocabulary:
    """Token ↔ id, with <pad> = 0, <bos> = 1 (start of sequence) and <eos> = 2 (end) first.

    Words are lower-cased ("The" and "the" are one token) and kept in the order given.
    Taught in 06_decoder_and_transformer.ipynb.
    """

    def __init__(self, words: list[str]) -> None:
        self.tokens = list(dict.fromkeys([*SPECIAL_TOKENS, *(w.lower() for w in words)]))
        self._ids = {token: i for i, token in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} tokens: {', '.join(self.tokens)})"

    def encode(self, sentence: str, bos: bool = False, eos: bool = False) -> Tensor:
        """The ids of a sentence's words, as a batch of one; unknown words get a clear error.

        Shapes: returns `(1, L)`, L = words (+ 1 with bos, + 1 with eos), torch.long.
        """
        words = [w.lower() for w in tokenize(sentence)]
        if not words:
            raise ValueError("the sentence has no words (letters or digits, in any language)")
        unknown = [w for w in words if w not in self._ids]
        if unknown:
            raise ValueError(
                f"not in the vocabulary: {', '.join(map(repr, dict.fromkeys(unknown)))}; "
                f"it knows {', '.join(self.tokens[len(SPECIAL_TOKENS) :])}"
            )
        ids = [BOS_ID] * bos + [self._ids[w] for w in words] + [EOS_ID] * eos
        return torch.tensor([ids])  # (1, L)

    def decode(self, ids: Tensor | list[int]) -> list[str]:
        """The tokens of a sequence of ids. Shapes: ids `(L,)` -> L tokens."""
        values = ids.tolist() if isinstance(ids, Tensor) else list(ids)
        if any(not 0 <= i < len(self) for i in values):
            raise ValueError(f"ids outside the vocabulary 0 … {len(self) - 1}: {values}")
        return [self.tokens[i] for i in values]
