"""CLIP objectives on a tiny open_clip model with random weights, offline.

The model is built by open_clip from a small config registered in a temporary
folder (one transformer layer per tower, 16-dimensional embeddings, 32 px input),
so every test runs the real open_clip and kornia code without any download.
"""

from __future__ import annotations

import json
import math
import socket
import sys

import pytest
import torch
from PIL import Image

from netbend.errors import NetbendError
from netbend.objectives import parse_objective
from netbend.objectives.base import ObjectiveBatch
from netbend.objectives.clip_losses import (
    directional_loss,
    info_nce_to_prompt,
    inverse_pair_distance,
    spherical_distance,
)
from netbend.objectives.clip_model import ClipSpec, load_clip, resolve_weights
from netbend.training.run import build_bend

open_clip = pytest.importorskip("open_clip", reason="the clip extra is not installed")
pytest.importorskip("kornia", reason="the clip extra is not installed")

TINY = "netbend-tiny-test"
TINY_CONFIG = {
    "embed_dim": 16,
    "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "patch_size": 8, "head_width": 16},
    "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1},
}
OPTIONS = f";model={TINY};pretrained=none"


@pytest.fixture(scope="module", autouse=True)
def tiny_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clip_config")
    (folder / f"{TINY}.json").write_text(json.dumps(TINY_CONFIG))
    open_clip.add_model_config(folder)


@pytest.fixture
def bent(faces):
    return build_bend(faces, "main.8", "conv", {}, seed=0)


def make_batch(bent, count: int = 4, with_originals: bool = False) -> ObjectiveBatch:
    latents = bent.generator.sample_latents(count, torch.Generator().manual_seed(0))
    originals = None
    if with_originals:
        with torch.no_grad(), bent.unbent():
            originals = bent(latents)
    return ObjectiveBatch(images=bent(latents), originals=originals, latents=latents, generator=torch.Generator().manual_seed(1))


def module_gradient_norms(bent) -> list[float]:
    return [parameter.grad.norm().item() for parameter in bent.points.parameters() if parameter.grad is not None]


# Loss functions, against values worked out by hand.


def test_spherical_distance_right_angle():
    # Orthogonal unit vectors: chord sqrt(2), 2 * arcsin(sqrt(2) / 2)^2 = 2 * (pi / 4)^2.
    value = spherical_distance(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0]))
    assert value.item() == pytest.approx(math.pi**2 / 8, rel=1e-6)


def test_spherical_distance_is_half_angle_squared():
    angle = 0.7
    first = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
    second = torch.tensor([math.cos(angle), math.sin(angle), 0.0], dtype=torch.float64)
    assert spherical_distance(first, second).item() == pytest.approx(angle**2 / 2, rel=1e-9)


def test_info_nce_hand_computed():
    images = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    prompt = torch.tensor([0.6, 0.8], dtype=torch.float64)
    temperature = 0.5
    # Image 0: positive 0.6, negative 0.0. Image 1: positive 0.8, negative 0.0.
    expected = sum(-math.log(math.exp(p / temperature) / (math.exp(p / temperature) + 1.0)) for p in (0.6, 0.8)) / 2
    assert info_nce_to_prompt(images, prompt, temperature).item() == pytest.approx(expected, rel=1e-5)


def test_inverse_pair_distance_hand_computed():
    embeddings = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    # Pairs: right angle (pi^2/8) twice, opposite (pi^2/2) once.
    distances = [math.pi**2 / 8, math.pi**2 / 2, math.pi**2 / 8]
    expected = sum(1 / (d + 1e-3) for d in distances) / 3
    assert inverse_pair_distance(embeddings).item() == pytest.approx(expected, rel=1e-5)


def test_directional_loss_aligned_and_opposite():
    original = torch.tensor([[1.0, 0.0, 0.0]])
    direction = torch.tensor([0.0, 1.0, 0.0])
    aligned = directional_loss(original + 0.3 * direction, original, direction)
    opposite = directional_loss(original - 0.3 * direction, original, direction)
    assert aligned.item() == pytest.approx(0.0, abs=1e-6)
    assert opposite.item() == pytest.approx(2.0, abs=1e-6)


