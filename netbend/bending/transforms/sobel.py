"""The ``sobel`` transform: gradient magnitude of each map.

The 3 x 3 Sobel kernels are used unscaled (centre weights 2, outer weights 1), so
a step of height 1 between two columns gives a magnitude of 4 beside the step.
The map is extended by repeating its border pixels, so a constant map gives 0
everywhere, edges included.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from netbend.bending import MODULES
from netbend.bending.transforms.base import TransformBend, check_activation


def sobel_kernels(like: torch.Tensor) -> torch.Tensor:
    """Return the x and y Sobel kernels as a 2 x 1 x 3 x 3 tensor on the device and dtype of ``like``."""
    kernel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], dtype=like.dtype, device=like.device)
    return torch.stack([kernel_x, kernel_x.t()]).unsqueeze(1)


def sobel(x: torch.Tensor) -> torch.Tensor:
    """Return the Sobel gradient magnitude ``sqrt(gx^2 + gy^2)`` of every map of ``x``."""
    check_activation(x, "sobel")
    batch, channels, height, width = x.shape

    # Filter every channel on its own: fold channels into the batch.
    maps = x.reshape(batch * channels, 1, height, width)
    padded = F.pad(maps, (1, 1, 1, 1), mode="replicate")
    gradients = F.conv2d(padded, sobel_kernels(x))  # (B * C) x 2 x H x W
    squared = gradients.square().sum(dim=1)  # (B * C) x H x W

    # sqrt has an infinite derivative at 0. Take the root only where the gradient
    # is non-zero, so flat regions give exactly 0 and a zero gradient, not NaN.
    positive = squared > 0
    magnitude = torch.where(positive, torch.sqrt(torch.where(positive, squared, torch.ones_like(squared))), 0.0)
    return magnitude.reshape(batch, channels, height, width)


@MODULES.register("sobel")
class Sobel(TransformBend):
    """Replace the selected channels' maps with their Sobel gradient magnitude.

    Args:
        channels: C, the layer's channel count.
        indices: Channels to transform; None for all.
        selection: The selection as written, for the record.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "sobel"

    def __init__(self, channels: int, indices: list[int] | None = None, selection: str = "all") -> None:
        super().__init__(channels, indices, selection)

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return sobel(x)
