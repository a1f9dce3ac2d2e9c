"""The adapter interface every generator family implements.

An adapter wraps a frozen, pretrained ``nn.Module`` and provides netbend with three things:
how to sample latents, how to turn the network's output into images in [0, 1], and
where a bending module may be inserted (named submodules whose output is an
activation map of shape B x C x H x W).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass

import torch
from torch import nn

from netbend.errors import NetbendError


@dataclass(frozen=True)
class InsertionPoint:
    """A submodule whose output a bending module can replace.

    Attributes:
        name: Dotted path of the submodule inside ``GeneratorAdapter.network``.
        kind: Class name of that submodule, for display.
        shape: Activation shape at that point as (C, H, W).
        note: What the point is, for display (empty when the adapter gives none).
    """

    name: str
    kind: str
    shape: tuple[int, int, int]
    note: str = ""

    def as_dict(self) -> dict:
        """Return name, kind and shape, plus ``note`` when the adapter gave one."""
        entry = {"name": self.name, "kind": self.kind, "shape": list(self.shape)}
        if self.note:
            entry["note"] = self.note
        return entry


class GeneratorAdapter(abc.ABC):
    """A frozen generator plus what netbend needs to know about it.

    Subclasses set ``network`` (an ``nn.Module`` mapping latents to raw output) and
    ``spec`` (the string that loads the same generator again), and implement
    ``sample_latents`` and ``to_images``. The default ``insertion_points`` lists
    every submodule whose output is a 4-D tensor; an adapter overrides
    ``insertion_point_names`` to offer a curated subset. It may also override
    ``insertion_point_notes`` to describe them, and set ``default_layer`` (an
    attribute or property) to the layer a run uses when it names none.

    An adapter is registered by name in ``GENERATORS`` with a factory that takes
    the spec's argument (the text after ``NAME:``, or None).
    """

    spec: str
    network: nn.Module

    def __init__(self, network: nn.Module, spec: str) -> None:
        self.network = network.eval().requires_grad_(False)
        self.spec = spec
        self._points: list[InsertionPoint] | None = None

    @abc.abstractmethod
    def sample_latents(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """Draw ``n`` latents with the given random generator (on the CPU)."""

    @abc.abstractmethod
    def to_images(self, output: torch.Tensor) -> torch.Tensor:
        """Map the network's raw output to RGB images in [0, 1], shape B x 3 x H x W."""

    @property
    def device(self) -> torch.device:
        parameter = next(self.network.parameters(), None)
        return parameter.device if parameter is not None else torch.device("cpu")

    def to(self, device: torch.device | str) -> "GeneratorAdapter":
        self.network.to(device)
        return self

    def generate(self, latents: torch.Tensor) -> torch.Tensor:
        """Run the network on ``latents`` and return images in [0, 1]."""
        return self.to_images(self.network(latents.to(self.device)))

    def insertion_point_names(self) -> list[str] | None:
        """Return the submodule names offered as insertion points, or None for all."""
        return None

    def insertion_point_notes(self) -> dict[str, str]:
        """Return a short description per insertion point name, shown by ``netbend layers``."""
        return {}

    def insertion_points(self) -> list[InsertionPoint]:
        """Return the insertion points in forward order, with activation shapes.

        Shapes come from one traced forward pass on a single latent.
        """
        if self._points is None:
            self._points = self._trace_insertion_points()
        return self._points

    def insertion_point(self, name: str) -> InsertionPoint:
        """Return the insertion point called ``name``.

        Raises:
            NetbendError: no such point; the message lists the valid names.
        """
        for point in self.insertion_points():
            if point.name == name:
                return point
        valid = ", ".join(point.name for point in self.insertion_points())
        raise NetbendError(
            f"layer {name!r} is not an insertion point of generator {self.spec!r}. "
            f"Valid layers: {valid}. Run `netbend layers --generator {self.spec}` to see their shapes."
        )

    def _trace_insertion_points(self) -> list[InsertionPoint]:
        offered = self.insertion_point_names()
        submodules = dict(self.network.named_modules())
        if offered is not None:
            unknown = [name for name in offered if name not in submodules]
            if unknown:
                raise NetbendError(
                    f"generator {self.spec!r} offers insertion points {unknown} that are not submodules of its "
                    f"network; valid names include {', '.join(list(submodules)[1:6])}…"
                )
            candidates = [(name, submodules[name]) for name in offered]
        else:
            candidates = [(name, module) for name, module in submodules.items() if name]

        # Record output shapes in the order the forward pass reaches each submodule.
        seen: dict[str, tuple[str, tuple[int, int, int]]] = {}
        handles = []
        for name, module in candidates:

            def record(module, inputs, output, name=name):
                if isinstance(output, torch.Tensor) and output.dim() == 4 and name not in seen:
                    seen[name] = (type(module).__name__, tuple(output.shape[1:]))

            handles.append(module.register_forward_hook(record))
        try:
            with torch.no_grad():
                latents = self.sample_latents(1, torch.Generator().manual_seed(0))
                self.network(latents.to(self.device))
        finally:
            for handle in handles:
                handle.remove()

        if not seen:
            raise NetbendError(
                f"generator {self.spec!r} has no submodule with a B x C x H x W output, "
                "so there is nowhere to insert a bending module"
            )
        notes = self.insertion_point_notes()
        return [InsertionPoint(name, kind, shape, notes.get(name, "")) for name, (kind, shape) in seen.items()]
