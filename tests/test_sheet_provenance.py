"""Analysis sheets record what wrote them, and `netbend info` prints it."""

import shlex

from PIL import Image

from netbend.cli.main import main


def test_inspect_sheet_redraws_identically(tmp_path, capsys):
    first = tmp_path / "sheet.png"
    assert main(["inspect", "--layer", "main.8", "--latents", "2", "--channels", "0-3", "--seed", "5", "--out", str(first)]) == 0
    capsys.readouterr()

    assert main(["info", str(first)]) == 0
    lines = capsys.readouterr().out.splitlines()
    command = shlex.split(next(line for line in lines if line.startswith("reproduce:")).split(":", 1)[1])
    assert "layer:     main.8" in lines
    assert "seed:      5" in lines
    assert command[:2] == ["netbend", "inspect"]

    second = tmp_path / "again.png"
    command[command.index("--out") + 1] = str(second)
    assert main(command[1:]) == 0
    with Image.open(first) as a, Image.open(second) as b:
        assert a.tobytes() == b.tobytes()


def test_clusters_sheet_records_settings(tmp_path, capsys):
    folder = tmp_path / "clusters"
    assert main(["clusters", "--layer", "main.8", "--k", "3", "--latents", "16", "--quiet", "--out", str(folder)]) == 0
    capsys.readouterr()

    assert main(["info", str(folder / "clusters.png")]) == 0
    out = capsys.readouterr().out
    assert "(clusters sheet)" in out
    assert "--k 3 --latents 16" in out
