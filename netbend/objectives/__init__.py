"""Objectives, registered by name, and the parser for objective specs.

A spec is ``NAME``, ``NAME:ARGUMENT`` or either followed by ``*WEIGHT``:
``class:goldfish``, ``class:1*2``, ``fidelity:0.5``, ``diversity*0.1``. For an
objective that takes no argument, a numeric argument is its weight, so
``fidelity:0.5`` means weight 0.5. Third-party packages register objective classes
in the ``netbend.objectives`` entry-point group; a class provides
``from_argument(argument: str | None)``.
"""

from __future__ import annotations

from netbend._registry import Registry
from netbend.errors import NetbendError

OBJECTIVES: Registry = Registry("objective", entry_point_group="netbend.objectives")

from netbend.objectives import diversity as _diversity  # noqa: E402,F401
from netbend.objectives import fidelity as _fidelity  # noqa: E402,F401
from netbend.objectives import imagenet_class as _imagenet_class  # noqa: E402,F401
from netbend.objectives.base import Objective, ObjectiveBatch, WeightedObjective  # noqa: E402


def _as_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_objective(spec: str) -> WeightedObjective:
    """Build the weighted objective described by ``spec``.

    Raises:
        NetbendError: unknown objective, a bad argument, or a non-positive weight.
    """
    text = spec.strip()
    weight = 1.0
    head, star, tail = text.rpartition("*")
    if star and _as_float(tail) is not None:
        text, weight = head, float(tail)

    name, _, argument = text.partition(":")
    cls = OBJECTIVES.get(name.strip())
    argument = argument.strip()
    if len(argument) >= 2 and argument[0] == argument[-1] and argument[0] in "\"'":
        argument = argument[1:-1]

    takes_argument = getattr(cls, "takes_argument", None)
    if argument and _as_float(argument) is not None and takes_argument is False:
        weight, argument = float(argument), ""
    objective = cls.from_argument(argument or None)

    if not weight > 0:
        raise NetbendError(f"objective {spec!r} has weight {weight}; weights must be positive")
    return WeightedObjective(objective=objective, weight=weight, spec=spec)


__all__ = ["OBJECTIVES", "Objective", "ObjectiveBatch", "WeightedObjective", "parse_objective"]
