"""Image files: PNG writing and labelled grids."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw, PngImagePlugin
from torchvision.utils import make_grid

from netbend.errors import NetbendError


def to_pil(image: torch.Tensor) -> Image.Image:
    """Convert one 3 x H x W image in [0, 1] to an 8-bit PIL image."""
    array = (image.detach().clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).cpu().numpy()
    return Image.fromarray(np.ascontiguousarray(array))


def png_info(text: dict[str, str] | None) -> PngImagePlugin.PngInfo:
    """Return PNG text chunks for ``text`` (Pillow stores non-Latin-1 values as iTXt)."""
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    return info


def png_bytes(image: Image.Image, text: dict[str, str] | None = None) -> bytes:
    """Encode ``image`` as PNG bytes with optional text chunks."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=png_info(text))
    return buffer.getvalue()


def save_png(image: Image.Image, path: str | Path, text: dict[str, str] | None = None) -> Path:
    """Write ``image`` as PNG with optional text chunks, creating parent folders.

    Raises:
        NetbendError: the file cannot be written.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, format="PNG", pnginfo=png_info(text))
    except OSError as error:
        raise NetbendError(f"cannot write image {path}: {error.strerror or error}; choose a writable path") from error
    return path


def image_grid(images: torch.Tensor, columns: int, padding: int = 2, scale: int = 1) -> Image.Image:
    """Tile B x 3 x H x W images in [0, 1] into one image, ``columns`` per row."""
    grid = make_grid(images.detach().cpu().clamp(0, 1), nrow=columns, padding=padding, pad_value=1.0)
    picture = to_pil(grid)
    if scale > 1:
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    return picture


def labelled_rows(rows: list[tuple[str, torch.Tensor]], scale: int = 2) -> Image.Image:
    """Stack image rows, each with a text label on the left.

    Args:
        rows: (label, B x 3 x H x W images in [0, 1]) per row; every row has the
            same count and size.
        scale: Integer upscaling so small images stay readable (nearest neighbour).
    """
    pictures = [image_grid(images, columns=images.shape[0], scale=scale) for _, images in rows]
    label_width = 90
    width = label_width + max(picture.width for picture in pictures)
    height = sum(picture.height for picture in pictures)
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)
    top = 0
    for (label, _), picture in zip(rows, pictures):
        sheet.paste(picture, (label_width, top))
        draw.text((6, top + picture.height // 2 - 6), label, fill="black")
        top += picture.height
    return sheet
