"""Bend folders: the saved form of a bend, trained or not.

A bend folder holds:

- ``manifest.json``: key-sorted JSON with the format version, the netbend version,
  the generator spec, every bend point (layer, activation shape, module types and
  configs), and, for trained bends, the objectives and training settings. It is
  enough to rebuild the bend and to reproduce the training run.
- ``bend.safetensors``: the modules' tensors, keyed ``I.chain.J.NAME`` (point I,
  module J of its chain).

Training runs add ``losses.csv``, ``metrics.json`` and ``grid.png`` beside them.
Nothing here unpickles; loading a folder runs no code from it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from netbend.bending import BendPoint, BentGenerator, build_module
from netbend.errors import NetbendError
from netbend.generators import GeneratorAdapter, load_generator
from netbend.storage.hashing import file_sha256
from netbend.version import __version__

_logger = logging.getLogger(__name__)

FORMAT = "netbend.bend"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
WEIGHTS = "bend.safetensors"


def write_json(path: Path, data: dict) -> None:
    """Write key-sorted, indented JSON with a trailing newline."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def prepare_folder(folder: str | Path) -> Path:
    """Create ``folder`` (and parents) and check that it is writable.

    Raises:
        NetbendError: the folder cannot be created or written.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".netbend-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise NetbendError(f"cannot write to output folder {folder}: {error.strerror or error}; choose another --out") from error
    return folder


def save_bend(bent: BentGenerator, folder: str | Path, extra: dict | None = None) -> Path:
    """Write ``bent``'s manifest and weights into ``folder``.

    Args:
        bent: The bend to save.
        folder: Created if missing.
        extra: More manifest entries (objectives, training settings).

    Returns:
        The manifest path.
    """
    folder = prepare_folder(folder)
    tensors = {name: tensor.detach().cpu().contiguous() for name, tensor in bent.points.state_dict().items()}
    weights_path = folder / WEIGHTS
    save_file(tensors, str(weights_path), metadata={"format": FORMAT, "netbend_version": __version__})

    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "netbend_version": __version__,
        **bent.config(),
        "weights": {"file": WEIGHTS, "sha256": file_sha256(weights_path)},
        **(extra or {}),
    }
    manifest_path = folder / MANIFEST
    write_json(manifest_path, manifest)
    return manifest_path


def read_manifest(folder: str | Path) -> dict:
    """Read and check a bend folder's manifest.

    Raises:
        NetbendError: missing folder or manifest, invalid JSON, or another format.
    """
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.is_dir():
        raise NetbendError(f"bend folder {folder} does not exist; pass the --out folder of `netbend train` or `netbend bend`")
    if not path.is_file():
        raise NetbendError(f"{folder} is not a bend folder: {MANIFEST} is missing")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise NetbendError(f"manifest {path} is not valid JSON ({error}); the bend folder is corrupt") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise NetbendError(f"manifest {path} is not a netbend bend manifest (format {FORMAT!r} expected)")
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise NetbendError(
            f"bend folder {folder} uses format version {manifest['format_version']}, newer than this netbend "
            f"({__version__}) reads; upgrade netbend"
        )
    return manifest


def build_points(manifest: dict, generator: GeneratorAdapter) -> list[BendPoint]:
    """Rebuild the bend points a manifest describes, with freshly initialised modules."""
    points = []
    for entry in manifest.get("points", []):
        layer = entry["layer"]
        shape = tuple(generator.insertion_point(layer).shape)
        if list(shape) != list(entry["shape"]):
            raise NetbendError(
                f"layer {layer!r} of generator {generator.spec!r} outputs {list(shape)}, but the bend was made "
                f"for {entry['shape']}; load it with the generator it was made for"
            )
        chain = []
        for module in entry["chain"]:
            config = dict(module["config"])
            channels = config.pop("channels", shape[0])
            chain.append(build_module(module["type"], channels, config))
        points.append(BendPoint(layer, shape, chain))
    return points


def load_bend(folder: str | Path, generator: GeneratorAdapter | None = None, device: str | None = None) -> tuple[BentGenerator, dict]:
    """Load a bend folder onto its generator.

    Args:
        folder: A folder written by ``save_bend``.
        generator: The generator to bend; by default the one the manifest names.
        device: Where to put generator and modules.

    Returns:
        The bent generator (in eval mode) and the manifest.

    Raises:
        NetbendError: missing or corrupt folder, weights that do not match the manifest.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    if generator is None:
        generator = load_generator(manifest["generator"], device=device)
    bent = BentGenerator(generator, build_points(manifest, generator))

    weights_path = folder / manifest.get("weights", {}).get("file", WEIGHTS)
    if not weights_path.is_file():
        raise NetbendError(f"bend weights {weights_path} are missing; the bend folder is incomplete")
    try:
        tensors = load_file(str(weights_path))
    except (SafetensorError, OSError, ValueError) as error:
        raise NetbendError(f"bend weights {weights_path} are corrupt ({error}); retrain or restore the folder") from error
    expected = bent.points.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    if missing or unexpected:
        raise NetbendError(
            f"bend weights {weights_path} do not match the manifest (missing {missing[:5]}, unexpected {unexpected[:5]})"
        )
    for name, tensor in tensors.items():
        if tensor.shape != expected[name].shape:
            raise NetbendError(
                f"bend weights {weights_path}: tensor {name} has shape {tuple(tensor.shape)}, "
                f"the manifest's module needs {tuple(expected[name].shape)}"
            )
    bent.points.load_state_dict(tensors)
    if device is not None:
        bent.to(device)
    bent.eval()
    _logger.info("loaded bend %s (%d points) onto generator %s", folder, len(bent.points), generator.spec)
    return bent, manifest
