"""Generator adapters, registered by name.

A generator spec is ``NAME`` or ``NAME:ARGUMENT`` (for example ``faces``). Third-party
packages register adapters in the ``netbend.generators`` entry-point group; the entry
point is a callable taking the argument string (or None) and returning a
``GeneratorAdapter``.
"""

from __future__ import annotations

from netbend._registry import Registry
from netbend.generators.base import GeneratorAdapter, InsertionPoint

GENERATORS: Registry = Registry("generator", entry_point_group="netbend.generators")


def load_generator(spec: str, device: str | None = None) -> GeneratorAdapter:
    """Load the generator named by ``spec`` (``NAME`` or ``NAME:ARGUMENT``).

    Raises:
        NetbendError: unknown name, or the adapter cannot load its weights.
    """
    name, _, argument = spec.partition(":")
    adapter = GENERATORS.get(name)(argument or None)
    if device is not None:
        adapter.to(device)
    return adapter


# Built-in adapters register themselves on import.
from netbend.generators import faces as _faces  # noqa: E402,F401
from netbend.generators import lightweight_gan as _lightweight_gan  # noqa: E402,F401
from netbend.generators import python_factory as _python_factory  # noqa: E402,F401

__all__ = ["GENERATORS", "GeneratorAdapter", "InsertionPoint", "load_generator"]
