"""The ``class`` objective: push images toward an ImageNet class."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from netbend.errors import NetbendError
from netbend.objectives import OBJECTIVES
from netbend.objectives.augment import random_views
from netbend.objectives.base import Objective, ObjectiveBatch
from netbend.objectives.classifier import imagenet_class_names, load_classifier, resolve_class

# Side of the augmented views the classifier scores during training. 128 px keeps a
# 64 px generator's detail while costing a third of the 224 px forward pass.
# NOTE: measured only on the 64 px face generator; larger generators may gain from 224.
TRAIN_VIEW_SIZE = 128


def classifier_logits(batch: ObjectiveBatch, device: torch.device) -> torch.Tensor:
    """Return classifier logits for augmented views of the batch, computed once per step."""
    if "classifier_logits" not in batch.cache:
        classifier = load_classifier(str(device))
        views = random_views(batch.images, TRAIN_VIEW_SIZE, generator=batch.generator)
        batch.cache["classifier_logits"] = classifier(views)
    return batch.cache["classifier_logits"]


@OBJECTIVES.register("class")
class ClassObjective(Objective):
    """Cross-entropy toward one ImageNet class on augmented views.

    Args:
        target: Class index (0-999) or name, matched case-insensitively against the
            class's synonyms (``goldfish``, ``jack-o'-lantern``).
    """

    name = "class"

    def __init__(self, target: str | int) -> None:
        super().__init__()
        self.target = resolve_class(target)
        self.target_name = imagenet_class_names()[self.target]

    @classmethod
    def from_argument(cls, argument: str | None) -> "ClassObjective":
        if not argument:
            raise NetbendError("objective 'class' needs a target, for example class:goldfish or class:1")
        return cls(argument)

    def loss(self, batch: ObjectiveBatch) -> torch.Tensor:
        logits = classifier_logits(batch, batch.images.device)
        targets = torch.full((logits.shape[0],), self.target, device=logits.device)
        return F.cross_entropy(logits, targets)

    @torch.no_grad()
    def measure(self, images: torch.Tensor, originals: torch.Tensor) -> dict[str, float]:
        classifier = load_classifier(str(images.device))
        probabilities = classifier(images).softmax(dim=1)
        return {
            "target_probability": probabilities[:, self.target].mean().item(),
            "target_top1_rate": (probabilities.argmax(dim=1) == self.target).float().mean().item(),
        }

    def config(self) -> dict:
        return {"target_index": self.target, "target_name": self.target_name}
