"""Channel clustering on activations with a known grouping, on the face generator, and its file."""

from __future__ import annotations

import json

import pytest
import torch

from netbend.analysis.clusters import ChannelClusters, cluster_channels, find_clusters
from netbend.errors import NetbendError
from netbend.storage.cluster_file import check_clusters_match, load_clusters, save_clusters


def grouped_activations(groups: list[int], latents: int = 12, size: int = 8, seed: int = 0) -> torch.Tensor:
    """Build N x C x size x size activations where the channels of one group share a blob per latent.

    Every group draws one random blob position per latent. Its channels show that
    blob with their own gain, which spans a factor of 100, plus weak noise. So only
    the location, not the strength, ties a channel to its group.
    """
    generator = torch.Generator().manual_seed(seed)
    ys, xs = torch.meshgrid(torch.arange(size, dtype=torch.float32), torch.arange(size, dtype=torch.float32), indexing="ij")
    group_count = max(groups) + 1
    centres = torch.rand(latents, group_count, 2, generator=generator) * (size - 1)
    activations = torch.zeros(latents, len(groups), size, size)
    for channel, group in enumerate(groups):
        gain = 10 ** (torch.rand(1, generator=generator).item() * 2 - 1)
        for latent in range(latents):
            cy, cx = centres[latent, group]
            blob = torch.exp(-((ys - cy) ** 2 + (xs - cx) ** 2) / 2.0)
            noise = 0.02 * torch.rand(size, size, generator=generator)
            activations[latent, channel] = gain * (blob + noise)
    return activations


def same_partition(found: list[int], expected: list[int]) -> bool:
    """True if the two labelings group the channels identically, whatever the ids."""
    pairs = set(zip(found, expected))
    return len(pairs) == len(set(found)) == len(set(expected))


def test_recovers_known_grouping():
    groups = [0, 1, 2, 0, 1, 2, 2, 0, 1, 1, 0, 2]
    found = cluster_channels(grouped_activations(groups), k=3, seed=0)
    assert same_partition(found, groups)


def test_ids_ordered_by_size():
    groups = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2]
    found = cluster_channels(grouped_activations(groups), k=3, seed=0)
    assert found == groups


def test_dead_channels_group_together():
    activations = grouped_activations([0, 1, 0, 1, 0, 1])
    activations[:, [0, 3]] = 0.0
    found = cluster_channels(activations, k=3, seed=0)
    assert found[0] == found[3]


def test_too_few_patterns_for_k():
    with pytest.raises(NetbendError, match="only 1 distinct activation patterns"):
        cluster_channels(torch.zeros(4, 6, 5, 5), k=2)


def test_k_above_channel_count():
    with pytest.raises(NetbendError, match="between 1 and the layer's 6 channels, got 7"):
        cluster_channels(torch.rand(4, 6, 5, 5), k=7)


def test_faces_clusters_cover_layer(faces):
    clusters, latents, activations = find_clusters(faces, "main.8", k=4, latents=16, seed=0)
    assert len(clusters.assignment) == 128
    assert sorted(set(clusters.assignment)) == [0, 1, 2, 3]
    assert activations.shape == (16, 128, 16, 16)
    assert latents.shape[0] == 16


def test_faces_clusters_reproducible(faces):
    first, _, _ = find_clusters(faces, "main.8", k=4, latents=16, seed=1)
    second, _, _ = find_clusters(faces, "main.8", k=4, latents=16, seed=1)
    assert first.assignment == second.assignment


def test_file_round_trip(tmp_path):
    clusters = ChannelClusters("faces", "main.8", (4, 16, 16), [1, 0, 1, 0], seed=3, latents=32)
    save_clusters(clusters, tmp_path)
    assert load_clusters(tmp_path) == clusters


def test_file_has_version_stamp(tmp_path):
    clusters = ChannelClusters("faces", "main.8", (4, 16, 16), [1, 0, 1, 0], seed=3, latents=32)
    data = json.loads(save_clusters(clusters, tmp_path).read_text())
    assert data["format"] == "netbend.clusters"
    assert data["format_version"] == 1
    assert data["netbend_version"] == clusters.netbend_version
    assert data["k"] == 2


def test_missing_file(tmp_path):
    with pytest.raises(NetbendError, match="cluster file .* is missing"):
        load_clusters(tmp_path)


def test_newer_format_rejected(tmp_path):
    clusters = ChannelClusters("faces", "main.8", (2, 16, 16), [0, 1], seed=0, latents=8)
    path = save_clusters(clusters, tmp_path)
    data = json.loads(path.read_text())
    data["format_version"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(NetbendError, match="newer than this netbend"):
        load_clusters(path)


def test_corrupt_assignment_rejected(tmp_path):
    clusters = ChannelClusters("faces", "main.8", (3, 16, 16), [0, 1, 1], seed=0, latents=8)
    path = save_clusters(clusters, tmp_path)
    data = json.loads(path.read_text())
    data["assignment"] = [0, 1]
    path.write_text(json.dumps(data))
    with pytest.raises(NetbendError, match="assigns 2 channels but its layer has 3"):
        load_clusters(path)


def test_mismatched_layer_rejected():
    clusters = ChannelClusters("faces", "main.5", (256, 8, 8), [0, 1] * 128, seed=0, latents=8)
    with pytest.raises(NetbendError, match="computed for layer 'main.5'"):
        check_clusters_match(clusters, "faces", "main.8", (128, 16, 16))
