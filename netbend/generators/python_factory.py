"""``python:MODULE:FACTORY``: bend any PyTorch generator from the user's own code.

MODULE is an importable module name (``my_package.gan``) or the path of a ``.py``
file; FACTORY is a function in it that takes no arguments and returns one of:

- a tuple ``(network, sample_latents)``;
- a dict with the keys ``network`` and ``sample_latents`` and optionally
  ``output_range`` (``(low, high)``, default ``(-1, 1)``), ``insertion_points``
  (submodule names to offer, default all with a B x C x H x W output) and
  ``default_layer``;
- a ``GeneratorAdapter``, used as it is.

``network`` is an ``nn.Module`` mapping a batch of latents to images B x C x H x W
with C = 3 (RGB) or 1 (greyscale), values in ``output_range``.
``sample_latents(n, generator)`` returns n latents drawn on the CPU with the
``torch.Generator`` it is given, so that a seed reproduces them.

Loading a ``python:`` generator imports and runs the user's module, as any Python
import does; bend folders only record the spec string.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import sys
from pathlib import Path
from typing import Callable

import torch
from torch import nn

from netbend.errors import NetbendError
from netbend.generators import GENERATORS
from netbend.generators.base import GeneratorAdapter

_logger = logging.getLogger(__name__)

NAME = "python"
DICT_KEYS = ("network", "sample_latents", "output_range", "insertion_points", "default_layer")
CONTRACT = (
    "FACTORY must return (network, sample_latents), a dict with keys network and sample_latents "
    "(and optionally output_range, insertion_points, default_layer), or a GeneratorAdapter"
)


class PythonGenerator(GeneratorAdapter):
    """Adapter for a network and latent sampler from user code.

    Args:
        network: Maps latents to images B x (3 or 1) x H x W.
        sample_latents: ``(n, torch.Generator) -> latents`` on the CPU.
        spec: The ``python:`` spec that loads it again.
        output_range: ``(low, high)`` of the network's output values.
        insertion_points: Submodule names to offer, or None for every 4-D output.
        default_layer: Layer used when a run names none.
    """

    def __init__(
        self,
        network: nn.Module,
        sample_latents: Callable[[int, torch.Generator], torch.Tensor],
        spec: str,
        output_range: tuple[float, float] = (-1.0, 1.0),
        insertion_points: list[str] | None = None,
        default_layer: str | None = None,
    ) -> None:
        super().__init__(network, spec)
        self._sample_latents = sample_latents
        self.output_range = (float(output_range[0]), float(output_range[1]))
        self._insertion_points = list(insertion_points) if insertion_points is not None else None
        if default_layer is not None:
            self.default_layer = default_layer

    def sample_latents(self, n: int, generator: torch.Generator) -> torch.Tensor:
        latents = self._sample_latents(n, generator)
        if not isinstance(latents, torch.Tensor) or len(latents) != n:
            raise NetbendError(
                f"generator {self.spec!r}: sample_latents({n}, generator) returned "
                f"{type(latents).__name__ if not isinstance(latents, torch.Tensor) else tuple(latents.shape)}; "
                f"it must return a tensor of {n} latents"
            )
        return latents

    def to_images(self, output: torch.Tensor) -> torch.Tensor:
        if output.dim() != 4 or output.shape[1] not in (1, 3):
            raise NetbendError(
                f"generator {self.spec!r} returned shape {tuple(output.shape)}; netbend needs images "
                "B x 3 x H x W (RGB) or B x 1 x H x W (greyscale)"
            )
        low, high = self.output_range
        images = ((output - low) / (high - low)).clamp(0, 1)
        return images.expand(-1, 3, -1, -1) if images.shape[1] == 1 else images

    def insertion_point_names(self) -> list[str] | None:
        return self._insertion_points


def _import_module(module: str):
    """Import ``module`` by dotted name, or from a ``.py`` file path."""
    if module.endswith(".py"):
        path = Path(module).expanduser().resolve()
        if not path.is_file():
            raise NetbendError(f"python generator file {path} does not exist")
        module_name = f"netbend_user_{path.stem}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = loaded
        spec.loader.exec_module(loaded)
        return loaded
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name != module and not module.startswith(f"{error.name}."):
            raise  # the user's module exists but one of its own imports is missing
        raise NetbendError(
            f"python module {module!r} was not found; add its folder to PYTHONPATH, or pass a file path such as "
            f"python:./my_gan.py:build"
        ) from error


def _check_range(value: object, spec: str) -> tuple[float, float]:
    try:
        low, high = (float(bound) for bound in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise NetbendError(f"generator {spec!r}: output_range must be (low, high), got {value!r}") from None
    if not high > low:
        raise NetbendError(f"generator {spec!r}: output_range {value!r} must have high > low")
    return low, high


def adapter_from_result(result: object, spec: str) -> GeneratorAdapter:
    """Turn what a FACTORY returned into an adapter.

    Raises:
        NetbendError: the result does not follow the factory contract.
    """
    if isinstance(result, GeneratorAdapter):
        result.spec = spec
        return result
    if isinstance(result, tuple) and len(result) == 2:
        result = {"network": result[0], "sample_latents": result[1]}
    if not isinstance(result, dict):
        raise NetbendError(f"generator {spec!r}: the factory returned {type(result).__name__}. {CONTRACT}")

    unknown = sorted(set(result) - set(DICT_KEYS))
    if unknown:
        raise NetbendError(f"generator {spec!r}: unknown keys {unknown} in the factory's dict. {CONTRACT}")
    network, sampler = result.get("network"), result.get("sample_latents")
    if not isinstance(network, nn.Module):
        raise NetbendError(f"generator {spec!r}: network is {type(network).__name__}, not a torch.nn.Module. {CONTRACT}")
    if not callable(sampler):
        raise NetbendError(f"generator {spec!r}: sample_latents is not callable. {CONTRACT}")
    return PythonGenerator(
        network,
        sampler,
        spec,
        output_range=_check_range(result.get("output_range", (-1.0, 1.0)), spec),
        insertion_points=result.get("insertion_points"),
        default_layer=result.get("default_layer"),
    )


@GENERATORS.register(NAME)
def python_generator(argument: str | None = None) -> GeneratorAdapter:
    """A generator built by ``FACTORY()`` from ``MODULE`` (``python:MODULE:FACTORY``)."""
    module, _, factory_name = (argument or "").rpartition(":")
    if not module or not factory_name:
        raise NetbendError(
            f"generator spec python:{argument or ''} needs a module and a factory: python:MODULE:FACTORY, "
            "for example python:my_gan:build or python:./my_gan.py:build"
        )
    if module.endswith(".py"):
        module = str(Path(module).expanduser().resolve())  # recorded absolute, so bend folders load from anywhere
    spec = f"{NAME}:{module}:{factory_name}"

    loaded = _import_module(module)
    factory = getattr(loaded, factory_name, None)
    if not callable(factory):
        raise NetbendError(f"python module {module!r} has no function {factory_name!r}")
    required = [
        name
        for name, parameter in inspect.signature(factory).parameters.items()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    if required:
        raise NetbendError(f"factory {module}:{factory_name} must be callable without arguments; it requires {required}")

    adapter = adapter_from_result(factory(), spec)
    adapter.network.eval().requires_grad_(False)
    _logger.info("loaded generator %s from %s", factory_name, getattr(loaded, "__file__", module))
    return adapter
