"""Objective spec grammar: NAME[:ARG][;KEY=VALUE]...[*WEIGHT]."""

from __future__ import annotations

import pytest

from netbend.errors import NetbendError
from netbend.objectives import parse_objective
from netbend.objectives._spec import split_spec, split_unquoted, unquote


def test_split_options_and_weight():
    parts = split_spec('text:"a pumpkin";model=ViT-B-32;pretrained=none*2.5')
    assert parts.name == "text"
    assert parts.argument == "a pumpkin"
    assert parts.options == {"model": "ViT-B-32", "pretrained": "none"}
    assert parts.weight == 2.5


def test_split_quotes_protect_separators():
    parts = split_spec('text:"stars; moons * 3"*2')
    assert parts.argument == "stars; moons * 3"
    assert parts.options == {}
    assert parts.weight == 2.0


def test_split_unmatched_apostrophe_is_literal():
    parts = split_spec("class:jack-o'-lantern*2")
    assert parts.argument == "jack-o'-lantern"
    assert parts.weight == 2.0


def test_split_without_weight():
    parts = split_spec("style:painting*2.png")
    assert parts.argument == "painting*2.png"
    assert parts.weight is None


def test_split_quoted_option_value():
    parts = split_spec('palette:#ff6600;space="rgb"')
    assert parts.options == {"space": "rgb"}


def test_split_option_without_equals():
    with pytest.raises(NetbendError, match="key=value"):
        split_spec("text:a cat;pretrained")


def test_split_repeated_option():
    with pytest.raises(NetbendError, match="twice"):
        split_spec("text:a cat;model=a;model=b")


@pytest.mark.parametrize("weight", ["0", "-1", "inf", "nan"])
def test_split_bad_weight(weight):
    with pytest.raises(NetbendError, match="weight"):
        split_spec(f"fidelity*{weight}")


def test_unquote_keeps_inner_quotes():
    assert unquote('"a"->"b"') == '"a"->"b"'


def test_split_unquoted_arrow():
    assert split_unquoted('"a -> b"->c', "->") == ['"a -> b"', "c"]


def test_parse_keeps_old_grammar():
    weighted = parse_objective("fidelity:0.5")
    assert weighted.weight == 0.5
    assert weighted.objective.name == "fidelity"


def test_parse_class_weight():
    weighted = parse_objective("class:1*2")
    assert weighted.weight == 2.0
    assert weighted.objective.target == 1


def test_parse_unknown_option():
    with pytest.raises(NetbendError, match="its options are space"):
        parse_objective("palette:#ff6600;colour=red")


def test_parse_option_on_plain_objective():
    with pytest.raises(NetbendError, match="takes no options"):
        parse_objective("fidelity;model=x")


def test_parse_numeric_weight_must_be_finite():
    with pytest.raises(NetbendError, match="finite"):
        parse_objective("fidelity:inf")
