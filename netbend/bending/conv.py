"""The ``conv`` bending module: two 3 x 3 convolutions with an activation between."""

from __future__ import annotations

import torch
from torch import nn

from netbend.bending import MODULES
from netbend.bending.base import BendingModule, make_activation


@MODULES.register("conv")
class ConvBend(BendingModule):
    """conv3x3(C -> hidden) -> activation -> conv3x3(hidden -> C).

    Args:
        channels: C, the activation's channel count.
        hidden: Width of the middle layer; defaults to C.
        activation: ``relu`` or ``sin``.
        residual: Return ``x + f(x)`` (identity at start) instead of ``f(x)``.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "conv"

    def __init__(self, channels: int, hidden: int | None = None, activation: str = "relu", residual: bool = True) -> None:
        hidden = hidden or channels
        super().__init__(channels, residual, hidden=hidden, activation=activation)
        self.body = nn.Sequential(
            nn.Conv2d(channels, hidden, 3, padding=1),
            make_activation(activation),
            nn.Conv2d(hidden, channels, 3, padding=1),
        )
        if residual:
            self.zero_head()

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)
