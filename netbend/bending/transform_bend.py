"""Build and save bends made of deterministic transforms, from text specs.

A transform spec is ``NAME[:PARAM[,PARAM...]][@SELECTION]``, for example
``rotate:30@cluster:2``, ``threshold:0.5@channels:0-31`` or
``translate:x=0.25,padding=border``. Parameters are positional in the order the
transform lists them, or ``key=value``. SELECTION follows the grammar of
``netbend.bending.transforms.channels`` and defaults to all channels. Several
specs chain in order at one layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from netbend.analysis.clusters import ChannelClusters
from netbend.bending import MODULES, BendPoint, BentGenerator
from netbend.bending.transforms.base import TransformBend, TransformParameter
from netbend.bending.transforms.channels import resolve_selection
from netbend.errors import NetbendError
from netbend.generators import GeneratorAdapter
from netbend.storage.bend_folder import save_bend
from netbend.storage.cluster_file import CLUSTERS_FILE, check_clusters_match, save_clusters


@dataclass(frozen=True)
class TransformSpec:
    """A parsed transform spec, before its selection is resolved against a layer.

    Attributes:
        text: The spec as written.
        name: Transform name (a key of ``MODULES``).
        values: Parameter values, converted to their types.
        selection: The selection after ``@``, or ``all``.
    """

    text: str
    name: str
    values: dict
    selection: str


def transform_names() -> list[str]:
    """Return the names in ``MODULES`` that are deterministic transforms, sorted."""
    names = []
    for name in MODULES.names():
        entry = MODULES.get(name)
        if isinstance(entry, type) and issubclass(entry, TransformBend):
            names.append(name)
    return names


def transform_usage(name: str) -> str:
    """Return ``name:param,param=default`` for messages and help."""
    cls = MODULES.get(name)
    if not cls.parameters:
        return name
    return f"{name}:" + ",".join(parameter.usage() for parameter in cls.parameters)


def convert_value(name: str, parameter: TransformParameter, text: str):
    """Convert one parameter's text to its type, raising NetbendError that names the value."""
    text = text.strip()
    if parameter.type is float:
        try:
            value = float(text)
        except ValueError:
            raise NetbendError(f"{name} parameter {parameter.name}={text!r} is not a number ({parameter.help})") from None
        if not math.isfinite(value):
            raise NetbendError(f"{name} parameter {parameter.name} must be a finite number, got {text!r}")
        return value
    if parameter.type is int:
        try:
            return int(text)
        except ValueError:
            raise NetbendError(
                f"{name} parameter {parameter.name}={text!r} is not a whole number ({parameter.help})"
            ) from None
    if parameter.choices is not None and text not in parameter.choices:
        raise NetbendError(
            f"{name} parameter {parameter.name}={text!r} is invalid; choose one of: {', '.join(parameter.choices)}"
        )
    return text


def parse_transform_spec(text: str) -> TransformSpec:
    """Parse ``NAME[:PARAM[,PARAM...]][@SELECTION]``.

    Raises:
        NetbendError: unknown transform (the message lists the valid ones),
            too many, missing, unknown or malformed parameters.
    """
    head, _, selection = text.strip().partition("@")
    name, _, arguments = head.partition(":")
    name = name.strip()
    valid = transform_names()
    if name not in valid:
        raise NetbendError(f"unknown transform {name!r} in {text!r}; valid transforms: {', '.join(valid)}")
    parameters = MODULES.get(name).parameters
    by_name = {parameter.name: parameter for parameter in parameters}

    # Positional values first, in the transform's parameter order, then key=value.
    values: dict = {}
    items = [item for item in arguments.split(",") if item.strip()] if arguments else []
    for position, item in enumerate(items):
        key, sep, value = item.partition("=")
        if sep:
            key = key.strip()
            if key not in by_name:
                accepted = ", ".join(by_name) or "none"
                raise NetbendError(f"transform {name} has no parameter {key!r}; it takes: {accepted}")
        else:
            if any("=" in earlier for earlier in items[:position]):
                raise NetbendError(f"in {text!r} a positional value follows a key=value; write positional values first")
            if position >= len(parameters):
                raise NetbendError(
                    f"transform {name} takes at most {len(parameters)} parameters ({transform_usage(name)}), "
                    f"got {len(items)} in {text!r}"
                )
            key, value = parameters[position].name, item
        if key in values:
            raise NetbendError(f"transform {name} parameter {key} is given twice in {text!r}")
        values[key] = convert_value(name, by_name[key], value)

    missing = [parameter.name for parameter in parameters if parameter.required and parameter.name not in values]
    if missing:
        raise NetbendError(f"transform {name} needs {', '.join(missing)}: write it as {transform_usage(name)}")
    return TransformSpec(text=text.strip(), name=name, values=values, selection=selection.strip() or "all")


