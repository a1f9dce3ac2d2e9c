"""Name-to-factory registries shared by generators, bending modules and objectives.

A name resolves the same way on the command line, in a manifest and in the Python
API. Third-party packages add entries through a Python entry-point group; those are
loaded the first time a registry is searched for a name it does not hold.
"""

from __future__ import annotations

import difflib
import logging
from importlib.metadata import entry_points
from typing import Callable, Generic, Iterator, TypeVar

from netbend.errors import NetbendError

_logger = logging.getLogger(__name__)

T = TypeVar("T")


class Registry(Generic[T]):
    """A named collection of factories of one kind.

    Args:
        kind: What the entries are, for error messages ("generator", "module").
        entry_point_group: Python entry-point group that third-party packages use
            to add entries, or None for no plug-ins.
    """

    def __init__(self, kind: str, entry_point_group: str | None = None) -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._entries: dict[str, T] = {}
        self._plugins_loaded = entry_point_group is None

    def register(self, name: str) -> Callable[[T], T]:
        """Return a decorator that adds the decorated factory under ``name``."""

        def decorator(factory: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._entries[name] = factory
            return factory

        return decorator

    def get(self, name: str) -> T:
        """Return the factory registered as ``name``.

        Raises:
            NetbendError: ``name`` is unknown; the message lists the known names.
        """
        if name not in self._entries:
            self._load_plugins()
        if name not in self._entries:
            known = ", ".join(self.names())
            close = difflib.get_close_matches(name, self.names(), n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise NetbendError(f"unknown {self.kind} {name!r}.{hint} Known: {known}.")
        return self._entries[name]

    def names(self) -> list[str]:
        """Return the registered names, sorted."""
        self._load_plugins()
        return sorted(self._entries)

    def __contains__(self, name: str) -> bool:
        self._load_plugins()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for entry in entry_points(group=self.entry_point_group):
            if entry.name in self._entries:
                _logger.warning("plug-in %s %r ignored: the name is taken", self.kind, entry.name)
                continue
            try:
                self._entries[entry.name] = entry.load()
            except Exception as error:  # a broken plug-in must not break the built-ins
                _logger.warning("plug-in %s %r failed to load: %s", self.kind, entry.name, error)
                continue
            _logger.info("loaded %s %r from plug-in %s", self.kind, entry.name, entry.value)
