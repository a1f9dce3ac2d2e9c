"""Parsing transform specs: NAME[:PARAM,...][@SELECTION]."""

from __future__ import annotations

import pytest

from netbend.bending.transform_bend import build_transform, parse_transform_spec, transform_names
from netbend.errors import NetbendError

SHAPE = (128, 16, 16)


def test_names_list_every_transform():
    expected = {"ablate", "add", "dilate", "erode", "flip", "invert", "multiply", "noise", "rotate", "sobel", "threshold", "translate", "zoom"}
    assert set(transform_names()) == expected


def test_positional_and_selection():
    spec = parse_transform_spec("rotate:30@cluster:2")
    assert spec.name == "rotate"
    assert spec.values == {"angle": 30.0}
    assert spec.selection == "cluster:2"


def test_keyword_parameters():
    spec = parse_transform_spec("translate:x=0.25,padding=border")
    assert spec.values == {"x": 0.25, "padding": "border"}


def test_positional_then_keyword():
    spec = parse_transform_spec("noise:0.5,seed=7")
    assert spec.values == {"std": 0.5, "seed": 7}


def test_no_parameters_default_selection():
    spec = parse_transform_spec("sobel")
    assert spec.values == {}
    assert spec.selection == "all"


def test_selection_with_commas():
    spec = parse_transform_spec("threshold:0.5@channels:0-31,40")
    assert spec.selection == "channels:0-31,40"


def test_unknown_transform_lists_valid():
    with pytest.raises(NetbendError, match="unknown transform 'spin'.*valid transforms: ablate, add"):
        parse_transform_spec("spin:30")


def test_trained_module_not_a_transform():
    with pytest.raises(NetbendError, match="unknown transform 'conv'"):
        parse_transform_spec("conv")


def test_bad_number():
    with pytest.raises(NetbendError, match="rotate parameter angle='abc' is not a number"):
        parse_transform_spec("rotate:abc")


def test_non_finite_number():
    with pytest.raises(NetbendError, match="must be a finite number"):
        parse_transform_spec("multiply:nan")


def test_bad_whole_number():
    with pytest.raises(NetbendError, match="erode parameter size='2.5' is not a whole number"):
        parse_transform_spec("erode:2.5")


def test_bad_choice():
    with pytest.raises(NetbendError, match="flip parameter axis='d' is invalid; choose one of: h, v"):
        parse_transform_spec("flip:d")


def test_too_many_parameters():
    with pytest.raises(NetbendError, match=r"takes at most 1 parameters \(multiply:factor\), got 2"):
        parse_transform_spec("multiply:2,3")


def test_missing_required_parameter():
    with pytest.raises(NetbendError, match="transform multiply needs factor: write it as multiply:factor"):
        parse_transform_spec("multiply")


def test_unknown_keyword():
    with pytest.raises(NetbendError, match="transform rotate has no parameter 'degrees'"):
        parse_transform_spec("rotate:degrees=30")


def test_positional_after_keyword():
    with pytest.raises(NetbendError, match="positional value follows a key=value"):
        parse_transform_spec("translate:y=0.1,0.2")


def test_parameter_given_twice():
    with pytest.raises(NetbendError, match="parameter angle is given twice"):
        parse_transform_spec("rotate:30,angle=40")


def test_build_resolves_channels():
    module = build_transform("threshold:0.5@channels:0-31", "main.8", SHAPE)
    assert module.indices == list(range(32))
    assert module.selection == "channels:0-31"
    assert module.level == 0.5


def test_build_index_out_of_range_names_layer():
    with pytest.raises(NetbendError, match="layer main.8 has 128 channels"):
        build_transform("ablate@channels:100-200", "main.8", SHAPE)


def test_build_invalid_value_raises():
    with pytest.raises(NetbendError, match="zoom factor must be above 0"):
        build_transform("zoom:-1", "main.8", SHAPE)
