"""Differentiable sorting modules: sort_rows, sort_cols, sort_rows_cols, sort_channels."""

from __future__ import annotations

import pytest
import torch

from netbend.bending import build_module
from netbend.errors import NetbendError

pytest.importorskip("diffsort")

SHAPE = (3, 4, 5)  # C, H, W
KINDS = ["sort_rows", "sort_cols", "sort_rows_cols", "sort_channels"]
HARD = 1000.0  # steepness at which the soft permutation is a permutation to float precision


def make(kind: str, **options):
    return build_module(kind, SHAPE[0], options, shape=SHAPE)


def set_scores(offset: torch.nn.Parameter, scores: list[float]) -> None:
    """Make the module's scores equal ``scores`` by setting the learned offset."""
    size = len(scores)
    with torch.no_grad():
        offset.copy_(torch.tensor(scores) - torch.linspace(0, 1, size))


def sample_input() -> torch.Tensor:
    return torch.arange(2 * 3 * 4 * 5, dtype=torch.float32).reshape(2, *SHAPE) / 10


@pytest.mark.parametrize("kind", KINDS)
def test_untrained_is_identity(kind):
    x = torch.randn(2, *SHAPE, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        y = make(kind)(x)
    assert y.shape == x.shape
    assert torch.allclose(y, x, atol=5e-3)


def test_rows_hand_permutation():
    module = make("sort_rows", steepness=HARD)
    # Ascending scores 0.1 (row 1), 0.2 (row 3), 0.3 (row 0), 0.4 (row 2).
    set_scores(module.row_offset, [0.3, 0.1, 0.4, 0.2])
    x = sample_input()
    with torch.no_grad():
        y = module(x)
    assert torch.allclose(y, x[:, :, [1, 3, 0, 2], :], atol=1e-4)


def test_cols_hand_permutation():
    module = make("sort_cols", steepness=HARD)
    set_scores(module.col_offset, [0.5, 0.4, 0.3, 0.2, 0.1])  # descending: columns reversed
    x = sample_input()
    with torch.no_grad():
        y = module(x)
    assert torch.allclose(y, x.flip(3), atol=1e-4)


def test_rows_cols_hand_permutation():
    module = make("sort_rows_cols", steepness=HARD)
    set_scores(module.row_offset, [0.3, 0.1, 0.4, 0.2])
    set_scores(module.col_offset, [0.2, 0.1, 0.5, 0.4, 0.3])
    x = sample_input()
    with torch.no_grad():
        y = module(x)
    assert torch.allclose(y, x[:, :, [1, 3, 0, 2], :][:, :, :, [1, 0, 4, 3, 2]], atol=1e-4)


def test_channels_hand_permutation():
    module = make("sort_channels", steepness=HARD)
    set_scores(module.offset, [0.9, 0.1, 0.5])
    x = sample_input()
    with torch.no_grad():
        y = module(x)
    assert torch.allclose(y, x[:, [1, 2, 0]], atol=1e-4)


def slices(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Return the slices of a C x H x W tensor along ``dim`` as rows of sorted values."""
    return t.movedim(dim, 0).flatten(1).sort(dim=1).values


def matched_indices(outputs: torch.Tensor, inputs: torch.Tensor) -> list[int]:
    """Index of the input slice each output slice equals (rows of flattened slices)."""
    distances = torch.cdist(outputs, inputs)
    assert distances.min(dim=1).values.max() < 1e-3
    return distances.argmin(dim=1).tolist()


@pytest.mark.parametrize("kind", KINDS)
def test_learned_scores_permute(kind):
    torch.manual_seed(1)
    module = make(kind, steepness=HARD)
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.normal_(0, 1)
    x = torch.randn(2, *SHAPE)
    with torch.no_grad():
        y = module(x)

    # Each output row, column or channel equals exactly one input one, each used once.
    for batch in range(2):
        # Slices along each permuted dimension, compared as sorted values, because
        # permuting rows and columns together reorders the values inside each slice.
        dims = {"sort_rows": [1], "sort_cols": [2], "sort_rows_cols": [1, 2], "sort_channels": [0]}[kind]
        pairs = [(slices(y[batch], dim), slices(x[batch], dim)) for dim in dims]
        for outputs, inputs in pairs:
            indices = matched_indices(outputs, inputs)
            assert sorted(indices) == list(range(len(indices)))


def test_soft_at_low_steepness():
    soft = make("sort_rows", steepness=0.05)
    hard = make("sort_rows", steepness=HARD)
    for module in (soft, hard):
        set_scores(module.row_offset, [0.4, 0.3, 0.2, 0.1])
    x = sample_input()
    with torch.no_grad():
        blended = soft(x)
    # A soft permutation mixes rows, so the rows' values are no longer the input's.
    assert (blended - hard(x)).abs().max() > 0.1
    # Each input row's weights sum to 1 (a doubly stochastic matrix), so column sums stay.
    assert torch.allclose(blended.sum(dim=2), x.sum(dim=2), atol=1e-4)


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_reach_scores(kind):
    module = make(kind)
    x = torch.randn(2, *SHAPE, generator=torch.Generator().manual_seed(2))
    target = x.flip(1 if kind == "sort_channels" else 2)
    (module(x) - target).square().mean().backward()
    offsets = [parameter for name, parameter in module.named_parameters() if name.endswith("offset")]
    heads = [parameter for name, parameter in module.named_parameters() if "head.weight" in name]
    assert all(parameter.grad.abs().sum() > 0 for parameter in offsets)
    assert all(parameter.grad.abs().sum() > 0 for parameter in heads)


@pytest.mark.parametrize("kind", KINDS)
def test_config_rebuilds(kind):
    module = make(kind, hidden=8, steepness=20.0, distribution="cauchy", network="odd_even")
    config = module.config()
    rebuilt = build_module(kind, config.pop("channels"), config)
    rebuilt.load_state_dict(module.state_dict())
    x = torch.randn(1, *SHAPE)
    assert "residual" not in module.config()
    assert torch.equal(rebuilt(x), module(x))


def test_wrong_size_rejected():
    with pytest.raises(NetbendError) as error:
        make("sort_rows")(torch.randn(1, 3, 4, 6))
    assert "built for 4 x 5 activations" in str(error.value)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"steepness": 0}, "steepness must be a positive number"),
        ({"distribution": "uniform"}, "unknown distribution 'uniform'"),
        ({"network": "bubble"}, "unknown sorting network 'bubble'"),
        ({"residual": True}, "has no option residual"),
    ],
)
def test_bad_options_rejected(options, message):
    with pytest.raises(NetbendError) as error:
        make("sort_cols", **options)
    assert message in str(error.value)


def test_single_row_rejected():
    with pytest.raises(NetbendError) as error:
        build_module("sort_rows", 3, {}, shape=(3, 1, 5))
    assert "1 rows has nothing to sort" in str(error.value)
