"""helpers.blocks against torch's Transformer layers, weights copied across."""

import pytest
import torch
from torch import nn

from helpers import DecoderBlock, EncoderBlock, FeedForward, causal_mask, padding_mask

ATOL = 1e-5
CONFIGS = [  # d_model, n_heads, d_ff, activation, batch, T, S
    (512, 8, 2048, "relu", 1, 6, 6),
    (32, 4, 64, "gelu", 3, 5, 7),
    (16, 2, 32, "relu", 2, 1, 3),
]


def _enc(d_model, n_heads, d_ff, activation):
    return nn.TransformerEncoderLayer(
        d_model, n_heads, d_ff, dropout=0.0, activation=activation, batch_first=True
    ).eval()


def _dec(d_model, n_heads, d_ff, activation):
    return nn.TransformerDecoderLayer(
        d_model, n_heads, d_ff, dropout=0.0, activation=activation, batch_first=True
    ).eval()


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_feed_forward_formula_and_position_wise(activation):
    ffn = FeedForward(8, 32, activation)
    x = torch.randn(2, 5, 8)
    act = torch.relu if activation == "relu" else nn.functional.gelu
    expected = act(x @ ffn.W_1.weight.T + ffn.W_1.bias) @ ffn.W_2.weight.T + ffn.W_2.bias
    torch.testing.assert_close(ffn(x), expected)
    torch.testing.assert_close(ffn(x[:, 2:3]), ffn(x)[:, 2:3])  # each position on its own


def test_feed_forward_refuses_unknown_activation_and_shape():
    with pytest.raises(ValueError, match="activation must be one of"):
        FeedForward(8, 32, "tanh")
    with pytest.raises(ValueError, match=r"\(B, len, 8\), got \(2, 5, 7\)"):
        FeedForward(8, 32)(torch.randn(2, 5, 7))


@pytest.mark.parametrize(("d_model", "n_heads", "d_ff", "activation", "b", "t", "s"), CONFIGS)
@pytest.mark.parametrize("masked", [False, True])
def test_encoder_block_matches_torch(d_model, n_heads, d_ff, activation, b, t, s, masked):
    theirs = _enc(d_model, n_heads, d_ff, activation)
    ours = EncoderBlock.from_torch(theirs).eval()
    x = torch.randn(b, s, d_model)
    lengths = torch.randint(1, s + 1, (b,))
    mask = padding_mask(lengths, max_len=s) if masked else None
    key_padding = ~padding_mask(lengths, max_len=s)[:, 0, 0] if masked else None  # True = pad
    with torch.no_grad():
        expected = theirs(x, src_key_padding_mask=key_padding)
        got = ours(x, mask)
    if masked:  # torch's fast path may zero out padded positions: compare real tokens only
        keep = padding_mask(lengths, max_len=s)[:, 0, 0]
        got, expected = got[keep], expected[keep]
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=1e-4)


@pytest.mark.parametrize(("d_model", "n_heads", "d_ff", "activation", "b", "t", "s"), CONFIGS)
def test_decoder_block_matches_torch(d_model, n_heads, d_ff, activation, b, t, s):
    theirs = _dec(d_model, n_heads, d_ff, activation)
    ours = DecoderBlock.from_torch(theirs).eval()
    x, memory = torch.randn(b, t, d_model), torch.randn(b, s, d_model)
    lengths = torch.randint(1, s + 1, (b,))
    with torch.no_grad():
        expected = theirs(
            x,
            memory,
            tgt_mask=~causal_mask(t),
            memory_key_padding_mask=~padding_mask(lengths, max_len=s)[:, 0, 0],
        )
        got = ours(x, memory, tgt_mask=causal_mask(t), memory_mask=padding_mask(lengths, max_len=s))
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=1e-4)
    assert ours.cross_attn_weights.shape == (b, n_heads, t, s)


def test_decoder_leaks_nothing_from_the_future():
    block = DecoderBlock(32, 4, 64).eval()
    x, memory = torch.randn(1, 6, 32), torch.randn(1, 4, 32)
    changed = x.clone()
    changed[0, 4:] = torch.randn(2, 32)  # change the last two target tokens
    with torch.no_grad():
        before = block(x, memory, tgt_mask=causal_mask(6))
        after = block(changed, memory, tgt_mask=causal_mask(6))
        unmasked = block(changed, memory)
    assert torch.equal(before[0, :4], after[0, :4])  # bit for bit
    assert not torch.allclose(before[0, 4:], after[0, 4:])
    assert not torch.allclose(before[0, :4], unmasked[0, :4])  # without the mask it leaks


@pytest.mark.parametrize("kind", ["encoder", "decoder"])
def test_pre_norm_matches_torch(kind):
    make = nn.TransformerEncoderLayer if kind == "encoder" else nn.TransformerDecoderLayer
    theirs = make(16, 2, 32, dropout=0.0, norm_first=True, batch_first=True).eval()
    ours = (EncoderBlock if kind == "encoder" else DecoderBlock).from_torch(theirs).eval()
    assert ours.norm_first
    x, memory = torch.randn(2, 5, 16), torch.randn(2, 3, 16)
    args = (x,) if kind == "encoder" else (x, memory)
    with torch.no_grad():
        torch.testing.assert_close(ours(*args), theirs(*args), atol=ATOL, rtol=1e-4)


def test_residual_and_layer_norm_switches():
    block = EncoderBlock(8, 2, 16, residual=False, layer_norm=False).eval()
    x = torch.randn(1, 4, 8)
    with torch.no_grad():
        attended, _ = block.self_attn(x, x, x)
        expected = block.ffn(attended)  # no "x +", no Norm: just the two sub-layers
        torch.testing.assert_close(block(x), expected)
    assert isinstance(block.norm1, nn.Identity)
    with pytest.raises(ValueError, match="layer_norm=True"):
        EncoderBlock(8, 2, 16, layer_norm=False)._load_norms(_enc(8, 2, 16, "relu"), 2)


def test_from_torch_refuses_other_activations():
    layer = nn.TransformerEncoderLayer(8, 2, 16, activation=torch.tanh, batch_first=True)
    with pytest.raises(ValueError, match="'relu' and 'gelu'"):
        EncoderBlock.from_torch(layer)


def test_blocks_refuse_wrong_shapes():
    with pytest.raises(ValueError, match=r"x must have shape \(B, len, 8\), got \(5, 8\)"):
        EncoderBlock(8, 2, 16)(torch.randn(5, 8))
    with pytest.raises(ValueError, match=r"memory must have shape \(B, len, 8\), got \(1, 3, 4\)"):
        DecoderBlock(8, 2, 16)(torch.randn(1, 2, 8), torch.randn(1, 3, 4))
    with pytest.raises(ValueError, match="does not divide"):
        EncoderBlock(10, 3, 16)
