"""The ``style`` objective: match the Gram matrices of a reference image's features.

Gatys et al. (2016, "Image Style Transfer Using Convolutional Neural Networks")
describe style as the correlations between feature channels, averaged over
positions: the Gram matrix. Matching it copies texture and colour statistics of
the reference but not its layout. Here the features come from the bundled
EfficientNet-Lite0 (not VGG as in Gatys et al.), so ``style`` needs no download.
"""

from __future__ import annotations

import torch

from netbend.errors import NetbendError
from netbend.objectives import OBJECTIVES
from netbend.objectives.base import Objective, ObjectiveBatch
from netbend.objectives.classifier import ImageNetClassifier, load_classifier
from netbend.objectives.reference_image import load_reference_image, resize

# timm feature indices of EfficientNet-Lite0: the outputs of blocks 0, 1, 2 and 4,
# with 16, 24, 40 and 112 channels at 1/2, 1/4, 1/8 and 1/16 of the input side.
# The deepest stage (320 channels at 1/32) is left out because at 128 px it has
# only 4 x 4 positions, too few for a stable Gram matrix.
STYLE_FEATURES = (0, 1, 2, 3)

# Side, in pixels, at which images are scored; the reference is scaled so that its
# shorter side matches.
DEFAULT_SIZE = 128
MIN_SIZE, MAX_SIZE = 32, 512


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """Return the channel correlations averaged over positions.

    Shape:
        Input: B x C x H x W. Output: B x C x C.
    """
    flat = features.flatten(2)  # B x C x HW
    return flat @ flat.transpose(1, 2) / flat.shape[2]


def style_grams(classifier: ImageNetClassifier, images: torch.Tensor) -> list[torch.Tensor]:
    """Return the Gram matrix of each style feature map for images in [0, 1]."""
    normalized = (images - classifier.mean) / classifier.std
    features = classifier.network.forward_intermediates(
        normalized, indices=list(STYLE_FEATURES), stop_early=True, intermediates_only=True
    )
    return [gram_matrix(feature) for feature in features]


def gram_distance(grams: list[torch.Tensor], reference: list[torch.Tensor]) -> torch.Tensor:
    """Return each image's Gram distance to the reference.

    Each feature map contributes the squared Frobenius distance divided by the
    reference Gram's squared norm, so every map counts equally whatever its scale.
    The result is the mean over maps: 0 for identical statistics, 1 for an image
    whose features are all zero.

    Shape:
        grams: one B x C x C per map. reference: one 1 x C x C per map. Output: B.
    """
    terms = [
        (gram - target).square().sum(dim=(1, 2)) / target.square().sum()
        for gram, target in zip(grams, reference)
    ]
    return torch.stack(terms).mean(dim=0)


@OBJECTIVES.register("style")
class StyleObjective(Objective):
    """Gram-matrix distance to a reference image on EfficientNet-Lite0 features.

    Args:
        path: PNG, JPEG or WebP reference image, any size.
        size: Side in pixels at which images are scored (32 to 512); larger sizes
            see finer texture and cost more.
    """

    name = "style"
    options = ("size",)

    def __init__(self, path: str, size: int | str = DEFAULT_SIZE) -> None:
        super().__init__()
        try:
            size = int(size)
        except ValueError:
            raise NetbendError(f"style option size={size!r} is not a whole number; use for example size=128") from None
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise NetbendError(f"style option size={size} is out of range; use {MIN_SIZE} to {MAX_SIZE}")
        self.size = size
        self.reference = load_reference_image(path)
        # Reference Gram matrices per device, as a plain dict so they stay out of state_dict.
        self._reference_grams: dict[str, list[torch.Tensor]] = {}

    @classmethod
    def from_argument(cls, argument: str | None, **options: str) -> "StyleObjective":
        if not argument:
            raise NetbendError("objective 'style' needs a reference image, for example style:painting.png")
        return cls(argument, **options)

    def reference_grams(self, device: torch.device) -> list[torch.Tensor]:
        """Return the reference's Gram matrices on ``device``, computed once."""
        key = str(device)
        if key not in self._reference_grams:
            classifier = load_classifier(key)
            with torch.no_grad():
                pixels = self.reference.resized(self.size).to(device)
                self._reference_grams[key] = style_grams(classifier, pixels)
        return self._reference_grams[key]

    def distances(self, images: torch.Tensor) -> torch.Tensor:
        """Return each image's Gram distance to the reference, scored at ``size`` x ``size``."""
        classifier = load_classifier(str(images.device))
        scaled = resize(images, (self.size, self.size))
        return gram_distance(style_grams(classifier, scaled), self.reference_grams(images.device))

    def loss(self, batch: ObjectiveBatch) -> torch.Tensor:
        return self.distances(batch.images).mean()

    @torch.no_grad()
    def measure(self, images: torch.Tensor, originals: torch.Tensor) -> dict[str, float]:
        distances = torch.cat([self.distances(part) for part in images.split(16)])
        return {"gram_distance": distances.mean().item()}

    def config(self) -> dict:
        return {"reference": self.reference.describe(), "size": self.size, "feature_indices": list(STYLE_FEATURES)}
