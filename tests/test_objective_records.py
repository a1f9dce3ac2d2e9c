"""Several objectives in one training run: manifest, loss log and metrics record each term."""

from __future__ import annotations

import csv
import json

import pytest
from PIL import Image

from netbend.training.run import RunConfig, train
from netbend.training.trainer import TrainSettings

open_clip = pytest.importorskip("open_clip", reason="the clip extra is not installed")

TINY = "netbend-tiny-records"
TINY_CONFIG = {
    "embed_dim": 16,
    "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "patch_size": 8, "head_width": 16},
    "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1},
}


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("records")
    (folder / f"{TINY}.json").write_text(json.dumps(TINY_CONFIG))
    open_clip.add_model_config(folder)
    reference = folder / "reference.jpg"
    Image.new("RGB", (40, 30), (30, 90, 200)).save(reference, quality=95)

    config = RunConfig(
        objectives=[
            f'direction:"a face"->"a sketch";model={TINY};pretrained=none*2',
            f"style:{reference};size=64*0.5",
            "palette:#ff6600,#202020",
            "fidelity:1",
        ],
        training=TrainSettings(steps=3, batch=2),
    )
    result = train(config, folder / "bend", progress=False)
    return result.folder


def test_manifest_records_settings(run_folder):
    entries = json.loads((run_folder / "manifest.json").read_text())["objectives"]
    by_name = {entry["name"]: entry for entry in entries}
    assert [entry["name"] for entry in entries] == ["direction", "style", "palette", "fidelity"]
    assert by_name["direction"]["weight"] == 2.0
    assert by_name["direction"]["settings"]["clip"]["model"] == TINY
    assert by_name["direction"]["settings"]["target"] == "a sketch"
    assert by_name["style"]["weight"] == 0.5
    assert len(by_name["style"]["settings"]["reference"]["sha256"]) == 64
    assert by_name["palette"]["settings"]["palette"] == ["#ff6600", "#202020"]


def test_loss_log_has_every_term(run_folder):
    with open(run_folder / "losses.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["step", "loss", "direction", "style", "palette", "fidelity"]
    assert len(rows) == 3


def test_metrics_before_and_after(run_folder):
    objectives = json.loads((run_folder / "metrics.json").read_text())["objectives"]
    assert set(objectives["direction"]["after"]) == {"direction_similarity", "target_similarity"}
    assert set(objectives["style"]["before"]) == {"gram_distance"}
    assert set(objectives["palette"]["after"]) == {"palette_distance", "transfer_distance", "sliced_wasserstein"}
    assert objectives["direction"]["before"]["direction_similarity"] == pytest.approx(0.0, abs=1e-6)
