"""The ``palette`` objective: recolour the images with a palette or a reference image's colours.

The target is a list of colours (``palette:#ff6600,#202020``, each colour an
equal share) or the pixels of a reference image (``palette:sunset.png``). Each
image is matched to the target colours by lightness rank. The pixels of the unbent
image are sorted by CIE L*, the target colours too, and the bent pixel at rank
quantile q is pulled toward the target colour at quantile q. This is the optimal
transport map between the two colour distributions along lightness, so the bent
image takes on the target's colour distribution while its light and dark areas
stay where they were. The loss is the mean Lab distance (Delta E / 100) from each
bent pixel to its assigned colour.

Matching distributions without this anchor lets the bend ignore the image. On the
face generator with ``palette:#ff6600,#202020`` and the default training settings,
a sliced Wasserstein loss (sorted random 1-D projections) turned every image into
nearly the same orange and black stripes. The same happened when the ranks came
from the bent image itself. Ranking by the unbent image kept each face as a
two-tone portrait and lowered the mean distance to the nearest palette colour to
0.46 of its start (seed 0; 0.48 and 0.46 with seeds 1 and 2).
"""

from __future__ import annotations

import re

import torch

from netbend.errors import NetbendError
from netbend.objectives import OBJECTIVES
from netbend.objectives.base import Objective, ObjectiveBatch
from netbend.objectives.lab import rgb_to_lab
from netbend.objectives.reference_image import load_reference_image, resize

HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
SPACES = ("lab", "rgb")

# Loss units: Lab is divided by 100 so that both spaces span about [0, 1].
SPACE_SCALE = {"lab": 100.0, "rgb": 1.0}

# Random directions of the sliced Wasserstein figure in ``measure`` (fixed seed).
MEASURE_PROJECTIONS = 64
# Pixels per image that enter the loss; larger images are subsampled each step.
MAX_PIXELS = 16384
# Longer side of a reference image after downscaling, so at most 128 x 128 target colours.
REFERENCE_SIDE = 128
# Dominant colours of a reference image that ``palette_distance`` measures against.
DOMINANT_COLOURS = 8


def parse_hex_colours(text: str) -> torch.Tensor:
    """Parse ``#RRGGBB,#RGB,...`` into an N x 3 tensor of RGB in [0, 1].

    Raises:
        NetbendError: an entry that is not a hex colour.
    """
    colours = []
    for item in (part.strip() for part in text.split(",")):
        if not HEX_COLOUR.fullmatch(item):
            raise NetbendError(
                f"palette colour {item!r} is invalid; write colours as #RRGGBB separated by commas, "
                "for example palette:#ff6600,#202020"
            )
        digits = item[1:]
        if len(digits) == 3:
            digits = "".join(char * 2 for char in digits)
        colours.append([int(digits[index : index + 2], 16) / 255 for index in (0, 2, 4)])
    return torch.tensor(colours, dtype=torch.float32)


def to_hex(rgb: torch.Tensor) -> list[str]:
    """Format N x 3 RGB in [0, 1] as ``#rrggbb`` strings."""
    values = (rgb.clamp(0, 1) * 255).round().to(torch.int64).tolist()
    return ["#{:02x}{:02x}{:02x}".format(*value) for value in values]


def image_pixels(images: torch.Tensor) -> torch.Tensor:
    """Return B x 3 x H x W images as B x (H*W) x 3 pixel colours."""
    return images.flatten(2).transpose(1, 2)


def quantile_indices(count: int, size: int, device: torch.device) -> torch.Tensor:
    """Return, for ranks 0..count-1, the index into ``size`` sorted values at quantile (rank + 0.5) / count."""
    levels = (torch.arange(count, device=device, dtype=torch.float64) + 0.5) / count
    return (levels * size).long().clamp(max=size - 1)


