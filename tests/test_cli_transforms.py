"""The bend, clusters and inspect commands on the face generator."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from netbend.cli.main import main
from netbend.storage.bend_folder import read_manifest


def last_error_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    return lines[-1] if lines else ""


def test_bend_then_sample(tmp_path):
    folder = tmp_path / "bend"
    code = main(["bend", "--layer", "main.8", "--transform", "rotate:30@channels:0-63", "--transform", "threshold:0.5", "--out", str(folder)])
    assert code == 0
    assert [entry["type"] for entry in read_manifest(folder)["points"][0]["chain"]] == ["rotate", "threshold"]
    assert (folder / "grid.png").is_file()

    grid = tmp_path / "grid.png"
    assert main(["sample", str(folder), "--n", "4", "--out", str(grid)]) == 0
    assert Image.open(grid).size == (134, 134)


def test_bend_unknown_transform(tmp_path, capsys):
    code = main(["bend", "--transform", "spin:30", "--out", str(tmp_path)])
    assert code == 2
    assert "valid transforms: ablate, add, dilate" in last_error_line(capsys)


def test_bend_channel_out_of_range(tmp_path, capsys):
    code = main(["bend", "--layer", "main.8", "--transform", "ablate@channels:120-130", "--out", str(tmp_path)])
    assert code == 2
    assert "layer main.8 has 128 channels" in last_error_line(capsys)


def test_bend_cluster_without_file(tmp_path, capsys):
    code = main(["bend", "--transform", "ablate@cluster:1", "--out", str(tmp_path / "bend")])
    assert code == 2
    assert "--clusters" in last_error_line(capsys)


def test_bend_missing_cluster_file(tmp_path, capsys):
    code = main(["bend", "--transform", "ablate@cluster:1", "--clusters", str(tmp_path), "--out", str(tmp_path / "bend")])
    assert code == 2
    assert "clusters.json is missing" in last_error_line(capsys)


def test_clusters_then_bend(tmp_path):
    clusters = tmp_path / "clusters"
    code = main(["clusters", "--layer", "main.8", "--k", "3", "--latents", "16", "--quiet", "--out", str(clusters)])
    assert code == 0
    data = json.loads((clusters / "clusters.json").read_text())
    assert data["k"] == 3
    assert len(data["assignment"]) == 128
    # Label column, 4 latents and the mean column of 64-pixel tiles; a header and 3 cluster rows.
    assert Image.open(clusters / "clusters.png").size == (110 + 5 * 66 + 2, 14 + 4 * 66)

    folder = tmp_path / "bend"
    code = main(["bend", "--layer", "main.8", "--transform", "ablate@cluster:0", "--clusters", str(clusters), "--out", str(folder), "--no-grid"])
    assert code == 0
    assert json.loads((folder / "clusters.json").read_text())["assignment"] == data["assignment"]


def test_clusters_wrong_layer_for_bend(tmp_path, capsys):
    clusters = tmp_path / "clusters"
    assert main(["clusters", "--layer", "main.5", "--k", "2", "--latents", "8", "--quiet", "--out", str(clusters)]) == 0
    code = main(["bend", "--layer", "main.8", "--transform", "ablate@cluster:0", "--clusters", str(clusters), "--out", str(tmp_path / "bend")])
    assert code == 2
    assert "computed for layer 'main.5'" in last_error_line(capsys)


def test_inspect_sheet(tmp_path):
    sheet = tmp_path / "sheet.png"
    code = main(["inspect", "--layer", "main.8", "--latents", "2", "--channels", "0-5", "--columns", "3", "--out", str(sheet)])
    assert code == 0
    # Image column plus 3 map columns of 66 pixels; per latent 2 lines of 64 + 14 pixels and a 6-pixel gap.
    assert Image.open(sheet).size == (4 * 66 + 2, 2 * (2 * 78 + 6))


def test_inspect_channel_out_of_range(tmp_path, capsys):
    code = main(["inspect", "--layer", "main.11", "--channels", "60-64", "--out", str(tmp_path / "sheet.png")])
    assert code == 2
    assert "layer main.11 has 64 channels" in last_error_line(capsys)


@pytest.mark.parametrize("command", ["bend", "clusters", "inspect"])
def test_unknown_layer(tmp_path, capsys, command):
    extra = ["--transform", "invert"] if command == "bend" else []
    out = str(tmp_path / ("sheet.png" if command == "inspect" else "out"))
    code = main([command, "--layer", "main.99", *extra, "--out", out])
    assert code == 2
    assert "layer 'main.99' is not an insertion point" in last_error_line(capsys)
