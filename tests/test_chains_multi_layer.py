"""Chains of modules at one point and bends of several layers: specs, training, saving."""

from __future__ import annotations

import json

import pytest
import torch

from netbend.bending.chain_spec import ModuleSpec, PointSpec, parse_chain
from netbend.cli.main import main
from netbend.errors import NetbendError
from netbend.storage.bend_folder import load_bend, save_bend
from netbend.training.run import RunConfig, build_bend_points

pytest.importorskip("diffsort")


def test_chain_parsed():
    modules = parse_chain("sort_rows:steepness=20,network=odd_even+conv:hidden=8,activation=sin")
    assert modules == [
        ModuleSpec("sort_rows", {"steepness": 20, "network": "odd_even"}),
        ModuleSpec("conv", {"hidden": 8, "activation": "sin"}),
    ]


def test_shared_options_merged():
    spec = PointSpec("main.8", "conv+conv_xy:hidden=4", {"hidden": 16, "activation": "sin"})
    assert [module.options for module in spec.modules()] == [
        {"hidden": 16, "activation": "sin"},
        {"hidden": 4, "activation": "sin"},  # the module's own option wins
    ]


@pytest.mark.parametrize(("text", "message"), [("conv+", "has an empty module"), ("conv:hidden", "must look like key=value")])
def test_bad_chain_rejected(text, message):
    with pytest.raises(NetbendError) as error:
        parse_chain(text)
    assert message in str(error.value)


def randomise(bent) -> None:
    """Give every module non-zero weights, so a bend visibly changes the images."""
    torch.manual_seed(5)
    with torch.no_grad():
        for name, parameter in bent.points.named_parameters():
            parameter.normal_(0, 0.05 if "offset" not in name else 0.3)


def test_chain_and_layers_round_trip(faces, tmp_path):
    specs = [PointSpec("main.5", "sort_rows+conv"), PointSpec("main.8", "conv_xy:hidden=16+sort_channels")]
    bent = build_bend_points(faces, specs, seed=0)
    randomise(bent)
    latents = faces.sample_latents(2, torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = bent(latents)
    save_bend(bent, tmp_path / "bend")
    bent.detach_hooks()  # the loaded bend hooks into the same network

    loaded, manifest = load_bend(tmp_path / "bend", generator=faces)
    with torch.no_grad():
        images = loaded(latents)
        with loaded.unbent():
            original = loaded(latents)
    assert [point["layer"] for point in manifest["points"]] == ["main.5", "main.8"]
    assert [[module["type"] for module in point["chain"]] for point in manifest["points"]] == [
        ["sort_rows", "conv"],
        ["conv_xy", "sort_channels"],
    ]
    assert all(torch.equal(a, b) for a, b in zip(bent.points.state_dict().values(), loaded.points.state_dict().values()))
    assert torch.equal(images, expected)
    assert (images - original).abs().max() > 1e-3


def test_layer_named_twice_rejected(faces):
    with pytest.raises(NetbendError) as error:
        build_bend_points(faces, [PointSpec("main.8"), PointSpec("main.8", "cppn")], seed=0)
    assert "each layer may be bent once" in str(error.value)


def test_run_config_single_layer_compatible():
    config = RunConfig(objectives=["fidelity"], layer="main.8", module="sort_cols+conv")
    assert config.point_specs() == [PointSpec("main.8", "sort_cols+conv", {})]


def test_run_config_both_forms_rejected():
    config = RunConfig(objectives=["fidelity"], layer="main.8", points=[PointSpec("main.5")])
    with pytest.raises(NetbendError) as error:
        config.point_specs()
    assert "not both" in str(error.value)


def test_run_config_point_dicts():
    config = RunConfig(objectives=["fidelity"], points=[{"layer": "main.5", "module": "cppn"}])
    assert config.point_specs() == [PointSpec("main.5", "cppn", {})]


def test_run_config_bad_point_rejected():
    config = RunConfig(objectives=["fidelity"], points=[{"layer": "main.5", "modules": "cppn"}])
    with pytest.raises(NetbendError) as error:
        config.point_specs()
    assert "keys layer, module and module_options" in str(error.value)


def test_train_two_layers_cli(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        [
            "train", "--generator", "faces",
            "--layer", "main.5", "--module", "sort_rows:steepness=5+conv",
            "--layer", "main.8", "--module", "conv:hidden=16",
            "--objective", "diversity", "--objective", "fidelity:1",
            "--steps", "2", "--batch", "2", "--quiet", "--out", str(out),
        ]
    )  # fmt: skip
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert code == 0
    assert [point["layer"] for point in manifest["points"]] == ["main.5", "main.8"]
    assert manifest["run"]["points"][0]["module"] == "sort_rows:steepness=5+conv"
    assert manifest["points"][0]["chain"][0]["config"]["steepness"] == 5

    capsys.readouterr()
    assert main(["sample", str(out), "--n", "2", "--out", str(tmp_path / "grid.png")]) == 0
    assert (tmp_path / "grid.png").is_file()


def test_train_module_count_mismatch(tmp_path, capsys):
    code = main(
        [
            "train", "--layer", "main.5", "--layer", "main.8", "--module", "conv", "--module", "cppn", "--module", "conv",
            "--objective", "fidelity", "--out", str(tmp_path / "run"),
        ]
    )  # fmt: skip
    assert code == 2
    assert "one --module per --layer" in capsys.readouterr().err
