"""The style objective on the bundled EfficientNet-Lite0 and synthetic images."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from PIL import Image

from netbend.errors import NetbendError
from netbend.objectives import parse_objective
from netbend.objectives.base import ObjectiveBatch
from netbend.objectives.style import StyleObjective, gram_distance, gram_matrix
from netbend.training.run import build_bend


def stripes(side: int = 64, period: int = 8, phase: int = 0) -> np.ndarray:
    """Black and white vertical stripes, H x W x 3 uint8."""
    columns = ((np.arange(side) + phase) // (period // 2)) % 2
    return np.repeat((columns * 255).astype(np.uint8)[None, :, None], side, axis=0).repeat(3, axis=2)


def noise(seed: int, side: int = 64) -> np.ndarray:
    """Uniform RGB noise, H x W x 3 uint8."""
    return (np.random.default_rng(seed).random((side, side, 3)) * 255).astype(np.uint8)


def as_batch(*arrays: np.ndarray) -> torch.Tensor:
    return torch.stack([torch.from_numpy(array).permute(2, 0, 1).float().div(255) for array in arrays])


@pytest.fixture
def stripes_path(tmp_path):
    path = tmp_path / "stripes.png"
    Image.fromarray(stripes()).save(path)
    return path


def test_gram_hand_computed():
    features = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).view(1, 2, 1, 2)  # C=2, H=1, W=2
    expected = torch.tensor([[1 + 4, 3 + 8], [3 + 8, 9 + 16]]) / 2
    assert torch.allclose(gram_matrix(features)[0], expected)


def test_gram_distance_identical_is_zero():
    grams = [torch.rand(1, 4, 4), torch.rand(1, 3, 3)]
    assert gram_distance(grams, grams).item() == pytest.approx(0.0, abs=1e-7)


def test_gram_distance_doubled_is_one():
    # Doubling a Gram leaves a difference the size of the reference on every map.
    reference = [torch.rand(1, 4, 4), torch.rand(1, 3, 3)]
    doubled = [2 * gram for gram in reference]
    assert gram_distance(doubled, reference).item() == pytest.approx(1.0, rel=1e-6)


def test_reference_scores_zero_against_itself(stripes_path):
    objective = StyleObjective(str(stripes_path), size=64)
    images = as_batch(stripes())
    assert objective.measure(images, images)["gram_distance"] == pytest.approx(0.0, abs=1e-5)


def test_same_noise_texture_is_close(tmp_path):
    # Two draws of uniform RGB noise share their statistics, so their Gram matrices
    # nearly agree; flat grey and stripes have other statistics.
    path = tmp_path / "noise.png"
    Image.fromarray(noise(seed=0)).save(path)
    objective = StyleObjective(str(path), size=64)

    other_draw = as_batch(noise(seed=1), noise(seed=2))
    flat = as_batch(np.full((64, 64, 3), 128, dtype=np.uint8))

    assert objective.measure(other_draw, other_draw)["gram_distance"] < 0.1
    assert objective.measure(flat, flat)["gram_distance"] > 0.5
    assert objective.measure(as_batch(stripes()), None)["gram_distance"] > 0.5


def test_loss_gradient_reaches_bending_module(faces, stripes_path):
    bent = build_bend(faces, "main.8", "conv", {}, seed=0)
    objective = StyleObjective(str(stripes_path))
    latents = faces.sample_latents(2, torch.Generator().manual_seed(0))

    objective.loss(ObjectiveBatch(images=bent(latents), originals=None, latents=latents)).backward()

    norms = [parameter.grad.norm().item() for parameter in bent.points.parameters() if parameter.grad is not None]
    assert max(norms) > 0
    assert all(math.isfinite(norm) for norm in norms)


def test_reference_grams_not_in_state_dict(stripes_path):
    objective = StyleObjective(str(stripes_path))
    objective.reference_grams(torch.device("cpu"))
    assert len(objective.state_dict()) == 0


def test_config_records_hash_and_size(stripes_path):
    settings = parse_objective(f"style:{stripes_path};size=96").objective.config()
    assert settings["size"] == 96
    assert len(settings["reference"]["sha256"]) == 64


@pytest.mark.parametrize("size", ["16", "4096", "big"])
def test_bad_size_option(stripes_path, size):
    with pytest.raises(NetbendError, match="size"):
        parse_objective(f"style:{stripes_path};size={size}")


def test_missing_argument():
    with pytest.raises(NetbendError, match="reference image"):
        parse_objective("style")
