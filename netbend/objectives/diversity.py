"""The ``diversity`` objective: the mode-seeking term against collapse.

Mode seeking (Mao et al., 2019, "Mode Seeking Generative Adversarial Networks")
rewards a generator whose images differ as much as their latents do. Aldegheri et
al. (2023) add such a term so a bend does not map every latent to one image.
"""

from __future__ import annotations

import torch

from netbend.errors import NetbendError
from netbend.objectives import OBJECTIVES
from netbend.objectives.base import Objective, ObjectiveBatch


def pairwise_mean_distance(values: torch.Tensor) -> torch.Tensor:
    """Return the mean L1 distance per element over all pairs i < j of rows.

    Shape:
        Input: B x ... (B >= 2). Output: scalar.
    """
    flat = values.flatten(1)
    distances = torch.cdist(flat, flat, p=1) / flat.shape[1]  # B x B
    batch = flat.shape[0]
    upper = torch.triu_indices(batch, batch, offset=1, device=flat.device)
    return distances[upper[0], upper[1]].mean()


@OBJECTIVES.register("diversity")
class DiversityObjective(Objective):
    """``1 / (ratio + eps)`` where ratio = mean image distance / mean latent distance."""

    name = "diversity"
    takes_argument = False
    eps = 1e-5

    @classmethod
    def from_argument(cls, argument: str | None) -> "DiversityObjective":
        if argument:
            raise NetbendError(f"objective 'diversity' takes only a weight, got {argument!r}")
        return cls()

    def loss(self, batch: ObjectiveBatch) -> torch.Tensor:
        if batch.images.shape[0] < 2:
            raise NetbendError("objective 'diversity' compares pairs of images; use a batch size of 2 or more")
        ratio = pairwise_mean_distance(batch.images) / pairwise_mean_distance(batch.latents.to(batch.images))
        return 1.0 / (ratio + self.eps)

    @torch.no_grad()
    def measure(self, images: torch.Tensor, originals: torch.Tensor) -> dict[str, float]:
        return {
            "pixel_pairwise_distance": pairwise_mean_distance(images).item(),
            "pixel_pairwise_distance_original": pairwise_mean_distance(originals).item(),
        }
