"""The objective interface and the batch each objective scores.

An objective turns a batch of bent images into a scalar loss to minimise during
training, and measures its own attainment on held-out latents for ``metrics.json``.
Objectives are combined as a weighted sum of their losses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn


@dataclass
class ObjectiveBatch:
    """Inputs of one training step, passed to every objective.

    Attributes:
        images: Bent images in [0, 1], B x 3 x H x W, carrying gradients.
        originals: The unbent generator's images for the same latents (no gradient),
            or None when no objective asked for them.
        latents: The latents that produced both.
        generator: Random generator for augmentation, seeded by the trainer.
        cache: Scratch space so objectives that share work (one classifier pass on
            the same augmented views) compute it once per step.
    """

    images: torch.Tensor
    originals: torch.Tensor | None
    latents: torch.Tensor
    generator: torch.Generator | None = None
    cache: dict = field(default_factory=dict)


class Objective(nn.Module):
    """Base class for objectives.

    Subclasses set ``name`` (the registry key), ``needs_original`` when the loss
    compares against the unbent output, ``takes_argument = False`` when the spec
    carries only a weight, and ``options`` to the spec option keys that
    ``from_argument`` accepts as keyword arguments. They implement ``loss`` and
    ``measure``, and describe their settings in ``config``.
    """

    name: str = ""
    needs_original: bool = False
    takes_argument: bool = True
    options: tuple[str, ...] = ()

    def loss(self, batch: ObjectiveBatch) -> torch.Tensor:
        """Return the scalar loss for one step (lower is better)."""
        raise NotImplementedError

    @torch.no_grad()
    def measure(self, images: torch.Tensor, originals: torch.Tensor) -> dict[str, float]:
        """Return named figures of attainment on held-out images (no augmentation)."""
        raise NotImplementedError

    def config(self) -> dict:
        """Return the settings that, with the name, rebuild this objective."""
        return {}


@dataclass
class WeightedObjective:
    """An objective with its weight and the spec text that built it."""

    objective: Objective
    weight: float
    spec: str

    def describe(self) -> dict:
        """Return the manifest entry: name, weight, spec and settings."""
        return {
            "name": self.objective.name,
            "weight": self.weight,
            "spec": self.spec,
            "settings": self.objective.config(),
        }
