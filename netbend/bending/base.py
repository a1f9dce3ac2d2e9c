"""Shared parts of bending modules: their config, the residual form, coordinates.

A bending module maps an activation B x C x H x W to a tensor of the same shape.
In the residual form (the default) it returns ``x + f(x)`` with the last layer of
``f`` zero-initialised, so an untrained module is the identity and training starts
from the original images. In the replacing form of Aldegheri et al. (2023,
arXiv 2310.04816) it returns ``f(x)``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from netbend.errors import NetbendError

ACTIVATIONS = {"relu": nn.ReLU, "sin": None, "tanh": nn.Tanh}


class Sine(nn.Module):
    """``sin(x)``, the periodic activation that gives CPPN-like patterns."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sin(x)


def make_activation(name: str) -> nn.Module:
    """Return a new activation layer called ``name`` (relu, sin or tanh)."""
    if name == "sin":
        return Sine()
    if name not in ACTIVATIONS:
        raise NetbendError(f"unknown activation {name!r}; choose one of: {', '.join(sorted(ACTIVATIONS))}")
    return ACTIVATIONS[name]()


def coordinate_grid(height: int, width: int, radius: bool, like: torch.Tensor) -> torch.Tensor:
    """Return x, y (and optionally radius) channels of shape (2 or 3) x H x W.

    x and y run from -1 to 1 across the map; radius is their Euclidean norm divided
    by sqrt(2), so it runs from 0 at the centre to 1 in the corners.
    """
    ys = torch.linspace(-1, 1, height, device=like.device, dtype=like.dtype)
    xs = torch.linspace(-1, 1, width, device=like.device, dtype=like.dtype)
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    channels = [grid_x, grid_y]
    if radius:
        channels.append(torch.sqrt(grid_x**2 + grid_y**2) / math.sqrt(2))
    return torch.stack(channels)


class BendingModule(nn.Module):
    """Base class that stores the constructor arguments, so a module can be saved as JSON.

    Subclasses call ``super().__init__(channels, residual, **options)`` with every
    option that shapes the module, and build ``self.body``, an ``nn.Sequential``
    whose last layer (``head``) the residual form zeroes.
    """

    kind: str = ""

    def __init__(self, channels: int, residual: bool, **options) -> None:
        super().__init__()
        if channels < 1:
            raise NetbendError(f"a bending module needs at least 1 channel, got {channels}")
        self.channels = channels
        self.residual = residual
        self._options = dict(options)

    def config(self) -> dict:
        """Return the constructor arguments, enough to rebuild this module."""
        return {"channels": self.channels, "residual": self.residual, **self._options}

    @property
    def head(self) -> nn.Module:
        """The last layer of ``body``."""
        return self.body[-1]

    def zero_head(self) -> None:
        """Zero the last layer so that the residual form starts as the identity."""
        nn.init.zeros_(self.head.weight)
        if self.head.bias is not None:
            nn.init.zeros_(self.head.bias)

    def check_input(self, x: torch.Tensor) -> None:
        if x.dim() != 4 or x.shape[1] != self.channels:
            raise NetbendError(
                f"{self.kind} module was built for activations with {self.channels} channels "
                f"(B x {self.channels} x H x W) but got shape {tuple(x.shape)}; "
                "insert it at a layer with that many channels, or build a new module"
            )

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        """Compute the learned map f(x)."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        if self.residual:
            return x + self.transform(x)
        return self.transform(x)
