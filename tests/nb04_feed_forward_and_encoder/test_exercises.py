"""Notebook 04's exercise checkers: LayerNorm by hand, an encoder block's parameters, the
pre-norm block. A right answer passes; each mistake gets its own hint. Stubs, broken functions
and None, for every checker: tests/project/test_checkers.py."""

import numpy as np
import torch
from torch import nn

from helpers import EncoderBlock
from helpers.nb04_feed_forward_and_encoder.exercises import (
    _block_parameters,
    _encoder_input,
    _layer_norm,
    check_encoder_parameters,
    check_layer_norm,
    check_pre_norm_block,
)

# --- answers a learner might write ----------------------------------------------------------------


def layer_norm(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def layer_norm_torch(x, gamma, beta, eps=1e-5):
    t = torch.from_numpy(x)
    return nn.functional.layer_norm(
        t, t.shape[-1:], torch.from_numpy(np.asarray(gamma)), torch.from_numpy(beta), eps
    )


def layer_norm_in_place(x, gamma, beta, eps=1e-5):
    x -= x.mean(axis=-1, keepdims=True)  # modifies its argument: the checker must not care
    x /= np.sqrt((x**2).mean(axis=-1, keepdims=True) + eps)
    return x * gamma + beta


def layer_norm_axis0(x, gamma, beta, eps=1e-5):
    return (x - x.mean(0, keepdims=True)) / np.sqrt(x.var(0, keepdims=True) + eps) * gamma + beta


def layer_norm_unbiased(x, gamma, beta, eps=1e-5):
    var = x.var(axis=-1, keepdims=True, ddof=1)
    return (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(var + eps) * gamma + beta


def layer_norm_eps_outside(x, gamma, beta, eps=1e-5):
    std = x.std(axis=-1, keepdims=True)
    return (x - x.mean(axis=-1, keepdims=True)) / (std + eps) * gamma + beta


def layer_norm_no_eps(x, gamma, beta, eps=1e-5):
    return (x - x.mean(axis=-1, keepdims=True)) / x.std(axis=-1, keepdims=True) * gamma + beta


def layer_norm_no_affine(x, gamma, beta, eps=1e-5):
    return layer_norm(x, 1.0, 0.0, eps)


def encoder_parameters(d_model, d_ff):
    attention = 4 * (d_model * d_model + d_model)
    ffn = d_model * d_ff + d_ff + d_ff * d_model + d_model
    return attention + ffn + 2 * (2 * d_model)


def encoder_parameters_counted(d_model, d_ff):
    block = EncoderBlock(d_model, 8 if d_model % 8 == 0 else 4, d_ff)
    return sum(p.numel() for p in block.parameters())


def encoder_parameters_float(d_model, d_ff):
    return float(encoder_parameters(d_model, d_ff))


def parameters_no_norms(d_model, d_ff):
    return encoder_parameters(d_model, d_ff) - 4 * d_model


def parameters_one_norm(d_model, d_ff):
    return encoder_parameters(d_model, d_ff) - 2 * d_model


def parameters_no_w_o(d_model, d_ff):
    return encoder_parameters(d_model, d_ff) - d_model * d_model - d_model


def parameters_no_biases(d_model, d_ff):
    return 4 * d_model * d_model + 2 * d_model * d_ff + 4 * d_model


def parameters_weights_only(d_model, d_ff):
    return 4 * d_model * d_model + 2 * d_model * d_ff


def parameters_ffn_only(d_model, d_ff):
    return 2 * d_model * d_ff + d_ff + d_model


def parameters_fraction(d_model, d_ff):
    return encoder_parameters(d_model, d_ff) + 0.5


def parameters_list(d_model, d_ff):
    return [encoder_parameters(d_model, d_ff)]


def pre_norm_block(x, block):
    x = x + block.self_attn(*[block.norm1(x)] * 3)[0]
    return x + block.ffn(block.norm2(x))


def pre_norm_block_in_place(x, block):
    h = block.norm1(x)
    x += block.self_attn(h, h, h)[0]  # modifies its argument: the checker must not care
    x += block.ffn(block.norm2(x))
    return x


def pre_norm_block_numpy(x, block):
    return pre_norm_block(x, block).numpy()


def post_norm_block(x, block):
    x = block.norm1(x + block.self_attn(x, x, x)[0])
    return block.norm2(x + block.ffn(x))


def pre_norm_first_half(x, block):
    h = block.norm1(x)
    return x + block.self_attn(h, h, h)[0]


def pre_norm_no_residual(x, block):
    h = block.norm1(x)
    return block.ffn(block.norm2(block.self_attn(h, h, h)[0]))


def pre_norm_swapped(x, block):
    h = block.norm2(x)
    x = x + block.self_attn(h, h, h)[0]
    return x + block.ffn(block.norm1(x))


def pre_norm_tuple(x, block):
    h = block.norm1(x)
    x = x + block.self_attn(h, h, h)  # forgot [0]
    return x + block.ffn(block.norm2(x))


def pre_norm_wrong_shape(x, block):
    return pre_norm_block(x, block)[0]


def test_pass_messages_state_facts(said):
    line = said(check_layer_norm, layer_norm)
    assert "mean 0.0000 and standard deviation 1.0000 over its 512 features" in line
    line = said(check_encoder_parameters, encoder_parameters)
    assert "3,152,384 parameters per block, 67% of them in the FFN and 33% in attention" in line
    assert "6 blocks hold 18,914,306" not in line and "6 blocks hold 18,914,304" in line
    assert "BERT-base's 12 blocks of (768, 3072) 85,054,464" in line


def test_reference_counts_are_the_blocks():
    for d, f in ((512, 2048), (64, 256)):
        block = EncoderBlock(d, 8, f)
        assert sum(_block_parameters(d, f).values()) == sum(p.numel() for p in block.parameters())


def test_reference_layer_norm_is_torchs():
    x = _encoder_input()
    torch_out = nn.LayerNorm(512, dtype=torch.float64)(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(_layer_norm(x, 1.0, 0.0, 1e-5), torch_out, atol=1e-12)


def test_checkers_leave_the_global_rng_alone(said):
    torch.manual_seed(5)
    before = torch.rand(2)
    torch.manual_seed(5)
    said(check_pre_norm_block, pre_norm_block)
    assert torch.equal(torch.rand(2), before)


# --- the tables of answers: tests/conftest.py runs the test above each table once per row ---------


def test_wrong_answers_get_their_hint(reply, hint):
    assert reply.startswith("Not yet: ") and hint in reply, reply


WRONG = {
    check_layer_norm: """
        layer_norm_axis0        axis=-1
        layer_norm_unbiased     unbiased variance
        layer_norm_eps_outside  inside the square root
        layer_norm_no_eps       variance 0: add eps
        layer_norm_no_affine    multiply by gamma and add beta
    """,
    check_encoder_parameters: """
        parameters_no_norms      LayerNorm has parameters
        parameters_one_norm      two Add & Norm steps
        parameters_no_w_o        the output W_o
        parameters_no_biases     count the biases
        parameters_weights_only  and the LayerNorms' γ
        parameters_ffn_only      that is the FFN alone
        parameters_fraction      a whole number
        parameters_list          should return one number
    """,
    check_pre_norm_block: """
        post_norm_block       is the post-norm block
        pre_norm_first_half   stops after attention
        pre_norm_no_residual  forgets the residual
        pre_norm_swapped      swaps the norms
        pre_norm_tuple        keep only the output
        pre_norm_wrong_shape  the shape is (6, 512)
    """,
}


def test_right_answers_pass(reply):
    assert reply.startswith("✓ ")


RIGHT = {
    check_layer_norm: [layer_norm, layer_norm_torch, layer_norm_in_place],
    check_encoder_parameters: [
        encoder_parameters,
        encoder_parameters_counted,
        encoder_parameters_float,
    ],
    check_pre_norm_block: [pre_norm_block, pre_norm_block_in_place, pre_norm_block_numpy],
}
