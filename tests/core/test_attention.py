"""helpers.attention against torch's own functions and modules, plus properties and bad input."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from helpers import MultiHeadAttention, causal_mask, padding_mask, scaled_dot_product_attention

ATOL = 1e-5

SHAPES = [  # (batch dims, T, S, Dk, Dv)
    ((), 6, 6, 64, 64),
    ((3,), 4, 7, 8, 5),
    ((2, 4), 5, 3, 16, 16),
    ((1,), 1, 1, 4, 4),
]


@pytest.mark.parametrize(("batch", "t", "s", "dk", "dv"), SHAPES)
@pytest.mark.parametrize("masked", [False, True])
def test_sdpa_matches_torch(batch, t, s, dk, dv, masked):
    q, k, v = torch.randn(*batch, t, dk), torch.randn(*batch, s, dk), torch.randn(*batch, s, dv)
    mask = torch.rand(t, s) > 0.3 if masked else None
    if mask is not None:
        mask[:, 0] = True  # every query keeps a key: torch gives NaN-free rows too
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out, expected, atol=ATOL, rtol=0)
    assert weights.shape == (*batch, t, s)
    torch.testing.assert_close(weights @ v, out, atol=ATOL, rtol=0)


def test_sdpa_formula_by_hand():
    q, k, v = torch.randn(2, 3, 8), torch.randn(2, 5, 8), torch.randn(2, 5, 4)
    weights = torch.exp(q @ k.mT / 8**0.5)
    weights = weights / weights.sum(-1, keepdim=True)
    out, got = scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(got, weights)
    torch.testing.assert_close(out, weights @ v)


def test_scale_argument_matches_torch():
    q, k, v = torch.randn(3, 8), torch.randn(4, 8), torch.randn(4, 2)
    out, _ = scaled_dot_product_attention(q, k, v, scale=0.7)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, scale=0.7))


def test_fully_masked_row_gives_zeros_not_nan():
    q, k, v = torch.randn(3, 4), torch.randn(5, 4), torch.randn(5, 2)
    mask = torch.ones(3, 5, dtype=torch.bool)
    mask[1] = False
    q.requires_grad_(True)
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    assert torch.equal(weights[1], torch.zeros(5))
    assert torch.equal(out[1], torch.zeros(2))
    assert not out.isnan().any()
    out.sum().backward()
    assert not q.grad.isnan().any()


@settings(max_examples=50, deadline=None)
@given(
    t=st.integers(1, 9),
    s=st.integers(1, 9),
    dk=st.integers(1, 16),
    seed=st.integers(0, 2**16),
    spread=st.floats(0.1, 30.0),
)
def test_weights_rows_sum_to_one(t, s, dk, seed, spread):
    g = torch.Generator().manual_seed(seed)
    q, k = torch.randn(t, dk, generator=g) * spread, torch.randn(s, dk, generator=g) * spread
    _, weights = scaled_dot_product_attention(q, k, torch.randn(s, 3, generator=g))
    assert (weights >= 0).all()
    torch.testing.assert_close(weights.sum(-1), torch.ones(t))


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 12), dk=st.integers(1, 16), seed=st.integers(0, 2**16))
def test_causal_mask_gives_zero_weight_above_diagonal(n, dk, seed):
    g = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(n, dk, generator=g) * 5 for _ in range(3))
    _, weights = scaled_dot_product_attention(q, k, v, causal_mask(n))
    assert torch.equal(weights.triu(1), torch.zeros(n, n))
    torch.testing.assert_close(weights.sum(-1), torch.ones(n))


def test_causal_mask_values():
    assert causal_mask(3).tolist() == [
        [True, False, False],
        [True, True, False],
        [True, True, True],
    ]
    with pytest.raises(ValueError, match="positive length"):
        causal_mask(0)


def test_padding_mask_shape_and_values():
    mask = padding_mask([2, 4])
    assert mask.shape == (2, 1, 1, 4)
    assert mask[:, 0, 0].tolist() == [[True, True, False, False], [True, True, True, True]]
    with pytest.raises(ValueError, match="positive lengths"):
        padding_mask([3, 0])
    with pytest.raises(ValueError, match="exceeds max_len"):
        padding_mask([5], max_len=3)


@pytest.mark.parametrize(
    ("q", "k", "v", "mask", "message"),
    [
        ((3, 8), (4, 6), (4, 2), None, r"same width Dk: q \(3, 8\) has Dk=8, k \(4, 6\) has Dk=6"),
        ((3, 8), (4, 8), (5, 2), None, r"same length S: k \(4, 8\), v \(5, 2\)"),
        ((2, 3, 8), (4, 4, 8), (4, 4, 2), None, "do not broadcast"),
        (
            (3, 8),
            (4, 8),
            (4, 2),
            torch.ones(3, 5, dtype=torch.bool),
            r"\(3, 5\) does not broadcast",
        ),
        ((3, 8), (4, 8), (4, 2), torch.ones(3, 4), "dtype torch.bool"),
        ((8,), (4, 8), (4, 2), None, "at least 2 dimensions"),
    ],
)
def test_sdpa_bad_input_is_named(q, k, v, mask, message):
    with pytest.raises(ValueError, match=message):
        scaled_dot_product_attention(torch.randn(q), torch.randn(k), torch.randn(v), mask)


def _torch_mha(d_model, n_heads, bias=True):
    return nn.MultiheadAttention(d_model, n_heads, bias=bias, batch_first=True, dropout=0.0).eval()


@pytest.mark.parametrize(
    ("d_model", "n_heads", "b", "t", "s"),
    [
        (512, 8, 1, 6, 6),
        (32, 4, 3, 5, 7),
        (12, 1, 2, 1, 4),
        (16, 16, 2, 3, 3),
    ],
)
@pytest.mark.parametrize("mask_kind", [None, "causal", "padding"])
@pytest.mark.parametrize("bias", [True, False])
def test_mha_matches_torch(d_model, n_heads, b, t, s, mask_kind, bias):
    theirs = _torch_mha(d_model, n_heads, bias)
    ours = MultiHeadAttention.from_torch(theirs).eval()
    query, memory = torch.randn(b, t, d_model), torch.randn(b, s, d_model)
    if mask_kind == "causal":
        memory = query if t == s else memory
        mask = causal_mask(t) if t == s else torch.rand(t, s) > 0.4
        if mask.dim() == 2:
            mask[:, 0] = True
    elif mask_kind == "padding":
        mask = padding_mask(torch.randint(1, s + 1, (b,)), max_len=s)  # (B, 1, 1, S)
    else:
        mask = None
    out, weights = ours(query, memory, memory, mask)
    # torch's module: True = blocked, and a (B*H, T, S) or (T, S) mask: invert and expand ours.
    torch_mask = None
    if mask is not None:
        torch_mask = (~mask.expand(b, n_heads, t, s)).reshape(b * n_heads, t, s)
    expected, expected_w = theirs(
        query, memory, memory, attn_mask=torch_mask, need_weights=True, average_attn_weights=False
    )
    torch.testing.assert_close(out, expected, atol=ATOL, rtol=1e-4)
    torch.testing.assert_close(weights, expected_w, atol=ATOL, rtol=1e-4)
    assert weights.shape == (b, n_heads, t, s)


def test_mha_unpacks_in_proj_weight():
    theirs = _torch_mha(8, 2)
    ours = MultiHeadAttention.from_torch(theirs)
    w = theirs.in_proj_weight
    assert torch.equal(ours.W_q.weight, w[:8])
    assert torch.equal(ours.W_k.weight, w[8:16])
    assert torch.equal(ours.W_v.weight, w[16:])
    assert torch.equal(ours.W_o.weight, theirs.out_proj.weight)


def test_mha_refuses_heads_that_do_not_divide():
    with pytest.raises(ValueError, match=r"n_heads=3 does not divide d_model=512.*170\.667"):
        MultiHeadAttention(512, 3)


def test_mha_refuses_wrong_shapes_and_masks():
    mha = MultiHeadAttention(16, 4)
    x = torch.randn(2, 5, 16)
    with pytest.raises(ValueError, match=r"query must have shape \(B, len, 16\), got \(2, 5, 12\)"):
        mha(torch.randn(2, 5, 12), x, x)
    with pytest.raises(ValueError, match=r"query must have shape \(B, len, 16\), got \(5, 16\)"):
        mha(torch.randn(5, 16), x, x)
    with pytest.raises(ValueError, match="batch sizes differ"):
        mha(torch.randn(3, 5, 16), x, x)
    with pytest.raises(ValueError, match="same shape"):
        mha(x, x, torch.randn(2, 4, 16))
    with pytest.raises(ValueError, match=r"\(4, 4\) does not broadcast to the weights"):
        mha(x, x, x, torch.ones(4, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="dtype torch.bool"):
        mha(x, x, x, torch.ones(5, 5, dtype=torch.int64))


def test_mha_refuses_unsupported_torch_module():
    with pytest.raises(ValueError, match="add_bias_kv"):
        MultiHeadAttention.from_torch(nn.MultiheadAttention(8, 2, add_bias_kv=True))


def test_constructed_heads_show_the_books_three_relations():
    from helpers import TOKENS
    from helpers.nb02_multi_head_attention.data import constructed_attention, feature_vectors

    x = feature_vectors(TOKENS)[None]  # (1, 6, 512)
    with torch.no_grad():
        _, weights = constructed_attention()(x, x, x)  # (1, 8, 6, 6)
    cat, sat, on, mat = (TOKENS.index(w) for w in ("cat", "sat", "on", "mat"))
    for head, (query, key) in enumerate([(cat, sat), (cat, mat), (on, mat)]):
        assert weights[0, head, query].argmax().item() == key
        assert weights[0, head, query, key].item() > 0.9
    with pytest.raises(ValueError, match="at least 3"):
        constructed_attention(n_heads=2)
