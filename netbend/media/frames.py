"""Frames for videos: latent walks, strength ramps and module parameter sweeps.

A ``FramePlan`` fixes, for every frame, the latents of each grid cell, the strength
and (for a sweep) the swept module option. ``render_frames`` batches many frames
into one generator call: strength and the swept module are applied per image
inside the batch, so a strength ramp or a sweep costs about as much as a walk.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Iterator

import torch
from torch import nn
from tqdm.auto import tqdm

from netbend.bending import BentGenerator, build_module
from netbend.errors import NetbendError

SWEEP_FORMAT = "[POINT.MODULE.]KEY=START:STOP, for example 0.0.angle=0:360 or angle=0:360"


def slerp(start: torch.Tensor, end: torch.Tensor, t: float) -> torch.Tensor:
    """Interpolate spherically between matching rows of ``start`` and ``end``.

    Each row is treated as one flattened vector. Gaussian latents keep about the
    norm the generator saw in training along the arc, which a straight line between
    two latents does not. Rows that are (nearly) parallel fall back to a straight
    line.

    Shape:
        ``start`` and ``end``: G x ... (the same shape). Output: the same shape.
    """
    a, b = start.flatten(1), end.flatten(1)
    cosine = (a * b).sum(dim=1) / (a.norm(dim=1) * b.norm(dim=1)).clamp(min=1e-12)
    omega = torch.arccos(cosine.clamp(-1.0, 1.0))  # G
    sine = torch.sin(omega)
    parallel = sine.abs() < 1e-6
    safe = torch.where(parallel, torch.ones_like(sine), sine)
    weight_a = torch.where(parallel, torch.full_like(sine, 1 - t), torch.sin((1 - t) * omega) / safe)
    weight_b = torch.where(parallel, torch.full_like(sine, t), torch.sin(t * omega) / safe)
    return (weight_a[:, None] * a + weight_b[:, None] * b).view_as(start)


def walk_latents(keyframes: torch.Tensor, frames: int) -> torch.Tensor:
    """Return a looping walk of ``frames`` frames through ``keyframes`` and back to the first.

    Frame ``f`` lies at position ``f * K / frames`` along the loop of K arcs, so the
    frame after the last one would be keyframe 0 again and the video loops seamlessly.

    Shape:
        ``keyframes``: K x G x ... (K keyframes for each of G grid cells).
        Output: frames x G x ...
    """
    count = keyframes.shape[0]
    walk = []
    for frame in range(frames):
        position = frame * count / frames
        index = math.floor(position)
        walk.append(slerp(keyframes[index % count], keyframes[(index + 1) % count], position - index))
    return torch.stack(walk)


@dataclass(frozen=True)
class Sweep:
    """A module option swept from ``start`` to ``stop`` across the frames.

    Attributes:
        point: Index of the bend point.
        module: Index of the module in that point's chain.
        key: The module's config key.
        start: First frame's value.
        stop: Last frame's value.
        integer: Round the values, because the option is an int.
    """

    point: int
    module: int
    key: str
    start: float
    stop: float
    integer: bool = False

    def values(self, frames: int) -> list[float | int]:
        """Return one value per frame, from ``start`` to ``stop`` inclusive."""
        values = torch.linspace(self.start, self.stop, frames, dtype=torch.float64).tolist()
        return [round(value) for value in values] if self.integer else values


def parse_range(text: str, name: str) -> tuple[float, float]:
    """Parse ``START:STOP`` into two floats."""
    start, colon, stop = text.partition(":")
    try:
        if not colon:
            raise ValueError(text)
        return float(start), float(stop)
    except ValueError:
        raise NetbendError(f"{name} {text!r} must be START:STOP with two numbers, for example 0:1.5") from None


def parse_sweep(text: str, bent: BentGenerator) -> Sweep:
    """Parse ``[POINT.MODULE.]KEY=START:STOP`` against the modules of ``bent``.

    Without ``POINT.MODULE.`` the key must belong to exactly one module of the bend.

    Raises:
        NetbendError: malformed text, an index out of range, a key no module has (or
            several have), or an option that is not a number.
    """
    target, equals, span = text.partition("=")
    if not equals or not target.strip():
        raise NetbendError(f"sweep {text!r} is malformed; write {SWEEP_FORMAT}")
    start, stop = parse_range(span.strip(), f"sweep range in {text!r}")
    parts = target.strip().split(".")
    modules = [(p, m, module) for p, point in enumerate(bent.points) for m, module in enumerate(point.chain)]

    if len(parts) == 1:
        key = parts[0]
        owners = [(p, m) for p, m, module in modules if key in module_config(module)]
        if len(owners) != 1:
            where = "no module of this bend has" if not owners else f"{len(owners)} modules have"
            raise NetbendError(f"{where} option {key!r}; name the module as POINT.MODULE.{key}=START:STOP, {describe(bent)}")
        point, module = owners[0]
    elif len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
        point, module, key = int(parts[0]), int(parts[1]), parts[2]
        if point >= len(bent.points) or module >= len(bent.points[point].chain):
            raise NetbendError(f"sweep {text!r} names module {point}.{module}, which does not exist; {describe(bent)}")
    else:
        raise NetbendError(f"sweep {text!r} is malformed; write {SWEEP_FORMAT}")

    config = module_config(bent.points[point].chain[module])
    if key not in config:
        raise NetbendError(f"module {point}.{module} has no option {key!r}; its options are {', '.join(sorted(config))}")
    value = config[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NetbendError(f"option {key!r} of module {point}.{module} is {value!r}, not a number, so it cannot be swept")
    return Sweep(point, module, key, start, stop, integer=isinstance(value, int))


def module_config(module: nn.Module) -> dict:
    config = getattr(module, "config", None)
    return dict(config()) if callable(config) else {}


def describe(bent: BentGenerator) -> str:
    """Return a one-line list of the bend's modules and their options, for error messages."""
    entries = []
    for p, point in enumerate(bent.points):
        for m, module in enumerate(point.chain):
            options = ", ".join(sorted(module_config(module)))
            entries.append(f"{p}.{m} = {getattr(module, 'kind', type(module).__name__)} ({options})")
    return "the bend's modules: " + ("; ".join(entries) or "none")


