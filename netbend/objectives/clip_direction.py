"""The ``direction`` objective: move each image along a text direction in CLIP space.

``direction:"a photo of a face"->"a pencil sketch of a face"`` trains the bend so
that the change from each unbent image to its bent version points the same way as
the change from the source text to the target text. This is the directional loss
of Gal et al. (2022, "StyleGAN-NADA"), see ``clip_losses.directional_loss``.
Steering only the change is meant to keep more of each image's identity and
layout than an absolute prompt does; netbend has not measured how much more.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from netbend.errors import NetbendError
from netbend.objectives import OBJECTIVES
from netbend.objectives._spec import split_unquoted, unquote
from netbend.objectives.base import ObjectiveBatch
from netbend.objectives.clip_base import ClipObjective, split_clip_options
from netbend.objectives.clip_losses import directional_loss
from netbend.objectives.clip_model import ClipModel, ClipSpec

EXAMPLE = 'direction:"a photo of a face"->"a pencil sketch of a face"'


def parse_direction(argument: str) -> tuple[str, str]:
    """Split ``"SOURCE"->"TARGET"`` (quotes optional) into the two texts.

    Raises:
        NetbendError: no ``->``, more than one, or an empty side.
    """
    parts = split_unquoted(argument, "->")
    if len(parts) != 2:
        raise NetbendError(f"objective 'direction' needs SOURCE->TARGET with one arrow, got {argument!r}; for example {EXAMPLE}")
    source, target = (unquote(part) for part in parts)
    if not source or not target:
        raise NetbendError(f"objective 'direction' needs a text on both sides of ->, got {argument!r}; for example {EXAMPLE}")
    if source == target:
        raise NetbendError(f"objective 'direction' has the same text {source!r} on both sides; there is no direction to follow")
    return source, target


@OBJECTIVES.register("direction")
class ClipDirectionObjective(ClipObjective):
    """1 - cosine between each image's embedding change and the source-to-target text change.

    Args:
        source: Text that describes the unbent images.
        target: Text that describes what they should become.
        clip: Which CLIP model and weights.
    """

    name = "direction"
    needs_original = True

    def __init__(self, source: str, target: str, clip: ClipSpec | None = None) -> None:
        super().__init__(clip)
        self.source = source
        self.target = target

    @classmethod
    def from_argument(cls, argument: str | None, **options: str) -> "ClipDirectionObjective":
        if not argument:
            raise NetbendError(f"objective 'direction' needs SOURCE->TARGET, for example {EXAMPLE}")
        source, target = parse_direction(argument)
        clip, rest = split_clip_options(options)
        return cls(source, target, clip=clip, **rest)

    def text_direction(self, model: ClipModel) -> torch.Tensor:
        """Return the unit vector from the source text's embedding to the target text's, D."""
        source, target = model.embed_texts([self.source, self.target])
        return F.normalize(target - source, dim=0)

    def loss(self, batch: ObjectiveBatch) -> torch.Tensor:
        direction = self.text_direction(self.clip_model(batch.images.device))
        return directional_loss(self.bent_embeddings(batch), self.original_embeddings(batch), direction)

    @torch.no_grad()
    def measure(self, images: torch.Tensor, originals: torch.Tensor) -> dict[str, float]:
        """Return ``direction_similarity`` (mean cosine of the embedding change to the
        text direction, 0 for unbent images) and ``target_similarity`` (mean cosine to
        the target text)."""
        model = self.clip_model(images.device)
        embeddings = self.embed_held_out(images)
        change = embeddings - self.embed_held_out(originals)
        direction = self.text_direction(model)
        target = model.embed_texts([self.target])[0]
        return {
            "direction_similarity": F.cosine_similarity(change, direction.expand_as(change), dim=-1, eps=1e-8).mean().item(),
            "target_similarity": (embeddings @ target).mean().item(),
        }

    def config(self) -> dict:
        return {"source": self.source, "target": self.target, **super().config()}
