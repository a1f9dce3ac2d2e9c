"""The ``image`` objective: pull CLIP embeddings of the images toward a reference image's.

"Make it feel like this picture": the same spherical distance as ``text``, with
the CLIP embedding of the reference image's central square as the target.
"""

from __future__ import annotations

import torch

from netbend.errors import NetbendError
from netbend.objectives import OBJECTIVES
from netbend.objectives.clip_base import split_clip_options
from netbend.objectives.clip_model import ClipModel, ClipSpec
from netbend.objectives.clip_text import ClipTargetObjective
from netbend.objectives.reference_image import load_reference_image


@OBJECTIVES.register("image")
class ClipImageObjective(ClipTargetObjective):
    """Spherical distance from the images' CLIP embeddings to a reference image's.

    Args:
        path: PNG, JPEG or WebP reference image, any size.
        clip: Which CLIP model and weights.
    """

    name = "image"

    def __init__(self, path: str, clip: ClipSpec | None = None) -> None:
        # Read the image first: a wrong path is the likelier mistake and costs nothing to find.
        reference = load_reference_image(path)
        super().__init__(clip)
        self.reference = reference
        # Target embedding per device, as a plain dict so it stays out of state_dict.
        self._targets: dict[str, torch.Tensor] = {}

    @classmethod
    def from_argument(cls, argument: str | None, **options: str) -> "ClipImageObjective":
        if not argument:
            raise NetbendError("objective 'image' needs a reference image, for example image:sunset.jpg")
        clip, rest = split_clip_options(options)
        return cls(argument, clip=clip, **rest)

    def target_embedding(self, model: ClipModel) -> torch.Tensor:
        key = str(model.mean.device)
        if key not in self._targets:
            with torch.no_grad():
                pixels = self.reference.center_square(model.image_size).to(model.mean.device)
                self._targets[key] = model.embed_images(pixels)[0]
        return self._targets[key]

    def config(self) -> dict:
        return {"reference": self.reference.describe(), **super().config()}
