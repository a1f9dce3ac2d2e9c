"""The palette objective: Lab conversion, colour parsing, distances and gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from PIL import Image
from skimage.color import rgb2lab

from netbend.errors import NetbendError
from netbend.objectives import parse_objective
from netbend.objectives.base import ObjectiveBatch
from netbend.objectives.lab import rgb_to_lab
from netbend.objectives.palette import (
    PaletteObjective,
    lightness_transfer_distance,
    parse_hex_colours,
    sliced_wasserstein,
)
from netbend.training.run import build_bend

ORANGE = (1.0, 0x66 / 255, 0.0)
DARK = (0x20 / 255, 0x20 / 255, 0x20 / 255)


def flat_images(colours: list[tuple[float, float, float]], side: int = 8) -> torch.Tensor:
    """One side x side image per colour, B x 3 x side x side."""
    return torch.tensor(colours).view(-1, 3, 1, 1).expand(-1, 3, side, side).clone()


def test_lab_matches_scikit_image():
    colours = torch.rand(500, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    ours = rgb_to_lab(colours).numpy()
    reference = rgb2lab(colours.numpy()[None])[0]
    assert np.abs(ours - reference).max() < 0.05


def test_lab_white_is_exact():
    white = rgb_to_lab(torch.ones(3, dtype=torch.float64))
    assert torch.allclose(white, torch.tensor([100.0, 0.0, 0.0], dtype=torch.float64), atol=1e-9)


def test_lab_gradient_finite_at_black():
    black = torch.zeros(1, 3, requires_grad=True)
    rgb_to_lab(black).sum().backward()
    assert torch.isfinite(black.grad).all()


def test_hex_colours_parse():
    colours = parse_hex_colours("#ff6600, #abc")
    expected = torch.tensor([ORANGE, (0xAA / 255, 0xBB / 255, 0xCC / 255)])
    assert torch.allclose(colours, expected)


@pytest.mark.parametrize("text", ["#ff66zz", "ff6600", "#ff66", ""])
def test_hex_colours_reject_bad(text):
    with pytest.raises(NetbendError, match="invalid"):
        parse_hex_colours(text)


def test_sliced_wasserstein_on_axes():
    # Half of the pixels at a, half at b, against a target of only a: on each axis
    # half the sorted pixels are off by |a_k - b_k|, so the mean over pixels and
    # the three axes is 0.5 * sum_k |a_k - b_k| / 3.
    a, b = torch.tensor([0.2, 0.4, 0.6]), torch.tensor([0.5, 0.1, 0.9])
    pixels = torch.stack([a] * 50 + [b] * 50).unsqueeze(0)
    value = sliced_wasserstein(pixels, a.unsqueeze(0), torch.eye(3))
    assert value.item() == pytest.approx(0.5 * (a - b).abs().sum().item() / 3, rel=1e-5)


def test_sliced_wasserstein_matches_quantiles():
    # Two target colours in equal shares: sorted pixels 0..3 meet quantiles 0, 0, 1, 1.
    pixels = torch.tensor([[0.0], [0.2], [0.9], [1.0]]).expand(4, 3).unsqueeze(0)
    target = torch.tensor([[0.0], [1.0]]).expand(2, 3)
    value = sliced_wasserstein(pixels, target, torch.eye(3))
    assert value.item() == pytest.approx((0.0 + 0.2 + 0.1 + 0.0) / 4, rel=1e-5)


def test_transfer_follows_lightness_rank():
    # Pixels 0.9, 0.1, 0.5, 0.3 ranked by the lightness of their originals; the dark
    # half is assigned target 0 and the light half target 1.
    pixels = torch.tensor([0.9, 0.1, 0.5, 0.3]).view(1, 4, 1).expand(1, 4, 3)
    ranking = torch.tensor([[40.0, 10.0, 30.0, 20.0]])
    target = torch.tensor([[0.0], [1.0]]).expand(2, 3)
    # Ranked order: 0.1 (to 0), 0.3 (to 0), 0.5 (to 1), 0.9 (to 1); distances * sqrt(3).
    expected = (0.1 + 0.3 + 0.5 + 0.1) / 4 * math.sqrt(3)
    assert lightness_transfer_distance(pixels, ranking, target).item() == pytest.approx(expected, rel=1e-5)


def test_loss_zero_for_two_tone_image():
    # The dark half of the original becomes dark grey and the light half orange.
    objective = PaletteObjective("#ff6600,#202020")
    originals = torch.cat([flat_images([(0.1, 0.1, 0.1)]), flat_images([(0.8, 0.8, 0.8)])], dim=3)
    images = torch.cat([flat_images([DARK]), flat_images([ORANGE])], dim=3)
    batch = ObjectiveBatch(images=images, originals=originals, latents=torch.zeros(1, 1))
    assert objective.loss(batch).item() == pytest.approx(0.0, abs=1e-5)


def test_loss_for_swapped_tones():
    # Orange where the original is dark: half the pixels are off by the Lab
    # distance between the two colours, in units of 100.
    objective = PaletteObjective("#ff6600,#202020")
    originals = torch.cat([flat_images([(0.1, 0.1, 0.1)]), flat_images([(0.8, 0.8, 0.8)])], dim=3)
    images = flat_images([ORANGE], side=8).repeat(1, 1, 1, 2)
    lab = rgb2lab(np.array([[ORANGE, DARK]]))[0]
    expected = np.linalg.norm(lab[0] - lab[1]) / 100 / 2
    batch = ObjectiveBatch(images=images, originals=originals, latents=torch.zeros(1, 1))
    assert objective.loss(batch).item() == pytest.approx(expected, rel=0.01)


def test_exact_palette_scores_zero():
    objective = PaletteObjective("#ff6600,#202020")
    images = torch.cat([flat_images([ORANGE]), flat_images([DARK])], dim=3)  # half and half
    figures = objective.measure(images, images)
    assert figures["palette_distance"] == pytest.approx(0.0, abs=1e-3)
    assert figures["transfer_distance"] == pytest.approx(0.0, abs=1e-3)
    assert figures["sliced_wasserstein"] == pytest.approx(0.0, abs=1e-2)


def test_palette_distance_hand_computed():
    # Half the pixels are black: each scores its Lab distance to the nearer of orange and white.
    objective = PaletteObjective("#ff6600,#ffffff")
    images = torch.cat([flat_images([ORANGE]), flat_images([(0.0, 0.0, 0.0)])], dim=3)
    lab = rgb2lab(np.array([[ORANGE, (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)]]))[0]
    nearest = min(np.linalg.norm(lab[1] - lab[0]), np.linalg.norm(lab[1] - lab[2]))
    figures = objective.measure(images, images)
    assert figures["palette_distance"] == pytest.approx(nearest / 2, rel=0.01)


def test_one_colour_misses_half_the_palette():
    objective = PaletteObjective("#ff6600,#202020")
    figures = objective.measure(flat_images([ORANGE]), flat_images([ORANGE]))
    assert figures["palette_distance"] == pytest.approx(0.0, abs=1e-3)
    assert figures["sliced_wasserstein"] > 10.0


def test_reference_image_palette(tmp_path):
    path = tmp_path / "halves.png"
    array = np.zeros((16, 16, 3), dtype=np.uint8)
    array[:, :8] = (255, 0, 0)
    array[:, 8:] = (0, 0, 255)
    Image.fromarray(array).save(path)
    objective = PaletteObjective(str(path))
    pixels = torch.from_numpy(array).permute(2, 0, 1).float().div(255).unsqueeze(0)

    figures = objective.measure(pixels, pixels)

    assert sorted(objective.config()["palette"]) == ["#0000ff", "#ff0000"]
    assert figures["palette_distance"] == pytest.approx(0.0, abs=1e-3)
    assert figures["sliced_wasserstein"] == pytest.approx(0.0, abs=1e-2)


def test_config_records_reference_hash(tmp_path):
    path = tmp_path / "ref.png"
    Image.new("RGB", (8, 8), (0, 128, 0)).save(path)
    settings = PaletteObjective(str(path)).config()
    assert len(settings["reference"]["sha256"]) == 64


def test_loss_pulls_pixels_to_palette():
    # Optimise raw pixels: the loss alone must move a grey ramp onto the palette.
    objective = PaletteObjective("#ff6600,#202020")
    start = torch.linspace(0.3, 0.7, 16 * 16).view(1, 1, 16, 16).expand(2, 3, 16, 16)
    logits = torch.logit(start.clone()).requires_grad_(True)
    optimizer = torch.optim.Adam([logits], lr=0.05)
    generator = torch.Generator().manual_seed(0)
    before = objective.measure(start, start)["palette_distance"]

    for _ in range(150):
        images = torch.sigmoid(logits)
        batch = ObjectiveBatch(images=images, originals=start, latents=torch.zeros(2, 1), generator=generator)
        optimizer.zero_grad()
        objective.loss(batch).backward()
        optimizer.step()

    after = objective.measure(torch.sigmoid(logits).detach(), start)["palette_distance"]
    assert after < 0.25 * before


def test_gradient_reaches_bending_module(faces):
    bent = build_bend(faces, "main.8", "conv", {}, seed=0)
    objective = PaletteObjective("#ff6600,#202020")
    latents = faces.sample_latents(2, torch.Generator().manual_seed(0))
    with torch.no_grad(), bent.unbent():
        originals = bent(latents)
    batch = ObjectiveBatch(images=bent(latents), originals=originals, latents=latents, generator=torch.Generator().manual_seed(0))

    objective.loss(batch).backward()

    norms = [parameter.grad.norm().item() for parameter in bent.points.parameters() if parameter.grad is not None]
    assert max(norms) > 0
    assert all(math.isfinite(norm) for norm in norms)


def test_rgb_space_option():
    weighted = parse_objective("palette:#ff6600;space=rgb")
    assert weighted.objective.config()["space"] == "rgb"


def test_bad_space_option():
    with pytest.raises(NetbendError, match="space=lab or space=rgb"):
        parse_objective("palette:#ff6600;space=hsv")


def test_missing_reference_fails_at_parse(tmp_path):
    with pytest.raises(NetbendError, match="not found"):
        parse_objective(f"palette:{tmp_path / 'nope.png'}")
