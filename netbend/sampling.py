"""Sampling images from a bend at a chosen strength."""

from __future__ import annotations

from pathlib import Path

import torch

from netbend.bending import BentGenerator
from netbend.errors import NetbendError
from netbend.storage.images import image_grid, save_png, to_pil
from netbend.training.metrics import render


def seeded_latents(bent: BentGenerator, count: int, seed: int) -> torch.Tensor:
    """Return ``count`` latents drawn from ``seed``; the same seed gives the same latents."""
    if count < 1:
        raise NetbendError(f"the number of images must be at least 1, got {count}")
    return bent.generator.sample_latents(count, torch.Generator().manual_seed(seed))


def sample(bent: BentGenerator, count: int = 16, seed: int = 0, strength: float = 1.0) -> torch.Tensor:
    """Generate ``count`` images in [0, 1] (B x 3 x H x W) from ``seed`` at ``strength``.

    ``strength`` 0 gives the original generator, 1 the bend as trained, above 1
    exaggerates it.
    """
    return render(bent, seeded_latents(bent, count, seed), strength=strength)


def save_grid(images: torch.Tensor, path: str | Path, columns: int | None = None) -> Path:
    """Write images as one grid PNG, ``columns`` per row (default: about square)."""
    columns = columns or max(1, round(len(images) ** 0.5))
    return save_png(image_grid(images, columns=columns), path)


def save_images(images: torch.Tensor, folder: str | Path, prefix: str = "sample") -> list[Path]:
    """Write one PNG per image as ``PREFIX_0000.png`` … inside ``folder``."""
    folder = Path(folder)
    return [save_png(to_pil(image), folder / f"{prefix}_{index:04d}.png") for index, image in enumerate(images)]
