"""Differentiable augmentation applied before a classifier or CLIP scores the images.

Scoring randomly cropped, flipped and slightly rotated views makes the bending
module change what the image shows, not add pixel noise that fools one fixed view
(the adversarial-example failure that Aldegheri et al. avoid the same way with CLIP).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def random_views(
    images: torch.Tensor,
    size: int,
    generator: torch.Generator | None = None,
    min_scale: float = 0.7,
    max_rotation_deg: float = 10.0,
) -> torch.Tensor:
    """Resample each image to a random crop of ``size`` x ``size``, differentiably.

    Each view keeps a random fraction in [min_scale, 1] of the side, is shifted inside
    the image, rotated by up to ``max_rotation_deg`` degrees and flipped half of the
    time; all of it is one affine grid sample, so gradients reach every input pixel.

    Shape:
        Input: B x C x H x W. Output: B x C x size x size.
    """
    batch = images.shape[0]
    options = {"device": "cpu", "dtype": torch.float32}

    scale = min_scale + (1 - min_scale) * torch.rand(batch, generator=generator, **options)
    shift = (1 - scale)[:, None] * (2 * torch.rand(batch, 2, generator=generator, **options) - 1)
    angle = math.radians(max_rotation_deg) * (2 * torch.rand(batch, generator=generator, **options) - 1)
    flip = torch.where(torch.rand(batch, generator=generator, **options) < 0.5, -1.0, 1.0)

    # Affine map from output to input coordinates: rotate and scale, flip x, shift.
    cos, sin = torch.cos(angle) * scale, torch.sin(angle) * scale
    theta = torch.stack(
        [
            torch.stack([cos * flip, -sin, shift[:, 0]], dim=1),
            torch.stack([sin * flip, cos, shift[:, 1]], dim=1),
        ],
        dim=1,
    ).to(device=images.device, dtype=images.dtype)  # B x 2 x 3

    grid = F.affine_grid(theta, [batch, images.shape[1], size, size], align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
