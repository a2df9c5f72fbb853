"""helpers.positional against the published formula, and its properties."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import positional, sinusoidal_positional_encoding
from helpers.nb03_positional_encoding.data import NOTES_PE_TABLE, PRINTED_BASE

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


# --- the helpers taught in 03_positional_encoding.ipynb -------------------------------------------


def test_angles_are_pos_over_base_to_the_2i_over_d():
    angles = positional.positional_angles(5, 6, base=100.0)
    assert angles.shape == (5, 3) and angles.dtype == torch.float64
    for pos in range(5):
        for i in range(3):
            assert angles[pos, i].item() == pytest.approx(pos / 100 ** (2 * i / 6))


def test_wavelengths_run_from_two_pi_towards_two_pi_times_base():
    waves = positional.wavelengths(512)
    assert waves.shape == (256,)
    assert waves[0].item() == pytest.approx(2 * math.pi)
    assert waves[128].item() == pytest.approx(2 * math.pi * 100)  # 10000^(256/512) = 100
    assert waves[-1].item() == pytest.approx(2 * math.pi * 10000 ** (510 / 512))
    ratios = waves[1:] / waves[:-1]
    torch.testing.assert_close(ratios, torch.full_like(ratios, 10000 ** (2 / 512)))


def test_wavelength_is_the_period_of_each_pair():
    pe = sinusoidal_positional_encoding(50, 8, base=100.0).double()  # (P, D)
    waves = positional.wavelengths(8, base=100.0)  # (D/2,)
    pos = torch.arange(50, dtype=torch.float64)[:, None]  # (P, 1)
    torch.testing.assert_close(pe[:, 0::2], torch.sin(2 * math.pi * pos / waves), atol=1e-6, rtol=0)
    torch.testing.assert_close(pe[:, 1::2], torch.cos(2 * math.pi * pos / waves), atol=1e-6, rtol=0)


@settings(max_examples=50, deadline=None)
@given(d=d_models, k=st.integers(-60, 60), base=st.sampled_from([10.0, 100.0, 1000.0, 10000.0]))
def test_offset_dot_product_matches_the_rows(d, k, base):
    pe = sinusoidal_positional_encoding(200, d, base).double()
    for p in (60, 75, 130):
        assert (pe[p] @ pe[p + k]).item() == pytest.approx(
            positional.offset_dot_product(k, d, base).item(), abs=1e-4
        )


def test_offset_dot_product_shapes_and_values():
    assert positional.offset_dot_product(0, 512).item() == pytest.approx(256)
    many = positional.offset_dot_product([0, 1, -1, 5], 4)
    assert many.shape == (4,)
    assert many[1].item() == pytest.approx(many[2].item())  # even in k
    assert many[1].item() == pytest.approx(math.cos(1) + math.cos(0.01))


@settings(max_examples=50, deadline=None)
@given(d=d_models, k=st.integers(-40, 40), base=st.sampled_from([10.0, 1000.0, 10000.0]))
def test_shift_matrix_moves_every_position_by_k(d, k, base):
    pe = sinusoidal_positional_encoding(100, d, base).double()  # (P, D)
    m = positional.shift_matrix(k, d, base)  # (D, D)
    rows = torch.arange(max(0, -k), min(100, 100 - k))
    torch.testing.assert_close(pe[rows] @ m.T, pe[rows + k], atol=1e-5, rtol=0)


def test_shift_matrix_is_a_rotation_and_a_group():
    m1, m2, m3 = (positional.shift_matrix(k, 16) for k in (1, 2, 3))
    eye = torch.eye(16, dtype=torch.float64)
    torch.testing.assert_close(m3 @ m3.T, eye)  # orthogonal
    torch.testing.assert_close(m1 @ m2, m3)  # one step then two steps = three steps
    torch.testing.assert_close(positional.shift_matrix(-3, 16), m3.T)  # backwards = transpose
    torch.testing.assert_close(positional.shift_matrix(0, 16), eye)
    assert torch.linalg.det(m3).item() == pytest.approx(1.0)


def test_shift_matrix_blocks_for_d_4():
    m = positional.shift_matrix(1, 4)
    c0, s0, c1, s1 = math.cos(1), math.sin(1), math.cos(0.01), math.sin(0.01)
    expected = torch.tensor(
        [[c0, s0, 0, 0], [-s0, c0, 0, 0], [0, 0, c1, s1], [0, 0, -s1, c1]], dtype=torch.float64
    )
    torch.testing.assert_close(m, expected)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: positional.positional_angles(0, 4), "n_positions"),
        (lambda: positional.positional_angles(3, 3), "even"),
        (lambda: positional.wavelengths(4, base=1.0), "base"),
        (lambda: positional.wavelengths(True), "even"),
        (lambda: positional.offset_dot_product(1, 7), "even"),
        (lambda: positional.shift_matrix(1.5, 4), "integer offset"),
        (lambda: positional.shift_matrix(1, 4, base=0.5), "base"),
    ],
)
def test_new_helpers_name_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_notes_table_is_the_shifted_rule_except_one_value():
    """The findings of 03_positional_encoding.ipynb §3, kept true by a test."""
    book = torch.tensor(NOTES_PE_TABLE, dtype=torch.float64)  # (6, 4)
    pos = torch.arange(6, dtype=torch.float64)
    formula = sinusoidal_positional_encoding(6, 4).double()
    rule = torch.stack([pos.sin(), pos.cos(), (pos + 1).sin(), (pos + 1).cos()], dim=1)
    torch.testing.assert_close(book[:, :2], formula[:, :2], atol=1e-3, rtol=0)
    assert (book[:, 2:] - formula[:, 2:]).abs().max() > 0.5  # columns 3-4: not the formula
    assert torch.equal(book[:5, 2:], book[1:, :2])  # each row continues into the next
    off = (book - rule).abs()
    assert off[5, 3].item() == pytest.approx(math.cos(6) - 0.750, abs=1e-9)  # 0.750 vs 0.960
    off[5, 3] = 0
    assert off.max().item() < 1e-3
    # what no base can give: at position 0 every sine is 0 and every cosine is 1
    for base in (10.0, 100.0, 1000.0, 10000.0):
        row0 = sinusoidal_positional_encoding(1, 4, base)[0]
        torch.testing.assert_close(row0, torch.tensor([0.0, 1.0, 0.0, 1.0]))
    assert book[0].tolist() != [0.0, 1.0, 0.0, 1.0]
    assert positional.PAPER_BASE == 10000.0 and PRINTED_BASE == 1000.0