def test_directional_loss_unbent_gradient_bounded():
    original = torch.tensor([[1.0, 0.0, 0.0]])
    bent = original.clone().requires_grad_(True)
    directional_loss(bent, original, torch.tensor([0.0, 1.0, 0.0])).backward()
    assert bent.grad.norm().item() == pytest.approx(1 / 0.05, rel=1e-5)


# Objectives on the real face generator and the tiny CLIP model.


def test_text_loss_reaches_module(bent):
    objective = parse_objective(f'text:"a pumpkin"{OPTIONS}').objective
    loss = objective.loss(make_batch(bent))
    loss.backward()
    assert loss.ndim == 0
    assert max(module_gradient_norms(bent)) > 0


def test_text_embeddings_shape(bent):
    objective = parse_objective(f"text:a pumpkin{OPTIONS}").objective
    batch = make_batch(bent)
    assert objective.bent_embeddings(batch).shape == (4, TINY_CONFIG["embed_dim"])


def test_text_measure_figures(bent):
    objective = parse_objective(f"text:a pumpkin{OPTIONS}").objective
    with torch.no_grad():
        images = make_batch(bent).images
    figures = objective.measure(images, images)
    assert set(figures) == {"clip_similarity", "spherical_distance"}
    assert -1.0 <= figures["clip_similarity"] <= 1.0


def test_objectives_share_step_embeddings(bent):
    batch = make_batch(bent)
    text = parse_objective(f"text:a pumpkin{OPTIONS}").objective
    diversity = parse_objective(f"clip-diversity{OPTIONS}").objective
    assert text.bent_embeddings(batch) is diversity.bent_embeddings(batch)


def test_nce_loss_reaches_module(bent):
    objective = parse_objective(f"text-nce:a pumpkin{OPTIONS};temperature=0.05").objective
    objective.loss(make_batch(bent)).backward()
    assert max(module_gradient_norms(bent)) > 0


def test_nce_needs_two_images(bent):
    objective = parse_objective(f"text-nce:a pumpkin{OPTIONS}").objective
    with pytest.raises(NetbendError, match="batch size of 2"):
        objective.loss(make_batch(bent, count=1))


@pytest.mark.parametrize("value", ["0", "-0.1", "warm"])
def test_nce_rejects_bad_temperature(value):
    with pytest.raises(NetbendError, match="temperature"):
        parse_objective(f"text-nce:a pumpkin{OPTIONS};temperature={value}")


def test_diversity_loss_reaches_module(bent):
    objective = parse_objective(f"clip-diversity{OPTIONS}*0.5").objective
    objective.loss(make_batch(bent)).backward()
    assert max(module_gradient_norms(bent)) > 0


def test_image_loss_reaches_module(bent, tmp_path):
    path = tmp_path / "ref.webp"
    Image.new("RGB", (50, 30), (200, 120, 40)).save(path, lossless=True)
    objective = parse_objective(f"image:{path}{OPTIONS}").objective
    objective.loss(make_batch(bent)).backward()
    assert max(module_gradient_norms(bent)) > 0
    assert objective.config()["reference"]["format"] == "WebP"


def test_direction_loss_reaches_module(bent):
    objective = parse_objective(f'direction:"a photo"->"a sketch"{OPTIONS}').objective
    loss = objective.loss(make_batch(bent, with_originals=True))
    loss.backward()
    norms = module_gradient_norms(bent)
    assert objective.needs_original
    assert loss.item() == pytest.approx(1.0, abs=1e-5)  # the module starts as the identity
    assert max(norms) > 0
    assert all(math.isfinite(norm) for norm in norms)


