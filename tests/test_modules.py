import math

import pytest
import torch

from netbend.bending import MODULES, build_module
from netbend.bending.base import coordinate_grid
from netbend.errors import NetbendError

KINDS = ["conv", "conv_xy", "cppn"]


def activation(batch=2, channels=8, height=5, width=6, seed=0):
    return torch.randn(batch, channels, height, width, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("kind", KINDS)
def test_module_keeps_shape(kind):
    module = build_module(kind, 8, {"residual": False})
    assert module(activation()).shape == (2, 8, 5, 6)


@pytest.mark.parametrize("kind", KINDS)
def test_residual_module_starts_as_identity(kind):
    x = activation()
    torch.manual_seed(0)
    module = build_module(kind, 8)
    assert torch.equal(module(x), x)


@pytest.mark.parametrize("kind", KINDS)
def test_replacing_module_changes_input(kind):
    x = activation()
    torch.manual_seed(0)
    module = build_module(kind, 8, {"residual": False})
    assert not torch.allclose(module(x), x)


@pytest.mark.parametrize("kind", KINDS)
def test_gradient_reaches_every_parameter(kind):
    torch.manual_seed(0)
    module = build_module(kind, 8)
    module(activation()).square().sum().backward()
    missing = [name for name, parameter in module.named_parameters() if parameter.grad is None]
    assert missing == []


@pytest.mark.parametrize("kind", KINDS)
def test_config_rebuilds_same_parameters(kind):
    module = build_module(kind, 8, {"activation": "sin"})
    config = module.config()
    rebuilt = build_module(kind, config.pop("channels"), config)
    shapes = {name: tensor.shape for name, tensor in module.state_dict().items()}
    assert shapes == {name: tensor.shape for name, tensor in rebuilt.state_dict().items()}


@pytest.mark.parametrize("kind", KINDS)
def test_channel_mismatch_is_clear(kind):
    module = build_module(kind, 8)
    with pytest.raises(NetbendError, match="8 channels"):
        module(activation(channels=4))


def test_conv_xy_radius_adds_input_channel():
    plain = build_module("conv_xy", 8, {"hidden": 4})
    with_radius = build_module("conv_xy", 8, {"hidden": 4, "radius": True})
    assert plain.body[0].in_channels == 10
    assert with_radius.body[0].in_channels == 11


def test_conv_xy_output_depends_on_position():
    # A constant input gives position-dependent output only through the coordinates.
    torch.manual_seed(0)
    module = build_module("conv_xy", 4, {"residual": False})
    output = module(torch.ones(1, 4, 6, 6))
    assert not torch.allclose(output[..., 2, 1], output[..., 2, 4])


def test_sin_activation_is_sine():
    module = build_module("conv", 2, {"activation": "sin", "residual": False})
    x = torch.linspace(-3, 3, 7)
    assert torch.allclose(module.body[1](x), torch.sin(x))


def test_coordinate_grid_values():
    grid = coordinate_grid(3, 3, radius=True, like=torch.zeros(1))
    assert torch.equal(grid[0, 1], torch.tensor([-1.0, 0.0, 1.0]))
    assert torch.equal(grid[1, :, 0], torch.tensor([-1.0, 0.0, 1.0]))
    assert grid[2, 1, 1].item() == 0.0
    assert math.isclose(grid[2, 0, 0].item(), 1.0, rel_tol=1e-6)


def test_unknown_option_lists_accepted():
    with pytest.raises(NetbendError, match="hidden"):
        build_module("conv", 8, {"widht": 3})


def test_unknown_activation_is_clear():
    with pytest.raises(NetbendError, match="relu"):
        build_module("conv", 8, {"activation": "gelu"})


def test_unknown_module_lists_known():
    with pytest.raises(NetbendError, match="conv_xy"):
        build_module("convxy", 8)


def test_registry_holds_paper_modules():
    assert {"conv", "conv_xy", "cppn"} <= set(MODULES.names())
