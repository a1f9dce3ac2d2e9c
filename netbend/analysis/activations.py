"""Collect the activations a generator produces at one layer."""

from __future__ import annotations

import torch
from tqdm import tqdm

from netbend.errors import NetbendError
from netbend.generators import GeneratorAdapter


class _LayerReached(Exception):
    """Raised from a hook to skip the layers after the one being recorded."""


@torch.no_grad()
def layer_activations(
    generator: GeneratorAdapter,
    layer: str,
    latents: torch.Tensor,
    batch: int = 64,
    with_images: bool = False,
    progress: bool = False,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Run ``latents`` through ``generator`` and record the output of ``layer``.

    Args:
        generator: The generator; it is not modified.
        layer: An insertion point name from ``generator.insertion_points()``.
        latents: N latents, as ``generator.sample_latents`` returns them.
        batch: Latents per forward pass.
        with_images: Also return the generated images. Without them, each pass
            stops at ``layer``, which skips the most expensive layers of a
            generator that upsamples.
        progress: Show a progress bar over batches.

    Returns:
        Activations N x C x H x W (float32, on the CPU) and images N x 3 x H' x W'
        in [0, 1] (on the CPU), or None without ``with_images``.

    Raises:
        NetbendError: unknown layer or a batch size below 1.
    """
    generator.insertion_point(layer)  # raises with the valid names
    if batch < 1:
        raise NetbendError(f"batch size must be at least 1, got {batch}")
    module = dict(generator.network.named_modules())[layer]
    recorded: list[torch.Tensor] = []

    def record(module, inputs, output):
        recorded.append(output.detach().float().cpu())
        if not with_images:
            raise _LayerReached

    images: list[torch.Tensor] = []
    handle = module.register_forward_hook(record)
    try:
        starts = range(0, len(latents), batch)
        for start in tqdm(starts, desc=f"activations at {layer}", unit="batch", disable=not progress):
            chunk = latents[start : start + batch]
            try:
                output = generator.generate(chunk)
            except _LayerReached:
                continue
            images.append(output.float().cpu())
    finally:
        handle.remove()
    return torch.cat(recorded), (torch.cat(images) if with_images else None)
