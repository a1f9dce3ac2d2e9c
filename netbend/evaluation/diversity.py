"""Diversity: the mean perceptual distance over all pairs of images in a set.

A bend that maps every latent to one look scores near 0; the original generator's
figure on the same latents is the reference to compare with.
"""

from __future__ import annotations

import torch

from netbend.errors import NetbendError
from netbend.evaluation.perceptual import PerceptualFeatures, check_images, feature_distance


def pairwise_feature_distance(features: list[torch.Tensor]) -> torch.Tensor:
    """Return the mean ``feature_distance`` over all pairs i < j of a feature list's rows.

    For unit-normalised maps flattened to rows ``x``, the sum over channels and
    positions of the squared difference is ``|x_i|^2 + |x_j|^2 - 2 x_i . x_j``, so one
    Gram matrix per stage gives every pair, about a thousand times faster than
    differencing each pair. The Gram matrix is computed in float64 so that the
    cancellation in this form stays far below the precision of the figures.
    """
    count = features[0].shape[0]
    if count < 2:
        raise NetbendError(f"diversity compares pairs of images; got {count} image, pass at least 2")
    upper = torch.triu_indices(count, count, offset=1)
    per_stage = []
    for stage in features:
        positions = stage.shape[2] * stage.shape[3]
        rows = stage.flatten(1).double()  # B x (C * H * W)
        gram = rows @ rows.T
        squared = gram.diagonal()
        distances = (squared[:, None] + squared[None, :] - 2 * gram).clamp(min=0) / positions  # B x B
        per_stage.append(distances[upper[0], upper[1]])
    return torch.stack(per_stage).mean(dim=0).mean().float()


def perceptual_diversity(images: torch.Tensor, features: PerceptualFeatures | None = None) -> torch.Tensor:
    """Return the mean pairwise perceptual distance among ``images`` (B >= 2), a scalar."""
    check_images(images)
    features = features or PerceptualFeatures()
    return pairwise_feature_distance(features(images))
