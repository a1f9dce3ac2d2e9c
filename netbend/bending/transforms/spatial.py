"""Spatial transforms: rotate, translate and zoom about the centre, and flip.

Rotate, translate and zoom resample each map bilinearly with ``affine_grid`` and
``grid_sample`` (``align_corners=False``, so -1 and 1 are the outer edges of the
border pixels). They are differentiable in ``x``. Angles and offsets are
measured in pixels, not in normalised units, so a rotation of a non-square map
stays a rotation. Flip reverses an axis exactly.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from netbend.bending import MODULES
from netbend.bending.transforms.base import TransformBend, TransformParameter, check_activation
from netbend.errors import NetbendError

PADDING_MODES = ("zeros", "border", "reflection")
FLIP_AXES = ("h", "v")

_PADDING = TransformParameter(
    "padding", str, "zeros", choices=PADDING_MODES, help="what fills the area outside the map: zeros, border or reflection"
)


def check_padding(padding: str) -> str:
    """Return ``padding`` if ``grid_sample`` supports it, else raise NetbendError."""
    if padding not in PADDING_MODES:
        raise NetbendError(f"unknown padding {padding!r}; choose one of: {', '.join(PADDING_MODES)}")
    return padding


def resample_affine(x: torch.Tensor, matrix: list[list[float]], padding: str = "zeros") -> torch.Tensor:
    """Resample every map of ``x`` through a 2 x 3 affine ``matrix``.

    The matrix maps an output location to the input location it reads from, both
    in normalised coordinates (-1 to 1 across the map, x to the right, y down).

    Raises:
        NetbendError: unknown ``padding``.
    """
    check_padding(padding)
    batch = x.shape[0]
    theta = torch.tensor(matrix, dtype=x.dtype, device=x.device).unsqueeze(0).expand(batch, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)  # B x H x W x 2
    return F.grid_sample(x, grid, mode="bilinear", padding_mode=padding, align_corners=False)


def rotate(x: torch.Tensor, angle: float, padding: str = "zeros") -> torch.Tensor:
    """Rotate every map of ``x`` by ``angle`` degrees counter-clockwise (as displayed, y down) about its centre."""
    check_activation(x, "rotate")
    height, width = x.shape[-2:]
    radians = math.radians(angle)
    cos, sin = math.cos(radians), math.sin(radians)

    # An output pixel p reads from R^-1 p. In normalised units the x and y axes
    # have different pixel scales (W / 2 and H / 2), hence the aspect factors.
    matrix = [[cos, -sin * height / width, 0.0], [sin * width / height, cos, 0.0]]
    return resample_affine(x, matrix, padding)


def translate(x: torch.Tensor, shift_x: float, shift_y: float = 0.0, padding: str = "zeros") -> torch.Tensor:
    """Shift every map of ``x`` right by ``shift_x`` and down by ``shift_y``, as fractions of its width and height.

    A shift of 0.25 on a 16-pixel map moves it by 4 pixels. Shifts by whole
    pixels reproduce the input values exactly, up to float rounding.
    """
    check_activation(x, "translate")
    # The normalised axis spans 2 units, so a shift of one map width is 2.
    matrix = [[1.0, 0.0, -2.0 * shift_x], [0.0, 1.0, -2.0 * shift_y]]
    return resample_affine(x, matrix, padding)


def zoom(x: torch.Tensor, factor: float, padding: str = "zeros") -> torch.Tensor:
    """Scale every map of ``x`` by ``factor`` about its centre: above 1 enlarges, below 1 shrinks.

    Raises:
        NetbendError: ``factor`` is not positive.
    """
    check_activation(x, "zoom")
    if not factor > 0:
        raise NetbendError(f"zoom factor must be above 0, got {factor}; use 2 to enlarge twofold, 0.5 to shrink")
    matrix = [[1.0 / factor, 0.0, 0.0], [0.0, 1.0 / factor, 0.0]]
    return resample_affine(x, matrix, padding)


def flip(x: torch.Tensor, axis: str = "h") -> torch.Tensor:
    """Mirror every map of ``x``: ``h`` swaps left and right, ``v`` swaps top and bottom.

    Raises:
        NetbendError: unknown ``axis``.
    """
    check_activation(x, "flip")
    if axis not in FLIP_AXES:
        raise NetbendError(f"unknown flip axis {axis!r}; use h (left-right) or v (top-bottom)")
    return torch.flip(x, dims=[3] if axis == "h" else [2])


@MODULES.register("rotate")
class Rotate(TransformBend):
    """Rotate the selected channels' maps about their centre.

    Args:
        channels: C, the layer's channel count.
        angle: Degrees, counter-clockwise as displayed.
        padding: ``zeros``, ``border`` or ``reflection``.
        indices: Channels to transform; None for all.
        selection: The selection as written, for the record.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "rotate"
    parameters = (TransformParameter("angle", float, help="degrees, counter-clockwise"), _PADDING)

    def __init__(
        self, channels: int, angle: float, padding: str = "zeros", indices: list[int] | None = None, selection: str | None = None
    ) -> None:
        super().__init__(channels, indices, selection, angle=float(angle), padding=check_padding(padding))
        self.angle = float(angle)
        self.padding = padding

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return rotate(x, self.angle, self.padding)


