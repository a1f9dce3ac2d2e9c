"""Line charts as inline SVG text, so a report needs no plotting library or script."""

from __future__ import annotations

import math
from html import escape

# Space around the plot area for tick labels and the title, in SVG user units (px).
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 58, 14, 28, 34

# Above this many points a curve is thinned to every k-th point (plus the last). That
# keeps a 10 000-step run's chart small, and 600 points are still two per pixel of
# the 268 px wide plot area.
MAX_POINTS = 600


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Return about ``count`` round tick values (1, 2 or 5 times a power of ten) in [low, high]."""
    if not high > low:
        return [low]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    # The round step nearest to the raw one on a log scale, so a range of 0 to 8.3 gets
    # a step of 2 (five ticks), not 5 (two ticks).
    step = min((multiple * magnitude for multiple in (1, 2, 5, 10)), key=lambda candidate: abs(math.log(candidate / raw)))
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    return [index * step for index in range(first, last + 1)]


def format_tick(value: float, ticks: list[float]) -> str:
    """Format ``value`` with as many decimals as the step between ``ticks`` needs."""
    if len(ticks) < 2:
        return f"{value:.3g}"
    step = abs(ticks[1] - ticks[0])
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return f"{value:.{decimals}f}"


def padded_range(values: list[float]) -> tuple[float, float]:
    """Return (low, high) covering ``values``, widened when they are all equal."""
    low, high = min(values), max(values)
    if high > low:
        return low, high
    pad = abs(low) * 0.1 or 1.0
    return low - pad, high + pad


def line_chart(steps: list[float], values: list[float], title: str, width: int = 340, height: int = 200) -> str:
    """Return an SVG element drawing ``values`` against ``steps`` with axes and ticks.

    Non-finite values are left out.
    """
    points = [(step, value) for step, value in zip(steps, values) if math.isfinite(value)]
    plot_width = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = height - MARGIN_TOP - MARGIN_BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{MARGIN_LEFT}" y="18" class="chart-title">{escape(title)}</text>',
        f'<rect x="{MARGIN_LEFT}" y="{MARGIN_TOP}" width="{plot_width}" height="{plot_height}" class="plot"/>',
    ]
    if not points:
        parts.append(f'<text x="{MARGIN_LEFT + 8}" y="{MARGIN_TOP + 20}" class="tick">no finite values</text>')
        parts.append("</svg>")
        return "".join(parts)

    # Map data coordinates to the plot area; SVG's y axis points down.
    x_low, x_high = padded_range([step for step, _ in points])
    y_low, y_high = padded_range([value for _, value in points])

    def to_x(step: float) -> float:
        return MARGIN_LEFT + (step - x_low) / (x_high - x_low) * plot_width

    def to_y(value: float) -> float:
        return MARGIN_TOP + (y_high - value) / (y_high - y_low) * plot_height

    # Grid lines and tick labels.
    y_ticks = nice_ticks(y_low, y_high)
    for tick in y_ticks:
        y = to_y(tick)
        parts.append(f'<line x1="{MARGIN_LEFT}" y1="{y:.1f}" x2="{MARGIN_LEFT + plot_width}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{format_tick(tick, y_ticks)}</text>')
    x_ticks = nice_ticks(x_low, x_high)
    for tick in x_ticks:
        x = to_x(tick)
        parts.append(
            f'<text x="{x:.1f}" y="{MARGIN_TOP + plot_height + 16}" text-anchor="middle" class="tick">{format_tick(tick, x_ticks)}</text>'
        )
    parts.append(
        f'<text x="{MARGIN_LEFT + plot_width / 2:.1f}" y="{height - 4}" text-anchor="middle" class="tick">step</text>'
    )

    # The curve, thinned to at most about MAX_POINTS points.
    stride = max(1, math.ceil(len(points) / MAX_POINTS))
    thinned = points[::stride]
    if thinned[-1] != points[-1]:
        thinned.append(points[-1])
    path = " ".join(f"{to_x(step):.1f},{to_y(value):.1f}" for step, value in thinned)
    parts.append(f'<polyline points="{path}" class="line"/>')
    parts.append("</svg>")
    return "".join(parts)
