"""Perceptual distance and diversity against an independent NumPy computation.

The reference takes its features through timm's own ``forward_intermediates`` (not
netbend's block loop) and does the normalisation and averaging in float64 NumPy.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import skimage.data
import torch
import torch.nn.functional as F

from netbend.errors import NetbendError
from netbend.evaluation import PerceptualFeatures, perceptual_distance, perceptual_diversity
from netbend.evaluation.perceptual import FEATURE_SIZE, STAGES
from netbend.objectives.classifier import IMAGENET_MEAN, IMAGENET_STD

TOLERANCE = 1e-5


def photos(size: int = 48) -> torch.Tensor:
    """Four of scikit-image's bundled photos, 3 x size x size in [0, 1]."""
    images = []
    for name in ("chelsea", "coffee", "astronaut", "rocket"):
        array = torch.from_numpy(getattr(skimage.data, name)()).permute(2, 0, 1).float() / 255
        images.append(F.interpolate(array[None], size=(size, size), mode="area")[0])
    return torch.stack(images)


def reference_features(classifier, images: torch.Tensor) -> list[np.ndarray]:
    """Unit-normalised stage features via timm's forward_intermediates, as float64 arrays."""
    x = F.interpolate(images, size=(FEATURE_SIZE, FEATURE_SIZE), mode="bilinear", align_corners=False)
    x = (x - torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)) / torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    # With extra_blocks, intermediate k is the output of blocks[k - 1].
    indices = [stage + 1 for stage in STAGES]
    with torch.no_grad():
        maps = classifier.network.forward_intermediates(x, indices=indices, extra_blocks=True, intermediates_only=True)
    normalised = []
    for feature in maps:
        array = feature.double().numpy()
        normalised.append(array / (np.sqrt((array**2).sum(axis=1, keepdims=True)) + 1e-10))
    return normalised


def reference_distance(first: list[np.ndarray], second: list[np.ndarray], i: int, j: int) -> float:
    per_stage = [((a[i] - b[j]) ** 2).sum(axis=0).mean() for a, b in zip(first, second)]
    return float(np.mean(per_stage))


@pytest.fixture(scope="module")
def extractor(classifier):
    return PerceptualFeatures(classifier)


@pytest.fixture(scope="module")
def images():
    return photos()


def test_distance_identical_is_zero(extractor, images):
    distances = perceptual_distance(images, images.clone(), extractor)
    assert distances.abs().max().item() == 0.0


def test_distance_matches_reference(extractor, classifier, images):
    others = images.flip(0)  # pairs chelsea-rocket, coffee-astronaut, ...
    distances = perceptual_distance(images, others, extractor)
    first, second = reference_features(classifier, images), reference_features(classifier, others)
    for index in range(len(images)):
        expected = reference_distance(first, second, index, index)
        assert distances[index].item() == pytest.approx(expected, rel=TOLERANCE)


def test_distance_range_and_symmetry(extractor, images):
    forward = perceptual_distance(images, images.roll(1, 0), extractor)
    backward = perceptual_distance(images.roll(1, 0), images, extractor)
    assert forward.min().item() > 0.1
    assert forward.max().item() <= 4.0
    assert torch.allclose(forward, backward, atol=1e-6)


def test_diversity_matches_reference(extractor, classifier, images):
    features = reference_features(classifier, images)
    pairs = list(itertools.combinations(range(len(images)), 2))
    expected = np.mean([reference_distance(features, features, i, j) for i, j in pairs])
    assert perceptual_diversity(images, extractor).item() == pytest.approx(expected, rel=TOLERANCE)


def test_diversity_of_two_is_their_distance(extractor, images):
    pair = images[:2]
    distance = perceptual_distance(pair[:1], pair[1:], extractor).item()
    assert perceptual_diversity(pair, extractor).item() == pytest.approx(distance, rel=TOLERANCE)


def test_diversity_identical_is_zero(extractor, images):
    copies = images[:1].repeat(5, 1, 1, 1)
    assert perceptual_diversity(copies, extractor).item() == pytest.approx(0.0, abs=1e-9)


def test_distance_rejects_shape_mismatch(extractor, images):
    with pytest.raises(NetbendError, match="same shape"):
        perceptual_distance(images, images[:2], extractor)


def test_distance_rejects_grey_images(extractor):
    grey = torch.rand(2, 1, 32, 32)
    with pytest.raises(NetbendError, match="B x 3 x H x W"):
        perceptual_distance(grey, grey, extractor)


def test_diversity_rejects_single_image(extractor, images):
    with pytest.raises(NetbendError, match="at least 2"):
        perceptual_diversity(images[:1], extractor)


def test_features_reject_bad_stage(classifier):
    with pytest.raises(NetbendError, match="block indices"):
        PerceptualFeatures(classifier, stages=(1, 99))
