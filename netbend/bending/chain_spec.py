"""Text specs for module chains and bend points, shared by the CLI and ``RunConfig``.

A chain spec is one or more modules joined by ``+``, each ``TYPE`` or
``TYPE:KEY=VALUE,KEY=VALUE``; the modules run in order at one insertion point.
For example ``sort_rows:steepness=20+conv:hidden=64``. Values are read as JSON
where they parse (numbers, ``true``, ``null``) and as strings otherwise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from netbend.errors import NetbendError


@dataclass(frozen=True)
class ModuleSpec:
    """One module of a chain: its registered type and constructor options."""

    type: str
    options: dict = field(default_factory=dict)


@dataclass
class PointSpec:
    """What to insert at one layer.

    Attributes:
        layer: Insertion point name; None picks the generator's default layer.
        module: Chain spec, for example ``conv`` or ``sort_rows+conv:hidden=64``.
        module_options: Options given to every module of the chain; a module's
            own ``TYPE:KEY=VALUE`` options take precedence.
    """

    layer: str | None = None
    module: str = "conv"
    module_options: dict = field(default_factory=dict)

    def modules(self) -> list[ModuleSpec]:
        """Return the chain's modules with the shared options merged in.

        Raises:
            NetbendError: the chain spec is malformed.
        """
        return [ModuleSpec(spec.type, {**self.module_options, **spec.options}) for spec in parse_chain(self.module)]


def parse_options(text: str) -> dict:
    """Parse ``KEY=VALUE,KEY=VALUE`` into a dict, with JSON values where they parse.

    Raises:
        NetbendError: an item without ``=``.
    """
    options = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise NetbendError(f"module option {item!r} must look like key=value, for example hidden=64")
        try:
            options[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            options[key.strip()] = value.strip()
    return options


def parse_chain(text: str) -> list[ModuleSpec]:
    """Parse a chain spec such as ``sort_rows:steepness=20+conv``.

    Raises:
        NetbendError: an empty chain or an empty module type.
    """
    modules = []
    for part in text.split("+"):
        kind, _, options = part.strip().partition(":")
        if not kind.strip():
            raise NetbendError(
                f"module chain {text!r} has an empty module; write TYPE or TYPE:KEY=VALUE joined by +, "
                "for example sort_rows+conv:hidden=64"
            )
        modules.append(ModuleSpec(kind.strip(), parse_options(options)))
    return modules
