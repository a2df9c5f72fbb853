"""helpers.transformer: stacks equal torch's, weights copied across."""

import pytest
import torch
from torch import nn

from helpers import causal_mask, padding_mask
from helpers.transformer import Decoder, Encoder

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
