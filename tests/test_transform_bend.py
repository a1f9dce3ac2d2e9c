"""Transform bends on the face generator: strength, chains with trained modules, bit-exact round trips."""

from __future__ import annotations

import pytest
import torch
from safetensors.torch import load_file

from netbend.analysis.clusters import ChannelClusters
from netbend.bending import BendPoint, BentGenerator, build_module
from netbend.bending.transform_bend import build_transform, build_transform_bend, save_transform_bend
from netbend.errors import NetbendError
from netbend.sampling import seeded_latents
from netbend.storage.bend_folder import load_bend, read_manifest, save_bend
from netbend.storage.cluster_file import load_clusters
from netbend.training.metrics import render

LAYER = "main.8"
SHAPE = (128, 16, 16)


def trained_conv(seed: int = 0) -> torch.nn.Module:
    """A conv module with random, non-zero weights, standing in for a trained one."""
    torch.manual_seed(seed)
    module = build_module("conv", SHAPE[0], {"hidden": 8})
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.normal_(0, 0.05)
    return module


def bend_chain(faces, chain: list[torch.nn.Module]) -> BentGenerator:
    return BentGenerator(faces, [BendPoint(LAYER, SHAPE, chain)]).to(faces.device)


def alternating_clusters() -> ChannelClusters:
    return ChannelClusters("faces", LAYER, SHAPE, [channel % 3 for channel in range(128)], seed=0, latents=8)


def layer_input_after(bent: BentGenerator, latents: torch.Tensor, strength: float) -> torch.Tensor:
    """Return what the layer after main.8 receives, that is the blended activation."""
    seen = []
    handle = bent.generator.network.main[9].register_forward_hook(lambda module, inputs, output: seen.append(inputs[0]))
    try:
        render(bent, latents, strength=strength)
    finally:
        handle.remove()
    return torch.cat(seen)


def test_strength_zero_is_unbent(faces):
    bent = build_transform_bend(faces, LAYER, ["rotate:45", "noise:1.0"])
    latents = seeded_latents(bent, 4, seed=0)
    with bent.unbent():
        original = render(bent, latents)
    assert torch.equal(render(bent, latents, strength=0.0), original)


def test_strength_half_is_midpoint(faces):
    bent = build_transform_bend(faces, LAYER, ["multiply:3@channels:0-63", "rotate:90@channels:32-95"])
    latents = seeded_latents(bent, 3, seed=1)
    original = layer_input_after(bent, latents, strength=0.0)
    transformed = bent.points[0](original)
    midpoint = layer_input_after(bent, latents, strength=0.5)
    torch.testing.assert_close(midpoint, (original + transformed) / 2, rtol=0, atol=1e-5)


def test_transform_changes_images(faces):
    bent = build_transform_bend(faces, LAYER, ["ablate@fraction:0.5:seed=1"])
    latents = seeded_latents(bent, 2, seed=0)
    difference = (render(bent, latents) - render(bent, latents, strength=0.0)).abs().mean().item()
    assert difference > 0.01


def test_transform_round_trip_bit_exact(faces, tmp_path):
    specs = ["rotate:30@channels:0-31", "threshold:0.5@fraction:0.25:seed=3", "noise:0.2,seed=4", "flip:v", "sobel@channels:5"]
    bent = build_transform_bend(faces, LAYER, specs)
    latents = seeded_latents(bent, 4, seed=2)
    expected = render(bent, latents)
    save_transform_bend(bent, tmp_path, specs)
    loaded, manifest = load_bend(tmp_path, generator=faces)
    assert manifest["transforms"]["specs"] == specs
    assert loaded.config() == bent.config()
    bent.detach_hooks()
    assert torch.equal(render(loaded, latents), expected)


def test_parameter_free_weights_file_empty(faces, tmp_path):
    bent = build_transform_bend(faces, LAYER, ["invert"])
    save_transform_bend(bent, tmp_path, ["invert"])
    assert load_file(str(tmp_path / "bend.safetensors")) == {}


def test_trained_round_trip_bit_exact(faces, tmp_path):
    bent = bend_chain(faces, [trained_conv()])
    latents = seeded_latents(bent, 4, seed=3)
    expected = render(bent, latents)
    save_bend(bent, tmp_path)
    bent.detach_hooks()
    loaded, _ = load_bend(tmp_path, generator=faces)
    assert torch.equal(render(loaded, latents), expected)


def test_mixed_chain_round_trip_bit_exact(faces, tmp_path):
    clusters = alternating_clusters()
    chain = [
        build_transform("rotate:20@cluster:1", LAYER, SHAPE, clusters),
        trained_conv(seed=5),
        build_transform("noise:0.3@channels:10-20", LAYER, SHAPE),
        build_transform("dilate:3", LAYER, SHAPE),
    ]
    bent = bend_chain(faces, chain)
    latents = seeded_latents(bent, 4, seed=4)
    expected = render(bent, latents)
    save_bend(bent, tmp_path)
    bent.detach_hooks()
    loaded, _ = load_bend(tmp_path, generator=faces)
    assert torch.equal(render(loaded, latents), expected)


@pytest.mark.parametrize("order", ["transform_first", "transform_last"])
def test_gradient_through_transform(faces, order):
    transform = build_transform("rotate:15@channels:0-63", LAYER, SHAPE)
    conv = trained_conv()
    chain = [transform, conv] if order == "transform_first" else [conv, transform]
    bent = bend_chain(faces, chain)
    images = bent(seeded_latents(bent, 2, seed=0))
    images.mean().backward()
    gradient = conv.body[0].weight.grad
    assert gradient is not None
    assert gradient.abs().sum().item() > 0


def test_cluster_file_copied(faces, tmp_path):
    clusters = alternating_clusters()
    bent = build_transform_bend(faces, LAYER, ["ablate@cluster:2"], clusters)
    save_transform_bend(bent, tmp_path, ["ablate@cluster:2"], clusters)
    assert load_clusters(tmp_path) == clusters
    assert read_manifest(tmp_path)["transforms"]["clusters"] == "clusters.json"


def test_cluster_file_not_copied_unused(faces, tmp_path):
    clusters = alternating_clusters()
    bent = build_transform_bend(faces, LAYER, ["ablate@channels:0"], clusters)
    save_transform_bend(bent, tmp_path, ["ablate@channels:0"], clusters)
    assert not (tmp_path / "clusters.json").exists()


def test_cluster_indices_in_config(faces):
    bent = build_transform_bend(faces, LAYER, ["ablate@cluster:2"], alternating_clusters())
    config = bent.points[0].chain[0].config()
    assert config["indices"] == list(range(2, 128, 3))
    assert config["selection"] == "cluster:2"


def test_clusters_for_other_layer_rejected(faces):
    clusters = ChannelClusters("faces", "main.5", (256, 8, 8), [channel % 2 for channel in range(256)], seed=0, latents=8)
    with pytest.raises(NetbendError, match="computed for layer 'main.5'"):
        build_transform_bend(faces, LAYER, ["ablate@cluster:1"], clusters)


def test_no_specs_rejected(faces):
    with pytest.raises(NetbendError, match="needs at least one transform"):
        build_transform_bend(faces, LAYER, [])
