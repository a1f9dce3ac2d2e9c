"""Contact sheets of activation maps: ``netbend inspect`` and ``netbend clusters`` draw these.

Maps are drawn with a black-red-yellow-white colour scale (0 black, 1 white),
upscaled with nearest-neighbour sampling to the size of the generated image so
each activation cell stays a visible square.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw

from netbend.analysis.clusters import ChannelClusters
from netbend.storage.images import to_pil

LABEL_HEIGHT = 14
LABEL_WIDTH = 110
GAP = 2


def heat_colours(maps: torch.Tensor) -> torch.Tensor:
    """Colour maps in [0, 1] (N x H x W) as N x 3 x H x W RGB: black, red, yellow, white as values rise."""
    values = maps.clamp(0, 1)
    red = (3 * values).clamp(0, 1)
    green = (3 * values - 1).clamp(0, 1)
    blue = (3 * values - 2).clamp(0, 1)
    return torch.stack([red, green, blue], dim=1)


def scale_channels(activations: torch.Tensor) -> torch.Tensor:
    """Scale each channel of N x C x H x W activations to [0, 1] by its min and max over all N maps.

    One scale per channel keeps the latents comparable within a channel. A
    constant channel becomes 0.
    """
    low = activations.amin(dim=(0, 2, 3), keepdim=True)
    high = activations.amax(dim=(0, 2, 3), keepdim=True)
    span = high - low
    return torch.where(span > 0, (activations - low) / span.clamp_min(1e-12), torch.zeros_like(activations))


def map_tiles(maps: torch.Tensor, size: tuple[int, int]) -> list[Image.Image]:
    """Render N x H x W maps in [0, 1] as N coloured tiles of ``size`` (height, width)."""
    coloured = F.interpolate(heat_colours(maps), size=size, mode="nearest")
    return [to_pil(tile) for tile in coloured]


def channel_sheet(images: torch.Tensor, activations: torch.Tensor, channels: list[int], columns: int = 16) -> Image.Image:
    """Lay out, for each latent, its image followed by the maps of ``channels``.

    Args:
        images: N x 3 x h x w images in [0, 1].
        activations: N x C x H x W activations of the same latents.
        channels: Channel indices to show, in order.
        columns: Maps per line; a latent's maps wrap onto more lines beyond this.
    """
    count = images.shape[0]
    tile_height, tile_width = images.shape[-2:]
    scaled = scale_channels(activations[:, channels])
    columns = max(1, min(columns, len(channels)))
    lines = -(-len(channels) // columns)
    cell_width, cell_height = tile_width + GAP, tile_height + LABEL_HEIGHT

    block_height = lines * cell_height + GAP * 3
    sheet = Image.new("RGB", ((columns + 1) * cell_width + GAP, count * block_height), "white")
    draw = ImageDraw.Draw(sheet)
    for item in range(count):
        top = item * block_height
        draw.text((GAP, top), f"latent {item}", fill="black")
        sheet.paste(to_pil(images[item]), (GAP, top + LABEL_HEIGHT))
        for position, tile in enumerate(map_tiles(scaled[item], (tile_height, tile_width))):
            line, column = divmod(position, columns)
            left = (column + 1) * cell_width + GAP
            line_top = top + line * cell_height
            draw.text((left, line_top), f"ch {channels[position]}", fill="black")
            sheet.paste(tile, (left, line_top + LABEL_HEIGHT))
    return sheet


def cluster_maps(activations: torch.Tensor, clusters: ChannelClusters) -> torch.Tensor:
    """Return each cluster's mean scaled map per latent, N x k x H x W in [0, 1].

    Channels are scaled to [0, 1] first (see ``scale_channels``), so strong
    channels do not hide the others. Each cluster's maps are then rescaled by
    their max over all latents, which keeps latents comparable within a cluster.
    """
    scaled = scale_channels(activations)
    means = torch.stack([scaled[:, clusters.channels_of(cluster)].mean(dim=1) for cluster in range(clusters.k)], dim=1)
    peak = means.amax(dim=(0, 2, 3), keepdim=True)
    return torch.where(peak > 0, means / peak.clamp_min(1e-12), torch.zeros_like(means))


def cluster_sheet(images: torch.Tensor, activations: torch.Tensor, clusters: ChannelClusters, sheet_latents: int = 4) -> Image.Image:
    """Draw one row per cluster: its mean map for the first ``sheet_latents`` latents, then over all latents.

    Args:
        images: Images in [0, 1] of at least the first ``sheet_latents`` latents, n x 3 x h x w.
        activations: N x C x H x W activations of all the latents that were clustered.
        clusters: The clusters of those activations.
        sheet_latents: Number of latents drawn with their images.
    """
    sheet_latents = min(sheet_latents, images.shape[0], activations.shape[0])
    tile_height, tile_width = images.shape[-2:]
    per_latent = cluster_maps(activations, clusters)  # N x k x H x W
    average = per_latent.mean(dim=0)  # k x H x W
    average = average / average.amax(dim=(1, 2), keepdim=True).clamp_min(1e-12)

    cell_width, cell_height = tile_width + GAP, tile_height + GAP
    width = LABEL_WIDTH + (sheet_latents + 1) * cell_width + GAP
    height = LABEL_HEIGHT + (clusters.k + 1) * cell_height
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)

    # Header row: the images, then the heading of the all-latents column.
    for column in range(sheet_latents):
        left = LABEL_WIDTH + column * cell_width
        draw.text((left, 0), f"latent {column}", fill="black")
        sheet.paste(to_pil(images[column]), (left, LABEL_HEIGHT))
    draw.text((LABEL_WIDTH + sheet_latents * cell_width, 0), f"mean of {activations.shape[0]}", fill="black")
    draw.text((GAP, LABEL_HEIGHT + tile_height // 2 - 6), "image", fill="black")

    sizes = clusters.sizes()
    for cluster in range(clusters.k):
        top = LABEL_HEIGHT + (cluster + 1) * cell_height
        draw.text((GAP, top + tile_height // 2 - 6), f"cluster {cluster} ({sizes[cluster]} ch)", fill="black")
        tiles = map_tiles(per_latent[:sheet_latents, cluster], (tile_height, tile_width))
        tiles += map_tiles(average[cluster : cluster + 1], (tile_height, tile_width))
        for column, tile in enumerate(tiles):
            sheet.paste(tile, (LABEL_WIDTH + column * cell_width, top))
    return sheet
