"""The embedded 64 x 64 DCGAN face generator.

Weights: ``gan_face_generate/weights.tar`` from the PyPI package
``gan-face-generate`` 1.1.1 (MIT licence, by Chien Liu), trained on the DigiFace-1M
synthetic face data set. The architecture is the PyTorch DCGAN tutorial generator
with nz=100, ngf=64, nc=3 and a tanh output in [-1, 1].
"""

from __future__ import annotations

import logging

import torch
from torch import nn

from netbend.errors import NetbendError
from netbend.generators import GENERATORS
from netbend.generators._weights import package_file
from netbend.generators.base import GeneratorAdapter

_logger = logging.getLogger(__name__)

LATENT_DIM = 100
FEATURES = 64
INSTALL_HINT = "pip install --no-deps gan-face-generate==1.1.1"


class DCGANGenerator(nn.Module):
    """DCGAN generator: a latent B x nz x 1 x 1 to an image B x nc x 64 x 64 in [-1, 1].

    Submodule names match the checkpoint keys (``main.0`` ... ``main.13``). ReLUs are
    not in-place, so an activation a bending module returns is never overwritten.
    """

    def __init__(self, latent_dim: int = LATENT_DIM, features: int = FEATURES, out_chans: int = 3) -> None:
        super().__init__()
        widths = [features * 8, features * 4, features * 2, features]
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(latent_dim, widths[0], 4, 1, 0, bias=False),  # 4 x 4
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(),
        ]
        for in_chans, out_width in zip(widths[:-1], widths[1:]):  # 8, 16, 32
            layers += [
                nn.ConvTranspose2d(in_chans, out_width, 4, 2, 1, bias=False),
                nn.BatchNorm2d(out_width),
                nn.ReLU(),
            ]
        layers += [nn.ConvTranspose2d(widths[-1], out_chans, 4, 2, 1, bias=False), nn.Tanh()]  # 64 x 64
        self.main = nn.Sequential(*layers)

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        return self.main(latents)


class FacesGenerator(GeneratorAdapter):
    """Adapter for the embedded DCGAN face generator; latents are N(0, I) of shape 100 x 1 x 1."""

    # After the 16 x 16 ReLU: early enough to reshape features, late enough to keep
    # each face's layout (chosen by the layer sweep in benchmarks/sweep_preset.py).
    default_layer = "main.8"

    def sample_latents(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return torch.randn(n, LATENT_DIM, 1, 1, generator=generator)

    def to_images(self, output: torch.Tensor) -> torch.Tensor:
        return (output + 1) / 2

    def insertion_point_names(self) -> list[str]:
        # Every layer's output except the final tanh, which is the image itself.
        return [f"main.{index}" for index in range(13)]


def load_faces_network() -> DCGANGenerator:
    """Build the DCGAN and load the weights shipped in ``gan-face-generate``."""
    path = package_file("gan_face_generate", "weights.tar", INSTALL_HINT)
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
        state = checkpoint["netG_state_dict"]
    except Exception as error:
        raise NetbendError(f"cannot read face generator weights {path}: {error}. Reinstall with: {INSTALL_HINT}") from error
    network = DCGANGenerator()
    network.load_state_dict(state)
    _logger.info("loaded face generator weights from %s", path)
    return network


@GENERATORS.register("faces")
def faces(argument: str | None = None) -> FacesGenerator:
    """Load the embedded 64 x 64 face generator; the spec takes no argument."""
    if argument:
        raise NetbendError(f"generator 'faces' takes no argument, got {argument!r}")
    return FacesGenerator(load_faces_network(), spec="faces")
