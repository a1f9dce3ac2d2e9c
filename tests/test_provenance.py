"""PNG provenance: text chunks round trip, `netbend info`, and bit-exact redraws."""

from __future__ import annotations

import hashlib
import json
import shlex

import numpy as np
import pytest
from bend_helpers import shared_bend_folder
from PIL import Image, PngImagePlugin

from netbend.cli.main import main
from netbend.errors import NetbendError
from netbend.storage.bend_folder import load_bend, read_manifest
from netbend.storage.provenance import Provenance, manifest_sha256, read_provenance
from netbend.training.run import write_before_after_grid


@pytest.fixture(scope="module")
def folder():
    return shared_bend_folder()


def pixels(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def info(path, capsys, *extra) -> tuple[int, str, str]:
    code = main(["info", str(path), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def reproduce(output: str, out_path, capsys) -> np.ndarray:
    """Run the `reproduce:` command that `netbend info` printed, writing to ``out_path``."""
    line = next(line for line in output.splitlines() if line.startswith("reproduce: "))
    words = shlex.split(line[len("reproduce: ") :])
    words[words.index("--out") + 1] = str(out_path)
    assert words[:2] == ["netbend", "sample"]
    assert main(words[1:]) == 0
    capsys.readouterr()
    return pixels(out_path)


def test_text_round_trip():
    provenance = Provenance(
        run="/runs/ジャック",
        manifest_sha256="ab" * 32,
        generator="faces",
        seed=7,
        count=9,
        layout="rows",
        strengths=(0.0, 0.25, 1.5),
        indices=(0, 2, 4),
        version="0.1.0",
    )
    assert Provenance.from_text(provenance.to_text()) == provenance


def test_single_image_keys():
    text = Provenance(
        run="/r", manifest_sha256="0" * 64, generator="faces", seed=1, count=4, layout="image", strengths=(0.5,), indices=(3,)
    ).to_text()
    assert text["netbend:latent_index"] == "3"
    assert text["netbend:strength"] == "0.5"
    assert text["netbend:seed"] == "1"
    assert "netbend:latent_indices" not in text


def test_manifest_hash_ignores_key_order():
    manifest = {"b": [1, 2], "a": {"y": 1.5, "x": "é"}}
    reordered = {"a": {"x": "é", "y": 1.5}, "b": [1, 2]}
    assert manifest_sha256(manifest) == manifest_sha256(reordered)
    assert manifest_sha256(manifest) != manifest_sha256({**manifest, "b": [2, 1]})


def test_manifest_hash_matches_canonical_json():
    manifest = {"weights": {"sha256": "00"}, "format": "netbend.bend"}
    canonical = b'{"format":"netbend.bend","weights":{"sha256":"00"}}'
    assert manifest_sha256(manifest) == hashlib.sha256(canonical).hexdigest()


def test_sample_images_carry_index(folder, tmp_path, capsys):
    assert main(["sample", str(folder), "--n", "5", "--seed", "4", "--strength", "0.7", "--out-dir", str(tmp_path)]) == 0
    provenance = read_provenance(tmp_path / "sample_0003.png")
    assert provenance.indices == (3,)
    assert provenance.seed == 4
    assert provenance.count == 5
    assert provenance.strengths == (0.7,)
    assert provenance.manifest_sha256 == manifest_sha256(read_manifest(folder))


def test_single_image_redraws_exactly(folder, tmp_path, capsys):
    main(["sample", str(folder), "--n", "5", "--seed", "4", "--strength", "0.7", "--out-dir", str(tmp_path / "all")])
    original = tmp_path / "all" / "sample_0003.png"
    code, out, err = info(original, capsys)
    assert code == 0
    assert err == ""
    assert "--index 3" in out
    assert np.array_equal(reproduce(out, tmp_path / "again.png", capsys), pixels(original))


def test_grid_redraws_exactly(folder, tmp_path, capsys):
    grid = tmp_path / "grid.png"
    assert main(["sample", str(folder), "--n", "6", "--seed", "2", "--columns", "3", "--out", str(grid)]) == 0
    code, out, _ = info(grid, capsys)
    assert code == 0
    assert np.array_equal(reproduce(out, tmp_path / "again.png", capsys), pixels(grid))


def test_training_grid_redraws_exactly(folder, tmp_path, capsys):
    bent, manifest = load_bend(folder)
    grid = write_before_after_grid(bent, folder / "grid.png", count=4, manifest=manifest)
    code, out, _ = info(grid, capsys)
    assert code == 0
    assert "one row per strength" in out
    assert np.array_equal(reproduce(out, tmp_path / "again.png", capsys), pixels(grid))


def test_info_warns_on_changed_manifest(folder, tmp_path, capsys):
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("manifest.json", "bend.safetensors"):
        (copy / name).write_bytes((folder / name).read_bytes())
    image = tmp_path / "x.png"
    main(["sample", str(copy), "--n", "2", "--index", "1", "--out", str(image)])
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["note"] = "edited"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    code, _, err = info(image, capsys)
    assert code == 0
    assert "warning" in err
    assert "different bend" in err


def test_info_checks_given_run(folder, tmp_path, capsys):
    image = tmp_path / "x.png"
    main(["sample", str(folder), "--n", "2", "--index", "0", "--out", str(image)])
    _, out, err = info(image, capsys, "--run", str(tmp_path / "elsewhere"))
    assert "cannot check the bend folder" in err
    assert "elsewhere" in out


def test_info_rejects_plain_png(tmp_path, capsys):
    plain = tmp_path / "plain.png"
    Image.new("RGB", (4, 4)).save(plain)
    code, _, err = info(plain, capsys)
    assert code == 2
    assert "no netbend metadata" in err


def test_info_rejects_jpeg(tmp_path, capsys):
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (4, 4)).save(photo)
    code, _, err = info(photo, capsys)
    assert code == 2
    assert "only in PNG files" in err


def test_info_rejects_missing_file(tmp_path, capsys):
    code, _, err = info(tmp_path / "none.png", capsys)
    assert code == 2
    assert "does not exist" in err


def test_read_rejects_partial_metadata(tmp_path):
    chunks = PngImagePlugin.PngInfo()
    chunks.add_text("netbend:seed", "3")
    partial = tmp_path / "partial.png"
    Image.new("RGB", (4, 4)).save(partial, pnginfo=chunks)
    with pytest.raises(NetbendError, match="incomplete or malformed"):
        read_provenance(partial)


def test_sample_rejects_index_out_of_range(folder, tmp_path, capsys):
    code = main(["sample", str(folder), "--n", "4", "--index", "4", "--out", str(tmp_path / "x.png")])
    assert code == 2
    assert "out of range" in capsys.readouterr().err


def test_sample_keeps_single_strength_flag(folder, tmp_path, capsys):
    out = tmp_path / "grid.png"
    assert main(["sample", str(folder), "--n", "4", "--strength", "1.5", "--out", str(out)]) == 0
    assert read_provenance(out).strengths == (1.5,)


def test_training_grid_reads_manifest(folder):
    bent, _ = load_bend(folder)
    grid = write_before_after_grid(bent, folder / "grid.png", 2)
    assert read_provenance(grid).manifest_sha256 == manifest_sha256(read_manifest(folder))
