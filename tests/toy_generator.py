"""Factories for the ``python:`` generator tests: a small random generator of 16 x 16 images."""

from __future__ import annotations

import torch
from torch import nn

LATENT_DIM = 8


class ToyGenerator(nn.Module):
    """Latents B x 8 to images B x 3 x 16 x 16 in [-1, 1]."""

    def __init__(self) -> None:
        super().__init__()
        self.project = nn.Linear(LATENT_DIM, 16 * 4 * 4)
        self.body = nn.Sequential(
            nn.ConvTranspose2d(16, 8, 4, 2, 1),  # 8 x 8
            nn.ReLU(),
            nn.ConvTranspose2d(8, 3, 4, 2, 1),  # 16 x 16
            nn.Tanh(),
        )

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        return self.body(self.project(latents).view(-1, 16, 4, 4))


def sample_latents(n: int, generator: torch.Generator) -> torch.Tensor:
    return torch.randn(n, LATENT_DIM, generator=generator)


def build():
    torch.manual_seed(0)
    return ToyGenerator(), sample_latents


def build_dict():
    torch.manual_seed(0)
    return {
        "network": ToyGenerator(),
        "sample_latents": sample_latents,
        "output_range": (0.0, 1.0),
        "insertion_points": ["body.0", "body.1"],
        "default_layer": "body.1",
    }


def build_bad_layer():
    return {"network": ToyGenerator(), "sample_latents": sample_latents, "insertion_points": ["body.9"]}


def build_wrong_type():
    return ToyGenerator()


def build_unknown_key():
    return {"network": ToyGenerator(), "sample_latents": sample_latents, "colour": "red"}


def build_with_argument(size):
    return ToyGenerator(), sample_latents
