"""evaluate_bend on real bends: an identity bend, a briefly trained one, bad input."""

from __future__ import annotations

import pytest
from bend_helpers import make_identity_folder, shared_bend_folder

from netbend.errors import NetbendError
from netbend.evaluation import PerceptualFeatures, evaluate_bend
from netbend.objectives import parse_objective
from netbend.storage.bend_folder import load_bend
from netbend.training.metrics import measure_bend

COUNT = 6


@pytest.fixture(scope="module")
def extractor(classifier):
    return PerceptualFeatures(classifier)


@pytest.fixture(scope="module")
def trained():
    return load_bend(shared_bend_folder())


@pytest.fixture(scope="module")
def trained_figures(trained, extractor):
    bent, manifest = trained
    return evaluate_bend(bent, manifest, count=COUNT, features=extractor)


def test_identity_bend_has_zero_distance(tmp_path, extractor):
    bent, manifest = load_bend(make_identity_folder(tmp_path / "identity"))
    figures = evaluate_bend(bent, {**manifest, "objectives": []}, count=COUNT, features=extractor)
    assert figures["fidelity"]["perceptual_distance"] == 0.0
    assert figures["fidelity"]["pixel_mse"] == 0.0
    assert figures["diversity"]["perceptual_bent"] == figures["diversity"]["perceptual_original"]


def test_trained_bend_moves_images(trained_figures):
    assert trained_figures["fidelity"]["perceptual_distance"] > 0.01
    assert trained_figures["fidelity"]["perceptual_distance_max"] >= trained_figures["fidelity"]["perceptual_distance"]


def test_objectives_match_training_metrics(trained, trained_figures):
    bent, manifest = trained
    objectives = [parse_objective(entry["spec"]) for entry in manifest["objectives"]]
    expected = measure_bend(bent, objectives, count=COUNT)["objectives"]
    for name in ("class", "fidelity"):
        for key, value in expected[name]["after"].items():
            assert trained_figures["objectives"][name]["after"][key] == pytest.approx(value, abs=1e-6)


def test_original_diversity_is_strength_zero(trained, trained_figures, extractor):
    bent, manifest = trained
    at_zero = evaluate_bend(bent, {**manifest, "objectives": []}, count=COUNT, strength=0.0, features=extractor)
    assert at_zero["diversity"]["perceptual_bent"] == pytest.approx(trained_figures["diversity"]["perceptual_original"], rel=1e-6)


def test_held_out_draw_is_recorded(trained_figures):
    assert trained_figures["held_out"]["count"] == COUNT
    assert trained_figures["features"]["blocks"] == [1, 2, 3, 5]


def test_unknown_objective_is_reported(trained, extractor):
    bent, manifest = trained
    fidelity = [entry for entry in manifest["objectives"] if entry["name"] == "fidelity"]
    broken = {**manifest, "objectives": [*fidelity, {"name": "nope", "spec": "nope:1", "weight": 1.0}]}
    figures = evaluate_bend(bent, broken, count=COUNT, features=extractor)
    assert "unknown objective" in figures["objectives"]["nope:1"]["error"]
    assert "after" in figures["objectives"]["fidelity"]


def test_rejects_single_latent(trained, extractor):
    bent, manifest = trained
    with pytest.raises(NetbendError, match="at least 2"):
        evaluate_bend(bent, manifest, count=1, features=extractor)

