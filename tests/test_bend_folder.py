import json

import pytest
import torch

from netbend.bending import BendPoint, BentGenerator, build_module
from netbend.errors import NetbendError
from netbend.storage.bend_folder import MANIFEST, WEIGHTS, load_bend, save_bend


def trained_looking_bend(faces, kind="conv_xy"):
    torch.manual_seed(3)
    module = build_module(kind, 128, {"radius": True} if kind == "conv_xy" else {})
    for parameter in module.parameters():
        torch.nn.init.normal_(parameter, std=0.02)
    return BentGenerator(faces, [BendPoint("main.8", (128, 16, 16), [module])])


def test_round_trip_is_bit_exact(faces, tmp_path):
    bent = trained_looking_bend(faces)
    save_bend(bent, tmp_path / "bend")
    loaded, _ = load_bend(tmp_path / "bend")
    saved_state = bent.points.state_dict()
    loaded_state = loaded.points.state_dict()
    assert saved_state.keys() == loaded_state.keys()
    assert all(torch.equal(saved_state[name], loaded_state[name]) for name in saved_state)


@torch.no_grad()
def test_round_trip_images_identical(faces, tmp_path):
    bent = trained_looking_bend(faces)
    z = faces.sample_latents(2, torch.Generator().manual_seed(0))
    before = bent(z)
    save_bend(bent, tmp_path / "bend")
    bent.detach_hooks()
    loaded, _ = load_bend(tmp_path / "bend")
    assert torch.equal(loaded(z), before)


def test_manifest_is_sorted_and_versioned(faces, tmp_path):
    save_bend(trained_looking_bend(faces), tmp_path / "bend", extra={"training": {"seed": 4}})
    text = (tmp_path / "bend" / MANIFEST).read_text()
    manifest = json.loads(text)
    assert text == json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert manifest["netbend_version"]
    assert manifest["points"][0]["shape"] == [128, 16, 16]
    assert manifest["points"][0]["chain"][0]["config"]["radius"] is True
    assert manifest["training"] == {"seed": 4}


def test_missing_folder_is_clear(tmp_path):
    with pytest.raises(NetbendError, match="does not exist"):
        load_bend(tmp_path / "nowhere")


def test_folder_without_manifest_is_clear(tmp_path):
    with pytest.raises(NetbendError, match="manifest.json is missing"):
        load_bend(tmp_path)


def test_corrupt_manifest_is_clear(faces, tmp_path):
    save_bend(trained_looking_bend(faces), tmp_path / "bend")
    (tmp_path / "bend" / MANIFEST).write_text("{ not json")
    with pytest.raises(NetbendError, match="not valid JSON"):
        load_bend(tmp_path / "bend")


def test_corrupt_weights_are_clear(faces, tmp_path):
    save_bend(trained_looking_bend(faces), tmp_path / "bend")
    (tmp_path / "bend" / WEIGHTS).write_bytes(b"\x00" * 64)
    with pytest.raises(NetbendError, match="corrupt"):
        load_bend(tmp_path / "bend")


def test_missing_weights_are_clear(faces, tmp_path):
    save_bend(trained_looking_bend(faces), tmp_path / "bend")
    (tmp_path / "bend" / WEIGHTS).unlink()
    with pytest.raises(NetbendError, match="missing"):
        load_bend(tmp_path / "bend")


def test_weights_of_other_module_are_rejected(faces, tmp_path):
    save_bend(trained_looking_bend(faces, "conv_xy"), tmp_path / "a")
    save_bend(trained_looking_bend(faces, "cppn"), tmp_path / "b")
    (tmp_path / "a" / WEIGHTS).write_bytes((tmp_path / "b" / WEIGHTS).read_bytes())
    with pytest.raises(NetbendError, match="do not match"):
        load_bend(tmp_path / "a")


def test_layer_shape_mismatch_is_rejected(faces, tmp_path):
    save_bend(trained_looking_bend(faces), tmp_path / "bend")
    path = tmp_path / "bend" / MANIFEST
    manifest = json.loads(path.read_text())
    manifest["points"][0]["layer"] = "main.11"
    path.write_text(json.dumps(manifest))
    with pytest.raises(NetbendError, match="made for"):
        load_bend(tmp_path / "bend")


def test_newer_format_is_rejected(faces, tmp_path):
    save_bend(trained_looking_bend(faces), tmp_path / "bend")
    path = tmp_path / "bend" / MANIFEST
    manifest = json.loads(path.read_text())
    manifest["format_version"] = 99
    path.write_text(json.dumps(manifest))
    with pytest.raises(NetbendError, match="upgrade netbend"):
        load_bend(tmp_path / "bend")


def test_folder_under_a_file_is_clear(faces, tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(NetbendError, match="cannot write"):
        save_bend(trained_looking_bend(faces), tmp_path / "file" / "bend")
