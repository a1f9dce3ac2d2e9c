"""Hand-computed values of rotate, translate, zoom and flip."""

from __future__ import annotations

import pytest
import torch

from netbend.bending import build_module
from netbend.bending.transforms import flip, rotate, translate, zoom
from netbend.errors import NetbendError

GRID_3 = torch.arange(9.0).reshape(1, 1, 3, 3)
GRID_4 = torch.arange(16.0).reshape(1, 1, 4, 4)


def test_rotate_90_counter_clockwise():
    expected = torch.tensor([[[[2.0, 5.0, 8.0], [1.0, 4.0, 7.0], [0.0, 3.0, 6.0]]]])
    torch.testing.assert_close(rotate(GRID_3, 90.0), expected, rtol=0, atol=1e-5)


def test_rotate_180():
    expected = torch.tensor([[[[8.0, 7.0, 6.0], [5.0, 4.0, 3.0], [2.0, 1.0, 0.0]]]])
    torch.testing.assert_close(rotate(GRID_3, 180.0), expected, rtol=0, atol=1e-5)


def test_rotate_zero_identity():
    torch.testing.assert_close(rotate(GRID_4, 0.0), GRID_4, rtol=0, atol=1e-5)


def test_rotate_non_square_in_pixels():
    # On a 4 x 8 map, row 1, column 4 lies at (+0.5, -0.5) pixels from the centre.
    # A quarter turn counter-clockwise moves it to (-0.5, -0.5): row 1, column 3.
    x = torch.zeros(1, 1, 4, 8)
    x[0, 0, 1, 4] = 1.0
    expected = torch.zeros(1, 1, 4, 8)
    expected[0, 0, 1, 3] = 1.0
    torch.testing.assert_close(rotate(x, 90.0), expected, rtol=0, atol=1e-5)


def test_translate_right_one_pixel():
    expected = torch.tensor(
        [[[[0.0, 0.0, 1.0, 2.0], [0.0, 4.0, 5.0, 6.0], [0.0, 8.0, 9.0, 10.0], [0.0, 12.0, 13.0, 14.0]]]]
    )
    torch.testing.assert_close(translate(GRID_4, 0.25), expected, rtol=0, atol=1e-5)


def test_translate_up_half():
    expected = torch.zeros(1, 1, 4, 4)
    expected[0, 0, :2] = GRID_4[0, 0, 2:]
    torch.testing.assert_close(translate(GRID_4, 0.0, -0.5), expected, rtol=0, atol=1e-5)


def test_translate_border_padding():
    expected = torch.tensor([[[[0.0, 0.0, 1.0, 2.0]]]])
    row = torch.tensor([[[[0.0, 1.0, 2.0, 3.0]]]])
    torch.testing.assert_close(translate(row, 0.25, padding="border"), expected, rtol=0, atol=1e-5)


def test_zoom_in_twofold():
    # x[i, j] = j. Each output column reads from half its distance to the
    # centre, at columns 0.75, 1.25, 1.75 and 2.25.
    x = torch.arange(4.0).repeat(4, 1).reshape(1, 1, 4, 4)
    expected = torch.tensor([0.75, 1.25, 1.75, 2.25]).repeat(4, 1).reshape(1, 1, 4, 4)
    torch.testing.assert_close(zoom(x, 2.0), expected, rtol=0, atol=1e-5)


def test_zoom_out_half_zero_padding():
    # Output pixels read from twice their distance to the centre: -1.5, 0.5, 2.5
    # and 4.5 along each axis. The outer ones fall outside and read zeros.
    x = (torch.arange(4.0) + 1).repeat(4, 1).reshape(1, 1, 4, 4)
    expected = torch.zeros(1, 1, 4, 4)
    expected[0, 0, 1:3, 1] = 1.5
    expected[0, 0, 1:3, 2] = 3.5
    torch.testing.assert_close(zoom(x, 0.5), expected, rtol=0, atol=1e-5)


def test_zoom_rejects_zero():
    with pytest.raises(NetbendError, match="zoom factor must be above 0"):
        zoom(GRID_4, 0.0)


def test_flip_horizontal():
    expected = torch.tensor([[[[2.0, 1.0, 0.0], [5.0, 4.0, 3.0], [8.0, 7.0, 6.0]]]])
    assert torch.equal(flip(GRID_3, "h"), expected)


def test_flip_vertical():
    expected = torch.tensor([[[[6.0, 7.0, 8.0], [3.0, 4.0, 5.0], [0.0, 1.0, 2.0]]]])
    assert torch.equal(flip(GRID_3, "v"), expected)


def test_flip_rejects_unknown_axis():
    with pytest.raises(NetbendError, match="unknown flip axis 'x'"):
        flip(GRID_3, "x")


def test_spatial_rejects_unknown_padding():
    with pytest.raises(NetbendError, match="unknown padding 'wrap'"):
        build_module("rotate", 1, {"angle": 10.0, "padding": "wrap"})
