"""Figures for ``metrics.json``: each objective's attainment before and after a bend.

Everything is measured on held-out latents drawn from a fixed seed that training
never uses, so runs with different seeds are scored on the same latents.
"""

from __future__ import annotations

import torch

from netbend.bending import BentGenerator
from netbend.objectives import WeightedObjective
from netbend.objectives.diversity import pairwise_mean_distance
from netbend.training.trainer import term_names

HELD_OUT_SEED = 2_147_483_647
HELD_OUT_COUNT = 64


def held_out_latents(bent: BentGenerator, count: int = HELD_OUT_COUNT) -> torch.Tensor:
    """Return ``count`` latents from the fixed held-out seed."""
    return bent.generator.sample_latents(count, torch.Generator().manual_seed(HELD_OUT_SEED))


@torch.no_grad()
def render(bent: BentGenerator, latents: torch.Tensor, strength: float = 1.0, chunk: int = 32) -> torch.Tensor:
    """Generate images in [0, 1] for ``latents`` at ``strength``, ``chunk`` at a time."""
    parts = [bent(latents[start : start + chunk].to(bent.device), strength=strength) for start in range(0, len(latents), chunk)]
    return torch.cat(parts)


@torch.no_grad()
def measure_bend(bent: BentGenerator, objectives: list[WeightedObjective], count: int = HELD_OUT_COUNT) -> dict:
    """Measure every objective, fidelity and diversity before and after the bend.

    Returns:
        ``held_out`` (count and seed), ``objectives`` (per term: settings, ``before``
        and ``after`` figures), ``fidelity`` (pixel MSE to the original images) and
        ``diversity`` (mean pairwise pixel distance, bent and original).
    """
    latents = held_out_latents(bent, count)
    originals = render(bent, latents, strength=0.0)
    images = render(bent, latents, strength=1.0)

    results = {}
    for name, weighted in zip(term_names(objectives), objectives):
        results[name] = {
            "spec": weighted.spec,
            "settings": weighted.objective.config(),
            "before": weighted.objective.measure(originals, originals),
            "after": weighted.objective.measure(images, originals),
        }
    return {
        "held_out": {"count": count, "seed": HELD_OUT_SEED},
        "objectives": results,
        "fidelity": {"pixel_mse": (images - originals).square().mean().item()},
        "diversity": {
            "pixel_pairwise_distance_bent": pairwise_mean_distance(images).item(),
            "pixel_pairwise_distance_original": pairwise_mean_distance(originals).item(),
        },
    }
