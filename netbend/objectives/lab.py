"""Differentiable sRGB to CIE L*a*b* conversion (D65 white point).

Lab is used so that palette distances are perceptual: the Euclidean distance in
Lab is the CIE76 colour difference (Delta E), and equal steps of it look roughly
equally large. The formulas are the standard sRGB transfer curve and CIE Lab.
"""

from __future__ import annotations

import torch

# Linear sRGB to CIE XYZ (D65), rounded to four places. The white point is the
# image of RGB white (the row sums), so white maps to exactly L=100, a=b=0.
RGB_TO_XYZ = (
    (0.4124, 0.3576, 0.1805),
    (0.2126, 0.7152, 0.0722),
    (0.0193, 0.1192, 0.9505),
)
D65_WHITE = tuple(sum(row) for row in RGB_TO_XYZ)
EPSILON = (6 / 29) ** 3  # below this, Lab's cube root becomes a straight line


def srgb_to_linear(rgb: torch.Tensor) -> torch.Tensor:
    """Undo the sRGB transfer curve for values in [0, 1] (values outside are clamped)."""
    rgb = rgb.clamp(0, 1)
    # The clamp inside the power keeps its gradient finite on the branch torch.where drops.
    curved = ((rgb.clamp(min=0.04045) + 0.055) / 1.055) ** 2.4
    return torch.where(rgb > 0.04045, curved, rgb / 12.92)


def rgb_to_lab(rgb: torch.Tensor) -> torch.Tensor:
    """Convert sRGB colours in [0, 1] to CIE Lab.

    Shape:
        Input: ... x 3 (channels last). Output: ... x 3 as L in [0, 100], a and b
        roughly in [-128, 127].
    """
    linear = srgb_to_linear(rgb)
    matrix = torch.tensor(RGB_TO_XYZ, dtype=rgb.dtype, device=rgb.device)
    white = torch.tensor(D65_WHITE, dtype=rgb.dtype, device=rgb.device)
    xyz = (linear @ matrix.T) / white

    cube_root = xyz.clamp(min=EPSILON) ** (1 / 3)
    f = torch.where(xyz > EPSILON, cube_root, xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    fx, fy, fz = f.unbind(-1)
    return torch.stack([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)], dim=-1)
