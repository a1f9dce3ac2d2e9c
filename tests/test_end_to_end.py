"""Train on the real face generator and classifier, then reload and sample."""

import csv
import json

import pytest
import torch

from netbend.sampling import sample
from netbend.storage.bend_folder import load_bend
from netbend.training.run import RunConfig, train
from netbend.training.trainer import TrainSettings


@pytest.fixture(scope="module")
def goldfish_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run") / "goldfish"
    config = RunConfig(
        objectives=["class:jack-o'-lantern", "fidelity:5"],
        layer="main.8",
        module="conv",
        training=TrainSettings(steps=40, batch=8, lr=2e-3, seed=0),
    )
    return train(config, folder, progress=False)


def test_target_probability_rises(goldfish_run):
    figures = goldfish_run.metrics["objectives"]["class"]
    before = figures["before"]["target_probability"]
    after = figures["after"]["target_probability"]
    assert before < 0.01
    assert after > 0.1
    assert after > 20 * before


def test_run_folder_contents(goldfish_run):
    names = {path.name for path in goldfish_run.folder.iterdir()}
    assert {"manifest.json", "bend.safetensors", "losses.csv", "metrics.json", "grid.png"} <= names


def test_manifest_reproduces_run(goldfish_run):
    manifest = json.loads((goldfish_run.folder / "manifest.json").read_text())
    assert manifest["generator"] == "faces"
    assert manifest["points"][0]["layer"] == "main.8"
    assert manifest["training"]["seed"] == 0
    assert manifest["training"]["steps"] == 40
    assert [entry["spec"] for entry in manifest["objectives"]] == ["class:jack-o'-lantern", "fidelity:5"]
    assert manifest["objectives"][0]["settings"]["target_index"] == 607


def test_loss_log_has_every_step(goldfish_run):
    with open(goldfish_run.folder / "losses.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 40
    assert set(rows[0]) == {"step", "loss", "class", "fidelity"}


def test_metrics_file_matches_result(goldfish_run):
    metrics = json.loads((goldfish_run.folder / "metrics.json").read_text())
    assert metrics["held_out"]["count"] == 64
    assert metrics["objectives"]["class"]["settings"]["target_index"] == 607
    assert metrics["fidelity"]["pixel_mse"] > 0


@torch.no_grad()
def test_reloaded_bend_samples_same_images(goldfish_run):
    expected = sample(goldfish_run.bent, count=4, seed=9)
    goldfish_run.bent.detach_hooks()
    loaded, _ = load_bend(goldfish_run.folder)
    assert torch.equal(sample(loaded, count=4, seed=9), expected)
