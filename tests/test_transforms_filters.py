"""Hand-computed values of erode, dilate and sobel."""

from __future__ import annotations

import math

import pytest
import torch

from netbend.bending.transforms import dilate, erode, sobel
from netbend.errors import NetbendError

GRID_3 = (torch.arange(9.0) + 1).reshape(1, 1, 3, 3)  # 1 .. 9


def test_dilate_3x3():
    expected = torch.tensor([[[[5.0, 6.0, 6.0], [8.0, 9.0, 9.0], [8.0, 9.0, 9.0]]]])
    assert torch.equal(dilate(GRID_3, 3), expected)


def test_erode_3x3():
    expected = torch.tensor([[[[1.0, 1.0, 2.0], [1.0, 1.0, 2.0], [4.0, 4.0, 5.0]]]])
    assert torch.equal(erode(GRID_3, 3), expected)


def test_erode_negative_values():
    x = -GRID_3
    expected = torch.tensor([[[[-5.0, -6.0, -6.0], [-8.0, -9.0, -9.0], [-8.0, -9.0, -9.0]]]])
    assert torch.equal(erode(x, 3), expected)


def test_size_one_is_identity():
    assert torch.equal(dilate(GRID_3, 1), GRID_3)


def test_morphology_rejects_even_size():
    with pytest.raises(NetbendError, match="odd whole number"):
        dilate(GRID_3, 2)


def test_sobel_vertical_step():
    x = torch.tensor([[[[0.0, 0.0, 1.0, 1.0]] * 4]])
    expected = torch.tensor([[[[0.0, 4.0, 4.0, 0.0]] * 4]])
    torch.testing.assert_close(sobel(x), expected, rtol=0, atol=1e-6)


def test_sobel_single_pixel():
    x = torch.zeros(1, 1, 3, 3)
    x[0, 0, 1, 1] = 1.0
    root2 = math.sqrt(2.0)
    expected = torch.tensor([[[[root2, 2.0, root2], [2.0, 0.0, 2.0], [root2, 2.0, root2]]]])
    torch.testing.assert_close(sobel(x), expected, rtol=0, atol=1e-6)


def test_sobel_constant_map_zero():
    assert sobel(torch.full((2, 3, 5, 5), 7.0)).max().item() < 1e-18


def test_sobel_flat_region_gradient_zero():
    x = torch.zeros(1, 1, 4, 4, requires_grad=True)
    sobel(x).sum().backward()
    assert torch.equal(x.grad, torch.zeros(1, 1, 4, 4))


def test_sobel_matches_convolution():
    x = torch.randn(2, 3, 9, 7, generator=torch.Generator().manual_seed(0))
    kernel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    kernels = torch.stack([kernel_x, kernel_x.t()]).unsqueeze(1)  # 2 x 1 x 3 x 3
    padded = torch.nn.functional.pad(x.reshape(6, 1, 9, 7), (1, 1, 1, 1), mode="replicate")
    gradients = torch.nn.functional.conv2d(padded, kernels)
    expected = gradients.square().sum(dim=1).sqrt().reshape(2, 3, 9, 7)
    torch.testing.assert_close(sobel(x), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("size", [3, 5, 7])
def test_dilate_matches_max_pool(size):
    x = torch.randn(2, 3, 9, 7, generator=torch.Generator().manual_seed(1))
    expected = torch.nn.functional.max_pool2d(x, size, stride=1, padding=size // 2)
    assert torch.equal(dilate(x, size), expected)


@pytest.mark.parametrize("size", [3, 5, 7])
def test_erode_matches_min_pool(size):
    x = torch.randn(2, 3, 9, 7, generator=torch.Generator().manual_seed(2))
    expected = -torch.nn.functional.max_pool2d(-x, size, stride=1, padding=size // 2)
    assert torch.equal(erode(x, size), expected)



def test_sobel_half_precision_flat_zero():
    assert sobel(torch.zeros(1, 1, 4, 4, dtype=torch.float16)).max().item() == 0.0
