"""Reading reference images: formats, sizes, hashes and clear errors."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch
from PIL import Image

from netbend.errors import NetbendError
from netbend.objectives.reference_image import MAX_SIDE, load_reference_image


def gradient_image(width: int = 40, height: int = 30) -> np.ndarray:
    """An H x W x 3 uint8 image whose channels ramp in x, in y and stay constant."""
    x = np.linspace(0, 255, width)[None, :].repeat(height, 0)
    y = np.linspace(0, 255, height)[:, None].repeat(width, 1)
    return np.stack([x, y, np.full_like(x, 128)], axis=2).round().astype(np.uint8)


@pytest.mark.parametrize(("suffix", "options", "tolerance"), [
    (".png", {}, 0.5 / 255),
    (".webp", {"lossless": True}, 0.5 / 255),
    (".jpg", {"quality": 95}, 12 / 255),
])
def test_reads_supported_formats(tmp_path, suffix, options, tolerance):
    array = gradient_image()
    path = tmp_path / f"ref{suffix}"
    Image.fromarray(array).save(path, **options)

    reference = load_reference_image(path)
    expected = torch.from_numpy(array).permute(2, 0, 1).float().div(255)

    assert reference.pixels.shape == (1, 3, 30, 40)
    assert (reference.pixels[0] - expected).abs().mean().item() <= tolerance


def test_hash_is_file_sha256(tmp_path):
    path = tmp_path / "ref.png"
    Image.fromarray(gradient_image()).save(path)
    reference = load_reference_image(path)
    assert reference.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_describe_records_size_and_format(tmp_path):
    path = tmp_path / "ref.png"
    Image.fromarray(gradient_image(40, 30)).save(path)
    entry = load_reference_image(path).describe()
    assert (entry["width"], entry["height"], entry["format"]) == (40, 30, "PNG")


def test_large_image_is_downscaled(tmp_path):
    path = tmp_path / "big.png"
    Image.new("RGB", (3000, 1500), (10, 200, 30)).save(path)
    reference = load_reference_image(path)
    assert reference.pixels.shape[-1] == MAX_SIDE
    assert reference.width == 3000


def test_transparent_pixels_become_white(tmp_path):
    path = tmp_path / "alpha.png"
    Image.new("RGBA", (8, 8), (255, 0, 0, 0)).save(path)
    reference = load_reference_image(path)
    assert torch.allclose(reference.pixels, torch.ones_like(reference.pixels))


def test_sixteen_bit_grey_is_scaled(tmp_path):
    path = tmp_path / "grey16.png"
    Image.fromarray(np.full((8, 8), 32768, dtype=np.uint16)).save(path)
    reference = load_reference_image(path)
    assert reference.pixels.mean().item() == pytest.approx(128 / 255, abs=1 / 255)


def test_resized_keeps_aspect(tmp_path):
    path = tmp_path / "ref.png"
    Image.fromarray(gradient_image(40, 20)).save(path)
    assert load_reference_image(path).resized(10).shape == (1, 3, 10, 20)


def test_center_square_shape(tmp_path):
    path = tmp_path / "ref.png"
    Image.fromarray(gradient_image(40, 20)).save(path)
    assert load_reference_image(path).center_square(16).shape == (1, 3, 16, 16)


def test_missing_file(tmp_path):
    with pytest.raises(NetbendError, match="not found"):
        load_reference_image(tmp_path / "nope.png")


def test_folder_is_rejected(tmp_path):
    with pytest.raises(NetbendError, match="not a file"):
        load_reference_image(tmp_path)


def test_text_file_is_rejected(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("not an image")
    with pytest.raises(NetbendError, match="not an image"):
        load_reference_image(path)


def test_gif_is_rejected(tmp_path):
    path = tmp_path / "anim.gif"
    Image.new("RGB", (8, 8)).save(path)
    with pytest.raises(NetbendError, match="GIF"):
        load_reference_image(path)


def test_truncated_png_is_rejected(tmp_path):
    path = tmp_path / "cut.png"
    Image.fromarray(gradient_image(200, 200)).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(NetbendError, match="corrupt or truncated"):
        load_reference_image(path)


def test_cli_reports_missing_reference(tmp_path, capsys):
    from netbend.cli.main import main

    status = main(["train", "--objective", f"style:{tmp_path / 'nope.png'}", "--out", str(tmp_path / "run"), "--quiet"])

    error = capsys.readouterr().err.strip()
    assert status == 2
    assert error.count("\n") == 0
    assert "nope.png not found" in error
    assert not (tmp_path / "run" / "manifest.json").exists()