def lightness_transfer_distance(pixels: torch.Tensor, ranking: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Return each image's mean distance from a pixel to the target colour of its lightness rank.

    Args:
        pixels: B x N x 3 colours to score, in the space of ``target``.
        ranking: B x N lightness of the pixels that set the ranks (the unbent image's).
        target: M x 3 target colours, sorted by lightness, equal weights per row.

    Returns:
        B mean Euclidean distances.
    """
    order = ranking.argsort(dim=1)  # B x N, darkest first
    ranked = torch.gather(pixels, 1, order.unsqueeze(-1).expand(-1, -1, 3))
    assigned = target[quantile_indices(pixels.shape[1], target.shape[0], pixels.device)]  # N x 3
    return (ranked - assigned).norm(dim=-1).mean(dim=1)


def random_directions(count: int, generator: torch.Generator | None) -> torch.Tensor:
    """Return ``count`` random unit vectors in 3-D, as count x 3."""
    directions = torch.randn(count, 3, generator=generator)
    return directions / directions.norm(dim=1, keepdim=True)


def sliced_wasserstein(pixels: torch.Tensor, target: torch.Tensor, directions: torch.Tensor) -> torch.Tensor:
    """Return the sliced Wasserstein-1 distance of each image's pixels to ``target``.

    ``target`` is an empirical distribution with equal weights per row. Each image's
    N sorted projections are matched to the target's quantiles at (i + 0.5) / N,
    and the absolute differences are averaged over pixels and directions.

    Shape:
        pixels: B x N x 3. target: M x 3. directions: K x 3. Output: B.
    """
    count = pixels.shape[1]
    projected = (pixels @ directions.T).sort(dim=1).values  # B x N x K
    target_sorted = (target @ directions.T).sort(dim=0).values  # M x K

    quantiles = target_sorted[quantile_indices(count, target.shape[0], pixels.device)]  # N x K
    return (projected - quantiles).abs().mean(dim=(1, 2))


def nearest_colour_distance(pixels: torch.Tensor, colours: torch.Tensor) -> torch.Tensor:
    """Return each image's mean Euclidean distance from a pixel to its nearest colour.

    Shape:
        pixels: B x N x 3. colours: M x 3. Output: B.
    """
    distances = torch.cdist(pixels, colours.unsqueeze(0).expand(pixels.shape[0], -1, -1))  # B x N x M
    return distances.min(dim=2).values.mean(dim=1)


def dominant_colours(colours: torch.Tensor, count: int) -> torch.Tensor:
    """Return up to ``count`` k-means centres of N x 3 colours (fixed seed, so repeatable)."""
    from sklearn.cluster import KMeans

    unique = torch.unique(colours, dim=0)
    if unique.shape[0] <= count:
        return unique
    kmeans = KMeans(n_clusters=count, n_init=3, random_state=0).fit(colours.double().numpy())
    return torch.from_numpy(kmeans.cluster_centers_).to(colours.dtype)


@OBJECTIVES.register("palette")
class PaletteObjective(Objective):
    """Distance from each bent pixel to the target colour of its lightness rank in the unbent image.

    Args:
        target: ``#RRGGBB,#RRGGBB,...`` or the path of a PNG, JPEG or WebP image.
        space: ``lab`` (perceptual, default) or ``rgb``: where the loss measures
            distances. Ranks always use Lab lightness, and the measured figures are
            always in Lab.
    """

    name = "palette"
    options = ("space",)
    needs_original = True

    def __init__(self, target: str, space: str = "lab") -> None:
        super().__init__()
        if space not in SPACES:
            raise NetbendError(f"palette option space={space!r} is invalid; use space=lab or space=rgb")
        self.space = space
        self.reference = None

        # Target colours as RGB in [0, 1], N x 3. A listed palette's colours are also
        # the colours ``palette_distance`` measures against.
        if target.lstrip().startswith("#"):
            target_rgb = parse_hex_colours(target)
            palette_rgb = target_rgb
        else:
            self.reference = load_reference_image(target)
            pixels = self.reference.pixels
            height, width = pixels.shape[-2:]
            scale = min(1.0, REFERENCE_SIDE / max(height, width))
            pixels = resize(pixels, (max(1, round(height * scale)), max(1, round(width * scale))))
            target_rgb = image_pixels(pixels)[0]
            palette_rgb = dominant_colours(target_rgb, DOMINANT_COLOURS)

        # Non-persistent buffers follow .to(device) but stay out of any state_dict.
        self.register_buffer("target_rgb", target_rgb, persistent=False)
        self.register_buffer("palette_rgb", palette_rgb, persistent=False)

    @classmethod
    def from_argument(cls, argument: str | None, **options: str) -> "PaletteObjective":
        if not argument:
            raise NetbendError("objective 'palette' needs colours or an image, for example palette:#ff6600,#202020 or palette:sunset.png")
        return cls(argument, **options)

    def to_space(self, rgb: torch.Tensor) -> torch.Tensor:
        """Convert ... x 3 RGB in [0, 1] to the loss's colour space, scaled to about [0, 1]."""
        colours = rgb_to_lab(rgb) if self.space == "lab" else rgb
        return colours / SPACE_SCALE[self.space]

    def sorted_target(self, device: torch.device) -> torch.Tensor:
        """Return the target colours in the loss's space, sorted by Lab lightness, M x 3."""
        target = self.target_rgb.to(device)
        return self.to_space(target)[rgb_to_lab(target)[:, 0].argsort()]

    def loss(self, batch: ObjectiveBatch) -> torch.Tensor:
        pixels = image_pixels(batch.images)
        originals = image_pixels(batch.originals)
        if pixels.shape[1] > MAX_PIXELS:
            keep = torch.randperm(pixels.shape[1], generator=batch.generator)[:MAX_PIXELS].to(pixels.device)
            pixels, originals = pixels[:, keep], originals[:, keep]
        ranking = rgb_to_lab(originals)[..., 0]
        return lightness_transfer_distance(self.to_space(pixels), ranking, self.sorted_target(pixels.device)).mean()

    @torch.no_grad()
    def measure(self, images: torch.Tensor, originals: torch.Tensor) -> dict[str, float]:
        """Return three figures in Lab Delta E units, averaged over images.

        ``palette_distance`` is the mean distance from a pixel to its nearest palette
        colour (for a reference image: to its 8 dominant colours by k-means).
        ``transfer_distance`` is the loss in Delta E, measured in Lab.
        ``sliced_wasserstein`` is the sliced Wasserstein-1 distance between each
        image's colours and the target's over fixed directions, which ignores where
        the colours are.
        """
        pixels = rgb_to_lab(image_pixels(images).float())
        ranking = rgb_to_lab(image_pixels(originals).float())[..., 0]
        palette = rgb_to_lab(self.palette_rgb.to(pixels))
        target = rgb_to_lab(self.target_rgb.to(pixels))
        target_sorted = target[target[:, 0].argsort()]
        directions = random_directions(MEASURE_PROJECTIONS, torch.Generator().manual_seed(0)).to(pixels)

        nearest, transfer, sliced = [], [], []
        for part, part_ranking in zip(pixels.split(16), ranking.split(16)):
            nearest.append(nearest_colour_distance(part, palette))
            transfer.append(lightness_transfer_distance(part, part_ranking, target_sorted))
            sliced.append(sliced_wasserstein(part, target, directions))
        return {
            "palette_distance": torch.cat(nearest).mean().item(),
            "transfer_distance": torch.cat(transfer).mean().item(),
            "sliced_wasserstein": torch.cat(sliced).mean().item(),
        }

    def config(self) -> dict:
        settings = {"space": self.space, "palette": to_hex(self.palette_rgb.cpu())}
        if self.reference is not None:
            settings["reference"] = self.reference.describe()
        return settings
