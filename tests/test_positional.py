"""helpers.positional against the published formula, and its properties."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import sinusoidal_positional_encoding

d_models = st.integers(1, 64).map(lambda n: 2 * n)


def test_matches_the_formula_element_by_element():
    pe = sinusoidal_positional_encoding(7, 6)
    for pos in range(7):
        for i in range(3):
            angle = pos / 10000 ** (2 * i / 6)
            assert pe[pos, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-6)
            assert pe[pos, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-6)


def test_four_dimensional_example():
    # d = 4: PE(pos) = [sin(pos), cos(pos), sin(pos/100), cos(pos/100)]
    pe = sinusoidal_positional_encoding(6, 4)
    pos = torch.arange(6.0)
    expected = torch.stack([pos.sin(), pos.cos(), (pos / 100).sin(), (pos / 100).cos()], dim=1)
    torch.testing.assert_close(pe, expected)


def test_base_changes_the_wavelengths():
    pe = sinusoidal_positional_encoding(3, 4, base=100.0)
    assert pe[2, 2].item() == pytest.approx(math.sin(2 / 10), abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 64), d=d_models)
def test_every_row_has_norm_sqrt_d_over_2(n, d):
    norms = sinusoidal_positional_encoding(n, d).norm(dim=1)
    torch.testing.assert_close(norms, torch.full((n,), math.sqrt(d / 2)))


@settings(max_examples=50, deadline=None)
@given(d=d_models, p=st.integers(0, 200), q=st.integers(0, 200), k=st.integers(0, 60))
def test_dot_product_depends_only_on_offset(d, p, q, k):
    pe = sinusoidal_positional_encoding(300, d).double()
    assert (pe[p] @ pe[p + k]).item() == pytest.approx((pe[q] @ pe[q + k]).item(), abs=1e-4)


@pytest.mark.parametrize(
    ("args", "message"),
    [((0, 4), "n_positions"), ((4, 5), "even"), ((4, 0), "even"), ((4, 4, 1.0), "base")],
)
def test_bad_input_is_named(args, message):
    with pytest.raises(ValueError, match=message):
        sinusoidal_positional_encoding(*args)
