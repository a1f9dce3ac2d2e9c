"""Channel selections: which channels of a layer a transform applies to.

Grammar (the part after ``@`` in a transform spec):

- ``all``: every channel (also the default when no selection is given).
- ``channels:0-31,40,42``: indices and inclusive ranges, counted from 0.
- ``fraction:0.25`` or ``fraction:0.25:seed=3``: a random quarter of the
  channels, at least one. The same fraction and seed always give the same
  channels for a given channel count.
- ``cluster:2``: the channels of cluster 2 in a channel-cluster assignment made
  by ``netbend clusters`` for the same generator and layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from netbend.errors import NetbendError

if TYPE_CHECKING:
    from netbend.analysis.clusters import ChannelClusters

SELECTION_FORMS = "all, channels:0-31,40, fraction:0.25[:seed=3] or cluster:2"


@dataclass(frozen=True)
class ChannelSelection:
    """A resolved selection.

    Attributes:
        spec: The selection as written, normalised (``all`` when none was given).
        indices: Sorted channel indices, or None for all channels.
        cluster: The cluster id for a ``cluster:N`` selection, else None.
    """

    spec: str
    indices: tuple[int, ...] | None
    cluster: int | None = None


def parse_index_list(text: str, channels: int, layer: str = "the layer") -> list[int]:
    """Parse ``0-31,40,42`` into sorted unique indices, each below ``channels``.

    Raises:
        NetbendError: a malformed item, a reversed range, or an index outside
            0 .. channels - 1 (the message gives the layer's channel count).
    """
    indices: set[int] = set()
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        first, dash, last = item.partition("-")
        try:
            start = int(first)
            stop = int(last) if dash else start
        except ValueError:
            raise NetbendError(
                f"channel list item {item!r} is not an index or a range; write indices and ranges like 0-31,40,42"
            ) from None
        if stop < start:
            raise NetbendError(f"channel range {item!r} runs backwards; write it as {stop}-{start}")
        if start < 0 or stop >= channels:
            bad = start if start < 0 else stop
            raise NetbendError(
                f"channel {bad} is out of range: {layer} has {channels} channels, numbered 0-{channels - 1}"
            )
        indices.update(range(start, stop + 1))
    if not indices:
        raise NetbendError(f"channel list {text!r} selects no channels; write indices and ranges like 0-31,40,42")
    return sorted(indices)


def format_index_list(indices: list[int]) -> str:
    """Write sorted unique indices in the short form ``parse_index_list`` reads, such as ``0-31,40,42``."""
    parts = []
    start = previous = indices[0]
    for index in [*indices[1:], None]:
        if index is not None and index == previous + 1:
            previous = index
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if index is not None:
            start = previous = index
    return ",".join(parts)


def random_fraction(channels: int, fraction: float, seed: int) -> list[int]:
    """Return ``round(fraction * channels)`` channels (at least 1), drawn without replacement from ``seed``, sorted.

    Raises:
        NetbendError: ``fraction`` is not in (0, 1].
    """
    if not 0 < fraction <= 1:
        raise NetbendError(f"channel fraction must be above 0 and at most 1, got {fraction}; for example fraction:0.25")
    count = max(1, round(fraction * channels))
    order = torch.randperm(channels, generator=torch.Generator().manual_seed(int(seed)))
    return sorted(order[:count].tolist())


def parse_fraction(argument: str) -> tuple[float, int]:
    """Parse ``0.25`` or ``0.25:seed=3`` into (fraction, seed); the seed defaults to 0."""
    value, _, rest = argument.partition(":")
    seed = 0
    if rest:
        key, sep, seed_text = rest.partition("=")
        if key.strip() != "seed" or not sep:
            raise NetbendError(f"fraction option {rest!r} is invalid; the only option is seed, as in fraction:0.25:seed=3")
        try:
            seed = int(seed_text)
        except ValueError:
            raise NetbendError(f"fraction seed {seed_text!r} is not a whole number; write fraction:0.25:seed=3") from None
    try:
        fraction = float(value)
    except ValueError:
        raise NetbendError(f"channel fraction {value!r} is not a number; write fraction:0.25") from None
    return fraction, seed


def resolve_selection(
    spec: str | None, channels: int, clusters: "ChannelClusters | None" = None, layer: str = "the layer"
) -> ChannelSelection:
    """Resolve a selection spec to channel indices for a layer with ``channels`` channels.

    Args:
        spec: The selection (see the module docstring); None or empty means all.
        channels: The layer's channel count.
        clusters: The channel clusters of this layer, needed for ``cluster:N``.
        layer: The layer's name, for error messages.

    Raises:
        NetbendError: unknown form, malformed argument, index out of range,
            ``cluster:N`` without clusters or with an unknown id.
    """
    text = (spec or "all").strip()
    if text == "all":
        return ChannelSelection("all", None)

    form, sep, argument = text.partition(":")
    if not sep or not argument:
        raise NetbendError(f"channel selection {text!r} is invalid; use one of: {SELECTION_FORMS}")

    if form == "channels":
        return ChannelSelection(text, tuple(parse_index_list(argument, channels, layer)))

    if form == "fraction":
        fraction, seed = parse_fraction(argument)
        return ChannelSelection(f"fraction:{fraction}:seed={seed}", tuple(random_fraction(channels, fraction, seed)))

    if form == "cluster":
        try:
            cluster = int(argument)
        except ValueError:
            raise NetbendError(f"cluster id {argument!r} is not a whole number; write cluster:2") from None
        if clusters is None:
            raise NetbendError(
                f"selection {text!r} needs the layer's channel clusters; run `netbend clusters` for {layer} "
                "and pass its output folder with --clusters"
            )
        return ChannelSelection(f"cluster:{cluster}", tuple(clusters.channels_of(cluster)), cluster)

    raise NetbendError(f"unknown channel selection {form!r} in {text!r}; use one of: {SELECTION_FORMS}")
