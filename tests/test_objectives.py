import math

import pytest
import torch
import torch.nn.functional as F

from netbend.errors import NetbendError
from netbend.objectives import ObjectiveBatch, parse_objective
from netbend.objectives.augment import random_views
from netbend.objectives.diversity import pairwise_mean_distance


def batch_of(images, originals=None, latents=None, seed=0):
    latents = latents if latents is not None else torch.randn(images.shape[0], 4)
    return ObjectiveBatch(images=images, originals=originals, latents=latents, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize(
    "spec, name, weight",
    [
        ("class:goldfish", "class", 1.0),
        ("class:goldfish*2.5", "class", 2.5),
        ("fidelity:0.5", "fidelity", 0.5),
        ("fidelity", "fidelity", 1.0),
        ("diversity*0.1", "diversity", 0.1),
        ("class:\"jack-o'-lantern\"", "class", 1.0),
    ],
)
def test_parse_spec(spec, name, weight):
    weighted = parse_objective(spec)
    assert weighted.objective.name == name
    assert weighted.weight == weight


def test_parse_keeps_quoted_class_name():
    assert parse_objective("class:\"jack-o'-lantern\"").objective.target == 607


def test_class_without_target_is_rejected():
    with pytest.raises(NetbendError, match="class:goldfish"):
        parse_objective("class")


def test_negative_weight_is_rejected():
    with pytest.raises(NetbendError, match="positive"):
        parse_objective("fidelity:-1")


def test_fidelity_rejects_text_argument():
    with pytest.raises(NetbendError, match="only a weight"):
        parse_objective("fidelity:strong")


def test_unknown_objective_lists_known():
    with pytest.raises(NetbendError, match="fidelity"):
        parse_objective("fidelty:1")


def test_class_loss_is_cross_entropy_on_views(classifier):
    images = torch.rand(3, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    objective = parse_objective("class:goldfish").objective
    loss = objective.loss(batch_of(images, seed=5))

    views = random_views(images, 128, generator=torch.Generator().manual_seed(5))
    expected = F.cross_entropy(classifier(views), torch.full((3,), 1))
    assert torch.allclose(loss, expected, atol=1e-5)


def test_class_measure_reports_probability(classifier):
    images = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    figures = parse_objective("class:goldfish").objective.measure(images, images)
    expected = classifier(images).softmax(dim=1)[:, 1].mean().item()
    assert math.isclose(figures["target_probability"], expected, rel_tol=1e-5)


def test_fidelity_zero_for_identical_images():
    images = torch.rand(2, 3, 8, 8)
    loss = parse_objective("fidelity").objective.loss(batch_of(images, originals=images.clone()))
    assert loss.item() == 0.0


def test_fidelity_is_pixel_mse():
    images = torch.zeros(1, 3, 2, 2)
    originals = torch.full((1, 3, 2, 2), 0.5)
    loss = parse_objective("fidelity").objective.loss(batch_of(images, originals=originals))
    assert math.isclose(loss.item(), 0.25)


def test_pairwise_mean_distance_by_hand():
    values = torch.tensor([[0.0, 0.0], [1.0, 1.0], [3.0, 1.0]])
    # Pairs: (0,1) -> 2/2 = 1, (0,2) -> 4/2 = 2, (1,2) -> 2/2 = 1; mean 4/3.
    assert math.isclose(pairwise_mean_distance(values).item(), 4 / 3, rel_tol=1e-6)


def test_diversity_loss_by_hand():
    images = torch.tensor([[0.0, 0.0], [1.0, 1.0]]).view(2, 2, 1, 1)
    latents = torch.tensor([[0.0, 0.0, 0.0, 0.0], [2.0, 2.0, 2.0, 2.0]])
    loss = parse_objective("diversity").objective.loss(batch_of(images, latents=latents))
    # Image distance 1, latent distance 2: ratio 0.5, loss 1 / (0.5 + 1e-5).
    assert math.isclose(loss.item(), 1 / (0.5 + 1e-5), rel_tol=1e-6)


def test_diversity_lower_for_distinct_images():
    latents = torch.randn(4, 8, generator=torch.Generator().manual_seed(0))
    same = torch.full((4, 3, 8, 8), 0.5)
    distinct = torch.rand(4, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    objective = parse_objective("diversity").objective
    assert objective.loss(batch_of(distinct, latents=latents)) < objective.loss(batch_of(same + 1e-3, latents=latents))


def test_diversity_needs_two_images():
    with pytest.raises(NetbendError, match="batch size of 2"):
        parse_objective("diversity").objective.loss(batch_of(torch.rand(1, 3, 4, 4)))


def test_random_views_shape_and_gradient():
    images = torch.rand(2, 3, 64, 64, requires_grad=True)
    views = random_views(images, 32, generator=torch.Generator().manual_seed(0))
    views.sum().backward()
    assert views.shape == (2, 3, 32, 32)
    assert images.grad.abs().sum() > 0


def test_random_views_repeat_with_seed():
    images = torch.rand(2, 3, 16, 16)
    first = random_views(images, 8, generator=torch.Generator().manual_seed(3))
    second = random_views(images, 8, generator=torch.Generator().manual_seed(3))
    assert torch.equal(first, second)
