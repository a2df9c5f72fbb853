"""The parallel corpus of 08_train_a_translator.ipynb: tokens, vocabularies, the split, batches.

Tokens are whole words as written, on both sides: English words lower-cased ("the", "cat"), Korean
words with their particles attached (eojeol: 고양이가, 매트, 위에, 앉았다), the punctuation dropped
(`helpers.text.tokenize`, the tokenizer of every notebook). So one column of an attention picture
is one word a reader can point at, and the running sentence is notebook 05's four Korean columns
against six English ones. Splitting 고양이가 into 고양이 + 가 would give the particle a column of
its own (and a smaller vocabulary), but a 4 × 6 picture would become 7 × 6 with three columns that
mean "subject", "at" and "."; the vocabulary here is small anyway. The final period carries no
information (every sentence has one): `translate` writes it back.

Ids: `<pad>` 0, `<bos>` 1, `<eos>` 2 (as in notebooks 06 and 07), then the words. A source is the
English words (no `<eos>`: padding is masked); tgt_in is `<bos>` + the Korean words, tgt_out the
Korean words + `<eos>` (teacher forcing, as in notebook 07).

The split is by frame, (subject, verb, place): a seeded 5 % of all frames, and the book's frame
(cat, sat, mat), never occur in training, so every held-out sentence is a combination the model
has never seen — "The cat sat on the mat." included.

Taught in 08_train_a_translator.ipynb.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
import torch

from helpers import translator
from helpers.nb08_train_a_translator.grammar import (
    ADJECTIVES,
    BOOK_SENTENCE,
    FOODS,
    PLACES,
    POSITIONS,
    SUBJECTS,
    THINGS,
    VERBS,
    Sentence,
    object_form,
    subject_form,
)
from helpers.text import BOS_ID, EOS_ID, PAD_ID, Vocabulary, tokenize
from helpers.training import Batch

__all__ = [
    "ENGLISH_VOCAB",
    "KOREAN_VOCAB",
    "Split",
    "all_frames",
    "batch_sampler",
    "detokenize",
    "english_words",
    "held_out_batch",
    "make_batch",
    "make_split",
    "random_sentence",
]

ENGLISH_VOCAB = Vocabulary(
    ["the", *SUBJECTS, *FOODS, *THINGS, *PLACES, *POSITIONS, *ADJECTIVES, *VERBS]
)
KOREAN_VOCAB = Vocabulary(
    [
        *(subject_form(k) for k in SUBJECTS.values()),
        *(object_form(k) for k in {**SUBJECTS, **FOODS, **THINGS}.values()),
        *(korean for korean, _ in PLACES.values()),
        *(p + loc for loc in ("에", "에서") for p in POSITIONS.values()),
        *ADJECTIVES.values(),
        *(v.korean for v in VERBS.values()),
    ]
)
PLACE_PROBABILITY = 0.75  # how often a sentence has a place phrase
ADJECTIVE_PROBABILITY = 0.25  # how often each noun gets an adjective


def all_frames() -> list[tuple[str, str, str | None]]:
    """Every (subject, verb, place) of the grammar, place None for no place phrase."""
    return list(product(SUBJECTS, VERBS, [*PLACES, None]))


def random_sentence(
    rng: np.random.Generator, frame: tuple[str, str, str | None] | None = None
) -> Sentence:
    """A random sentence of the grammar (or of the given frame): every word drawn uniformly."""

    def pick(options: Sequence[str]) -> str:
        return options[int(rng.integers(len(options)))]

    def adjective() -> str | None:
        return pick(list(ADJECTIVES)) if rng.random() < ADJECTIVE_PROBABILITY else None

    if frame is None:
        with_place = rng.random() < PLACE_PROBABILITY
        frame = (
            pick(list(SUBJECTS)),
            pick(list(VERBS)),
            pick(list(PLACES)) if with_place else None,
        )
    subject, verb, place = frame
    objects = [o for o in VERBS[verb].objects if o != subject]
    return Sentence(
        subject,
        verb,
        obj=pick(objects) if objects else None,
        preposition=pick(PLACES[place][1]) if place else None,
        place=place,
        subject_adjective=adjective(),
        object_adjective=adjective() if objects else None,
        place_adjective=adjective() if place else None,
    )


@dataclass(frozen=True)
class Split:
    """Which frames are held out, and the held-out sentences (the book's sentence first)."""

    held_out_frames: frozenset[tuple[str, str, str | None]]
    held_out: tuple[Sentence, ...]

    def is_held_out(self, sentence: Sentence) -> bool:
        """True when the sentence's frame is held out (it may never be trained on)."""
        return sentence.frame in self.held_out_frames


def make_split(seed: int = 0, frame_fraction: float = 0.05, n_held_out: int = 500) -> Split:
    """Hold out the book's frame and a seeded `frame_fraction` of the others; draw `n_held_out`
    different sentences from them, after "The cat sat on the mat." itself.

    Taught in 08_train_a_translator.ipynb.
    """
    rng = np.random.default_rng(seed)
    frames = [f for f in all_frames() if f != BOOK_SENTENCE.frame]
    chosen = rng.choice(len(frames), size=round(frame_fraction * len(frames)), replace=False)
    held = frozenset([BOOK_SENTENCE.frame, *(frames[i] for i in chosen)])
    ordered = sorted(held, key=str)
    sentences = {BOOK_SENTENCE: None}
    while len(sentences) < n_held_out:
        frame = ordered[int(rng.integers(len(ordered)))]
        sentences.setdefault(random_sentence(rng, frame), None)
    return Split(held, tuple(sentences))


def _pad(rows: list[list[int]]) -> torch.Tensor:
    width = max(len(r) for r in rows)
    return torch.tensor([r + [PAD_ID] * (width - len(r)) for r in rows])  # (B, L)


def make_batch(sentences: Sequence[Sentence]) -> Batch:
    """Token ids for teacher forcing, padded with `<pad>` on the right.

    Shapes: src `(B, S)` English words; tgt_in `(B, T)` `<bos>` + Korean words; tgt_out `(B, T)`
    Korean words + `<eos>`; lengths `(B,)` English words per sentence.
    Taught in 08_train_a_translator.ipynb.
    """
    src = [ENGLISH_VOCAB.encode(s.english())[0].tolist() for s in sentences]
    tgt = [KOREAN_VOCAB.encode(s.korean())[0].tolist() for s in sentences]
    return Batch(
        src=_pad(src),
        tgt_in=_pad([[BOS_ID, *t] for t in tgt]),
        tgt_out=_pad([[*t, EOS_ID] for t in tgt]),
        lengths=torch.tensor([len(s) for s in src]),
    )


def batch_sampler(split: Split) -> Callable[[int, torch.Generator], Batch]:
    """`sample(batch_size, generator)`: a fresh batch of training sentences, none held out.

    Each batch draws one seed from the torch generator, so a seeded run sees the same batches.
    """

    def sample(batch_size: int, generator: torch.Generator) -> Batch:
        rng = np.random.default_rng(int(torch.randint(2**62, (1,), generator=generator)))
        sentences: list[Sentence] = []
        while len(sentences) < batch_size:
            sentence = random_sentence(rng)
            if not split.is_held_out(sentence):
                sentences.append(sentence)
        return make_batch(sentences)

    return sample


def held_out_batch(split: Split) -> Batch:
    """The held-out sentences as one batch (the sampler never draws them)."""
    return make_batch(split.held_out)


def detokenize(ids: Sequence[int] | torch.Tensor) -> str:
    """Korean text from target ids of the grammar's vocabulary (`helpers.translator.detokenize`).

    E.g. the ids of <bos> 고양이가 매트 위에 앉았다 <eos> -> "고양이가 매트 위에 앉았다."
    """
    return translator.detokenize(ids, KOREAN_VOCAB)


def english_words(text: str) -> list[str]:
    """The lower-cased words of an English sentence (punctuation dropped), as the model reads it."""
    return [w.lower() for w in tokenize(text)]
