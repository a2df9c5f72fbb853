"""The running sentence, its tokens and seeded toy vectors: the same numbers in every notebook."""

from __future__ import annotations

import re
import zlib

import torch
from torch import Tensor

__all__ = [
    "BILINGUAL_LEXICON",
    "BOOK_CAT_SCORES",
    "BOOK_CAT_SOFTMAX",
    "BOS_ID",
    "EOS_ID",
    "FEATURES",
    "KOREAN_SENTENCE",
    "KOREAN_TOKENS",
    "LEXICON",
    "MAX_WORDS",
    "MEANINGS",
    "PAD_ID",
    "SENTENCE",
    "SOURCE_VOCAB",
    "SPECIAL_TOKENS",
    "TARGET_VOCAB",
    "TOKENS",
    "bilingual_vectors",
    "Vocabulary",
    "feature_vectors",
    "tokenize",
    "toy_projections",
    "word_vectors",
]

SENTENCE = "The cat sat on the mat."
MAX_WORDS = 32

# The book's worked example (§1.2 어텐션 점수 계산 예제): the query "cat" against every key.
BOOK_CAT_SCORES = (0.2, 1.0, 0.8, 0.1, 0.3, 0.5)
BOOK_CAT_SOFTMAX = (0.05, 0.4, 0.35, 0.02, 0.08, 0.1)

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


# Hand-made word features for the constructed heads of notebook 02. A real model learns features
# like these; here they are written down so that each head's job can be read off its weights.
FEATURES = ("noun", "verb", "preposition", "determiner", "animal", "surface")
LEXICON: dict[str, set[str]] = {
    "the": {"determiner"},
    "a": {"determiner"},
    "cat": {"noun", "animal"},
    "dog": {"noun", "animal"},
    "bird": {"noun", "animal"},
    "mat": {"noun", "surface"},
    "sofa": {"noun", "surface"},
    "floor": {"noun", "surface"},
    "table": {"noun", "surface"},
    "bed": {"noun", "surface"},
    "sat": {"verb"},
    "slept": {"verb"},
    "lay": {"verb"},
    "stood": {"verb"},
    "on": {"preposition"},
    "under": {"preposition"},
    "near": {"preposition"},
    # The running sentence in Korean, "고양이가 매트 위에 앉았다". Korean words carry their
    # particles (고양이가 = cat + subject marker); 위에 ("on top of") is a postposition, given the
    # feature "preposition" because it plays the same part.
    "고양이가": {"noun", "animal"},
    "고양이": {"noun", "animal"},
    "강아지가": {"noun", "animal"},
    "매트": {"noun", "surface"},
    "매트에": {"noun", "surface"},
    "소파": {"noun", "surface"},
    "위에": {"preposition"},
    "아래에": {"preposition"},
    "앉았다": {"verb"},
    "잤다": {"verb"},
}


def feature_vectors(tokens: list[str], d_model: int = 512, seed: int = 0) -> Tensor:
    """`word_vectors` whose first len(FEATURES) dimensions hold 0/1 features from `LEXICON`.

    Dimension i is 1 when the word has feature FEATURES[i]; the other D - 6 dimensions are the
    word's seeded random vector. Words missing from the lexicon get all-zero features.
    Shapes: returns `(T, D)`.
    Taught in 02_multi_head_attention.ipynb.
    """
    return _with_features(tokens, FEATURES, LEXICON, d_model, seed)


def _with_features(
    tokens: list[str],
    names: tuple[str, ...],
    lexicon: dict[str, set[str]],
    d_model: int,
    seed: int,
) -> Tensor:
    """`word_vectors` whose first len(names) dimensions are 0/1: dimension i is 1 when the word's
    entry in `lexicon` holds names[i]. Shapes: returns `(T, D)`."""
    if d_model <= len(names):
        raise ValueError(f"d_model must exceed the {len(names)} feature dimensions")
    x = word_vectors(tokens, d_model, seed)  # (T, D)
    for t, token in enumerate(tokens):
        features = lexicon.get(token.lower(), set())
        x[t, : len(names)] = torch.tensor([float(f in features) for f in names])
    return x


# --- 05 cross-attention: the running sentence in Korean, and word vectors shared across languages

KOREAN_SENTENCE = "고양이가 매트 위에 앉았다."  # SENTENCE in Korean (the verb comes last)
KOREAN_TOKENS = tokenize(KOREAN_SENTENCE)  # ['고양이가', '매트', '위에', '앉았다']

# A small bilingual lexicon: each word's meaning, the same for a word and its translation. Korean
# words carry their particles (고양이가 = 고양이 "cat" + the subject marker 가), so each form is
# listed; 위에 ("on top of") is the postposition that plays the part of "on". Korean has no
# articles: "the" and "a" have no meaning here, and no Korean word translates them.
MEANINGS = ("cat", "dog", "bird", "mat", "sofa", "floor", "bed", "sit", "sleep", "lie", "on")
BILINGUAL_LEXICON: dict[str, str] = {
    "cat": "cat",
    "고양이": "cat",
    "고양이가": "cat",
    "고양이는": "cat",
    "dog": "dog",
    "개": "dog",
    "개가": "dog",
    "강아지가": "dog",
    "bird": "bird",
    "새가": "bird",
    "mat": "mat",
    "매트": "mat",
    "sofa": "sofa",
    "소파": "sofa",
    "floor": "floor",
    "바닥": "floor",
    "bed": "bed",
    "침대": "bed",
    "sat": "sit",
    "앉았다": "sit",
    "slept": "sleep",
    "잤다": "sleep",
    "lay": "lie",
    "누웠다": "lie",
    "on": "on",
    "위에": "on",
}


def bilingual_vectors(tokens: list[str], d_model: int = 512, seed: int = 0) -> Tensor:
    """Word vectors in which a word and its translation share their first len(MEANINGS) features.

    Dimension i is 1 when the word means MEANINGS[i] in `BILINGUAL_LEXICON` ("cat" and "고양이가"
    both have a 1 in dimension 0); the other D - len(MEANINGS) dimensions are the word's own seeded
    random vector (`word_vectors`), different in each language. Words the lexicon does not know
    ("the", or anything typed) get all-zero meaning features.
    Shapes: returns `(T, D)`.
    Taught in 05_masked_and_cross_attention.ipynb.
    """
    lexicon = {word: {meaning} for word, meaning in BILINGUAL_LEXICON.items()}
    return _with_features(tokens, MEANINGS, lexicon, d_model, seed)


# --- 06 the decoder's output: the running example as token ids ---------------------------------

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


# The demo vocabularies of notebook 06: the running sentence and a few words it could have used.
SOURCE_VOCAB = Vocabulary([*TOKENS, "dog", "sofa", "slept", "under"])
TARGET_VOCAB = Vocabulary([*KOREAN_TOKENS, "강아지가", "소파", "아래에", "잤다"])
