"""The ``clip-diversity`` objective: keep the batch's images apart in CLIP space.

Where ``diversity`` compares pixels, this term compares CLIP embeddings, so images
that differ only in noise but show the same thing still count as close. It is the
pair penalty of Aldegheri et al. (2023); see ``clip_losses.inverse_pair_distance``.
"""

from __future__ import annotations

import torch

from netbend.errors import NetbendError
from netbend.objectives import OBJECTIVES
from netbend.objectives.base import ObjectiveBatch
from netbend.objectives.clip_base import ClipObjective, split_clip_options
from netbend.objectives.clip_losses import inverse_pair_distance, pairwise_spherical_distances


@OBJECTIVES.register("clip-diversity")
class ClipDiversityObjective(ClipObjective):
    """Mean inverse spherical distance between the CLIP embeddings of all pairs of images."""

    name = "clip-diversity"
    takes_argument = False

    @classmethod
    def from_argument(cls, argument: str | None, **options: str) -> "ClipDiversityObjective":
        if argument:
            raise NetbendError(f"objective 'clip-diversity' takes only a weight and options, got {argument!r}")
        clip, rest = split_clip_options(options)
        return cls(clip=clip, **rest)

    def loss(self, batch: ObjectiveBatch) -> torch.Tensor:
        if batch.images.shape[0] < 2:
            raise NetbendError("objective 'clip-diversity' compares pairs of images; use a batch size of 2 or more")
        return inverse_pair_distance(self.bent_embeddings(batch))

    @torch.no_grad()
    def measure(self, images: torch.Tensor, originals: torch.Tensor) -> dict[str, float]:
        """Return ``clip_pairwise_distance``: the mean spherical distance over pairs (higher is more diverse)."""
        return {"clip_pairwise_distance": pairwise_spherical_distances(self.embed_held_out(images)).mean().item()}
