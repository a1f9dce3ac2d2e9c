"""The ``python:MODULE:FACTORY`` generator, with factories from tests/toy_generator.py."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import toy_generator
from netbend.cli.main import main
from netbend.errors import NetbendError
from netbend.generators import load_generator
from netbend.training.run import build_bend

TOY_FILE = Path(toy_generator.__file__).resolve()


def test_tuple_factory_images():
    generator = load_generator("python:toy_generator:build")
    latents = generator.sample_latents(2, torch.Generator().manual_seed(0))
    images = generator.generate(latents)
    torch.manual_seed(0)  # the seed build() uses, so the weights match
    with torch.no_grad():
        expected = (toy_generator.ToyGenerator()(latents) + 1) / 2  # [-1, 1] mapped to [0, 1]
    assert images.shape == (2, 3, 16, 16)
    assert torch.allclose(images, expected, atol=1e-6)


def test_tuple_factory_lists_layers(capsys):
    assert main(["layers", "--generator", "python:toy_generator:build"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines[1:]]
    # Forward order: a container's output comes after its children's.
    assert names == ["body.0", "body.1", "body.2", "body.3", "body"]
    assert "8 x 8 x 8" in lines[1]


def test_dict_factory_options():
    generator = load_generator("python:toy_generator:build_dict")
    names = [point.name for point in generator.insertion_points()]
    output = torch.tensor([[[[-0.5, 0.25], [1.5, 0.75]]]]).expand(1, 3, 2, 2)
    assert names == ["body.0", "body.1"]
    assert generator.default_layer == "body.1"
    # output_range (0, 1): values pass through, clamped to [0, 1].
    assert torch.equal(generator.to_images(output)[0, 0], torch.tensor([[0.0, 0.25], [1.0, 0.75]]))


def test_file_path_spec():
    generator = load_generator(f"python:{TOY_FILE}:build")
    assert generator.spec == f"python:{TOY_FILE}:build"
    assert [point.shape for point in generator.insertion_points()][0] == (8, 8, 8)


def test_bend_changes_images():
    generator = load_generator("python:toy_generator:build")
    bent = build_bend(generator, "body.1", "conv", {}, seed=0)
    with torch.no_grad():
        for parameter in bent.points.parameters():
            parameter.normal_(0, 0.5)
    latents = generator.sample_latents(2, torch.Generator().manual_seed(1))
    with torch.no_grad():
        original = bent(latents, strength=0.0)
        changed = bent(latents)
        with bent.unbent():
            unbent = bent(latents)
    assert torch.equal(original, unbent)
    assert (changed - original).abs().max() > 1e-3


def test_unknown_insertion_point_rejected():
    generator = load_generator("python:toy_generator:build_bad_layer")
    with pytest.raises(NetbendError) as error:
        generator.insertion_points()
    assert "offers insertion points ['body.9'] that are not submodules" in str(error.value)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("python:toy_generator", "needs a module and a factory"),
        ("python:no_such_module_xyz:build", "was not found"),
        ("python:toy_generator:missing", "has no function 'missing'"),
        ("python:toy_generator:build_wrong_type", "FACTORY must return"),
        ("python:toy_generator:build_unknown_key", "unknown keys ['colour']"),
        ("python:toy_generator:build_with_argument", "without arguments"),
        ("python:./no_such_file.py:build", "does not exist"),
    ],
)
def test_bad_specs_rejected(spec, message):
    with pytest.raises(NetbendError) as error:
        load_generator(spec)
    assert message in str(error.value)
