"""Measure what a bend did, on held-out latents: attainment, fidelity and diversity.

Three questions: how far the images moved toward each objective, how close they
stay to the original generator's images for the same latents, and how much they
still differ from each other (a bend can collapse every latent to one look). The latents are the fixed held-out draw of ``metrics.json``, so
the objectives' figures here match the ones training wrote.
"""

from __future__ import annotations

import logging
import time

import torch

from netbend.bending import BentGenerator
from netbend.errors import NetbendError
from netbend.evaluation.diversity import pairwise_feature_distance
from netbend.evaluation.perceptual import PerceptualFeatures, feature_distance
from netbend.objectives import WeightedObjective, parse_objective
from netbend.objectives.diversity import pairwise_mean_distance
from netbend.training.metrics import HELD_OUT_COUNT, HELD_OUT_SEED, held_out_latents, render
from netbend.training.trainer import term_names

_logger = logging.getLogger(__name__)


def rebuild_objectives(manifest: dict) -> tuple[list[WeightedObjective], dict[str, str]]:
    """Rebuild the manifest's objectives from their ``spec`` strings.

    Returns:
        The objectives that could be built, and for the others their spec mapped to
        the reason (an objective whose plug-in is not installed, for example), so a
        report can still show everything else.
    """
    objectives, failed = [], {}
    for entry in manifest.get("objectives", []):
        spec = entry.get("spec") or entry.get("name", "?")
        try:
            objectives.append(parse_objective(spec))
        except NetbendError as error:
            _logger.warning("objective %r is not measured: %s", spec, error)
            failed[spec] = str(error)
    return objectives, failed


@torch.no_grad()
def evaluate_bend(
    bent: BentGenerator,
    manifest: dict,
    count: int = HELD_OUT_COUNT,
    strength: float = 1.0,
    features: PerceptualFeatures | None = None,
) -> dict:
    """Measure a bend against its original generator on ``count`` held-out latents.

    Args:
        bent: The bend to measure.
        manifest: Its manifest; the objectives are rebuilt from their specs.
        count: Held-out latents to draw (at least 2, for diversity).
        strength: Strength of the bent images ("after").
        features: Perceptual feature extractor; defaults to the bundled classifier's.

    Returns:
        A dict with these keys:

        - ``held_out``: seed and count of the latents.
        - ``strength``: the strength of the bent images.
        - ``objectives``: per term, its spec and ``before`` and ``after`` figures,
          or an ``error`` when it could not be rebuilt.
        - ``fidelity``: mean and largest perceptual distance, and pixel MSE, to the
          original images.
        - ``diversity``: mean pairwise perceptual and pixel distance, bent and original.
        - ``features``: the network, blocks and input size of the perceptual figures.
        - ``seconds``: how long the measurement took.

    Raises:
        NetbendError: ``count`` below 2.
    """
    if count < 2:
        raise NetbendError(f"evaluation needs at least 2 held-out latents to measure diversity, got {count}")
    started = time.perf_counter()

    # Draw the same held-out latents as metrics.json, then the two image sets.
    latents = held_out_latents(bent, count)
    originals = render(bent, latents, strength=0.0)
    images = render(bent, latents, strength=strength)

    # Each objective's own figures, as training measured them.
    objectives, failed = rebuild_objectives(manifest)
    results: dict[str, dict] = {}
    for name, weighted in zip(term_names(objectives), objectives):
        weighted.objective.to(images.device)
        results[name] = {
            "spec": weighted.spec,
            "before": weighted.objective.measure(originals, originals),
            "after": weighted.objective.measure(images, originals),
        }
    for spec, reason in failed.items():
        results[spec] = {"spec": spec, "error": reason}

    # Perceptual fidelity and diversity from one feature pass per image set.
    features = features or PerceptualFeatures(device=str(images.device))
    original_features = features(originals)
    bent_features = features(images)
    distances = feature_distance(bent_features, original_features)

    return {
        "held_out": {"count": count, "seed": HELD_OUT_SEED},
        "strength": strength,
        "objectives": results,
        "fidelity": {
            "perceptual_distance": distances.mean().item(),
            "perceptual_distance_max": distances.max().item(),
            "pixel_mse": (images - originals).square().mean().item(),
        },
        "diversity": {
            "perceptual_bent": pairwise_feature_distance(bent_features).item(),
            "perceptual_original": pairwise_feature_distance(original_features).item(),
            "pixel_bent": pairwise_mean_distance(images).item(),
            "pixel_original": pairwise_mean_distance(originals).item(),
        },
        "features": {"network": "efficientnet_lite0", "blocks": list(features.stages), "input_size": features.size},
        "seconds": round(time.perf_counter() - started, 2),
    }
