"""Channel selections: index lists, reproducible random fractions and clusters."""

from __future__ import annotations

import pytest

from netbend.analysis.clusters import ChannelClusters
from netbend.bending import build_module
from netbend.bending.transforms.channels import format_index_list, parse_index_list, resolve_selection
from netbend.errors import NetbendError


def make_clusters(assignment: list[int]) -> ChannelClusters:
    return ChannelClusters(
        generator="faces", layer="main.8", shape=(len(assignment), 16, 16), assignment=assignment, seed=0, latents=8
    )


def test_all_is_none():
    assert resolve_selection("all", 8).indices is None


def test_empty_means_all():
    assert resolve_selection(None, 8).spec == "all"


def test_index_list_and_ranges():
    assert parse_index_list("0-3,7,5", 8) == [0, 1, 2, 3, 5, 7]


def test_index_list_duplicates_merged():
    assert parse_index_list("2,1-3,2", 8) == [1, 2, 3]


def test_channels_selection():
    selection = resolve_selection("channels:0-31", 128)
    assert selection.indices == tuple(range(32))


def test_index_out_of_range_names_count():
    with pytest.raises(NetbendError, match="layer main.8 has 128 channels, numbered 0-127"):
        resolve_selection("channels:0-128", 128, layer="layer main.8")


def test_negative_index_rejected():
    with pytest.raises(NetbendError, match="not an index or a range"):
        parse_index_list("-1", 8)


def test_reversed_range_rejected():
    with pytest.raises(NetbendError, match="runs backwards; write it as 2-5"):
        parse_index_list("5-2", 8)


def test_malformed_item_rejected():
    with pytest.raises(NetbendError, match="'a' is not an index"):
        parse_index_list("1,a", 8)


def test_fraction_count():
    assert len(resolve_selection("fraction:0.25", 128).indices) == 32


def test_fraction_reproducible_with_seed():
    first = resolve_selection("fraction:0.25:seed=3", 128).indices
    second = resolve_selection("fraction:0.25:seed=3", 128).indices
    assert first == second


def test_fraction_seed_changes_channels():
    first = resolve_selection("fraction:0.25:seed=3", 128).indices
    second = resolve_selection("fraction:0.25:seed=4", 128).indices
    assert first != second


def test_fraction_default_seed_zero():
    assert resolve_selection("fraction:0.5", 16).indices == resolve_selection("fraction:0.5:seed=0", 16).indices


def test_fraction_sorted_unique():
    indices = resolve_selection("fraction:0.5:seed=9", 64).indices
    assert list(indices) == sorted(set(indices))


def test_fraction_at_least_one():
    assert len(resolve_selection("fraction:0.001", 16).indices) == 1


def test_fraction_one_is_every_channel():
    assert resolve_selection("fraction:1", 16).indices == tuple(range(16))


@pytest.mark.parametrize("text", ["fraction:0", "fraction:1.5", "fraction:-0.2"])
def test_fraction_out_of_range(text):
    with pytest.raises(NetbendError, match="above 0 and at most 1"):
        resolve_selection(text, 16)


def test_fraction_bad_option():
    with pytest.raises(NetbendError, match="the only option is seed"):
        resolve_selection("fraction:0.5:sed=3", 16)


def test_cluster_selection():
    clusters = make_clusters([1, 0, 1, 2, 0, 1])
    selection = resolve_selection("cluster:1", 6, clusters)
    assert selection.indices == (0, 2, 5)


def test_cluster_selection_records_id():
    clusters = make_clusters([1, 0, 1, 2, 0, 1])
    assert resolve_selection("cluster:2", 6, clusters).cluster == 2


def test_cluster_without_clusters():
    with pytest.raises(NetbendError, match="pass its output folder with --clusters"):
        resolve_selection("cluster:1", 6)


def test_unknown_cluster_id():
    clusters = make_clusters([1, 0, 1, 2, 0, 1])
    with pytest.raises(NetbendError, match="cluster 3 does not exist.*ids 0-2"):
        resolve_selection("cluster:3", 6, clusters)


def test_unknown_selection_form():
    with pytest.raises(NetbendError, match="unknown channel selection 'chan'"):
        resolve_selection("chan:1", 6)


def test_selection_without_argument():
    with pytest.raises(NetbendError, match="selection 'channels' is invalid"):
        resolve_selection("channels", 6)


def test_format_index_list():
    assert format_index_list([0, 1, 2, 3, 5, 7, 8]) == "0-3,5,7-8"


def test_format_parse_round_trip():
    indices = [0, 2, 3, 4, 9, 10, 31]
    assert parse_index_list(format_index_list(indices), 32) == indices


def test_module_selection_from_indices():
    module = build_module("invert", 16, {"indices": [4, 5, 6, 9]})
    assert module.selection == "channels:4-6,9"


def test_module_selection_default_all():
    assert build_module("invert", 16, {}).selection == "all"
