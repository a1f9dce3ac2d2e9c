"""Differentiable augmentation of images before CLIP scores them, with kornia.

Aldegheri et al. (2023) augment every image with a random resized crop, a small
random rotation, colour jitter and Gaussian blur before CLIP embeds it. The bending
module then has to change what the image shows, because pixel patterns that fool
one fixed view do not survive random views. kornia applies these per image and keeps the
gradient to every input pixel.

The random parameters of one step are drawn once and can be applied again to other
images: ``direction`` compares a bent image with its unbent original under the
same crop, rotation and colour change.
"""

from __future__ import annotations

import functools

import torch

from netbend.errors import NetbendError
from netbend.objectives.clip_model import INSTALL_HINT

# Fraction of the image area a crop keeps, and the largest rotation in degrees.
# Aldegheri et al. rotate by up to 5 degrees. Their crops use torchvision's default
# area range (0.08, 1), which leaves 18 px crops of a 64 px image, so the range
# here is narrower.
CROP_SCALE = (0.5, 1.0)
MAX_ROTATION_DEG = 5.0
# Their code calls torchvision's ColorJitter with its defaults, which change nothing.
# A small jitter is used here instead.
JITTER = {"brightness": 0.1, "contrast": 0.1, "saturation": 0.1, "hue": 0.02}
# Gaussian blur kernel and sigma range, as in Aldegheri et al. (kernel 5, sigma 0.1 to 2).
BLUR_KERNEL = 5
BLUR_SIGMA = (0.1, 2.0)


def import_kornia_augmentation():
    try:
        import kornia.augmentation
    except ImportError as error:
        raise NetbendError(f"the CLIP objectives need kornia, which is not installed. Install it with: {INSTALL_HINT}") from error
    return kornia.augmentation


@functools.lru_cache(maxsize=4)
def build_augmentation(size: int):
    """Return the augmentation that maps images to ``size`` x ``size`` CLIP views."""
    augmentation = import_kornia_augmentation()
    return augmentation.AugmentationSequential(
        augmentation.RandomResizedCrop((size, size), scale=CROP_SCALE),
        augmentation.RandomAffine(degrees=MAX_ROTATION_DEG, p=1.0),
        augmentation.ColorJitter(**JITTER, p=1.0),
        augmentation.RandomGaussianBlur((BLUR_KERNEL, BLUR_KERNEL), BLUR_SIGMA, p=1.0),
    )


def draw_parameters(size: int, shape: torch.Size, generator: torch.Generator | None) -> list:
    """Draw one step's augmentation parameters for images of ``shape``.

    kornia samples from torch's global generator. Seeding a forked copy of it from
    ``generator`` makes the draw repeat with the trainer's seed and leaves the global
    state as it was.
    """
    augmentation = build_augmentation(size)
    if generator is None:
        return augmentation.forward_parameters(shape)
    seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator))
    with torch.random.fork_rng(devices=[]):
        torch.random.default_generator.manual_seed(seed)
        return augmentation.forward_parameters(shape)


def move_parameters(parameters: list, device: torch.device) -> list:
    """Return the parameters with their tensors on ``device``.

    They are drawn on the CPU; kornia needs them where the images are.
    """
    if device.type == "cpu":
        return parameters
    # NOTE: written for CUDA but not run on a GPU yet; benchmarks/bench_clip_step.py exercises it.
    return [
        type(item)(item.name, {key: value.to(device) if torch.is_tensor(value) else value for key, value in item.data.items()})
        if isinstance(item.data, dict)
        else item
        for item in parameters
    ]


def augment(images: torch.Tensor, size: int, parameters: list) -> torch.Tensor:
    """Apply drawn parameters to images in [0, 1].

    Shape:
        Input: B x 3 x H x W. Output: B x 3 x size x size.
    """
    augmentation = build_augmentation(size)
    return augmentation(images, params=move_parameters(parameters, images.device))
