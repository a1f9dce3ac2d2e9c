"""LPIPS-style perceptual distance from the bundled classifier's intermediate features.

LPIPS (Zhang et al., 2018; reference code at github.com/richzhang/PerceptualSimilarity)
compares two images through a pretrained network's activations. Each feature map is
unit-normalised along channels, the squared difference is summed over channels and
averaged over positions, and the layers' figures are combined. LPIPS weights the
channels with a linear layer fitted to human judgements. No such weights exist for
EfficientNet-Lite0, so here every channel counts the same and the stages are
averaged. The figures are therefore comparable between netbend runs but not with
published LPIPS scores.

Per stage ``l`` with unit-normalised maps ``u`` and ``v`` of shape C x H x W::

    d_l = mean over (h, w) of sum over c of (u[c, h, w] - v[c, h, w]) ** 2

and the distance is the mean of ``d_l`` over the stages. Each ``d_l`` lies in
[0, 4], and identical images give exactly 0.

Shape:
    Images: B x 3 x H x W in [0, 1]; they are resized to ``FEATURE_SIZE`` square.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from netbend.errors import NetbendError
from netbend.objectives.classifier import ImageNetClassifier, load_classifier

# Outputs of EfficientNet-Lite0 blocks 1, 2, 3 and 5: 24, 40, 80 and 192 channels at
# strides 4, 8, 16 and 32, which is 32, 16, 8 and 4 positions a side at a 128 px
# input. One stage per resolution covers edges and textures up to object parts.
STAGES = (1, 2, 3, 5)

# Side of the square the images are resized to before the classifier runs. The class
# objective trains on views of the same side, and by area it costs about a third of
# the classifier's 224 px input.
# NOTE: images larger than 128 px lose their finest detail before comparison.
FEATURE_SIZE = 128

# Guards the channel normalisation of an all-zero feature vector, as in LPIPS.
EPS = 1e-10


def check_images(images: torch.Tensor, name: str = "images") -> None:
    if images.dim() != 4 or images.shape[1] != 3:
        raise NetbendError(f"{name} must be B x 3 x H x W RGB images in [0, 1], got shape {tuple(images.shape)}")


def normalize_channels(features: torch.Tensor) -> torch.Tensor:
    """Divide each position's channel vector by its L2 norm (B x C x H x W in and out)."""
    norm = features.square().sum(dim=1, keepdim=True).sqrt()
    return features / (norm + EPS)


class PerceptualFeatures:
    """Unit-normalised stage features of the bundled classifier.

    Args:
        classifier: The classifier to take features from; defaults to the bundled
            EfficientNet-Lite0 on ``device``.
        stages: Indices into the network's ``blocks`` whose outputs are compared.
        size: Side in pixels the images are resized to (bilinear) first.
        chunk: Images per forward pass, to bound memory.
        device: Device of the default classifier.
    """

    def __init__(
        self,
        classifier: ImageNetClassifier | None = None,
        stages: tuple[int, ...] = STAGES,
        size: int = FEATURE_SIZE,
        chunk: int = 32,
        device: str = "cpu",
    ) -> None:
        self.classifier = classifier if classifier is not None else load_classifier(device)
        blocks = len(self.classifier.network.blocks)
        if not stages or any(not 0 <= stage < blocks for stage in stages):
            raise NetbendError(f"feature stages must be block indices from 0 to {blocks - 1}, got {list(stages)}")
        self.stages = tuple(sorted(set(stages)))
        self.size = size
        self.chunk = chunk

    @torch.no_grad()
    def __call__(self, images: torch.Tensor) -> list[torch.Tensor]:
        """Return one B x C_l x H_l x W_l tensor of unit-normalised features per stage."""
        check_images(images)
        parts = [self._forward(images[start : start + self.chunk]) for start in range(0, len(images), self.chunk)]
        return [torch.cat([part[index] for part in parts]) for index in range(len(self.stages))]

    def _forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        network = self.classifier.network
        device = next(network.parameters()).device

        # Resize and apply the ImageNet normalisation the classifier was trained with.
        x = images.to(device)
        if x.shape[-2:] != (self.size, self.size):
            x = F.interpolate(x, size=(self.size, self.size), mode="bilinear", align_corners=False)
        x = (x - self.classifier.mean) / self.classifier.std

        # Stem, then the blocks up to the last stage compared; the head is never needed.
        x = network.bn1(network.conv_stem(x))
        features = []
        for index, block in enumerate(network.blocks[: self.stages[-1] + 1]):
            x = block(x)
            if index in self.stages:
                features.append(normalize_channels(x).cpu())
        return features


def feature_distance(first: list[torch.Tensor], second: list[torch.Tensor]) -> torch.Tensor:
    """Return the perceptual distance between matching rows of two feature lists, shape B.

    Rows broadcast, so a single image's features (batch 1) can be compared with many.
    """
    per_stage = [(a - b).square().sum(dim=1).mean(dim=(1, 2)) for a, b in zip(first, second)]  # each: B
    return torch.stack(per_stage).mean(dim=0)


def perceptual_distance(
    images: torch.Tensor, references: torch.Tensor, features: PerceptualFeatures | None = None
) -> torch.Tensor:
    """Return the perceptual distance between each image and its reference, shape B.

    Raises:
        NetbendError: the two batches differ in shape or are not RGB images.
    """
    check_images(images)
    check_images(references, "references")
    if images.shape != references.shape:
        raise NetbendError(
            f"perceptual distance compares images pairwise, but got shapes {tuple(images.shape)} "
            f"and {tuple(references.shape)}; pass batches of the same shape"
        )
    features = features or PerceptualFeatures()
    return feature_distance(features(images), features(references))
