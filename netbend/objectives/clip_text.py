"""The ``text`` objective: pull CLIP embeddings of the images toward a prompt.

The loss is the spherical distance between each augmented view's embedding and the
prompt's (see ``clip_losses.spherical_distance``), as Aldegheri et al. (2023)
train their bending modules.
"""

from __future__ import annotations

import torch

from netbend.errors import NetbendError
from netbend.objectives import OBJECTIVES
from netbend.objectives.base import ObjectiveBatch
from netbend.objectives.clip_base import ClipObjective, split_clip_options
from netbend.objectives.clip_losses import spherical_distance
from netbend.objectives.clip_model import ClipModel, ClipSpec


class ClipTargetObjective(ClipObjective):
    """Spherical distance from the images' CLIP embeddings to one target embedding.

    Subclasses provide ``target_embedding``.
    """

    def target_embedding(self, model: ClipModel) -> torch.Tensor:
        """Return the unit-length target embedding, D, on the model's device."""
        raise NotImplementedError

    def loss(self, batch: ObjectiveBatch) -> torch.Tensor:
        target = self.target_embedding(self.clip_model(batch.images.device))
        return spherical_distance(self.bent_embeddings(batch), target).mean()

    @torch.no_grad()
    def measure(self, images: torch.Tensor, originals: torch.Tensor) -> dict[str, float]:
        """Return ``clip_similarity`` (mean cosine to the target) and ``spherical_distance``."""
        embeddings = self.embed_held_out(images)
        target = self.target_embedding(self.clip_model(images.device))
        return {
            "clip_similarity": (embeddings @ target).mean().item(),
            "spherical_distance": spherical_distance(embeddings, target).mean().item(),
        }


@OBJECTIVES.register("text")
class ClipTextObjective(ClipTargetObjective):
    """Spherical distance from the images' CLIP embeddings to a text prompt's.

    Args:
        prompt: What the images should show, for example ``a pumpkin``.
        clip: Which CLIP model and weights.
    """

    name = "text"

    def __init__(self, prompt: str, clip: ClipSpec | None = None) -> None:
        if not prompt.strip():
            raise NetbendError('objective \'text\' needs a prompt, for example text:"a pumpkin"')
        super().__init__(clip)
        self.prompt = prompt

    @classmethod
    def from_argument(cls, argument: str | None, **options: str) -> "ClipTextObjective":
        if not argument:
            raise NetbendError('objective \'text\' needs a prompt, for example text:"a pumpkin"')
        clip, rest = split_clip_options(options)
        return cls(argument, clip=clip, **rest)

    def target_embedding(self, model: ClipModel) -> torch.Tensor:
        return model.embed_texts([self.prompt])[0]

    def config(self) -> dict:
        return {"prompt": self.prompt, **super().config()}
