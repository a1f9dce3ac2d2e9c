"""The ``text-nce`` objective: InfoNCE toward a prompt, with the batch as negatives.

Each image's augmented view should be closer in CLIP space to the prompt than to
the other images of the batch (see ``clip_losses.info_nce_to_prompt``). Aldegheri
et al. (2023) use it to reach the prompt without every image becoming the same
picture; they report temperatures from 0.01 to 0.1.
"""

from __future__ import annotations

import math

import torch

from netbend.errors import NetbendError
from netbend.objectives import OBJECTIVES
from netbend.objectives.base import ObjectiveBatch
from netbend.objectives.clip_base import CLIP_OPTIONS, ClipObjective, split_clip_options
from netbend.objectives.clip_losses import info_nce_to_prompt
from netbend.objectives.clip_model import ClipSpec

DEFAULT_TEMPERATURE = 0.1


def parse_temperature(value: float | str) -> float:
    try:
        temperature = float(value)
    except ValueError:
        raise NetbendError(f"text-nce option temperature={value!r} is not a number; use for example temperature=0.1") from None
    if not (temperature > 0 and math.isfinite(temperature)):
        raise NetbendError(f"text-nce option temperature={value!r} must be a positive number, for example 0.1")
    return temperature


@OBJECTIVES.register("text-nce")
class ClipNceObjective(ClipObjective):
    """InfoNCE with the prompt as positive and the batch's other images as negatives.

    Args:
        prompt: What the images should show.
        temperature: Divides the cosine similarities before the softmax; lower
            values separate the images from each other more sharply.
        clip: Which CLIP model and weights.
    """

    name = "text-nce"
    options = (*CLIP_OPTIONS, "temperature")

    def __init__(self, prompt: str, temperature: float | str = DEFAULT_TEMPERATURE, clip: ClipSpec | None = None) -> None:
        if not prompt.strip():
            raise NetbendError('objective \'text-nce\' needs a prompt, for example text-nce:"a pumpkin"')
        temperature = parse_temperature(temperature)
        super().__init__(clip)
        self.prompt = prompt
        self.temperature = temperature

    @classmethod
    def from_argument(cls, argument: str | None, **options: str) -> "ClipNceObjective":
        if not argument:
            raise NetbendError('objective \'text-nce\' needs a prompt, for example text-nce:"a pumpkin"')
        clip, rest = split_clip_options(options)
        return cls(argument, clip=clip, **rest)

    def loss(self, batch: ObjectiveBatch) -> torch.Tensor:
        if batch.images.shape[0] < 2:
            raise NetbendError("objective 'text-nce' uses the other images of a batch as negatives; use a batch size of 2 or more")
        prompt = self.clip_model(batch.images.device).embed_texts([self.prompt])[0]
        return info_nce_to_prompt(self.bent_embeddings(batch), prompt, self.temperature)

    @torch.no_grad()
    def measure(self, images: torch.Tensor, originals: torch.Tensor) -> dict[str, float]:
        """Return ``clip_similarity`` to the prompt and ``info_nce`` over all held-out images at once."""
        embeddings = self.embed_held_out(images)
        prompt = self.clip_model(images.device).embed_texts([self.prompt])[0]
        return {
            "clip_similarity": (embeddings @ prompt).mean().item(),
            "info_nce": info_nce_to_prompt(embeddings, prompt, self.temperature).item(),
        }

    def config(self) -> dict:
        return {"prompt": self.prompt, "temperature": self.temperature, **super().config()}
