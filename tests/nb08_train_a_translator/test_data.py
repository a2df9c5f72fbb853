"""helpers.nb08_train_a_translator.data: vocabularies, the held-out split, batches."""

import numpy as np
import torch

from helpers.nb08_train_a_translator.data import (
    ENGLISH_VOCAB,
    KOREAN_VOCAB,
    all_frames,
    batch_sampler,
    detokenize,
    held_out_batch,
    make_batch,
    make_split,
    random_sentence,
)
from helpers.nb08_train_a_translator.grammar import BOOK_SENTENCE


def test_vocabularies_start_with_the_special_tokens_and_hold_every_word():
    for vocab in (ENGLISH_VOCAB, KOREAN_VOCAB):
        assert vocab.tokens[:3] == ["<pad>", "<bos>", "<eos>"]
    rng = np.random.default_rng(0)
    for _ in range(300):  # every generated sentence encodes (an unknown word would raise)
        s = random_sentence(rng)
        ENGLISH_VOCAB.encode(s.english())
        KOREAN_VOCAB.encode(s.korean())


def test_the_book_sentence_is_held_out_and_never_trained_on():
    split = make_split()
    assert split.held_out[0] == BOOK_SENTENCE
    assert BOOK_SENTENCE.frame in split.held_out_frames
    assert len(set(split.held_out)) == len(split.held_out) == 500
    assert all(split.is_held_out(s) for s in split.held_out)
    assert 0.04 < len(split.held_out_frames) / len(all_frames()) < 0.06
    batch = batch_sampler(split)(2000, torch.Generator().manual_seed(0))
    trained = {tuple(row[row != 0].tolist()) for row in batch.src}
    held = {tuple(row[row != 0].tolist()) for row in held_out_batch(split).src}
    assert not trained & held
    assert tuple(ENGLISH_VOCAB.encode(BOOK_SENTENCE.english())[0].tolist()) not in trained


def test_split_and_batches_are_seeded():
    assert make_split() == make_split()
    assert make_split(seed=1) != make_split()
    a = batch_sampler(make_split())(8, torch.Generator().manual_seed(3))
    b = batch_sampler(make_split())(8, torch.Generator().manual_seed(3))
    assert torch.equal(a.src, b.src) and torch.equal(a.tgt_out, b.tgt_out)


def test_make_batch_shifts_the_target_and_pads():
    short = random_sentence(np.random.default_rng(0), ("cat", "slept", None))
    batch = make_batch([BOOK_SENTENCE, short])
    assert ENGLISH_VOCAB.decode(batch.src[0]) == ["the", "cat", "sat", "on", "the", "mat"]
    assert KOREAN_VOCAB.decode(batch.tgt_in[0]) == ["<bos>", "고양이가", "매트", "위에", "앉았다"]
    assert KOREAN_VOCAB.decode(batch.tgt_out[0]) == ["고양이가", "매트", "위에", "앉았다", "<eos>"]
    assert batch.lengths.tolist() == [6, len(short.english().split())]
    assert detokenize(batch.tgt_in[0].tolist() + [2, 0]) == "고양이가 매트 위에 앉았다."
