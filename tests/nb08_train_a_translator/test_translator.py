"""The shipped translator: its checkpoint reproduced, held-out scores, beam vs greedy, and
`translate` with its messages."""

from dataclasses import asdict

import pytest

from helpers.nb08_train_a_translator.data import make_split
from helpers.nb08_train_a_translator.evaluate import decode_sentences, per_construction, score
from helpers.nb08_train_a_translator.grammar import BOOK_SENTENCE
from helpers.nb08_train_a_translator.train import (
    CHECKPOINT,
    CONFIG,
    load_translator,
    main,
    translator,
)
from helpers.nb08_train_a_translator.translate import KNOWN_WORDS, MAX_INPUT_WORDS, translate


@pytest.fixture(scope="module")
def held_out():
    return make_split().held_out


@pytest.fixture(scope="module")
def greedy(held_out):
    return decode_sentences(translator(), held_out)


def test_translate_the_book_sentence_it_never_saw():
    assert BOOK_SENTENCE in make_split().held_out
    assert translate("The cat sat on the mat.") == "고양이가 매트 위에 앉았다."
    assert translate("  the CAT sat on the mat ") == "고양이가 매트 위에 앉았다."
    assert translate("The cat sat on the mat!", beam_size=3) == "고양이가 매트 위에 앉았다."


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "Type an English sentence"),
        (" ... ", "Type an English sentence"),
        (
            "The dragon sat on the mat.",
            r"does not know 'dragon'\. It knows these 47 words: the, cat",
        ),
        ("고양이가 앉았다", "does not know '고양이가', '앉았다'"),
        (" ".join(["cat"] * (MAX_INPUT_WORDS + 1)), "at most 20"),
    ],
)
def test_translate_explains_what_it_cannot_read(text, match):
    with pytest.raises(ValueError, match=match):
        translate(text)


def test_translate_refuses_bad_beam_sizes():
    for beam_size in (0, 1.5, True):
        with pytest.raises(ValueError, match="beam_size"):
            translate("The cat slept.", beam_size=beam_size)
    assert "mat" in KNOWN_WORDS and "<pad>" not in KNOWN_WORDS


def test_shipped_checkpoint_translates_the_held_out_set(greedy):
    scores = score(greedy)
    assert scores.n == 500 and scores.exact >= 0.98
    assert scores.chrf >= 98 and scores.bleu >= 95
    constructions = per_construction(greedy)
    assert sum(total for _, total in constructions.values()) == 500
    assert {"S V", "S V O PP(에서) +adj", "S V PP(에)"} <= set(constructions)
    _, record = load_translator()
    assert record["accuracy"][-1] >= 0.98 and record["eval_steps"][-1] == CONFIG.steps
    assert CHECKPOINT.stat().st_size < 1_000_000


def test_beam_never_finds_a_less_probable_translation_than_greedy(held_out, greedy):
    beam = decode_sentences(translator(), held_out, beam_size=4)
    assert (beam.log_probs >= greedy.log_probs - 1e-4).all()
    assert score(beam).exact >= 0.98


def test_the_script_reproduces_the_shipped_checkpoint_s_first_steps(first_steps, capsys):
    """`python -m helpers.nb08_train_a_translator.train`: its first 60 steps (in the warm-up, so
    the same learning rates as the full run) give the shipped loss curve."""
    _, shipped = load_translator()
    assert shipped["config"] == asdict(CONFIG)
    first_steps(main, load_translator, shipped)
    assert "held-out exact-sentence accuracy" in capsys.readouterr().out
