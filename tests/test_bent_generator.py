import pytest
import torch

from netbend.bending import BendPoint, BentGenerator, build_module
from netbend.errors import NetbendError


def randomised_point(layer="main.8", shape=(128, 16, 16), seed=0):
    """A residual conv point whose zeroed last layer is filled in, so it really bends."""
    torch.manual_seed(seed)
    module = build_module("conv", shape[0])
    torch.nn.init.normal_(module.head.weight, std=0.05)
    return BendPoint(layer, shape, [module])


def latents(faces, count=4):
    return faces.sample_latents(count, torch.Generator().manual_seed(1))


@torch.no_grad()
def test_strength_zero_is_unbent_exactly(faces):
    z = latents(faces)
    original = faces.generate(z)
    bent = BentGenerator(faces, [randomised_point()])
    assert torch.equal(bent(z, strength=0.0), original)


@torch.no_grad()
def test_strength_one_bends(faces):
    z = latents(faces)
    original = faces.generate(z)
    bent = BentGenerator(faces, [randomised_point()])
    assert (bent(z, strength=1.0) - original).abs().mean() > 1e-3


@torch.no_grad()
def test_strength_blends_activation_linearly(faces):
    point = randomised_point()
    bent = BentGenerator(faces, [point])
    seen = []
    handle = faces.network.main[9].register_forward_hook(lambda module, inputs, output: seen.append(inputs[0]))
    z = latents(faces)
    for strength in (0.0, 0.5, 1.0):
        bent(z, strength=strength)
    handle.remove()
    midpoint = (seen[0] + seen[2]) / 2
    assert torch.allclose(seen[1], midpoint, atol=1e-5)


@torch.no_grad()
def test_unbent_block_restores_original(faces):
    z = latents(faces)
    original = faces.generate(z)
    bent = BentGenerator(faces, [randomised_point()])
    with bent.unbent():
        assert torch.equal(bent(z), original)


@torch.no_grad()
def test_detach_hooks_restores_generator(faces):
    z = latents(faces)
    original = faces.generate(z)
    bent = BentGenerator(faces, [randomised_point()])
    bent.detach_hooks()
    assert torch.equal(faces.generate(z), original)


def test_only_module_parameters_train(faces):
    bent = BentGenerator(faces, [randomised_point()])
    bent(latents(faces)).mean().backward()
    assert all(parameter.grad is None for parameter in faces.network.parameters())
    assert all(parameter.grad is not None for parameter in bent.points.parameters())


def test_same_layer_twice_is_rejected(faces):
    with pytest.raises(NetbendError, match="chain"):
        BentGenerator(faces, [randomised_point(), randomised_point()])


def test_unknown_layer_is_rejected(faces):
    with pytest.raises(NetbendError, match="main.8"):
        BentGenerator(faces, [randomised_point(layer="decoder.1")])


def test_module_for_other_width_is_rejected():
    with pytest.raises(NetbendError, match="channels=128"):
        BendPoint("main.8", (128, 16, 16), [build_module("conv", 64)])


def test_config_describes_points(faces):
    bent = BentGenerator(faces, [randomised_point()])
    config = bent.config()
    assert config["generator"] == "faces"
    assert config["points"][0]["layer"] == "main.8"
    assert config["points"][0]["chain"][0]["type"] == "conv"
