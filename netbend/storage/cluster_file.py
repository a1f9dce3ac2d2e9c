"""``clusters.json``: a saved channel-cluster assignment.

The file is key-sorted JSON with the format and its version, the netbend version
that computed it, the generator spec, layer, activation shape, k, the seed, the
number of latents and ``assignment`` (a cluster id per channel). ``netbend
clusters`` writes it, and ``netbend bend`` copies it into each bend folder that
selects channels by cluster.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from netbend.analysis.clusters import ChannelClusters
from netbend.errors import NetbendError
from netbend.storage.bend_folder import prepare_folder, write_json
from netbend.version import __version__

_logger = logging.getLogger(__name__)

FORMAT = "netbend.clusters"
FORMAT_VERSION = 1
CLUSTERS_FILE = "clusters.json"


def clusters_to_json(clusters: ChannelClusters) -> dict:
    """Return the JSON form of ``clusters``, stamped with format and version."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "netbend_version": clusters.netbend_version,
        "generator": clusters.generator,
        "layer": clusters.layer,
        "shape": list(clusters.shape),
        "k": clusters.k,
        "seed": clusters.seed,
        "latents": clusters.latents,
        "assignment": list(clusters.assignment),
    }


def save_clusters(clusters: ChannelClusters, folder: str | Path) -> Path:
    """Write ``clusters`` as ``clusters.json`` in ``folder`` (created if missing) and return the path."""
    path = prepare_folder(folder) / CLUSTERS_FILE
    write_json(path, clusters_to_json(clusters))
    return path


def load_clusters(path: str | Path) -> ChannelClusters:
    """Read a ``clusters.json``, given the file or the folder that contains it.

    Raises:
        NetbendError: missing file, invalid JSON, another format, a newer format
            version, or an assignment that does not fit the recorded shape and k.
    """
    path = Path(path)
    if path.is_dir():
        path = path / CLUSTERS_FILE
    if not path.is_file():
        raise NetbendError(f"cluster file {path} is missing; run `netbend clusters --out FOLDER` and pass that folder")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise NetbendError(f"cluster file {path} is not valid JSON ({error}); run `netbend clusters` again") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NetbendError(f"{path} is not a netbend cluster file (format {FORMAT!r} expected)")
    if data.get("format_version", 0) > FORMAT_VERSION:
        raise NetbendError(
            f"cluster file {path} uses format version {data['format_version']}, newer than this netbend "
            f"({__version__}) reads; upgrade netbend"
        )

    try:
        clusters = ChannelClusters(
            generator=str(data["generator"]),
            layer=str(data["layer"]),
            shape=tuple(int(size) for size in data["shape"]),
            assignment=[int(label) for label in data["assignment"]],
            seed=int(data["seed"]),
            latents=int(data["latents"]),
            netbend_version=str(data["netbend_version"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise NetbendError(f"cluster file {path} is incomplete or malformed ({error!r}); run `netbend clusters` again") from error
    check_assignment(clusters, int(data.get("k", -1)), path)
    if clusters.netbend_version != __version__:
        _logger.warning(
            "cluster file %s was written by netbend %s, this is %s; the assignment is used as saved",
            path,
            clusters.netbend_version,
            __version__,
        )
    return clusters


def check_assignment(clusters: ChannelClusters, k: int, path: Path) -> None:
    """Raise NetbendError unless the assignment has one id per channel and uses every id 0 .. k - 1."""
    channels = clusters.shape[0]
    if len(clusters.assignment) != channels:
        raise NetbendError(
            f"cluster file {path} assigns {len(clusters.assignment)} channels but its layer has {channels}; "
            "the file is corrupt, run `netbend clusters` again"
        )
    if sorted(set(clusters.assignment)) != list(range(k)):
        raise NetbendError(
            f"cluster file {path} must use every cluster id from 0 to {k - 1}, found {sorted(set(clusters.assignment))}; "
            "the file is corrupt, run `netbend clusters` again"
        )


def check_clusters_match(clusters: ChannelClusters, generator_spec: str, layer: str, shape: tuple[int, int, int]) -> None:
    """Raise NetbendError unless ``clusters`` was computed for this generator, layer and activation shape."""
    if clusters.generator != generator_spec or clusters.layer != layer:
        raise NetbendError(
            f"the clusters were computed for layer {clusters.layer!r} of generator {clusters.generator!r}, "
            f"not layer {layer!r} of {generator_spec!r}; run `netbend clusters --generator {generator_spec} "
            f"--layer {layer}` first"
        )
    if tuple(clusters.shape) != tuple(shape):
        raise NetbendError(
            f"the clusters were computed for activations of shape {list(clusters.shape)} but layer {layer!r} "
            f"now outputs {list(shape)}; run `netbend clusters` again"
        )
