"""Insert bending modules into a frozen generator without editing its code.

Each ``BendPoint`` is a chain of modules run on the output of one named submodule,
attached with a forward hook. The generator's own weights stay frozen; only the
chains hold trainable parameters.

``strength`` blends each point's output with the original activation:
``x + strength * (chain(x) - x)``. 0 gives the original generator exactly, 1 the
bend as trained, and values above 1 exaggerate it.
"""

from __future__ import annotations

import contextlib
import inspect
from typing import Iterator

import torch
from torch import nn

from netbend.errors import NetbendError
from netbend.generators.base import GeneratorAdapter


def build_module(
    kind: str, channels: int, options: dict | None = None, shape: tuple[int, int, int] | None = None
) -> nn.Module:
    """Build the registered bending module ``kind`` for ``channels`` channels.

    Args:
        kind: Registered module type.
        channels: Channel count of the activation.
        options: Constructor options.
        shape: Activation shape (C, H, W) at the insertion point. A module whose
            constructor takes ``height`` or ``width`` gets them from here unless
            ``options`` sets them.

    Raises:
        NetbendError: unknown kind or an option the module does not take.
    """
    from netbend.bending import MODULES

    cls = MODULES.get(kind)
    options = dict(options or {})
    if "channels" in options:
        raise NetbendError(
            f"bending module {kind!r} takes its channel count from the layer ({channels}); remove channels from its options"
        )
    accepted = [name for name in inspect.signature(cls).parameters if name != "channels"]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise NetbendError(
            f"bending module {kind!r} has no option {', '.join(unknown)}; it takes: {', '.join(accepted)}"
        )
    if shape is not None:
        for name, size in (("height", shape[1]), ("width", shape[2])):
            if name in accepted:
                options.setdefault(name, size)
    return cls(channels, **options)


class BendPoint(nn.Module):
    """A chain of bending modules applied at one insertion point.

    Args:
        layer: Name of the submodule whose output is bent.
        shape: Activation shape (C, H, W) at that layer.
        chain: Modules applied in order; each keeps the shape.
    """

    def __init__(self, layer: str, shape: tuple[int, int, int], chain: list[nn.Module]) -> None:
        super().__init__()
        self.layer = layer
        self.shape = tuple(shape)
        self.chain = nn.ModuleList(chain)
        for module in self.chain:
            channels = getattr(module, "channels", None)
            if channels is not None and channels != self.shape[0]:
                raise NetbendError(
                    f"{getattr(module, 'kind', type(module).__name__)} module has {channels} channels but layer "
                    f"{layer!r} outputs {self.shape[0]} x {self.shape[1]} x {self.shape[2]}; "
                    f"build the module with channels={self.shape[0]}"
                )

    def config(self) -> dict:
        """Return the JSON description of this point: layer, shape and each module's type and config."""
        return {
            "layer": self.layer,
            "shape": list(self.shape),
            "chain": [{"type": module.kind, "config": module.config()} for module in self.chain],
        }

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for module in self.chain:
            x = module(x)
        return x


class BentGenerator(nn.Module):
    """A frozen generator with bend points attached by forward hooks.

    Args:
        generator: The frozen generator adapter.
        points: The bend points; at most one per layer.
        strength: Initial blend factor (see the module docstring).
    """

    def __init__(self, generator: GeneratorAdapter, points: list[BendPoint], strength: float = 1.0) -> None:
        super().__init__()
        self.generator = generator
        self.points = nn.ModuleList(points)
        self.strength = float(strength)
        self._bending = True
        self._handles = []

        layers = [point.layer for point in points]
        if len(set(layers)) != len(layers):
            raise NetbendError(f"each layer may be bent once, got layers {layers}; chain the modules at one point instead")
        submodules = dict(generator.network.named_modules())
        for point in points:
            generator.insertion_point(point.layer)  # raises with the valid names
            self._handles.append(submodules[point.layer].register_forward_hook(self._make_hook(point)))

    def _make_hook(self, point: BendPoint):
        def hook(module, inputs, output):
            if not self._bending or self.strength == 0.0:
                return output
            bent = point(output)
            if self.strength == 1.0:
                return bent
            return output + self.strength * (bent - output)

        return hook

    def detach_hooks(self) -> None:
        """Remove the hooks, returning the wrapped generator to its original state."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    @contextlib.contextmanager
    def unbent(self) -> Iterator[None]:
        """Run the original generator inside this block."""
        previous, self._bending = self._bending, False
        try:
            yield
        finally:
            self._bending = previous

    def to(self, *args, **kwargs) -> "BentGenerator":
        super().to(*args, **kwargs)
        self.generator.network.to(*args, **kwargs)
        return self

    @property
    def device(self) -> torch.device:
        return self.generator.device

    def forward(self, latents: torch.Tensor, strength: float | None = None) -> torch.Tensor:
        """Generate images in [0, 1] from ``latents`` at ``strength`` (default: the current one)."""
        if strength is None:
            return self.generator.generate(latents)
        previous, self.strength = self.strength, float(strength)
        try:
            return self.generator.generate(latents)
        finally:
            self.strength = previous

    def config(self) -> dict:
        """Return the JSON description of the bend: generator spec and every point."""
        return {"generator": self.generator.spec, "points": [point.config() for point in self.points]}
