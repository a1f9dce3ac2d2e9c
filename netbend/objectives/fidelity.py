"""The ``fidelity`` objective: keep bent images near the original generator's.

This is the regulariser that bounds how far a bend drifts: its weight is the dial
between "as trained toward the objective" and "still the original model".
"""

from __future__ import annotations

import torch

from netbend.errors import NetbendError
from netbend.objectives import OBJECTIVES
from netbend.objectives.base import Objective, ObjectiveBatch


@OBJECTIVES.register("fidelity")
class FidelityObjective(Objective):
    """Mean squared error between bent and original images in [0, 1], per pixel."""

    name = "fidelity"
    takes_argument = False
    needs_original = True

    @classmethod
    def from_argument(cls, argument: str | None) -> "FidelityObjective":
        if argument:
            raise NetbendError(f"objective 'fidelity' takes only a weight, got {argument!r}")
        return cls()

    def loss(self, batch: ObjectiveBatch) -> torch.Tensor:
        return (batch.images - batch.originals).square().mean()

    @torch.no_grad()
    def measure(self, images: torch.Tensor, originals: torch.Tensor) -> dict[str, float]:
        return {"pixel_mse": (images - originals).square().mean().item()}
