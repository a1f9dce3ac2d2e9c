"""The ``noise`` transform: add seeded Gaussian noise to selected channels.

Seeding: one noise field of shape K x H x W is drawn from a CPU
``torch.Generator`` seeded with ``seed`` and added to every item of the batch.
So a latent gives the same image whatever batch it is rendered in and on any
device, and frames of a video share one noise pattern instead of flickering.
The field is cached per shape, device and dtype, so repeated forward passes
draw no new random numbers.
"""

from __future__ import annotations

import torch

from netbend.bending import MODULES
from netbend.bending.transforms.base import TransformBend, TransformParameter, check_activation
from netbend.errors import NetbendError


def noise_field(shape: tuple[int, int, int], seed: int) -> torch.Tensor:
    """Return standard normal noise of ``shape`` (K x H x W) drawn on the CPU from ``seed``, float32."""
    return torch.randn(shape, generator=torch.Generator().manual_seed(int(seed)), dtype=torch.float32)


def add_noise(x: torch.Tensor, std: float, seed: int = 0) -> torch.Tensor:
    """Return ``x`` plus Gaussian noise with standard deviation ``std``.

    The same noise field (seeded with ``seed``) is added to every item of the batch.

    Raises:
        NetbendError: ``std`` is negative.
    """
    check_activation(x, "noise")
    if std < 0:
        raise NetbendError(f"noise std must be 0 or more, got {std}")
    field = noise_field(tuple(x.shape[1:]), seed).to(device=x.device, dtype=x.dtype)
    return x + std * field


@MODULES.register("noise")
class Noise(TransformBend):
    """Add seeded Gaussian noise to the selected channels.

    Args:
        channels: C, the layer's channel count.
        std: Standard deviation of the noise, in activation units.
        seed: Seed of the noise field.
        indices: Channels to transform; None for all.
        selection: The selection as written, for the record.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "noise"
    parameters = (
        TransformParameter("std", float, help="standard deviation, in activation units"),
        TransformParameter("seed", int, 0, help="seed of the noise field"),
    )

    def __init__(
        self, channels: int, std: float, seed: int = 0, indices: list[int] | None = None, selection: str | None = None
    ) -> None:
        if std < 0:
            raise NetbendError(f"noise std must be 0 or more, got {std}")
        super().__init__(channels, indices, selection, std=float(std), seed=int(seed))
        self.std = float(std)
        self.seed = int(seed)
        self._fields: dict[tuple, torch.Tensor] = {}

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        key = (tuple(x.shape[1:]), x.device, x.dtype)
        if key not in self._fields:
            self._fields[key] = noise_field(key[0], self.seed).to(device=x.device, dtype=x.dtype)
        return x + self.std * self._fields[key]
