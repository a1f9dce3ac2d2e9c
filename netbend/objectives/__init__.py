"""Objectives, registered by name, and the parser for objective specs.

A spec is ``NAME[:ARGUMENT][;KEY=VALUE]...[*WEIGHT]``: ``class:goldfish``,
``class:1*2``, ``fidelity:0.5``, ``diversity*0.1``,
``text:"a pumpkin";pretrained=laion400m_e32*2``. For an objective that takes no
argument, a numeric argument is its weight, so ``fidelity:0.5`` means weight 0.5.
Options set the objective's settings; each objective lists the keys it accepts in
its ``options`` attribute. Third-party packages register objective classes in the
``netbend.objectives`` entry-point group; a class provides
``from_argument(argument: str | None, **options)``.
"""

from __future__ import annotations

import math

from netbend._registry import Registry
from netbend.errors import NetbendError

OBJECTIVES: Registry = Registry("objective", entry_point_group="netbend.objectives")

from netbend.objectives import clip_diversity as _clip_diversity  # noqa: E402,F401
from netbend.objectives import clip_direction as _clip_direction  # noqa: E402,F401
from netbend.objectives import clip_image as _clip_image  # noqa: E402,F401
from netbend.objectives import clip_nce as _clip_nce  # noqa: E402,F401
from netbend.objectives import clip_text as _clip_text  # noqa: E402,F401
from netbend.objectives import diversity as _diversity  # noqa: E402,F401
from netbend.objectives import fidelity as _fidelity  # noqa: E402,F401
from netbend.objectives import imagenet_class as _imagenet_class  # noqa: E402,F401
from netbend.objectives import palette as _palette  # noqa: E402,F401
from netbend.objectives import style as _style  # noqa: E402,F401
from netbend.objectives._spec import split_spec  # noqa: E402
from netbend.objectives.base import Objective, ObjectiveBatch, WeightedObjective  # noqa: E402


def _as_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_objective(spec: str) -> WeightedObjective:
    """Build the weighted objective described by ``spec``.

    Raises:
        NetbendError: unknown objective, a bad argument or option, or a weight that
            is not a positive finite number.
    """
    parts = split_spec(spec)
    cls = OBJECTIVES.get(parts.name)
    weight = 1.0 if parts.weight is None else parts.weight
    argument = parts.argument

    takes_argument = getattr(cls, "takes_argument", None)
    if argument and _as_float(argument) is not None and takes_argument is False:
        weight, argument = float(argument), ""

    accepted = tuple(getattr(cls, "options", ()))
    unknown = sorted(set(parts.options) - set(accepted))
    if unknown:
        known = f"its options are {', '.join(accepted)}" if accepted else "it takes no options"
        raise NetbendError(f"objective {parts.name!r} has no option {', '.join(map(repr, unknown))}; {known}")
    if parts.options:
        objective = cls.from_argument(argument or None, **parts.options)
    else:
        objective = cls.from_argument(argument or None)

    if not (weight > 0 and math.isfinite(weight)):
        raise NetbendError(f"objective {spec!r} has weight {weight}; weights must be positive finite numbers")
    return WeightedObjective(objective=objective, weight=weight, spec=spec)


__all__ = ["OBJECTIVES", "Objective", "ObjectiveBatch", "WeightedObjective", "parse_objective"]
