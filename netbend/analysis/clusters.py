"""Group a layer's channels by how alike their spatial activation maps are.

This follows the channel clustering of Broad, Fol Leymarie and Grierson (2020,
arXiv 2005.12420). Channels whose maps light up in the same places, such as the
ones that draw the eyes, end up in one cluster, so a transform can target them
together. Their code describes each map with features from a small CNN trained
for the purpose. netbend uses the normalised maps themselves over many latents,
so no extra model is needed, and groups them with scikit-learn's k-means.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning

from netbend.analysis.activations import layer_activations
from netbend.errors import NetbendError
from netbend.generators import GeneratorAdapter
from netbend.version import __version__

_logger = logging.getLogger(__name__)

# k-means restarts from this many seeded initialisations and keeps the best.
# The descriptions are only C points, so 10 restarts cost well under a second.
KMEANS_INITS = 10


@dataclass
class ChannelClusters:
    """A cluster id for every channel of one layer of one generator.

    Attributes:
        generator: Generator spec the clusters were computed on.
        layer: Layer name.
        shape: Activation shape (C, H, W) at that layer.
        assignment: Cluster id of each channel, ``assignment[c]`` for channel c.
            Ids run from 0 to k - 1, ordered by cluster size, largest first.
        seed: Seed of the latents and of k-means.
        latents: Number of latents the activations came from.
        netbend_version: netbend version that computed the clusters.
    """

    generator: str
    layer: str
    shape: tuple[int, int, int]
    assignment: list[int]
    seed: int
    latents: int
    netbend_version: str = field(default=__version__)

    @property
    def k(self) -> int:
        return max(self.assignment) + 1

    def sizes(self) -> list[int]:
        """Return the number of channels in each cluster, by id."""
        return [self.assignment.count(cluster) for cluster in range(self.k)]

    def channels_of(self, cluster: int) -> list[int]:
        """Return the channels in ``cluster``, sorted.

        Raises:
            NetbendError: no cluster has that id.
        """
        if not 0 <= cluster < self.k:
            raise NetbendError(
                f"cluster {cluster} does not exist: the clusters of {self.layer} on {self.generator!r} "
                f"have ids 0-{self.k - 1}"
            )
        return [channel for channel, label in enumerate(self.assignment) if label == cluster]


def channel_features(activations: torch.Tensor) -> np.ndarray:
    """Describe each channel by its activation maps over all latents, C x (N * H * W).

    Each map (one latent, one channel) is scaled to unit L2 norm before the maps
    of a channel are concatenated. Channels differ in gain by orders of magnitude,
    and the scaling removes gain, so distances compare where a channel fires,
    not how strongly. Scaling per latent, rather than over all latents, keeps a
    few strongly activated latents from deciding the clusters alone. Maps are not
    centred, because on a ReLU layer zero means "nothing drawn here". An all-zero
    map stays zero, so dead channels fall together.
    """
    count, channels, height, width = activations.shape
    maps = activations.permute(1, 0, 2, 3).reshape(channels, count, height * width).float()
    norms = maps.norm(dim=2, keepdim=True)
    maps = torch.where(norms > 0, maps / norms.clamp_min(1e-12), torch.zeros_like(maps))

    # Divide by sqrt(N) so every description has a norm of at most 1.
    return (maps.reshape(channels, count * height * width) / np.sqrt(count)).numpy()


def cluster_channels(activations: torch.Tensor, k: int, seed: int = 0) -> list[int]:
    """Cluster the channels of ``activations`` (N x C x H x W) into ``k`` groups.

    Returns:
        A cluster id per channel; ids are ordered by cluster size, largest first,
        ties broken by the lowest channel index in the cluster.

    Raises:
        NetbendError: ``k`` is not between 1 and C, or the channels have fewer
            than ``k`` distinct activation patterns.
    """
    channels = activations.shape[1]
    if not 1 <= k <= channels:
        raise NetbendError(f"the number of clusters must be between 1 and the layer's {channels} channels, got {k}")
    features = channel_features(activations)

    with warnings.catch_warnings():
        # Duplicate descriptions (dead channels) leave clusters empty; checked below.
        warnings.simplefilter("ignore", ConvergenceWarning)
        labels = KMeans(n_clusters=k, n_init=KMEANS_INITS, random_state=seed).fit_predict(features)
    found = len(set(labels.tolist()))
    if found < k:
        raise NetbendError(
            f"the {channels} channels have only {found} distinct activation patterns, too few for {k} clusters; "
            f"use --k {found} or fewer"
        )

    # Renumber: largest cluster first, then by its first channel.
    members = {label: np.flatnonzero(labels == label) for label in range(k)}
    order = sorted(members, key=lambda label: (-len(members[label]), members[label][0]))
    renumber = {old: new for new, old in enumerate(order)}
    return [renumber[label] for label in labels.tolist()]


def find_clusters(
    generator: GeneratorAdapter,
    layer: str,
    k: int,
    latents: int = 256,
    seed: int = 0,
    batch: int = 64,
    progress: bool = False,
) -> tuple[ChannelClusters, torch.Tensor, torch.Tensor]:
    """Sample latents, record ``layer``'s activations and cluster its channels.

    Args:
        generator: The generator.
        layer: Insertion point to analyse.
        k: Number of clusters.
        latents: Number of latents to sample.
        seed: Seed of the latents and of k-means.
        batch: Latents per forward pass.
        progress: Show a progress bar over latent batches.

    Returns:
        The clusters, the latents (N x latent shape) and the activations
        (N x C x H x W, CPU float32).

    Raises:
        NetbendError: unknown layer, ``latents`` below 1 or invalid ``k``.
    """
    if latents < 1:
        raise NetbendError(f"clustering needs at least 1 latent, got {latents}")
    shape = tuple(generator.insertion_point(layer).shape)
    if not 1 <= k <= shape[0]:
        raise NetbendError(f"the number of clusters must be between 1 and the {shape[0]} channels of {layer}, got {k}")
    samples = generator.sample_latents(latents, torch.Generator().manual_seed(seed))
    activations, _ = layer_activations(generator, layer, samples, batch=batch, progress=progress)
    assignment = cluster_channels(activations, k, seed)
    clusters = ChannelClusters(
        generator=generator.spec, layer=layer, shape=shape, assignment=assignment, seed=seed, latents=latents
    )
    _logger.info("clustered %d channels of %s into %d clusters of sizes %s", shape[0], layer, k, clusters.sizes())
    return clusters, samples, activations
