"""Evaluation of a bend: objective attainment, perceptual fidelity and diversity."""

from netbend.evaluation.diversity import pairwise_feature_distance, perceptual_diversity
from netbend.evaluation.evaluate import evaluate_bend
from netbend.evaluation.perceptual import PerceptualFeatures, feature_distance, perceptual_distance

__all__ = [
    "PerceptualFeatures",
    "evaluate_bend",
    "feature_distance",
    "pairwise_feature_distance",
    "perceptual_distance",
    "perceptual_diversity",
]
