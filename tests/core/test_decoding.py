"""helpers.transformer for notebook 06: the whole Transformer from torch's, tied embeddings and
parameter counts, next-token distributions, greedy and sampled decoding; the vocabularies."""

import math

import pytest
import torch
from torch import nn

from helpers.decoding import greedy_decode, next_token_distribution, sample_decode
from helpers.nb06_decoder_and_transformer.data import (
    DEMO_SIZES,
    SOURCE_VOCAB,
    TARGET_VOCAB,
    demo_transformer,
)
from helpers.text import (
    BOS_ID,
    EOS_ID,
    KOREAN_SENTENCE,
    KOREAN_TOKENS,
    PAD_ID,
    SENTENCE,
    Vocabulary,
)
from helpers.transformer import Transformer

ATOL = 1e-5

# --- vocabularies ---------------------------------------------------------------------------------


def test_vocabularies_put_the_special_tokens_first_and_round_trip():
    assert SOURCE_VOCAB.tokens[:3] == TARGET_VOCAB.tokens[:3] == ["<pad>", "<bos>", "<eos>"]
    assert (PAD_ID, BOS_ID, EOS_ID) == (0, 1, 2)
    assert KOREAN_TOKENS == ["고양이가", "매트", "위에", "앉았다"]
    src = SOURCE_VOCAB.encode(SENTENCE)
    assert src.dtype == torch.long and src.shape == (1, 6)
    assert src[0, 0] == src[0, 4]  # "The" and "the": one token
    assert SOURCE_VOCAB.decode(src[0]) == ["the", "cat", "sat", "on", "the", "mat"]
    tgt = TARGET_VOCAB.encode(KOREAN_SENTENCE, bos=True, eos=True)
    assert TARGET_VOCAB.decode(tgt[0].tolist()) == ["<bos>", *KOREAN_TOKENS, "<eos>"]
    assert len(Vocabulary(["a", "A", "b", "a"])) == 3 + 2  # lower-cased, no duplicates
    assert "11 tokens" in repr(TARGET_VOCAB)


def test_vocabulary_refuses_unknown_words_empty_sentences_and_bad_ids():
    with pytest.raises(ValueError, match="not in the vocabulary: 'dragon'"):
        SOURCE_VOCAB.encode("The dragon sat")
    with pytest.raises(ValueError, match="no words"):
        TARGET_VOCAB.encode(" ... ")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        TARGET_VOCAB.decode([1, 99])


# --- the whole Transformer ------------------------------------------------------------------------


def test_from_torch_reads_the_sizes_and_adds_fresh_embeddings_and_output_layer():
    """Its numbers equal nn.Transformer's: tests/core/test_transformer.py."""
    theirs = nn.Transformer(16, 2, 2, 3, 32, dropout=0.0, batch_first=True, layer_norm_eps=1e-6)
    ours = Transformer.from_torch(theirs, 11, 13, max_len=20, pad_id=None)
    assert (len(ours.encoder.layers), len(ours.decoder.layers)) == (2, 3)
    assert ours.d_model == 16 and ours.pad_id is None and ours.pe.shape == (20, 16)
    assert (ours.src_embed.num_embeddings, ours.tgt_embed.num_embeddings) == (11, 13)
    assert ours.out.in_features == 16 and ours.out.out_features == 13
    assert ours.encoder.norm.eps == ours.decoder.layers[0].norm1.eps == 1e-6
    tied = Transformer.from_torch(theirs, 11, 11, tie_embeddings=True)
    assert tied.out.weight is tied.src_embed.weight
    with pytest.raises(ValueError, match="needs a torch.nn.Transformer"):
        Transformer.from_torch(theirs.encoder, 11, 13)


def test_a_seed_initialises_the_embeddings_first_then_the_stacks_then_the_output_layer():
    """The order of the original constructor: seeded models (and trained checkpoints) keep
    their weights."""
    torch.manual_seed(0)
    model = Transformer(11, 13, d_model=16, n_heads=2, d_ff=32, n_layers=1)
    torch.manual_seed(0)
    src_embed, tgt_embed = nn.Embedding(11, 16), nn.Embedding(13, 16)
    encoder_w_q = nn.Linear(16, 16).weight  # the first weight of the encoder's first block
    assert torch.equal(model.src_embed.weight, src_embed.weight)
    assert torch.equal(model.tgt_embed.weight, tgt_embed.weight)
    assert torch.equal(model.encoder.layers[0].self_attn.W_q.weight, encoder_w_q)


def test_tied_embeddings_share_one_matrix_and_are_counted_once():
    model = Transformer(20, 20, d_model=16, n_heads=2, d_ff=32, n_layers=1, tie_embeddings=True)
    assert model.tgt_embed is model.src_embed
    assert model.out.weight is model.src_embed.weight
    counts = model.parameter_counts()
    assert counts["target embedding"] == 0 and counts["output layer"] == 20  # its bias only
    assert counts["total"] == sum(p.numel() for p in model.parameters())
    with pytest.raises(ValueError, match="one shared vocabulary"):
        Transformer(20, 21, d_model=16, n_heads=2, d_ff=32, n_layers=1, tie_embeddings=True)


@pytest.mark.parametrize("tied", [False, True])
def test_base_model_counts_equal_nn_transformer_plus_the_embeddings(tied):
    with torch.device("meta"):
        ours = Transformer(37_000, 37_000, tie_embeddings=tied).parameter_counts()
        stacks = nn.Transformer(512, 8, 6, 6, 2048, batch_first=True)
    n_stacks = sum(p.numel() for p in stacks.parameters()) - 2 * 2 * 512  # minus its final norms
    matrices = (1 if tied else 3) * 37_000 * 512
    assert ours["encoder"] + ours["decoder"] == n_stacks
    assert ours["total"] == n_stacks + matrices + 37_000  # + the output bias
    assert ours["total"] == (63_119_496 if tied else 101_007_496)
    assert sum(v for k, v in ours.items() if k != "total") == ours["total"]


