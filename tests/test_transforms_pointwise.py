"""Hand-computed values of the pointwise transforms and of noise."""

from __future__ import annotations

import pytest
import torch

from netbend.bending import build_module
from netbend.bending.transforms import ablate, add, add_noise, invert, multiply, threshold
from netbend.errors import NetbendError

VALUES = torch.tensor([[[[0.0, 1.0], [3.0, -2.0]]]])


def test_ablate_value():
    assert torch.equal(ablate(VALUES), torch.zeros(1, 1, 2, 2))


def test_invert_default_pivot():
    expected = torch.tensor([[[[1.0, 0.0], [-2.0, 3.0]]]])
    assert torch.equal(invert(VALUES), expected)


def test_invert_pivot():
    expected = torch.tensor([[[[4.0, 3.0], [1.0, 6.0]]]])
    assert torch.equal(invert(VALUES, pivot=4.0), expected)


def test_multiply_value():
    expected = torch.tensor([[[[0.0, 2.5], [7.5, -5.0]]]])
    assert torch.equal(multiply(VALUES, 2.5), expected)


def test_add_value():
    expected = torch.tensor([[[[0.5, 1.5], [3.5, -1.5]]]])
    assert torch.equal(add(VALUES, 0.5), expected)


def test_threshold_strictly_above():
    x = torch.tensor([[[[0.2, 0.5], [0.7, -1.0]]]])
    expected = torch.tensor([[[[0.0, 0.0], [1.0, 0.0]]]])
    assert torch.equal(threshold(x, 0.5), expected)


def test_threshold_keeps_dtype():
    assert threshold(VALUES.double(), 0.5).dtype == torch.float64


def test_noise_value():
    x = torch.ones(2, 3, 4, 5)
    field = torch.randn(3, 4, 5, generator=torch.Generator().manual_seed(7))
    torch.testing.assert_close(add_noise(x, 0.5, seed=7), x + 0.5 * field, rtol=0, atol=0)


def test_noise_same_field_per_item():
    x = torch.randn(3, 2, 8, 8)
    noise = add_noise(x, 1.0, seed=1) - x
    torch.testing.assert_close(noise[0], noise[2], rtol=0, atol=1e-6)


def test_noise_std():
    x = torch.zeros(1, 1, 128, 128)
    measured = add_noise(x, 0.5, seed=3).std().item()
    assert abs(measured - 0.5) < 0.02


def test_noise_seed_changes_field():
    x = torch.zeros(1, 2, 4, 4)
    assert not torch.equal(add_noise(x, 1.0, seed=0), add_noise(x, 1.0, seed=1))


def test_noise_zero_std_identity():
    x = torch.randn(2, 2, 4, 4)
    assert torch.equal(add_noise(x, 0.0), x)


def test_noise_rejects_negative_std():
    with pytest.raises(NetbendError, match="std must be 0 or more"):
        build_module("noise", 4, {"std": -1.0})


def test_function_rejects_3d_input():
    with pytest.raises(NetbendError, match="B x C x H x W"):
        invert(torch.zeros(3, 4, 4))


def test_function_rejects_integer_input():
    with pytest.raises(NetbendError, match="floating-point"):
        add(torch.zeros(1, 1, 2, 2, dtype=torch.long), 1.0)
