"""The ``conv_xy`` bending module: ``conv`` with pixel-coordinate input channels."""

from __future__ import annotations

import torch
from torch import nn

from netbend.bending import MODULES
from netbend.bending.base import BendingModule, coordinate_grid, make_activation


@MODULES.register("conv_xy")
class ConvXYBend(BendingModule):
    """Concatenate x, y (and radius) channels, then conv3x3 -> activation -> conv3x3.

    The coordinates let the module act differently in different parts of the image.

    Args:
        channels: C, the activation's channel count.
        hidden: Width of the middle layer; defaults to C.
        activation: ``relu`` or ``sin``.
        radius: Add a channel with the distance from the centre.
        residual: Return ``x + f(x)`` (identity at start) instead of ``f(x)``.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "conv_xy"

    def __init__(
        self,
        channels: int,
        hidden: int | None = None,
        activation: str = "relu",
        radius: bool = False,
        residual: bool = True,
    ) -> None:
        hidden = hidden or channels
        super().__init__(channels, residual, hidden=hidden, activation=activation, radius=radius)
        self.radius = radius
        coordinate_chans = 3 if radius else 2
        self.body = nn.Sequential(
            nn.Conv2d(channels + coordinate_chans, hidden, 3, padding=1),
            make_activation(activation),
            nn.Conv2d(hidden, channels, 3, padding=1),
        )
        if residual:
            self.zero_head()

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        batch, _, height, width = x.shape
        coordinates = coordinate_grid(height, width, self.radius, like=x)
        coordinates = coordinates.expand(batch, -1, -1, -1)  # B x (2 or 3) x H x W
        return self.body(torch.cat([x, coordinates], dim=1))
