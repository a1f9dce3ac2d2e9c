"""Colour scale and per-channel scaling of the activation contact sheets."""

from __future__ import annotations

import torch

from netbend.analysis.clusters import ChannelClusters
from netbend.analysis.sheets import cluster_maps, heat_colours, scale_channels


def test_heat_colours_ends():
    colours = heat_colours(torch.tensor([[[0.0, 1.0]]]))
    assert torch.equal(colours[0, :, 0, 0], torch.zeros(3))
    assert torch.equal(colours[0, :, 0, 1], torch.ones(3))


def test_heat_colours_middle_is_orange():
    colours = heat_colours(torch.tensor([[[0.5]]]))
    torch.testing.assert_close(colours[0, :, 0, 0], torch.tensor([1.0, 0.5, 0.0]), rtol=0, atol=1e-6)


def test_scale_channels_per_channel():
    activations = torch.tensor([[[[0.0, 2.0]], [[10.0, 30.0]]], [[[1.0, 4.0]], [[20.0, 10.0]]]])  # 2 x 2 x 1 x 2
    expected = torch.tensor([[[[0.0, 0.5]], [[0.0, 1.0]]], [[[0.25, 1.0]], [[0.5, 0.0]]]])
    torch.testing.assert_close(scale_channels(activations), expected, rtol=0, atol=1e-6)


def test_scale_channels_constant_zero():
    assert torch.equal(scale_channels(torch.full((2, 1, 3, 3), 5.0)), torch.zeros(2, 1, 3, 3))


def test_cluster_maps_mean_of_members():
    activations = torch.zeros(1, 3, 1, 2)
    activations[0, 0] = torch.tensor([[0.0, 1.0]])
    activations[0, 1] = torch.tensor([[1.0, 0.0]])
    activations[0, 2] = torch.tensor([[0.0, 1.0]])
    clusters = ChannelClusters("faces", "main.8", (3, 1, 2), [0, 1, 0], seed=0, latents=1)
    maps = cluster_maps(activations, clusters)
    torch.testing.assert_close(maps[0, 0], torch.tensor([[0.0, 1.0]]), rtol=0, atol=1e-6)
    torch.testing.assert_close(maps[0, 1], torch.tensor([[1.0, 0.0]]), rtol=0, atol=1e-6)
