"""The depth experiment of notebook 04 (`experiment.depth_statistics`), and the stacks' final
norm copied from torch with its eps."""

import numpy as np
import pytest
import torch
from torch import nn

from helpers import TOKENS, Encoder, sinusoidal_positional_encoding, word_vectors
from helpers.nb04_feed_forward_and_encoder.experiment import MAX_DEPTH, DepthStats, depth_statistics
from helpers.transformer import Decoder

CONFIGS = {  # label: (residual, layer_norm, norm_first)
    "no residual, no LayerNorm": (False, False, False),
    "residual, no LayerNorm": (True, False, False),
    "post-norm: LayerNorm only": (False, True, False),
    "post-norm: residual + LayerNorm": (True, True, False),
    "pre-norm: residual + LayerNorm": (True, True, True),
}


@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize(("label", "flags"), CONFIGS.items())
def test_shapes_labels_and_finite_values(label, flags, activation):
    stats = depth_statistics(5, *flags, activation=activation)
    assert isinstance(stats, DepthStats) and stats.label == label
    assert (stats.depth, stats.activation, stats.d_model) == (5, activation, 64)
    assert stats.activation_rms.shape == stats.activation_grad.shape == (6,)
    assert stats.token_similarity.shape == (6,) and stats.param_grad.shape == (5,)
    for values in (stats.activation_rms, stats.activation_grad, stats.param_grad):
        assert np.isfinite(values).all() and (values > 0).all()
    assert (np.abs(stats.token_similarity) <= 1 + 1e-12).all()


def test_layer_0_is_the_input_and_float64():
    stats = depth_statistics(1)
    x = (word_vectors(TOKENS, 64) + sinusoidal_positional_encoding(6, 64)).double()
    assert stats.activation_rms[0] == pytest.approx(float(x.pow(2).mean().sqrt()), rel=1e-12)
    unit = x / x.norm(dim=-1, keepdim=True)
    cos = unit @ unit.T
    assert stats.token_similarity[0] == pytest.approx(float((cos.sum() - 6) / 30), rel=1e-12)
    assert stats.activation_rms.dtype == np.float64


def test_same_weights_for_every_configuration_and_depth():
    """Only the switches differ: deeper stacks start with the same blocks, so their first
    layers' activations agree; and the flags do not change the random weights."""
    short, deep = depth_statistics(3), depth_statistics(9)
    np.testing.assert_allclose(deep.activation_rms[:4], short.activation_rms, rtol=1e-12)
    np.testing.assert_allclose(deep.token_similarity[:4], short.token_similarity, rtol=1e-12)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        a = Encoder(2, 64, 4, 256, residual=False, layer_norm=False)
        torch.manual_seed(0)
        b = Encoder(2, 64, 4, 256, norm_first=True, activation="gelu")
    weights = {k: v for k, v in b.state_dict().items() if "norm" not in k}
    assert weights.keys() <= a.state_dict().keys()
    for k, v in weights.items():
        assert torch.equal(a.state_dict()[k], v), k


def test_deterministic_cached_read_only_and_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    first = depth_statistics(4, residual=False, seed=7)
    assert torch.equal(torch.rand(3), before)  # the caller's random stream is untouched
    assert depth_statistics(4, residual=False, seed=7) is first  # cached
    assert depth_statistics(4, 0, 1, 0, seed=7) is first  # 0/1 are the same switches
    with pytest.raises(ValueError, match="read-only"):
        first.param_grad[0] = 0.0
    other = depth_statistics(4, residual=False, seed=8)
    assert not np.allclose(other.param_grad, first.param_grad)


def test_the_findings_of_the_notebook():
    """What notebook 04 reports at 24 blocks (d_model 64, ReLU, seed 0)."""
    plain, res, ln, post, pre = (depth_statistics(24, *flags) for flags in CONFIGS.values())
    # No residual, no LayerNorm: the gradient vanishes towards the input, the tokens merge.
    assert plain.param_grad[0] / plain.param_grad[-1] < 1e-20
    assert plain.token_similarity[-1] > 0.999
    # Residuals alone: activations and gradients grow (and explode further down, below).
    assert res.activation_rms[-1] > 4 * res.activation_rms[0]
    assert res.param_grad.min() > 5 * post.param_grad.max()
    # LayerNorm alone keeps the scale but not the tokens apart. (Its gradient trend changes with
    # the seed and the width; the collapse does not, so only the collapse is asserted.)
    np.testing.assert_allclose(ln.activation_rms[1:], 1.0, rtol=1e-3)
    assert ln.token_similarity[-1] > 0.99
    # Post-norm: every block's output has RMS 1; its gradients stay within a factor of 2.
    np.testing.assert_allclose(post.activation_rms[1:], 1.0, rtol=1e-3)
    assert 0.5 < post.param_grad[0] / post.param_grad[-1] < 2
    # Pre-norm: the residual stream grows slowly, the gradient is largest at the first blocks.
    assert 1.5 < pre.activation_rms[-1] / pre.activation_rms[0] < 3
    assert pre.param_grad[0] > pre.param_grad[-1]
    assert pre.token_similarity[-1] < post.token_similarity[-1]


def test_residual_only_explodes_with_depth():
    grads = [depth_statistics(n, residual=True, layer_norm=False).param_grad[0] for n in (12, 48)]
    assert grads[1] > 10 * grads[0]


def test_one_block_and_one_token():
    stats = depth_statistics(1, tokens=["cat"])
    assert stats.param_grad.shape == (1,) and stats.token_similarity.tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"depth": 0}, "from 1 to"),
        ({"depth": MAX_DEPTH + 1}, "from 1 to"),
        ({"depth": 2.0}, "integer"),
        ({"depth": True}, "integer"),
        ({"depth": 2, "activation": "tanh"}, "activation must be one of"),
        ({"depth": 2, "tokens": []}, "at least one token"),
    ],
)
def test_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        depth_statistics(**kwargs)


@pytest.mark.parametrize("kind", ["encoder", "decoder"])
def test_from_torch_keeps_the_final_norms_eps(kind):
    if kind == "encoder":
        layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
        theirs = nn.TransformerEncoder(
            layer, 2, norm=nn.LayerNorm(8, eps=0.5), enable_nested_tensor=False
        ).eval()
        ours = Encoder.from_torch(theirs).eval()
        args = (torch.randn(1, 3, 8),)
    else:
        layer = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
        theirs = nn.TransformerDecoder(layer, 2, norm=nn.LayerNorm(8, eps=0.5)).eval()
        ours = Decoder.from_torch(theirs).eval()
        args = (torch.randn(1, 3, 8), torch.randn(1, 4, 8))
    assert ours.norm.eps == 0.5
    with torch.no_grad():
        torch.testing.assert_close(ours(*args), theirs(*args), atol=1e-5, rtol=1e-4)
    theirs.norm = nn.LayerNorm(8, eps=0.5, elementwise_affine=False)
    assert (Encoder if kind == "encoder" else Decoder).from_torch(theirs).norm.weight is None
    theirs.norm = nn.RMSNorm(8)
    with pytest.raises(ValueError, match="final nn.LayerNorm only"):
        (Encoder if kind == "encoder" else Decoder).from_torch(theirs)
