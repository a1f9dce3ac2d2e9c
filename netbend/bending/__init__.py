"""Bending modules, registered by name, and their insertion into a generator.

Third-party packages register module classes in the ``netbend.modules`` entry-point
group. A module class takes ``channels`` as its first argument and returns
activations of the shape it receives.
"""

from __future__ import annotations

from netbend._registry import Registry

MODULES: Registry = Registry("bending module", entry_point_group="netbend.modules")

from netbend.bending import conv as _conv  # noqa: E402,F401
from netbend.bending import conv_xy as _conv_xy  # noqa: E402,F401
from netbend.bending import cppn as _cppn  # noqa: E402,F401
from netbend.bending import sorting as _sorting  # noqa: E402,F401
from netbend.bending import transforms as _transforms  # noqa: E402,F401
from netbend.bending.base import BendingModule  # noqa: E402
from netbend.bending.bent_generator import BendPoint, BentGenerator, build_module  # noqa: E402

__all__ = ["MODULES", "BendingModule", "BendPoint", "BentGenerator", "build_module"]
