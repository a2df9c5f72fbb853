"""Scoring the translator on the held-out sentences: exact match, chrF and BLEU, per construction.

chrF and BLEU come from sacrebleu (Post, 2018), the reference implementation, rather than by hand.
chrF compares character n-grams, so a wrong particle (고양이를 for 고양이가) costs a little and a
wrong noun more; BLEU compares whole-word n-grams. Both are corpus scores from 0 to 100.
Taught in 08_train_a_translator.ipynb.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import sacrebleu
import torch
from torch import Tensor

from helpers.beam import beam_search, sequence_log_probs
from helpers.decoding import greedy_decode
from helpers.nb08_train_a_translator.data import detokenize, make_batch
from helpers.nb08_train_a_translator.grammar import Sentence
from helpers.nb08_train_a_translator.translate import MAX_OUTPUT_TOKENS
from helpers.text import BOS_ID, EOS_ID
from helpers.training import one_thread
from helpers.transformer import Transformer

__all__ = ["Decoded", "Scores", "decode_sentences", "per_construction", "score"]


@dataclass(frozen=True)
class Decoded:
    """The translations of some sentences and their log-probabilities under the model.

    Shapes: log_probs `(B,)`, log P(output | source), `<eos>` included.
    """

    sentences: tuple[Sentence, ...]
    outputs: tuple[str, ...]
    log_probs: Tensor

    @property
    def correct(self) -> list[bool]:
        """Exact match with the grammar's Korean, sentence by sentence."""
        return [out == s.korean() for s, out in zip(self.sentences, self.outputs, strict=True)]


def decode_sentences(
    model: Transformer, sentences: Sequence[Sentence], beam_size: int = 1, chunk: int = 250
) -> Decoded:
    """Translate every sentence (greedy for beam_size=1, else beam search), `chunk` at a time.

    Returns: a `Decoded` (outputs, their log-probabilities, exact matches).
    Taught in 08_train_a_translator.ipynb.
    """
    outputs: list[str] = []
    log_probs: list[Tensor] = []
    with one_thread():
        for start in range(0, len(sentences), chunk):
            src = make_batch(sentences[start : start + chunk]).src  # (B, S)
            if beam_size == 1:
                result = greedy_decode(
                    model, src, BOS_ID, EOS_ID, MAX_OUTPUT_TOKENS, use_cache=True
                )
                tokens, logp = result.tokens, sequence_log_probs(result, EOS_ID)  # (B, 1 + N), (B,)
            else:
                beam = beam_search(model, src, BOS_ID, EOS_ID, MAX_OUTPUT_TOKENS, beam_size)
                tokens, logp = beam.tokens[:, 0], beam.log_probs[:, 0]  # (B, 1 + N), (B,)
            outputs += [detokenize(row) for row in tokens]
            log_probs.append(logp)
    return Decoded(tuple(sentences), tuple(outputs), torch.cat(log_probs))


@dataclass(frozen=True)
class Scores:
    """Corpus scores of some translations: exact-sentence accuracy (a fraction), chrF, BLEU."""

    exact: float
    chrf: float
    bleu: float
    n: int


def score(decoded: Decoded) -> Scores:
    """Exact match, sacrebleu's chrF (character 6-grams, β = 2) and BLEU (its "13a" tokenizer).

    Taught in 08_train_a_translator.ipynb.
    """
    references = [[s.korean() for s in decoded.sentences]]
    hypotheses = list(decoded.outputs)
    correct = decoded.correct
    return Scores(
        exact=sum(correct) / len(correct),
        chrf=sacrebleu.corpus_chrf(hypotheses, references).score,
        bleu=sacrebleu.corpus_bleu(hypotheses, references).score,
        n=len(correct),
    )


def per_construction(decoded: Decoded) -> dict[str, tuple[int, int]]:
    """(correct, total) per sentence shape (`Sentence.construction`), the shapes sorted by name:
    which kinds of sentences fail. Taught in 08_train_a_translator.ipynb."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for sentence, ok in zip(decoded.sentences, decoded.correct, strict=True):
        counts[sentence.construction][0] += ok
        counts[sentence.construction][1] += 1
    return {name: (c[0], c[1]) for name, c in sorted(counts.items())}