@dataclass
class FramePlan:
    """The content of every frame of a video.

    Attributes:
        latents: F x G x ... latents (G grid cells per frame).
        strengths: F strengths.
        sweep: The swept option, or None.
        sweep_values: F values of the swept option, or None.
    """

    latents: torch.Tensor
    strengths: list[float]
    sweep: Sweep | None = None
    sweep_values: list[float | int] | None = None

    @property
    def frames(self) -> int:
        return self.latents.shape[0]

    @property
    def cells(self) -> int:
        return self.latents.shape[1]


class PerSampleModules(nn.Module):
    """Apply ``variants[assignment[i]]`` to row ``i`` of the batch."""

    def __init__(self, variants: list[nn.Module], assignment: torch.Tensor) -> None:
        super().__init__()
        self.variants = nn.ModuleList(variants)
        self.assignment = assignment

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(x)
        for index, module in enumerate(self.variants):
            rows = (self.assignment == index).nonzero().squeeze(1).to(x.device)
            if rows.numel():
                out[rows] = module(x[rows])
        return out


def build_variant(original: nn.Module, key: str, value: float | int, device: torch.device) -> nn.Module:
    """Rebuild ``original`` with option ``key`` set to ``value``, keeping its tensors.

    Raises:
        NetbendError: the new value changes the module's tensor shapes.
    """
    config = module_config(original)
    kind = getattr(original, "kind", type(original).__name__)
    # The channel count is build_module's own argument, not an option.
    channels = config.pop("channels", getattr(original, "channels", 0))
    variant = build_module(kind, channels, {**config, key: value})
    try:
        variant.load_state_dict(original.state_dict())
    except RuntimeError as error:
        raise NetbendError(
            f"setting {key}={value} changes the tensors of the {kind} module, so its trained weights "
            f"no longer fit; sweep an option that leaves the tensor shapes alone ({error})"
        ) from error
    return variant.to(device).eval()


@contextlib.contextmanager
def per_sample_controls(
    bent: BentGenerator, strengths: torch.Tensor, sweep: Sweep | None, variants: list[nn.Module], assignment: torch.Tensor
) -> Iterator[None]:
    """Within the block, blend each image at its own strength and apply its own swept module.

    A forward hook on each bend point replaces ``BentGenerator``'s single strength
    with ``x + s_i * (chain(x) - x)`` per image ``i``, taking ``x`` itself where
    ``s_i`` is 0 and ``chain(x)`` where it is 1, as the generator does. Call the
    generator at strength 1 inside the block.
    """
    strengths = strengths.view(-1, 1, 1, 1)

    def blend(module, inputs, output):
        x = inputs[0]
        weights = strengths.to(device=x.device, dtype=x.dtype)
        mixed = x + weights * (output - x)
        mixed = torch.where(weights == 0, x, mixed)
        return torch.where(weights == 1, output, mixed)

    handles = [point.register_forward_hook(blend) for point in bent.points]
    swapped = None
    if sweep is not None:
        chain = bent.points[sweep.point].chain
        swapped = chain[sweep.module]
        chain[sweep.module] = PerSampleModules(variants, assignment)
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
        if swapped is not None:
            bent.points[sweep.point].chain[sweep.module] = swapped


@torch.no_grad()
def render_frames(bent: BentGenerator, plan: FramePlan, chunk: int = 64, progress: bool = True) -> Iterator[torch.Tensor]:
    """Yield each frame's images (G x 3 x H x W in [0, 1]) in order.

    About ``chunk`` images go through the generator at once, whole frames only.
    """
    frames_per_batch = max(1, chunk // plan.cells)
    bar = tqdm(total=plan.frames, desc="rendering", unit="frame", disable=not progress, dynamic_ncols=True)
    try:
        for first in range(0, plan.frames, frames_per_batch):
            last = min(first + frames_per_batch, plan.frames)
            latents = plan.latents[first:last].flatten(0, 1)  # (frames x G) x ...
            strengths = torch.tensor(plan.strengths[first:last]).repeat_interleave(plan.cells)

            # One module variant per frame of this batch, each applied to that frame's cells.
            variants, assignment = [], torch.zeros(0, dtype=torch.long)
            if plan.sweep is not None:
                original = bent.points[plan.sweep.point].chain[plan.sweep.module]
                variants = [
                    build_variant(original, plan.sweep.key, value, bent.device) for value in plan.sweep_values[first:last]
                ]
                assignment = torch.arange(last - first).repeat_interleave(plan.cells)

            with per_sample_controls(bent, strengths, plan.sweep, variants, assignment):
                images = bent(latents.to(bent.device), strength=1.0).cpu()
            for frame in images.split(plan.cells):
                yield frame
            bar.update(last - first)
    finally:
        bar.close()