def build_transform(
    spec: TransformSpec | str, layer: str, shape: tuple[int, int, int], clusters: ChannelClusters | None = None
) -> TransformBend:
    """Build the transform module ``spec`` describes for ``layer`` with activation ``shape`` (C, H, W).

    Raises:
        NetbendError: an invalid spec or a selection that does not fit the layer.
    """
    if isinstance(spec, str):
        spec = parse_transform_spec(spec)
    selection = resolve_selection(spec.selection, shape[0], clusters, layer=f"layer {layer}")
    indices = None if selection.indices is None else list(selection.indices)
    return MODULES.get(spec.name)(shape[0], **spec.values, indices=indices, selection=selection.spec)


def build_transform_bend(
    generator: GeneratorAdapter,
    layer: str,
    specs: list[str],
    clusters: ChannelClusters | None = None,
    strength: float = 1.0,
) -> BentGenerator:
    """Attach a chain of transforms, applied in the order of ``specs``, at ``layer``.

    Args:
        generator: The generator to bend.
        layer: Insertion point.
        specs: Transform specs, at least one.
        clusters: Channel clusters of ``layer``, needed for ``@cluster:N`` selections.
        strength: Initial blend between the original (0) and the transformed (1) activation.

    Raises:
        NetbendError: no specs, an invalid spec, or clusters made for another generator or layer.
    """
    if not specs:
        raise NetbendError("a transform bend needs at least one transform, for example --transform rotate:30")
    shape = tuple(generator.insertion_point(layer).shape)
    if clusters is not None:
        check_clusters_match(clusters, generator.spec, layer, shape)
    chain = [build_transform(spec, layer, shape, clusters) for spec in specs]
    bent = BentGenerator(generator, [BendPoint(layer, shape, chain)], strength=strength)

    # The channel indices are buffers, so they must sit on the generator's device.
    return bent.to(generator.device)


def uses_clusters(bent: BentGenerator) -> bool:
    """Return True if any transform of ``bent`` selects its channels by cluster."""
    for point in bent.points:
        for module in point.chain:
            if isinstance(module, TransformBend) and module.selection.startswith("cluster:"):
                return True
    return False


def save_transform_bend(
    bent: BentGenerator, folder: str | Path, specs: list[str], clusters: ChannelClusters | None = None
) -> Path:
    """Write a transform bend's folder: the manifest, empty weights and, if used, ``clusters.json``.

    The manifest records the specs as written under ``transforms``. Every module's
    config already contains its resolved channel indices, so loading the folder
    needs no cluster file. The copy of the clusters is kept for the record and
    for building further bends from the same assignment.

    Returns:
        The manifest path.
    """
    cluster_file = None
    if clusters is not None and uses_clusters(bent):
        save_clusters(clusters, folder)
        cluster_file = CLUSTERS_FILE
    layers = [point.layer for point in bent.points]
    extra = {"transforms": {"layers": layers, "specs": list(specs), "clusters": cluster_file}}
    return save_bend(bent, folder, extra=extra)
