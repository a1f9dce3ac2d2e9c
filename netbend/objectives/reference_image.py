"""Reference images for the ``style``, ``palette`` and ``image`` objectives.

A reference image is read once when its objective is built, so a missing,
unreadable or unsupported file stops a run before any model is loaded. The file's
SHA-256 goes into the manifest, so a run can be checked against the exact image
it was trained toward.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps, UnidentifiedImageError

from netbend.errors import NetbendError
from netbend.storage.hashing import file_sha256

_logger = logging.getLogger(__name__)

# Pillow format name -> the name users know.
SUPPORTED_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP"}

# The objectives score references at 512 px or less, so larger images are
# downscaled on load. This bounds memory for a 100-megapixel photo.
MAX_SIDE = 1024


@dataclass(frozen=True)
class ReferenceImage:
    """A decoded reference image and the facts the manifest records about it.

    Attributes:
        path: Absolute path of the file.
        sha256: Hex SHA-256 of the file's bytes.
        format: ``PNG``, ``JPEG`` or ``WebP``.
        width: Width of the file's image in pixels, before any downscaling.
        height: Height of the file's image in pixels, before any downscaling.
        pixels: 1 x 3 x H x W RGB in [0, 1], with the longer side at most ``MAX_SIDE``.
    """

    path: Path
    sha256: str
    format: str
    width: int
    height: int
    pixels: torch.Tensor

    def describe(self) -> dict:
        """Return the manifest entry: path, SHA-256, format and size."""
        return {
            "path": str(self.path),
            "sha256": self.sha256,
            "format": self.format,
            "width": self.width,
            "height": self.height,
        }

    def resized(self, short_side: int) -> torch.Tensor:
        """Return the pixels scaled so the shorter side is ``short_side``, keeping the aspect ratio."""
        height, width = self.pixels.shape[-2:]
        scale = short_side / min(height, width)
        size = (max(1, round(height * scale)), max(1, round(width * scale)))
        return resize(self.pixels, size)

    def center_square(self, side: int) -> torch.Tensor:
        """Return the central square crop, scaled to ``side`` x ``side`` (CLIP's preprocessing)."""
        scaled = self.resized(side)
        height, width = scaled.shape[-2:]
        top, left = (height - side) // 2, (width - side) // 2
        return scaled[..., top : top + side, left : left + side]


def resize(images: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Resize B x C x H x W images bilinearly, antialiased when shrinking."""
    if tuple(images.shape[-2:]) == tuple(size):
        return images
    return F.interpolate(images, size=size, mode="bilinear", align_corners=False, antialias=True)


def to_rgb_array(image: Image.Image) -> np.ndarray:
    """Convert a decoded image of any mode to an H x W x 3 uint8 RGB array.

    Transparent pixels are composited over white. 16- and 32-bit greyscale is
    scaled to 8 bits rather than clipped.
    """
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if values.max(initial=0) > 255 else 255.0
        grey = np.clip(values / top * 255.0, 0, 255).round().astype(np.uint8)
        return np.repeat(grey[..., None], 3, axis=2)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(background, rgba).convert("RGB"))
    return np.asarray(image.convert("RGB"))


def load_reference_image(path: str | Path) -> ReferenceImage:
    """Read and check a PNG, JPEG or WebP reference image.

    EXIF orientation is applied, so a phone photo is used the way it displays.

    Raises:
        NetbendError: the file is missing, is not a file, cannot be decoded, is in
            another format, or is too large to decode safely.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise NetbendError(f"reference image {path} not found; check the path (PNG, JPEG or WebP)")
    if not path.is_file():
        raise NetbendError(f"reference image {path} is not a file; pass a PNG, JPEG or WebP image")

    try:
        with warnings.catch_warnings():
            # Pillow warns before it raises for oversized images; the error is enough.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                kind = image.format
                if kind not in SUPPORTED_FORMATS:
                    raise NetbendError(
                        f"reference image {path} is a {kind} file; convert it to PNG, JPEG or WebP"
                    )
                image = ImageOps.exif_transpose(image)
                width, height = image.size
                if max(width, height) > MAX_SIDE:
                    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
                array = to_rgb_array(image)
    except UnidentifiedImageError as error:
        raise NetbendError(f"reference image {path} is not an image Pillow can read; pass a PNG, JPEG or WebP image") from error
    except Image.DecompressionBombError as error:
        raise NetbendError(f"reference image {path} is too large to decode safely ({error}); downscale it first") from error
    except (OSError, SyntaxError, ValueError) as error:
        # Truncated or corrupt data surfaces here when the pixels are decoded.
        raise NetbendError(f"reference image {path} is corrupt or truncated ({error}); re-export it") from error

    pixels = torch.from_numpy(np.array(array, dtype=np.uint8, copy=True)).permute(2, 0, 1).float().div(255).unsqueeze(0)
    reference = ReferenceImage(
        path=path.resolve(),
        sha256=file_sha256(path),
        format=SUPPORTED_FORMATS[kind],
        width=width,
        height=height,
        pixels=pixels,
    )
    _logger.info("read reference image %s (%s, %d x %d, sha256 %s)", reference.path, reference.format, width, height, reference.sha256[:12])
    return reference
