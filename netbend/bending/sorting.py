"""Differentiable sorting modules: permute rows, columns or channels by learned scores.

Aldegheri et al. (2023, arXiv 2310.04816) bend generators with modules that
reorder an activation map. Each module here computes one score per row, column or
channel, sorts the scores with a differentiable sorting network from the
``diffsort`` package (Petersen et al., 2021) and applies the resulting soft
permutation matrix to the activation. At high ``steepness`` (low temperature) the
matrix is a permutation, so the output contains exactly the input's values, reordered.

A score is ``position + offset + head(features)``: ``position`` rises from 0 to 1
along the sorted axis, ``offset`` is a learned per-position parameter and ``head``
reads features of the activation. ``offset`` and ``head`` start at zero, so an
untrained module keeps the original order and training starts from the original
images.
"""

from __future__ import annotations

import torch
from torch import nn

from netbend.bending import MODULES
from netbend.bending.base import BendingModule
from netbend.errors import NetbendError

SORTING_NETWORKS = ("bitonic", "odd_even")
DISTRIBUTIONS = ("logistic", "logistic_phi", "gaussian", "reciprocal", "cauchy", "optimal")
INSTALL_HINT = "pip install 'netbend[sort]'"


def _import_diffsort():
    try:
        import diffsort
    except ImportError as error:
        raise NetbendError(f"sorting modules need the diffsort package. Install it with: {INSTALL_HINT}") from error
    return diffsort


class Sorter(nn.Module):
    """A differentiable sorting network for vectors of one length.

    Args:
        size: Length n of the vectors to sort.
        steepness: Sharpness of each comparison for two scores one position
            apart (a gap of 1 / (n - 1)). Higher is closer to a hard permutation.
        distribution: diffsort's relaxation of a comparison (``logistic``…).
        network: ``bitonic`` (about log2(n)^2 / 2 layers, any n) or ``odd_even`` (n layers).

    Shape:
        Input: B x n scores. Output: B x n x n soft permutation matrices P, where
        ``P[b, i, j]`` is the weight with which element i moves to position j
        (ascending order of the scores).
    """

    def __init__(self, size: int, steepness: float, distribution: str, network: str) -> None:
        super().__init__()
        diffsort = _import_diffsort()
        self.size = size
        self.steepness = steepness
        self.distribution = distribution

        # diffsort keeps its network as plain tensors, which ``Module.to`` would not
        # move. As non-persistent buffers they move with the module and stay out of
        # the saved weights.
        self._layer_count = 0
        for layer_index, layer in enumerate(diffsort.get_sorting_network(network, size, "cpu")):
            for matrix_index, matrix in enumerate(layer):
                self.register_buffer(f"network_{layer_index}_{matrix_index}", matrix, persistent=False)
            self._layer_count += 1

    def network(self) -> list[list[torch.Tensor]]:
        return [[getattr(self, f"network_{layer}_{index}") for index in range(4)] for layer in range(self._layer_count)]

    def forward(self, scores: torch.Tensor) -> torch.Tensor:
        diffsort = _import_diffsort()
        # diffsort's steepness applies to raw score gaps; scaling by n - 1 makes
        # ``steepness`` refer to a gap of one position whatever the length.
        _, permutation = diffsort.sort(
            self.network(), scores, steepness=self.steepness * (self.size - 1), distribution=self.distribution
        )
        return permutation


class SortingBend(BendingModule):
    """Shared checks and options of the sorting modules; not registered itself."""

    def __init__(self, channels: int, steepness: float, distribution: str, network: str, **options) -> None:
        if not steepness > 0:
            raise NetbendError(f"{self.kind} module: steepness must be a positive number, got {steepness}")
        if distribution not in DISTRIBUTIONS:
            raise NetbendError(
                f"{self.kind} module: unknown distribution {distribution!r}; choose one of: {', '.join(DISTRIBUTIONS)}"
            )
        if network not in SORTING_NETWORKS:
            raise NetbendError(
                f"{self.kind} module: unknown sorting network {network!r}; choose one of: {', '.join(SORTING_NETWORKS)}"
            )
        # A permutation has no residual form, so the module always replaces its input.
        super().__init__(channels, residual=False, steepness=steepness, distribution=distribution, network=network, **options)

    def config(self) -> dict:
        config = super().config()
        config.pop("residual")
        return config

    def make_sorter(self, size: int, axis_name: str) -> Sorter:
        if size < 2:
            raise NetbendError(
                f"{self.kind} module: an activation with {size} {axis_name} has nothing to sort; insert it at a larger layer"
            )
        return Sorter(size, self._options["steepness"], self._options["distribution"], self._options["network"])

    def base_scores(self, size: int, axis: str) -> nn.Parameter:
        """Register ``{axis}_positions`` (0 to 1) and return a zeroed learned offset per position."""
        self.register_buffer(f"{axis}_positions", torch.linspace(0, 1, size), persistent=False)
        return nn.Parameter(torch.zeros(size))


