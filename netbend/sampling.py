"""Sampling images from a bend at a chosen strength."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import torch
from PIL import Image

from netbend.bending import BentGenerator
from netbend.errors import NetbendError
from netbend.storage.images import image_grid, labelled_rows, save_png, to_pil
from netbend.storage.provenance import Provenance, format_number
from netbend.training.metrics import render

# Rows pictures are upscaled so that each row's label stays readable next to small images.
ROWS_SCALE = 2


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


def strength_label(strength: float) -> str:
    """Return the row label for ``strength``: ``original`` for 0, else ``strength S``."""
    return "original" if strength == 0 else f"strength {format_number(strength)}"


def draw_picture(bent: BentGenerator, provenance: Provenance) -> Image.Image:
    """Draw the picture that ``provenance`` describes, from ``bent``.

    Every layout renders the whole draw of ``provenance.count`` latents in one
    ``sample`` call and then selects images. A single image is thus computed in the
    same batch as in a grid of that draw, because batch size changes CPU rounding.
    The result is bit-identical on the same machine and torch build.
    """
    for index in provenance.indices:
        if not 0 <= index < provenance.count:
            raise NetbendError(
                f"latent index {index} is out of range for a draw of {provenance.count} latents; "
                f"use an index from 0 to {provenance.count - 1}, or draw more with --n"
            )
    indices = list(provenance.indices)

    if provenance.layout == "image":
        images = sample(bent, provenance.count, provenance.seed, provenance.strengths[0])
        return to_pil(images[indices[0]])

    if provenance.layout == "grid":
        images = sample(bent, provenance.count, provenance.seed, provenance.strengths[0])[indices]
        columns = provenance.columns or max(1, round(len(images) ** 0.5))
        return image_grid(images, columns=columns)

    rows = []
    for strength in provenance.strengths:
        images = sample(bent, provenance.count, provenance.seed, strength)[indices]
        rows.append((strength_label(strength), images))
    return labelled_rows(rows, scale=ROWS_SCALE)


def save_picture(bent: BentGenerator, provenance: Provenance, path: str | Path) -> Path:
    """Draw the picture ``provenance`` describes and write it as PNG carrying that provenance."""
    return save_png(draw_picture(bent, provenance), path, text=provenance.to_text())


def save_grid(
    images: torch.Tensor, path: str | Path, columns: int | None = None, provenance: Provenance | None = None
) -> Path:
    """Write images as one grid PNG, ``columns`` per row (default: about square).

    ``provenance``, when given, is written as PNG text chunks.
    """
    columns = columns or max(1, round(len(images) ** 0.5))
    text = provenance.to_text() if provenance is not None else None
    return save_png(image_grid(images, columns=columns), path, text=text)


def save_images(
    images: torch.Tensor, folder: str | Path, prefix: str = "sample", provenance: Provenance | None = None
) -> list[Path]:
    """Write one PNG per image as ``PREFIX_0000.png`` … inside ``folder``.

    ``provenance`` describes the whole batch (its ``indices`` give each image's
    latent index, in order); each file records its own latent index.
    """
    folder = Path(folder)
    if provenance is not None and len(provenance.indices) != len(images):
        raise NetbendError(f"provenance lists {len(provenance.indices)} latent indices for {len(images)} images")
    paths = []
    for position, image in enumerate(images):
        text = None
        if provenance is not None:
            single = replace(provenance, layout="image", indices=(provenance.indices[position],), columns=None)
            text = single.to_text()
        paths.append(save_png(to_pil(image), folder / f"{prefix}_{position:04d}.png", text=text))
    return paths