# --- next-token distributions ---------------------------------------------------------------------


def test_next_token_distribution_is_a_tempered_softmax_over_the_top_k():
    logits = torch.tensor([[2.0, 1.0, 0.0, -1.0], [0.0, 3.0, 3.0, 1.0]])
    torch.testing.assert_close(next_token_distribution(logits), torch.softmax(logits, -1))
    torch.testing.assert_close(
        next_token_distribution(logits, temperature=0.5), torch.softmax(logits * 2, -1)
    )
    top2 = next_token_distribution(logits, top_k=2)
    assert torch.equal(
        top2 > 0, torch.tensor([[True, True, False, False], [False, True, True, False]])
    )
    torch.testing.assert_close(top2.sum(-1), torch.ones(2))
    torch.testing.assert_close(top2[0, :2], torch.softmax(logits[0, :2], -1))
    assert torch.equal(next_token_distribution(logits, top_k=10), torch.softmax(logits, -1))
    hot = next_token_distribution(logits, temperature=1e-3)
    assert torch.equal(hot.argmax(-1), logits.argmax(-1))
    assert next_token_distribution(logits[:1], top_k=1).tolist() == [[1.0, 0.0, 0.0, 0.0]]


@pytest.mark.parametrize(
    ("temperature", "top_k", "match"),
    [
        (0.0, None, "temperature"),
        (-1.0, None, "temperature"),
        (1.0, 0, "top_k"),
        (1.0, 2.5, "top_k"),
    ],
)
def test_next_token_distribution_refuses_bad_settings(temperature, top_k, match):
    with pytest.raises(ValueError, match=match):
        next_token_distribution(torch.zeros(3), temperature, top_k)


# --- decoding -------------------------------------------------------------------------------------


def _tiny() -> Transformer:
    return Transformer(11, 13, d_model=16, n_heads=2, d_ff=32, n_layers=2, max_len=20).eval()


def test_greedy_decode_keeps_the_logits_of_every_step():
    model = _tiny()
    src = torch.tensor([[3, 4, 5, 6]])
    result = greedy_decode(model, src, bos_id=1, eos_id=2, max_new_tokens=5)
    n = result.probs.shape[1]
    assert result.logits.shape == (1, n, 13)
    torch.testing.assert_close(result.probs, torch.softmax(result.logits, -1))
    with torch.no_grad():
        logits = model(src, result.tokens[:, :-1])  # teacher-forced on its own choices
    torch.testing.assert_close(result.logits, logits, atol=ATOL, rtol=1e-4)


def test_sampling_is_seeded_and_top_1_is_greedy():
    model = _tiny()
    src = torch.tensor([[3, 4, 5, 6], [7, 8, 0, 0]])
    a = sample_decode(model, src, 1, 2, 6, temperature=2.0, seed=3)
    b = sample_decode(model, src, 1, 2, 6, temperature=2.0, seed=3)
    assert torch.equal(a.tokens, b.tokens)
    torch.testing.assert_close(a.probs, next_token_distribution(a.logits, 2.0))
    greedy = greedy_decode(model, src, 1, 2, 6)
    assert torch.equal(sample_decode(model, src, 1, 2, 6, top_k=1, seed=5).tokens, greedy.tokens)
    runs = {
        tuple(sample_decode(model, src, 1, 2, 6, 5.0, seed=s).tokens[0].tolist()) for s in range(6)
    }
    assert len(runs) > 1  # different seeds, different draws


def test_sampled_tokens_stay_inside_the_top_k():
    model = _tiny()
    result = sample_decode(model, torch.tensor([[3, 4, 5]]), 1, 2, 8, temperature=10.0, top_k=3)
    for step in range(result.probs.shape[1]):
        allowed = result.logits[0, step].topk(3).indices.tolist()
        assert int(result.tokens[0, step + 1]) in allowed
        assert int((result.probs[0, step] > 0).sum()) == 3


def test_decoding_refuses_bad_arguments():
    model = _tiny()
    src = torch.tensor([[3, 4]])
    with pytest.raises(ValueError, match="max_new_tokens"):
        greedy_decode(model, src, 1, 2, 0)
    with pytest.raises(ValueError, match="bos_id=13"):
        greedy_decode(model, src, 13, 2, 3)
    with pytest.raises(ValueError, match="temperature"):
        sample_decode(model, src, 1, 2, 3, temperature=0.0)
    with pytest.raises(ValueError, match="top_k"):
        sample_decode(model, src, 1, 2, 3, top_k=0)


def test_demo_transformer_is_seeded_untrained_and_leaves_the_rng_alone():
    torch.manual_seed(123)
    before = torch.randn(3)
    torch.manual_seed(123)
    a = demo_transformer()
    assert torch.equal(torch.randn(3), before)  # the caller's random stream is untouched
    b = demo_transformer()
    assert not a.training
    assert a.d_model == DEMO_SIZES["d_model"] and len(a.decoder.layers) == DEMO_SIZES["n_layers"]
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert a.src_embed.num_embeddings == len(SOURCE_VOCAB)
    assert a.out.out_features == len(TARGET_VOCAB)
    src = SOURCE_VOCAB.encode(SENTENCE)
    result = greedy_decode(a, src, BOS_ID, EOS_ID, 8)
    assert result.probs.max() < 0.5  # untrained: never sure of anything
    assert abs(math.log(len(TARGET_VOCAB)) - _entropy(result.probs[0, 0])) < 0.2  # nearly flat


def _entropy(p: torch.Tensor) -> float:
    return float(-(p * p.log()).sum())
