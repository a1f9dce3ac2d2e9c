"""Pointwise transforms: ablate, invert, multiply, add and binary threshold.

Each works on every element independently, so it runs unchanged on any batch
size, device and memory layout. Invert, multiply and add are differentiable.
Ablate and threshold output constants, so no gradient reaches ``x`` through them.
"""

from __future__ import annotations

import torch

from netbend.bending import MODULES
from netbend.bending.transforms.base import TransformBend, TransformParameter, check_activation


def ablate(x: torch.Tensor) -> torch.Tensor:
    """Return zeros like ``x``: the channels are switched off and pass no gradient."""
    check_activation(x, "ablate")
    return torch.zeros_like(x)


def invert(x: torch.Tensor, pivot: float = 1.0) -> torch.Tensor:
    """Return ``pivot - x``.

    With the default pivot of 1 this is ``1 - x``, the invert of the original
    network bending tools. A larger pivot keeps more of a strongly activated map
    positive after a ReLU layer.
    """
    check_activation(x, "invert")
    return pivot - x


def multiply(x: torch.Tensor, factor: float) -> torch.Tensor:
    """Return ``x * factor``."""
    check_activation(x, "multiply")
    return x * factor


def add(x: torch.Tensor, value: float) -> torch.Tensor:
    """Return ``x + value``."""
    check_activation(x, "add")
    return x + value


def threshold(x: torch.Tensor, level: float) -> torch.Tensor:
    """Return 1 where ``x > level`` and 0 elsewhere, in the dtype of ``x``.

    The output is piecewise constant, so no gradient flows back to ``x``.
    """
    check_activation(x, "threshold")
    return (x > level).to(x.dtype)


@MODULES.register("ablate")
class Ablate(TransformBend):
    """Set the selected channels to zero.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "ablate"
    differentiable = False

    def __init__(self, channels: int, indices: list[int] | None = None, selection: str | None = None) -> None:
        super().__init__(channels, indices, selection)

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return ablate(x)


@MODULES.register("invert")
class Invert(TransformBend):
    """Replace the selected channels with ``pivot - x``.

    Args:
        channels: C, the layer's channel count.
        pivot: The value that maps to zero (default 1, as in ``1 - x``).
        indices: Channels to transform; None for all.
        selection: The selection as written, for the record.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "invert"
    parameters = (TransformParameter("pivot", float, 1.0, help="output is pivot - x"),)

    def __init__(self, channels: int, pivot: float = 1.0, indices: list[int] | None = None, selection: str | None = None) -> None:
        super().__init__(channels, indices, selection, pivot=float(pivot))
        self.pivot = float(pivot)

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return invert(x, self.pivot)


@MODULES.register("multiply")
class Multiply(TransformBend):
    """Multiply the selected channels by a scalar ``factor``.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "multiply"
    parameters = (TransformParameter("factor", float, help="scalar factor"),)

    def __init__(self, channels: int, factor: float, indices: list[int] | None = None, selection: str | None = None) -> None:
        super().__init__(channels, indices, selection, factor=float(factor))
        self.factor = float(factor)

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return multiply(x, self.factor)


@MODULES.register("add")
class Add(TransformBend):
    """Add a scalar ``value`` to the selected channels.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "add"
    parameters = (TransformParameter("value", float, help="scalar added to every element"),)

    def __init__(self, channels: int, value: float, indices: list[int] | None = None, selection: str | None = None) -> None:
        super().__init__(channels, indices, selection, value=float(value))
        self.value = float(value)

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return add(x, self.value)


@MODULES.register("threshold")
class Threshold(TransformBend):
    """Binarise the selected channels: 1 where ``x > level``, else 0.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "threshold"
    parameters = (TransformParameter("level", float, help="values above it become 1, the rest 0"),)
    differentiable = False

    def __init__(self, channels: int, level: float, indices: list[int] | None = None, selection: str | None = None) -> None:
        super().__init__(channels, indices, selection, level=float(level))
        self.level = float(level)

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return threshold(x, self.level)
