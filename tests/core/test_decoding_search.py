"""The KV cache (incremental decoding equals the full decoder) and beam search (beam 1 = greedy,
length penalty, log-probabilities), on small random models."""

import math

import pytest
import torch

from helpers.beam import beam_search, gnmt_length_penalty, sequence_log_probs
from helpers.decoding import greedy_decode
from helpers.transformer import Transformer

TIGHT = dict(atol=1e-5, rtol=1e-5)


def _model(norm_first: bool = False, seed: int = 0) -> Transformer:
    torch.manual_seed(seed)
    model = Transformer(
        11,
        13,
        d_model=16,
        n_heads=2,
        d_ff=32,
        n_layers=2,
        max_len=40,
        norm_first=norm_first,
        final_norm=norm_first,
    )
    return model.eval()


SRC = torch.tensor([[3, 4, 5, 6], [7, 8, 0, 0], [9, 10, 3, 0]])  # padded sources


@pytest.mark.parametrize("norm_first", [False, True])
def test_decode_step_equals_the_full_decoder_position_by_position(norm_first):
    model = _model(norm_first)
    tgt = torch.tensor([[1, 5, 7, 3, 9, 2], [1, 4, 4, 8, 2, 0], [1, 12, 3, 3, 6, 11]])
    with torch.no_grad():
        memory = model.encode(SRC)
        full = model.decode(tgt, memory, SRC)  # (B, T, D)
        full_cross = model.decoder.layers[-1].cross_attn_weights
        cache = model.decoder.start_cache(memory)
        steps = [model.decode_step(tgt[:, t : t + 1], t, cache, SRC) for t in range(tgt.shape[1])]
    torch.testing.assert_close(torch.cat(steps, dim=1), full, **TIGHT)
    torch.testing.assert_close(
        model.decoder.layers[-1].cross_attn_weights[:, :, 0], full_cross[:, :, -1]
    )
    assert cache[0].k.shape == (3, 2, 6, 8)  # (B, H, t, Dk): one key per decoded position


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_greedy_with_the_cache_equals_greedy_without(seed):
    model = _model(seed=seed)
    plain = greedy_decode(model, SRC, 1, 2, 12)
    cached = greedy_decode(model, SRC, 1, 2, 12, use_cache=True)
    assert torch.equal(cached.tokens, plain.tokens)
    torch.testing.assert_close(cached.logits, plain.logits, **TIGHT)
    torch.testing.assert_close(cached.probs, plain.probs, **TIGHT)
    torch.testing.assert_close(cached.cross_attention, plain.cross_attention, **TIGHT)


def test_a_long_output_with_the_cache_equals_without():
    model = _model(seed=3)
    src = torch.tensor([[3, 4, 5]])
    plain = greedy_decode(model, src, 1, 12, 38)  # <eos> = 12, rarely chosen: runs long
    cached = greedy_decode(model, src, 1, 12, 38, use_cache=True)
    assert torch.equal(cached.tokens, plain.tokens)
    torch.testing.assert_close(cached.logits, plain.logits, **TIGHT)


def test_decode_step_refuses_a_position_beyond_the_table():
    model = _model()
    cache = model.decoder.start_cache(model.encode(SRC))
    with pytest.raises(ValueError, match="max_len=40"):
        model.decode_step(torch.ones(3, 1, dtype=torch.long), 40, cache, SRC)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_beam_of_one_is_greedy_decoding(seed):
    model = _model(seed=seed)
    greedy = greedy_decode(model, SRC, 1, 2, 10)
    beam = beam_search(model, SRC, 1, 2, 10, beam_size=1)
    assert torch.equal(beam.tokens[:, 0], greedy.tokens)
    torch.testing.assert_close(beam.log_probs[:, 0], sequence_log_probs(greedy, 2), **TIGHT)


def test_beam_hypotheses_are_ranked_and_their_log_probs_are_the_model_s():
    model = _model(seed=4)
    beam = beam_search(model, SRC, 1, 2, 8, beam_size=4)
    assert beam.tokens.shape[:2] == (3, 4)
    assert (beam.scores[:, :-1] >= beam.scores[:, 1:]).all()
    assert torch.equal(beam.scores, beam.log_probs)  # no length penalty: the plain sum
    for i in range(3):
        for j in range(4):  # rescore each hypothesis by teacher forcing, uncached
            tokens = beam.tokens[i, j]
            with torch.no_grad():
                logits = model(SRC[i : i + 1], tokens[None, :-1])[0]  # (N, V)
            logp = torch.log_softmax(logits, -1).gather(1, tokens[1:, None])[:, 0]
            expected = logp[: int(beam.lengths[i, j])].sum()
            torch.testing.assert_close(beam.log_probs[i, j], expected, atol=1e-4, rtol=1e-4)
            assert len(set(map(tuple, beam.tokens[i].tolist()))) == 4  # no duplicates


def test_wider_beams_find_at_least_the_greedy_log_probability_here():
    model = _model(seed=5)
    greedy = sequence_log_probs(greedy_decode(model, SRC, 1, 2, 8), 2)
    for k in (2, 4, 8):
        assert (
            beam_search(model, SRC, 1, 2, 8, beam_size=k).log_probs[:, 0] >= greedy - 1e-5
        ).all()


def test_gnmt_length_penalty():
    lengths = torch.tensor([1, 7, 13])
    torch.testing.assert_close(gnmt_length_penalty(lengths, 0.0), torch.ones(3))
    torch.testing.assert_close(gnmt_length_penalty(lengths, 1.0), torch.tensor([1.0, 2.0, 3.0]))
    assert gnmt_length_penalty(torch.tensor(7), 0.6).item() == pytest.approx(2**0.6)
    model = _model(seed=4)
    beam = beam_search(model, SRC, 1, 2, 8, beam_size=4, length_penalty=0.6)
    expected = beam.log_probs / gnmt_length_penalty(beam.lengths, 0.6)
    torch.testing.assert_close(beam.scores, expected)
    assert math.isfinite(float(beam.scores.min()))


def test_beam_search_refuses_bad_widths():
    model = _model()
    for k in (0, 14, 2.0, True):
        with pytest.raises(ValueError, match="beam_size"):
            beam_search(model, SRC, 1, 2, 5, beam_size=k)
