import json
import shutil
import subprocess
import sys

import pytest
from PIL import Image

from netbend.cli.main import main


def run_cli(capsys, *argv):
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_layers_table(capsys):
    status, out, _ = run_cli(capsys, "layers", "--generator", "faces")
    assert status == 0
    assert "main.8   ReLU             128 x 16 x 16  (default)" in out


def test_layers_json(capsys):
    status, out, _ = run_cli(capsys, "layers", "--json")
    table = json.loads(out)
    assert status == 0
    assert table[0] == {"name": "main.0", "kind": "ConvTranspose2d", "shape": [512, 4, 4]}
    assert len(table) == 13


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli") / "run"
    status = main(["train", "--objective", "class:goldfish", "--objective", "fidelity:0.5", "--steps", "2", "--batch", "2", "--quiet", "--out", str(folder)])
    assert status == 0
    return folder


def test_train_writes_folder(tiny_run):
    assert (tiny_run / "grid.png").is_file()


def test_sample_grid(tiny_run, tmp_path, capsys):
    status, _, _ = run_cli(capsys, "sample", str(tiny_run), "--n", "4", "--seed", "1", "--strength", "0.5", "--out", str(tmp_path / "grid.png"))
    with Image.open(tmp_path / "grid.png") as grid:
        size = grid.size
    assert status == 0
    assert size == (2 * 64 + 3 * 2, 2 * 64 + 3 * 2)


def test_sample_one_file_per_image(tiny_run, tmp_path, capsys):
    status, _, _ = run_cli(capsys, "sample", str(tiny_run), "--n", "3", "--out-dir", str(tmp_path / "images"))
    assert status == 0
    assert sorted(path.name for path in (tmp_path / "images").iterdir()) == ["sample_0000.png", "sample_0001.png", "sample_0002.png"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["layers", "--generator", "stylegan9"], "unknown generator 'stylegan9'"),
        (["train", "--objective", "class:goldfish", "--layer", "main.99", "--out", "{tmp}/x"], "Valid layers: main.0"),
        (["train", "--objective", "class:goldfsh", "--out", "{tmp}/x"], "Close matches: goldfish"),
        (["sample", "{tmp}/missing", "--out", "{tmp}/g.png"], "does not exist"),
        (["sample", "{tmp}", "--out", "{tmp}/g.png"], "manifest.json is missing"),
        (["train", "--objective", "class:goldfish", "--out", "{tmp}/file/run"], "cannot write to output folder"),
    ],
)
def test_bad_input_gives_one_line(argv, message, tmp_path, capsys):
    (tmp_path / "file").write_text("")
    status, _, err = run_cli(capsys, *[part.replace("{tmp}", str(tmp_path)) for part in argv])
    assert status == 2
    assert err.count("\n") == 1
    assert message in err


def test_channels_option_is_rejected(tmp_path, capsys):
    status, _, err = run_cli(capsys, "train", "--objective", "class:goldfish", "--module-options", "channels=3", "--steps", "1", "--out", str(tmp_path / "x"))
    assert status == 2
    assert "from the layer (128)" in err


def test_bend_for_other_layer_via_cli(tiny_run, tmp_path, capsys):
    moved = tmp_path / "moved"
    shutil.copytree(tiny_run, moved)
    manifest = json.loads((moved / "manifest.json").read_text())
    manifest["points"][0]["layer"] = "main.5"
    (moved / "manifest.json").write_text(json.dumps(manifest))
    status, _, err = run_cli(capsys, "sample", str(moved), "--out", str(tmp_path / "g.png"))
    assert status == 2
    assert "made for [128, 16, 16]" in err


def test_corrupt_weights_via_cli(tiny_run, tmp_path, capsys):
    broken = tmp_path / "broken"
    shutil.copytree(tiny_run, broken)
    (broken / "bend.safetensors").write_bytes(b"garbage")
    status, _, err = run_cli(capsys, "sample", str(broken), "--out", str(tmp_path / "g.png"))
    assert status == 2
    assert "corrupt" in err


def test_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "netbend.cli.main", "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert result.stdout.startswith("netbend ")
