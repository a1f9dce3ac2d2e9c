"""Looking inside a generator: layer activations, channel clusters and contact sheets."""

from netbend.analysis.activations import layer_activations
from netbend.analysis.clusters import ChannelClusters, cluster_channels, find_clusters

__all__ = ["ChannelClusters", "cluster_channels", "find_clusters", "layer_activations"]