@MODULES.register("translate")
class Translate(TransformBend):
    """Shift the selected channels' maps by fractions of their size.

    Args:
        channels: C, the layer's channel count.
        x: Shift to the right, as a fraction of the map width (-1 to 1).
        y: Shift down, as a fraction of the map height (-1 to 1).
        padding: ``zeros``, ``border`` or ``reflection``.
        indices: Channels to transform; None for all.
        selection: The selection as written, for the record.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "translate"
    parameters = (
        TransformParameter("x", float, help="shift right, as a fraction of the map width"),
        TransformParameter("y", float, 0.0, help="shift down, as a fraction of the map height"),
        _PADDING,
    )

    def __init__(
        self,
        channels: int,
        x: float,
        y: float = 0.0,
        padding: str = "zeros",
        indices: list[int] | None = None,
        selection: str | None = None,
    ) -> None:
        super().__init__(channels, indices, selection, x=float(x), y=float(y), padding=check_padding(padding))
        self.shift_x = float(x)
        self.shift_y = float(y)
        self.padding = padding

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return translate(x, self.shift_x, self.shift_y, self.padding)


@MODULES.register("zoom")
class Zoom(TransformBend):
    """Scale the selected channels' maps about their centre.

    Args:
        channels: C, the layer's channel count.
        factor: Above 1 enlarges, below 1 shrinks.
        padding: ``zeros``, ``border`` or ``reflection``, for the area a shrunk map leaves.
        indices: Channels to transform; None for all.
        selection: The selection as written, for the record.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "zoom"
    parameters = (TransformParameter("factor", float, help="scale factor; above 1 enlarges"), _PADDING)

    def __init__(
        self, channels: int, factor: float, padding: str = "zeros", indices: list[int] | None = None, selection: str | None = None
    ) -> None:
        if not factor > 0:
            raise NetbendError(f"zoom factor must be above 0, got {factor}; use 2 to enlarge twofold, 0.5 to shrink")
        super().__init__(channels, indices, selection, factor=float(factor), padding=check_padding(padding))
        self.factor = float(factor)
        self.padding = padding

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return zoom(x, self.factor, self.padding)


@MODULES.register("flip")
class Flip(TransformBend):
    """Mirror the selected channels' maps.

    Args:
        channels: C, the layer's channel count.
        axis: ``h`` swaps left and right, ``v`` swaps top and bottom.
        indices: Channels to transform; None for all.
        selection: The selection as written, for the record.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "flip"
    parameters = (TransformParameter("axis", str, "h", choices=FLIP_AXES, help="h: left-right, v: top-bottom"),)

    def __init__(self, channels: int, axis: str = "h", indices: list[int] | None = None, selection: str | None = None) -> None:
        if axis not in FLIP_AXES:
            raise NetbendError(f"unknown flip axis {axis!r}; use h (left-right) or v (top-bottom)")
        super().__init__(channels, indices, selection, axis=axis)
        self.axis = axis

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return flip(x, self.axis)
