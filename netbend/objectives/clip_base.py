"""The base class of the objectives that score images with CLIP.

It turns the spec options ``model``, ``pretrained`` and ``checkpoint`` into a
``ClipSpec`` and checks the weights when the objective is built, so a missing file
stops the run before the generator loads. Each step's augmented views are
embedded once for all CLIP objectives of the run that use the same model.
"""

from __future__ import annotations

import torch

from netbend.objectives.base import Objective, ObjectiveBatch
from netbend.objectives.clip_augment import augment, draw_parameters
from netbend.objectives.clip_model import ClipModel, ClipSpec, load_clip, resolve_weights

CLIP_OPTIONS = ("model", "pretrained", "checkpoint")
# Held-out images embedded per forward pass in ``measure``.
MEASURE_CHUNK = 16


def split_clip_options(options: dict[str, str]) -> tuple[ClipSpec, dict[str, str]]:
    """Separate the CLIP model options from an objective's own options."""
    clip = ClipSpec.from_options(**{key: options[key] for key in CLIP_OPTIONS if key in options})
    rest = {key: value for key, value in options.items() if key not in CLIP_OPTIONS}
    return clip, rest


class ClipObjective(Objective):
    """An objective that embeds augmented views of the batch with a CLIP model.

    Args:
        clip: Which model and weights; the default is ``ViT-B-32-quickgelu`` with
            ``laion400m_e32``.

    Raises:
        NetbendError: open_clip is missing or the weights cannot be found.
    """

    options = CLIP_OPTIONS

    def __init__(self, clip: ClipSpec | None = None) -> None:
        super().__init__()
        self.clip = clip or ClipSpec()
        self.weights = resolve_weights(self.clip)

    def clip_model(self, device: torch.device) -> ClipModel:
        return load_clip(self.clip, str(device))

    def step_parameters(self, batch: ObjectiveBatch, size: int) -> list:
        """Return this step's augmentation parameters, drawn once and shared by all CLIP objectives."""
        key = ("clip_augmentation", size)
        if key not in batch.cache:
            batch.cache[key] = draw_parameters(size, batch.images.shape, batch.generator)
        return batch.cache[key]

    def bent_embeddings(self, batch: ObjectiveBatch) -> torch.Tensor:
        """Return B x D embeddings of augmented views of the bent images, computed once per step."""
        key = ("clip_bent", self.clip)
        if key not in batch.cache:
            model = self.clip_model(batch.images.device)
            parameters = self.step_parameters(batch, model.image_size)
            batch.cache[key] = model.embed_images(augment(batch.images, model.image_size, parameters))
        return batch.cache[key]

    def original_embeddings(self, batch: ObjectiveBatch) -> torch.Tensor:
        """Return B x D embeddings of the unbent images under the same augmentation as ``bent_embeddings``."""
        key = ("clip_original", self.clip)
        if key not in batch.cache:
            model = self.clip_model(batch.images.device)
            parameters = self.step_parameters(batch, model.image_size)
            with torch.no_grad():
                batch.cache[key] = model.embed_images(augment(batch.originals, model.image_size, parameters))
        return batch.cache[key]

    @torch.no_grad()
    def embed_held_out(self, images: torch.Tensor) -> torch.Tensor:
        """Return B x D embeddings of images resized to CLIP's input, without augmentation."""
        model = self.clip_model(images.device)
        return torch.cat([model.embed_images(model.fit(part)) for part in images.split(MEASURE_CHUNK)])

    def config(self) -> dict:
        return {"clip": {**self.clip.describe(), "weights_file": self.weights}}
