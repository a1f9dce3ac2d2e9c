import pytest
import torch

from netbend.errors import NetbendError
from netbend.generators import GENERATORS, load_generator

FACES_LAYERS = [
    ("main.0", "ConvTranspose2d", (512, 4, 4)),
    ("main.1", "BatchNorm2d", (512, 4, 4)),
    ("main.2", "ReLU", (512, 4, 4)),
    ("main.3", "ConvTranspose2d", (256, 8, 8)),
    ("main.4", "BatchNorm2d", (256, 8, 8)),
    ("main.5", "ReLU", (256, 8, 8)),
    ("main.6", "ConvTranspose2d", (128, 16, 16)),
    ("main.7", "BatchNorm2d", (128, 16, 16)),
    ("main.8", "ReLU", (128, 16, 16)),
    ("main.9", "ConvTranspose2d", (64, 32, 32)),
    ("main.10", "BatchNorm2d", (64, 32, 32)),
    ("main.11", "ReLU", (64, 32, 32)),
    ("main.12", "ConvTranspose2d", (3, 64, 64)),
]


def test_faces_layer_table(faces):
    table = [(point.name, point.kind, point.shape) for point in faces.insertion_points()]
    assert table == FACES_LAYERS


def test_faces_default_layer_is_insertion_point(faces):
    assert faces.insertion_point(faces.default_layer).shape == (128, 16, 16)


def test_faces_images_in_unit_range(faces):
    latents = faces.sample_latents(4, torch.Generator().manual_seed(0))
    with torch.no_grad():
        images = faces.generate(latents)
    assert images.shape == (4, 3, 64, 64)
    assert images.min() >= 0
    assert images.max() <= 1


def test_faces_images_are_not_flat(faces):
    # Real weights draw faces: a randomly initialised DCGAN gives near-uniform grey.
    latents = faces.sample_latents(4, torch.Generator().manual_seed(0))
    with torch.no_grad():
        images = faces.generate(latents)
    assert images.std(dim=(1, 2, 3)).min() > 0.1


def test_faces_weights_are_frozen(faces):
    assert not any(parameter.requires_grad for parameter in faces.network.parameters())


def test_seeded_latents_repeat(faces):
    first = faces.sample_latents(3, torch.Generator().manual_seed(7))
    second = faces.sample_latents(3, torch.Generator().manual_seed(7))
    assert torch.equal(first, second)


def test_unknown_layer_lists_valid_ones(faces):
    with pytest.raises(NetbendError, match="main.8") as info:
        faces.insertion_point("main.99")
    assert "main.99" in str(info.value)


def test_unknown_generator_lists_known_ones():
    with pytest.raises(NetbendError, match="faces"):
        load_generator("facez")


def test_faces_rejects_argument():
    with pytest.raises(NetbendError, match="no argument"):
        load_generator("faces:extra")


def test_registry_lists_faces():
    assert "faces" in GENERATORS.names()
