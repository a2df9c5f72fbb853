"""Exercises of 09_real_bert.ipynb, with their checkers."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import torch

from helpers.bert import load_bert, load_tokenizer, mean_pool
from helpers.checking import Case, NotYet, checker, close, fmt, fn_name
from helpers.nb02_multi_head_attention.exercises import seeded_tensor
from helpers.text import SENTENCE
from helpers.wordpiece import SPECIAL_TOKENS, WordPiece

__all__ = ["check_bert_embeddings", "check_mean_pool", "check_wordpiece"]


@lru_cache(maxsize=1)
def _bert() -> tuple[Any, Any]:
    """The real BERT and its tokeniser, loaded once for every checker below."""

    return load_bert(), load_tokenizer()


@checker("wordpiece")
def check_wordpiece(fn: Callable[..., Any]) -> str:
    """Check `fn(word, vocab)` = the WordPiece pieces of one lower-case word, as a list of str.

    `vocab` is a set of pieces; continuation pieces start with "##"; a word that cannot be cut
    entirely is ["[UNK]"]. Cases: a tiny vocabulary where the shortest match goes wrong, and the
    real vocabulary of all-MiniLM-L6-v2.
    Used in 09_real_bert.ipynb.
    """
    name = fn_name(fn, "wordpiece")
    tiny = {"un", "una", "unaff", "##aff", "##able", "##a", "##ble", "a"}
    real = set(_bert()[1].vocab)
    cases = [
        (Case(("unaffable", tiny), f'{name}("unaffable", tiny)', "(a tiny vocabulary)"), tiny),
        (Case(("unbelievably", real), f'{name}("unbelievably", vocab)'), real),
        (Case(("transformer", real), f'{name}("transformer", vocab)'), real),
        (Case(("unx", tiny), f'{name}("unx", tiny)', '("x" is in no piece)'), tiny),
    ]
    for case, vocab in cases:
        word = case.args[0]
        want = WordPiece([*SPECIAL_TOKENS, *sorted(vocab)]).wordpiece(word)
        got = case.run(fn)
        if not isinstance(got, list | tuple) or not all(isinstance(p, str) for p in got):
            raise NotYet(f"{case.label} should return a list of strings, got {got!r}")
        got = list(got)
        if got == want:
            continue
        if "[UNK]" in got and got != ["[UNK]"]:
            raise NotYet(
                f"{case.label} gave {got}: when one part cannot be matched, BERT gives up on "
                'the whole word, which becomes ["[UNK]"].'
            )
        if len(got) > 1 and not any(p.startswith("##") for p in got):
            raise NotYet(
                f"{case.label} gave {got}: a piece that continues a word is written with "
                '"##" in front ("##able"), so look up "##" + the rest.'
            )
        if got and len(got) > len(want):
            raise NotYet(
                f"{case.label} gave {got}, expected {want}: take the LONGEST piece first "
                "(start from the whole rest of the word and shorten it until it is a piece)."
            )
        raise NotYet(f"{case.label} gave {got}, expected {want}.")
    return (
        "Right: greedy longest-match-first, as BERT's tokenizer does. "
        '"unbelievably" -> un ##bel ##ie ##va ##bly: five pieces, each in the 30,522-piece '
        "vocabulary."
    )


@checker("mean_pool")
def check_mean_pool(fn: Callable[..., Any]) -> str:
    """Check `fn(hidden, lengths)` = the normalised mean of each sentence's real token vectors.

    Shapes: hidden `(B, T, D)` (a padded batch), lengths `(B,)` -> `(B, D)`, each row of length 1.
    Cases: a batch of 3 with padding, and one sentence without.
    Used in 09_real_bert.ipynb.
    """
    name = fn_name(fn, "mean_pool")
    hidden = seeded_tensor(8, 3, 5, 6)
    hidden[1, 3:] = 9.0  # padding: large, so that counting it shows
    hidden[2, 1:] = -9.0
    cases = [(hidden, [5, 3, 1], "(3 sentences of 5, 3 and 1 tokens)"), (hidden[:1], [5], "")]
    for h, lengths, note in cases:
        case = Case((h.clone(), list(lengths)), f"{name}(hidden, {lengths})", note)
        got = case.array(case.run(fn), (h.shape[0], h.shape[2]))
        want = mean_pool(h, lengths).double().numpy()
        if close(got, want):
            continue
        everything = torch.nn.functional.normalize(h.mean(dim=1), dim=-1).double().numpy()
        if close(got, everything):
            raise NotYet(
                f"{case.label} averages the padding too: average only the first "
                "lengths[b] vectors of sentence b (a mask of the real tokens)."
            )
        norms = np.linalg.norm(got, axis=-1)
        if not np.allclose(norms, 1.0, atol=1e-5):
            raise NotYet(
                f"{case.label}: the rows have lengths {fmt(norms)}; divide each mean by "
                "its norm, so that cosine similarity is a plain dot product."
            )
        raise case.wrong(got[0], want[0])
    return (
        "Right: the mean of the real tokens, scaled to length 1, exactly the pooling of "
        "all-MiniLM-L6-v2 (sentence-transformers' mean pooling + Normalize)."
    )


@checker("bert_embeddings")
def check_bert_embeddings(fn: Callable[..., Any]) -> str:
    """Check `fn(ids, model)` = BERT's input vectors, from `model.embeddings`' tables by hand.

    LayerNorm(word[ids] + position[0 … T−1] + token_type[0]) with BERT's eps (1e-12).
    Shapes: ids `(T,)` -> `(T, D)`. Cases: "The cat sat on the mat." and a one-word text.
    Used in 09_real_bert.ipynb.
    """
    name = fn_name(fn, "bert_embeddings")
    model, tokenizer = _bert()
    emb = model.embeddings
    for text in (SENTENCE, "Hello"):
        ids = tokenizer.encode(text).ids
        case = Case((ids.clone(), model), f"{name}(ids, model)", f"(ids of {text!r})")
        with torch.no_grad():
            got = case.array(case.run(fn), (len(ids), model.config.d_model))
            want = emb(ids[None])[0].double().numpy()
            word, position = emb.word(ids), emb.position(torch.arange(len(ids)))
            types = emb.token_type.weight[0]
            norm = emb.norm
            wrong = {
                "no_type": norm(word + position),
                "no_norm": word + position + types,
                "no_position": norm(word + types),
                "eps": torch.nn.functional.layer_norm(
                    word + position + types,
                    (emb.word.embedding_dim,),
                    norm.weight,
                    norm.bias,
                    1e-5,
                ),
            }
        if close(got, want):
            continue
        hints = {
            "no_type": "add the token-type embedding too: model.embeddings.token_type"
            ".weight[0] (every token is in sentence A).",
            "no_norm": "then apply LayerNorm: model.embeddings.norm(...) (its γ, β and eps).",
            "no_position": "add the learned position embedding of positions 0 … T−1: "
            "model.embeddings.position(torch.arange(T)).",
            "eps": "LayerNorm's eps is BERT's 1e-12, not torch's default 1e-5: use "
            "model.embeddings.norm itself (or eps=model.config.eps).",
        }
        for key, value in wrong.items():
            if close(got, value.double().numpy()):
                raise NotYet(f"{case.label}: {hints[key]}")
        raise NotYet(f"{case.label} gave {fmt(got[0])} for [CLS], expected {fmt(want[0])}.")
    return (
        "Right: word + position + token type, then LayerNorm with eps 1e-12: the input of "
        "BERT's first block, equal to the reference's hidden state 0."
    )
