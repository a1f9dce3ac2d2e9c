"""Checks on output files, run before any long work so a bad path fails fast."""

from __future__ import annotations

from pathlib import Path

from netbend.errors import NetbendError
from netbend.storage.bend_folder import prepare_folder


def check_output_file(path: str | Path, suffixes: tuple[str, ...], kind: str = "output") -> Path:
    """Check that ``path`` has one of ``suffixes`` and that its folder is writable.

    Creates the parent folder when it is missing.

    Raises:
        NetbendError: another suffix, a folder in the way, or an unwritable parent.
    """
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        suffix = path.suffix or "no suffix"
        raise NetbendError(f"unknown {kind} format {suffix!r} for {path}; name the file with {' or '.join(suffixes)}")
    if path.is_dir():
        raise NetbendError(f"{kind} {path} is a folder; pass a file name such as {path / ('out' + suffixes[0])}")
    prepare_folder(path.parent)
    return path
