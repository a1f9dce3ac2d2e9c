"""Grey-scale morphology: erode and dilate with a square structuring element.

Dilation is a max filter and erosion a min filter over a ``size`` x ``size``
window centred on each pixel, both computed with ``max_pool2d``. The pooling pads
with -inf, so at the border the window covers only pixels inside the map. Both
are differentiable: the gradient goes to the pixel that gave the max or min.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from netbend.bending import MODULES
from netbend.bending.transforms.base import TransformBend, TransformParameter, check_activation
from netbend.errors import NetbendError


def check_size(size: int) -> int:
    """Return ``size`` if it is a positive odd whole number, else raise NetbendError."""
    if isinstance(size, bool) or int(size) != size or size < 1 or size % 2 == 0:
        raise NetbendError(f"structuring element size must be an odd whole number of at least 1, got {size}; try 3 or 5")
    return int(size)


def dilate(x: torch.Tensor, size: int = 3) -> torch.Tensor:
    """Return the max of ``x`` over a ``size`` x ``size`` window around each pixel."""
    check_activation(x, "dilate")
    size = check_size(size)
    return F.max_pool2d(x, kernel_size=size, stride=1, padding=size // 2)


def erode(x: torch.Tensor, size: int = 3) -> torch.Tensor:
    """Return the min of ``x`` over a ``size`` x ``size`` window around each pixel."""
    check_activation(x, "erode")
    size = check_size(size)
    return -F.max_pool2d(-x, kernel_size=size, stride=1, padding=size // 2)


_SIZE = TransformParameter("size", int, 3, help="side of the square window in pixels, odd")


@MODULES.register("erode")
class Erode(TransformBend):
    """Erode the selected channels' maps: bright regions shrink.

    Args:
        channels: C, the layer's channel count.
        size: Side of the square window in pixels, odd.
        indices: Channels to transform; None for all.
        selection: The selection as written, for the record.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "erode"
    parameters = (_SIZE,)

    def __init__(self, channels: int, size: int = 3, indices: list[int] | None = None, selection: str = "all") -> None:
        super().__init__(channels, indices, selection, size=check_size(size))
        self.size = int(size)

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return erode(x, self.size)


@MODULES.register("dilate")
class Dilate(TransformBend):
    """Dilate the selected channels' maps: bright regions grow.

    Args:
        channels: C, the layer's channel count.
        size: Side of the square window in pixels, odd.
        indices: Channels to transform; None for all.
        selection: The selection as written, for the record.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "dilate"
    parameters = (_SIZE,)

    def __init__(self, channels: int, size: int = 3, indices: list[int] | None = None, selection: str = "all") -> None:
        super().__init__(channels, indices, selection, size=check_size(size))
        self.size = int(size)

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return dilate(x, self.size)
