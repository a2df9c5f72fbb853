"""helpers.transformer: stacks equal torch's, weights copied across."""

import pytest
import torch
from torch import nn

from helpers import causal_mask, padding_mask
from helpers.decoding import greedy_decode
from helpers.positional import sinusoidal_positional_encoding
from helpers.transformer import Decoder, Encoder, Transformer

ATOL = 1e-5


@pytest.mark.parametrize("final_norm", [False, True])
def test_encoder_stack_of_6_matches_torch(final_norm):
    layer = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True)
    norm = nn.LayerNorm(32) if final_norm else None
    theirs = nn.TransformerEncoder(layer, 6, norm=norm, enable_nested_tensor=False).eval()
    ours = Encoder.from_torch(theirs).eval()
    assert len(ours.layers) == 6
    x = torch.randn(2, 5, 32)
    lengths = torch.tensor([5, 3])
    with torch.no_grad():
        expected = theirs(x, src_key_padding_mask=~padding_mask(lengths)[:, 0, 0])
        got = ours(x, padding_mask(lengths))
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=1e-4)


def test_decoder_stack_matches_torch():
    layer = nn.TransformerDecoderLayer(16, 2, 32, dropout=0.0, batch_first=True)
    theirs = nn.TransformerDecoder(layer, 3, norm=nn.LayerNorm(16)).eval()
    ours = Decoder.from_torch(theirs).eval()
    x, memory = torch.randn(2, 4, 16), torch.randn(2, 6, 16)
    with torch.no_grad():
        expected = theirs(x, memory, tgt_mask=~causal_mask(4))
        got = ours(x, memory, tgt_mask=causal_mask(4))
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=1e-4)


def test_stacks_pass_options_to_every_block_and_refuse_zero_layers():
    enc = Encoder(3, 8, 2, 16, norm_first=True, residual=False, final_norm=True)
    assert all(b.norm_first and not b.residual for b in enc.layers)
    assert isinstance(enc.norm, nn.LayerNorm)
    with pytest.raises(ValueError, match="at least 1"):
        Encoder(0, 8, 2, 16)
    with pytest.raises(ValueError, match="at least 1"):
        Decoder(0, 8, 2, 16)


def _tiny(**kw) -> Transformer:
    return Transformer(11, 13, d_model=16, n_heads=2, d_ff=32, n_layers=2, max_len=20, **kw).eval()


def _stacks_copied(theirs: nn.Transformer) -> Transformer:
    ours = _tiny(final_norm=True)
    ours.encoder, ours.decoder = (
        Encoder.from_torch(theirs.encoder),
        Decoder.from_torch(theirs.decoder),
    )
    return ours


def _from_torch(theirs: nn.Transformer) -> Transformer:
    return Transformer.from_torch(theirs, 11, 13, max_len=20).eval()


@pytest.mark.parametrize("build", [_stacks_copied, _from_torch])
def test_transformer_stacks_equal_nn_transformer_with_its_final_norms(build):
    theirs = nn.Transformer(16, 2, 2, 2, 32, dropout=0.0, batch_first=True).eval()
    theirs.encoder.use_nested_tensor = False  # the plain path, as ours (same numbers, no warning)
    with torch.no_grad():  # final norms that are not the identity, so that copying them matters
        for p in (*theirs.encoder.norm.parameters(), *theirs.decoder.norm.parameters()):
            p.add_(torch.randn(p.shape))
    ours = build(theirs)
    src = torch.tensor([[3, 4, 5, 6, 2], [7, 8, 2, 0, 0]])  # the second is padded (pad_id 0)
    tgt = torch.tensor([[1, 5, 6, 7], [1, 9, 9, 2]])
    src_x, tgt_x = ours.embed(src, ours.src_embed), ours.embed(tgt, ours.tgt_embed)
    keep = ours.source_mask(src)[:, 0, 0]  # (B, S), True = real token
    with torch.no_grad():
        expected = theirs(
            src_x,
            tgt_x,
            tgt_mask=~causal_mask(4),
            src_key_padding_mask=~keep,
            memory_key_padding_mask=~keep,
        )
        got = ours.decode(tgt, ours.encode(src), src)
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=1e-4)
    assert ours(src, tgt).shape == (2, 4, 13)


def test_embedding_is_scaled_by_sqrt_d_model_plus_positions():
    model = _tiny()
    tokens = torch.tensor([[3, 4, 5]])
    expected = model.src_embed.weight[[3, 4, 5]] * 4.0 + sinusoidal_positional_encoding(3, 16)
    torch.testing.assert_close(model.embed(tokens, model.src_embed)[0], expected.float())


def test_padding_in_the_source_changes_nothing():
    model = _tiny()
    src, tgt = torch.tensor([[3, 4, 5]]), torch.tensor([[1, 6, 7]])
    padded = torch.tensor([[3, 4, 5, 0, 0]])
    with torch.no_grad():
        torch.testing.assert_close(model(padded, tgt), model(src, tgt), atol=1e-6, rtol=1e-5)


def test_later_target_tokens_do_not_change_earlier_logits():
    model = _tiny()
    src = torch.tensor([[3, 4, 5]])
    with torch.no_grad():
        a = model(src, torch.tensor([[1, 6, 7, 8]]))
        b = model(src, torch.tensor([[1, 6, 9, 10]]))
    assert torch.equal(a[:, :2], b[:, :2])
    assert not torch.equal(a[:, 2:], b[:, 2:])


def test_transformer_refuses_bad_token_tensors():
    model = _tiny()
    with pytest.raises(ValueError, match="token ids"):
        model(torch.randn(1, 3), torch.tensor([[1]]))
    with pytest.raises(ValueError, match="outside the vocabulary"):
        model(torch.tensor([[3, 40]]), torch.tensor([[1]]))
    with pytest.raises(ValueError, match="empty"):
        model.encode(torch.zeros(1, 0, dtype=torch.long))
    with pytest.raises(ValueError, match="longer than max_len"):
        model.encode(torch.ones(1, 21, dtype=torch.long))


def test_greedy_decode_picks_the_argmax_at_every_step_and_stops_at_eos():
    model = _tiny()
    src = torch.tensor([[3, 4, 5, 6], [7, 8, 0, 0]])
    result = greedy_decode(model, src, bos_id=1, eos_id=2, max_new_tokens=6)
    n = result.probs.shape[1]
    assert result.tokens.shape == (2, 1 + n) and result.cross_attention.shape == (2, 2, n, 4)
    torch.testing.assert_close(result.probs.sum(-1), torch.ones(2, n))
    with torch.no_grad():
        logits = model(src, result.tokens[:, :-1])  # teacher-forced on its own choices
    for b in range(2):
        ended = (result.tokens[b, 1:] == 2).nonzero()
        steps = int(ended[0]) + 1 if len(ended) else n
        assert torch.equal(result.tokens[b, 1 : 1 + steps], logits[b, :steps].argmax(-1))
        assert (result.tokens[b, 1 + steps :] == 0).all()  # padded after its end
    assert torch.all(result.cross_attention[1, ..., 2:] == 0)  # the padded source is never seen


def test_greedy_decode_stops_when_every_sequence_has_ended():
    model = _tiny()
    with torch.no_grad():
        model.out.bias.fill_(-100.0)
        model.out.bias[2] = 100.0  # the end token wins at once
    result = greedy_decode(model, torch.tensor([[3, 4]]), bos_id=1, eos_id=2, max_new_tokens=9)
    assert result.tokens.tolist() == [[1, 2]]
