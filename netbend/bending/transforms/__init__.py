"""Deterministic network bending: fixed transforms applied to chosen channels.

These are the transforms of Broad, Fol Leymarie and Grierson, "Network Bending:
Expressive Manipulation of Deep Generative Models" (2020, arXiv 2005.12420),
written in plain torch so they run batched on any device. Each is a function on
B x C x H x W tensors plus a thin module registered in ``MODULES`` under its
name. So a transform can sit in the same chain and the same bend folder as a
trained module.
"""

from __future__ import annotations

from netbend.bending.transforms.base import TransformBend, TransformParameter
from netbend.bending.transforms.channels import ChannelSelection, resolve_selection
from netbend.bending.transforms.morphology import Dilate, Erode, dilate, erode
from netbend.bending.transforms.noise import Noise, add_noise
from netbend.bending.transforms.pointwise import Ablate, Add, Invert, Multiply, Threshold, ablate, add, invert, multiply, threshold
from netbend.bending.transforms.sobel import Sobel, sobel
from netbend.bending.transforms.spatial import Flip, Rotate, Translate, Zoom, flip, rotate, translate, zoom

__all__ = [
    "Ablate",
    "Add",
    "ChannelSelection",
    "Dilate",
    "Erode",
    "Flip",
    "Invert",
    "Multiply",
    "Noise",
    "Rotate",
    "Sobel",
    "Threshold",
    "TransformBend",
    "TransformParameter",
    "Translate",
    "Zoom",
    "ablate",
    "add",
    "add_noise",
    "dilate",
    "erode",
    "flip",
    "invert",
    "multiply",
    "resolve_selection",
    "rotate",
    "sobel",
    "threshold",
    "translate",
    "zoom",
]