class SpatialSortingBend(SortingBend):
    """Sort the rows and/or the columns of the activation map; subclasses choose which."""

    sorts_rows: bool = False
    sorts_cols: bool = False

    def __init__(
        self,
        channels: int,
        height: int,
        width: int,
        hidden: int = 32,
        steepness: float = 10.0,
        distribution: str = "logistic",
        network: str = "bitonic",
    ) -> None:
        super().__init__(
            channels, steepness, distribution, network, height=height, width=width, hidden=hidden
        )
        self.height = height
        self.width = width

        # Features are shared by both axes: a 1 x 1 convolution per position.
        self.features = nn.Sequential(nn.Conv2d(channels, hidden, 1), nn.ReLU())
        if self.sorts_rows:
            self.row_sorter = self.make_sorter(height, "rows")
            self.row_offset = self.base_scores(height, "row")
            self.row_head = nn.Linear(hidden * width, 1)  # reads one whole row of features
            nn.init.zeros_(self.row_head.weight)
            nn.init.zeros_(self.row_head.bias)
        if self.sorts_cols:
            self.col_sorter = self.make_sorter(width, "columns")
            self.col_offset = self.base_scores(width, "col")
            self.col_head = nn.Linear(hidden * height, 1)  # reads one whole column of features
            nn.init.zeros_(self.col_head.weight)
            nn.init.zeros_(self.col_head.bias)

    def check_input(self, x: torch.Tensor) -> None:
        super().check_input(x)
        if tuple(x.shape[2:]) != (self.height, self.width):
            raise NetbendError(
                f"{self.kind} module was built for {self.height} x {self.width} activations but got shape "
                f"{tuple(x.shape)}; insert it at a layer of that size, or build a new module"
            )

    def row_permutation(self, features: torch.Tensor) -> torch.Tensor:
        rows = features.permute(0, 2, 1, 3).flatten(2)  # B x H x (hidden * W)
        scores = self.row_positions + self.row_offset + self.row_head(rows).squeeze(-1)  # B x H
        return self.row_sorter(scores)

    def col_permutation(self, features: torch.Tensor) -> torch.Tensor:
        cols = features.permute(0, 3, 1, 2).flatten(2)  # B x W x (hidden * H)
        scores = self.col_positions + self.col_offset + self.col_head(cols).squeeze(-1)  # B x W
        return self.col_sorter(scores)

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        features = self.features(x)

        # Both orders come from the input's features, then rows move before columns.
        if self.sorts_rows:
            x = torch.einsum("bij,bciw->bcjw", self.row_permutation(features), x)
        if self.sorts_cols:
            x = torch.einsum("bij,bchi->bchj", self.col_permutation(features), x)
        return x


@MODULES.register("sort_rows")
class SortRowsBend(SpatialSortingBend):
    """Permute the rows of the activation map by learned, input-dependent scores.

    Args:
        channels: C, the activation's channel count.
        height: H, rows of the activation map (filled in from the layer).
        width: W, columns of the activation map (filled in from the layer).
        hidden: Width of the 1 x 1 feature layer the scores are read from.
        steepness: Sharpness of each comparison for scores one position apart;
            higher is closer to a hard permutation (lower temperature).
        distribution: diffsort relaxation: logistic, logistic_phi, gaussian,
            reciprocal, cauchy or optimal.
        network: Sorting network: bitonic or odd_even.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "sort_rows"
    sorts_rows = True


@MODULES.register("sort_cols")
class SortColsBend(SpatialSortingBend):
    """Permute the columns of the activation map; the options are those of ``sort_rows``."""

    kind = "sort_cols"
    sorts_cols = True


@MODULES.register("sort_rows_cols")
class SortRowsColsBend(SpatialSortingBend):
    """Permute the rows, then the columns; the options are those of ``sort_rows``."""

    kind = "sort_rows_cols"
    sorts_rows = True
    sorts_cols = True


@MODULES.register("sort_channels")
class SortChannelsBend(SortingBend):
    """Permute the channels of the activation by learned, input-dependent scores.

    A channel's score reads the spatial mean of 1 x 1 features, so it does not
    depend on the map's size.

    Args:
        channels: C, the activation's channel count.
        hidden: Width of the 1 x 1 feature layer the scores are read from.
        steepness: Sharpness of each comparison for scores one position apart;
            higher is closer to a hard permutation (lower temperature).
        distribution: diffsort relaxation: logistic, logistic_phi, gaussian,
            reciprocal, cauchy or optimal.
        network: Sorting network: bitonic or odd_even.

    Shape:
        Input and output: B x C x H x W.
    """

    kind = "sort_channels"

    def __init__(
        self,
        channels: int,
        hidden: int = 32,
        steepness: float = 10.0,
        distribution: str = "logistic",
        network: str = "bitonic",
    ) -> None:
        super().__init__(channels, steepness, distribution, network, hidden=hidden)
        self.sorter = self.make_sorter(channels, "channels")
        self.offset = self.base_scores(channels, "channel")
        self.features = nn.Sequential(nn.Conv2d(channels, hidden, 1), nn.ReLU())
        self.score_head = nn.Linear(hidden, channels)
        nn.init.zeros_(self.score_head.weight)
        nn.init.zeros_(self.score_head.bias)

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        pooled = self.features(x).mean(dim=(2, 3))  # B x hidden
        scores = self.channel_positions + self.offset + self.score_head(pooled)  # B x C
        return torch.einsum("bij,bihw->bjhw", self.sorter(scores), x)
