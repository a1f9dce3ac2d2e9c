"""Loss functions on CLIP embeddings, shared by the CLIP objectives.

All inputs are unit-length embeddings (rows of B x D tensors).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def spherical_distance(first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """Return ``2 * arcsin(|a - b| / 2) ** 2`` for unit vectors a and b, broadcast over rows.

    For unit vectors at angle theta, ``|a - b| = 2 sin(theta / 2)``, so this is
    ``theta ** 2 / 2``: half the squared great-circle distance on the unit sphere.
    Aldegheri et al. (2023) use it between image and prompt embeddings and call it
    the squared great-circle distance.

    Shape:
        Inputs: ... x D, broadcastable. Output: the broadcast shape without D.
    """
    chord = (first - second).norm(dim=-1)
    return 2 * (chord / 2).clamp(max=1).arcsin().square()


def info_nce_to_prompt(images: torch.Tensor, prompt: torch.Tensor, temperature: float) -> torch.Tensor:
    """Return the InfoNCE loss with the prompt as each image's positive.

    For image i the logits are its cosine similarity to the prompt and to every
    other image j != i of the batch, divided by ``temperature``; the loss is the
    cross-entropy of picking the prompt, averaged over images. Pushing other
    images away keeps the batch from collapsing onto one picture of the prompt.

    Shape:
        images: B x D with B >= 2. prompt: D. Output: scalar.
    """
    batch = images.shape[0]
    positive = images @ prompt  # B
    similarities = images @ images.T  # B x B
    off_diagonal = ~torch.eye(batch, dtype=torch.bool, device=images.device)
    negatives = similarities[off_diagonal].view(batch, batch - 1)
    logits = torch.cat([positive[:, None], negatives], dim=1) / temperature
    targets = torch.zeros(batch, dtype=torch.long, device=images.device)
    return F.cross_entropy(logits, targets)


def pairwise_spherical_distances(embeddings: torch.Tensor) -> torch.Tensor:
    """Return ``spherical_distance`` for every pair i < j of rows, as a 1-D tensor of B(B-1)/2."""
    batch = embeddings.shape[0]
    upper = torch.triu_indices(batch, batch, offset=1, device=embeddings.device)
    return spherical_distance(embeddings[upper[0]], embeddings[upper[1]])


def inverse_pair_distance(embeddings: torch.Tensor, eps: float = 1e-3) -> torch.Tensor:
    """Return the mean of ``1 / (d + eps)`` over all pairs, d the spherical distance.

    Aldegheri et al. (2023) penalise pairs of images whose CLIP embeddings are
    close with the inverse distance. They pair images 0-1, 2-3 and so on, but here
    every pair counts. ``eps`` bounds the loss for identical images.

    Shape:
        Input: B x D with B >= 2. Output: scalar.
    """
    return (1 / (pairwise_spherical_distances(embeddings) + eps)).mean()


def directional_loss(
    bent: torch.Tensor, original: torch.Tensor, direction: torch.Tensor, min_change: float = 0.05
) -> torch.Tensor:
    """Return ``1 - cos(bent - original, direction)`` averaged over images.

    The directional CLIP loss of Gal et al. (2022, "StyleGAN-NADA: CLIP-Guided
    Domain Adaptation of Image Generators"): the change each bend makes to an
    image's embedding should point along the change from the source text to the
    target text. A zero change (an unbent image) scores 1.

    The change's length is floored at ``min_change`` in the cosine. A bending module
    starts as the identity, so the change is exactly zero at the first step, where a
    plain cosine has a gradient of order 1/eps. One such step would swamp Adam's
    second-moment estimate for thousands of steps. Below the floor the loss is
    linear in the change, with a gradient of at most 1 / ``min_change``.
    NOTE: 0.05 (unit-length embeddings) is a guess, not tuned on pretrained CLIP weights.

    Shape:
        bent, original: B x D. direction: D, unit length. Output: scalar.
    """
    change = bent - original
    length = change.norm(dim=-1).clamp(min=min_change)
    return (1 - (change @ direction) / length).mean()
