"""The ``cppn`` bending module: a per-pixel network driven by the coordinates."""

from __future__ import annotations

import torch
from torch import nn

from netbend.bending import MODULES
from netbend.bending.base import BendingModule, coordinate_grid, make_activation


@MODULES.register("cppn")
class CPPNBend(BendingModule):
    """A compositional pattern-producing network of 1 x 1 convolutions.

    Each pixel's output is computed from its x, y and radius coordinates together
    with its own activation vector, so the module paints smooth, position-dependent
    patterns into the activation map without mixing neighbouring pixels.

    Args:
        channels: C, the activation's channel count.
        hidden: Width of the hidden layers.
        depth: Number of hidden layers.
        activation: ``sin`` (default, periodic patterns), ``tanh`` or ``relu``.
        residual: Return ``x + f(x)`` (identity at start) instead of ``f(x)``.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "cppn"

    def __init__(
        self,
        channels: int,
        hidden: int = 32,
        depth: int = 3,
        activation: str = "sin",
        residual: bool = True,
    ) -> None:
        super().__init__(channels, residual, hidden=hidden, depth=depth, activation=activation)
        layers: list[nn.Module] = []
        in_chans = channels + 3
        for _ in range(depth):
            layers += [nn.Conv2d(in_chans, hidden, 1), make_activation(activation)]
            in_chans = hidden
        layers.append(nn.Conv2d(in_chans, channels, 1))
        self.body = nn.Sequential(*layers)
        if residual:
            self.zero_head()

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        batch, _, height, width = x.shape
        coordinates = coordinate_grid(height, width, radius=True, like=x).expand(batch, -1, -1, -1)
        return self.body(torch.cat([x, coordinates], dim=1))
