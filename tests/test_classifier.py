import pytest
import skimage.data
import torch

from netbend.errors import NetbendError
from netbend.objectives.classifier import imagenet_class_names, resolve_class

CAT_CLASSES = range(281, 286)  # tabby, tiger cat, Persian, Siamese, Egyptian cat
ESPRESSO = 967


def photo(array):
    return torch.from_numpy(array).permute(2, 0, 1).float().div(255).unsqueeze(0)


@torch.no_grad()
def test_chelsea_is_a_cat(classifier):
    top1 = classifier(photo(skimage.data.chelsea())).argmax(dim=1).item()
    assert top1 in CAT_CLASSES


@torch.no_grad()
def test_coffee_is_espresso(classifier):
    top1 = classifier(photo(skimage.data.coffee())).argmax(dim=1).item()
    assert top1 == ESPRESSO


@torch.no_grad()
def test_features_shape(classifier):
    assert classifier.features(torch.rand(2, 3, 64, 64)).shape == (2, 1280)


def test_thousand_class_names():
    names = imagenet_class_names()
    assert len(names) == 1000
    assert names[ESPRESSO] == "espresso"


@pytest.mark.parametrize(
    "target, index",
    [("jack-o'-lantern", 607), ("Goldfish", 1), ("tabby cat", 281), ("tabby", 281), ("967", 967), (5, 5)],
)
def test_resolve_class(target, index):
    assert resolve_class(target) == index


def test_unknown_name_suggests_close_matches():
    with pytest.raises(NetbendError, match="goldfish"):
        resolve_class("goldfsh")


def test_index_out_of_range():
    with pytest.raises(NetbendError, match="0 to 999"):
        resolve_class("1000")
