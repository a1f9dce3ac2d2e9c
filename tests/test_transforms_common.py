"""Properties every transform shares: batching, memory layout, module versus function, gradients."""

from __future__ import annotations

import os

import pytest
import torch

from netbend.bending import build_module
from netbend.bending.transforms import (
    ablate,
    add,
    add_noise,
    dilate,
    erode,
    flip,
    invert,
    multiply,
    rotate,
    sobel,
    threshold,
    translate,
    zoom,
)

# name, parameters (module config = function keywords), function, differentiable
CASES = [
    ("ablate", {}, ablate, False),
    ("invert", {"pivot": 2.0}, invert, True),
    ("multiply", {"factor": -1.5}, multiply, True),
    ("add", {"value": 0.25}, add, True),
    ("noise", {"std": 0.3, "seed": 5}, add_noise, True),
    ("threshold", {"level": 0.1}, threshold, False),
    ("rotate", {"angle": 30.0, "padding": "zeros"}, rotate, True),
    ("translate", {"x": 0.2, "y": -0.1, "padding": "border"}, None, True),
    ("zoom", {"factor": 1.3, "padding": "reflection"}, zoom, True),
    ("flip", {"axis": "v"}, flip, True),
    ("erode", {"size": 3}, erode, True),
    ("dilate", {"size": 5}, dilate, True),
    ("sobel", {}, sobel, True),
]
IDS = [case[0] for case in CASES]

# The same variable as the generator fixture, so a GPU run covers the transforms too.
# NOTE: these tests have only run on the CPU. On CUDA, grid_sample's backward uses
# atomic adds, so gradcheck of rotate, translate and zoom may need a nondet_tol.
DEVICE = os.environ.get("NETBEND_TEST_DEVICE", "cpu")


def call_function(name: str, function, x: torch.Tensor, parameters: dict) -> torch.Tensor:
    if name == "translate":
        return translate(x, parameters["x"], parameters["y"], parameters["padding"])
    if name == "noise":
        return add_noise(x, parameters["std"], parameters["seed"])
    return function(x, **parameters)


def sample_input(batch: int = 3, channels: int = 4, height: int = 6, width: int = 7, dtype=torch.float32) -> torch.Tensor:
    values = torch.randn(batch, channels, height, width, generator=torch.Generator().manual_seed(0), dtype=dtype)
    return values.to(DEVICE)


@pytest.mark.parametrize("name, parameters, function, differentiable", CASES, ids=IDS)
def test_output_shape(name, parameters, function, differentiable):
    x = sample_input()
    assert call_function(name, function, x, parameters).shape == x.shape


@pytest.mark.parametrize("name, parameters, function, differentiable", CASES, ids=IDS)
def test_batch_items_independent(name, parameters, function, differentiable):
    x = sample_input(batch=3)
    batched = call_function(name, function, x, parameters)
    for item in range(3):
        single = call_function(name, function, x[item : item + 1], parameters)
        torch.testing.assert_close(batched[item : item + 1], single, rtol=0, atol=1e-6)


@pytest.mark.parametrize("name, parameters, function, differentiable", CASES, ids=IDS)
def test_non_contiguous_input(name, parameters, function, differentiable):
    # Transposing H and W of a 7 x 6 tensor gives a non-contiguous 6 x 7 view.
    x = sample_input(height=7, width=6).transpose(2, 3)
    assert not x.is_contiguous()
    torch.testing.assert_close(
        call_function(name, function, x, parameters),
        call_function(name, function, x.contiguous(), parameters),
        rtol=0,
        atol=1e-6,
    )


@pytest.mark.parametrize("name, parameters, function, differentiable", CASES, ids=IDS)
def test_module_equals_function(name, parameters, function, differentiable):
    x = sample_input()
    module = build_module(name, x.shape[1], parameters).to(DEVICE)
    torch.testing.assert_close(module(x), call_function(name, function, x, parameters), rtol=0, atol=0)


@pytest.mark.parametrize("name, parameters, function, differentiable", CASES, ids=IDS)
def test_module_selected_channels_only(name, parameters, function, differentiable):
    x = sample_input()
    module = build_module(name, x.shape[1], {**parameters, "indices": [0, 2]}).to(DEVICE)
    output = module(x)
    torch.testing.assert_close(output[:, [1, 3]], x[:, [1, 3]], rtol=0, atol=0)
    expected = call_function(name, function, x[:, [0, 2]], parameters)
    torch.testing.assert_close(output[:, [0, 2]], expected, rtol=0, atol=0)


@pytest.mark.parametrize("name, parameters, function, differentiable", CASES, ids=IDS)
def test_gradient(name, parameters, function, differentiable):
    x = sample_input(batch=2, channels=2, height=5, width=5, dtype=torch.float64).requires_grad_(True)
    if not differentiable:
        # Constant output pieces: nothing to differentiate, by design.
        assert not call_function(name, function, x, parameters).requires_grad
        return
    assert torch.autograd.gradcheck(lambda value: call_function(name, function, value, parameters), (x,), atol=1e-6)


@pytest.mark.parametrize("name, parameters, function, differentiable", CASES, ids=IDS)
def test_module_has_no_state(name, parameters, function, differentiable):
    module = build_module(name, 4, {**parameters, "indices": [1]})
    assert len(module.state_dict()) == 0


@pytest.mark.parametrize("name, parameters, function, differentiable", CASES, ids=IDS)
def test_module_rejects_wrong_channels(name, parameters, function, differentiable):
    from netbend.errors import NetbendError

    module = build_module(name, 4, parameters)
    with pytest.raises(NetbendError, match="built for activations with 4 channels"):
        module(sample_input(channels=5))
