"""Locate weight files that ship inside installed PyPI packages."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from netbend.errors import NetbendError


def package_file(package: str, relative_path: str, install_hint: str) -> Path:
    """Return the path of a data file inside an installed package, without importing it.

    Importing some weight-carrying packages pulls in heavy, unused dependencies, so
    only the package's location is looked up.

    Raises:
        NetbendError: the package is not installed or the file is missing.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise NetbendError(f"package {package!r} is not installed. Install it with: {install_hint}")
    path = Path(next(iter(spec.submodule_search_locations))) / relative_path
    if not path.is_file():
        raise NetbendError(f"weights file {path} is missing from package {package!r}. Reinstall it with: {install_hint}")
    return path