def test_direction_unbent_similarity_zero(bent):
    objective = parse_objective(f"direction:a photo->a sketch{OPTIONS}").objective
    with torch.no_grad():
        images = make_batch(bent).images
    assert objective.measure(images, images)["direction_similarity"] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("argument", ["a photo", "a->b->c", '""->b', "same->same"])
def test_direction_rejects_bad_argument(argument):
    with pytest.raises(NetbendError, match="direction"):
        parse_objective(f"direction:{argument}{OPTIONS}")


def test_config_records_model():
    settings = parse_objective(f"text:a pumpkin{OPTIONS}").objective.config()
    assert settings["clip"]["model"] == TINY
    assert settings["clip"]["pretrained"] is None


def test_random_weights_repeat():
    first = load_clip.__wrapped__(ClipSpec(TINY, None), "cpu")
    second = load_clip.__wrapped__(ClipSpec(TINY, None), "cpu")
    tokens = first.tokenizer(["a pumpkin"])
    assert torch.equal(first.network.encode_text(tokens), second.network.encode_text(tokens))


def test_local_checkpoint_loads(tmp_path):
    from safetensors.torch import save_file

    source = load_clip.__wrapped__(ClipSpec(TINY, None), "cpu")
    with torch.no_grad():
        for parameter in source.network.parameters():
            parameter.add_(0.01)
    path = tmp_path / "tiny.safetensors"
    save_file({name: tensor.contiguous() for name, tensor in source.network.state_dict().items()}, str(path))

    loaded = load_clip.__wrapped__(ClipSpec.from_options(model=TINY, checkpoint=str(path)), "cpu")

    images = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(loaded.embed_images(images), source.embed_images(images), atol=1e-6)


@pytest.mark.parametrize("suffix", [".safetensors", ".pt"])
def test_corrupt_checkpoint(tmp_path, suffix):
    path = tmp_path / f"broken{suffix}"
    path.write_bytes(b"not weights")
    with pytest.raises(NetbendError, match="loading CLIP weights .* failed"):
        load_clip.__wrapped__(ClipSpec.from_options(model=TINY, checkpoint=str(path)), "cpu")


# Finding weights: offline errors, missing files and missing packages.


def test_offline_missing_weights_names_file(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    connections = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: connections.append(address))

    with pytest.raises(NetbendError) as caught:
        parse_objective('text:"a pumpkin"')

    message = str(caught.value)
    assert "timm/vit_base_patch32_clip_224.laion400m_e32/open_clip_model.safetensors" in message
    assert "hf download" in message
    assert "checkpoint=PATH" in message
    assert connections == []


def test_offline_uses_cached_weights(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    snapshot = cache / "models--timm--vit_base_patch32_clip_224.laion400m_e32" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "open_clip_model.safetensors").write_bytes(b"")
    (cache / "models--timm--vit_base_patch32_clip_224.laion400m_e32" / "refs").mkdir()
    (cache / "models--timm--vit_base_patch32_clip_224.laion400m_e32" / "refs" / "main").write_text("abc123")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))

    path = resolve_weights(ClipSpec())

    assert path == str(snapshot / "open_clip_model.safetensors")


def test_missing_checkpoint_file(tmp_path):
    with pytest.raises(NetbendError, match="checkpoint .* not found"):
        parse_objective(f"text:a pumpkin;model={TINY};checkpoint={tmp_path / 'none.safetensors'}")


def test_unknown_model_name():
    with pytest.raises(NetbendError, match="unknown CLIP model"):
        parse_objective("text:a pumpkin;model=ViT-B-33;pretrained=none")


def test_unknown_pretrained_tag():
    with pytest.raises(NetbendError, match="laion400m_e32"):
        parse_objective("text:a pumpkin;model=ViT-B-32-quickgelu;pretrained=laion9000")


def test_missing_open_clip(monkeypatch):
    monkeypatch.setitem(sys.modules, "open_clip", None)
    with pytest.raises(NetbendError, match=r'pip install "netbend\[clip\]"'):
        parse_objective(f"text:a pumpkin{OPTIONS}")
