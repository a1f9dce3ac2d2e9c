"""The HTML report: well-formed, self-contained, with traceable inline images."""

from __future__ import annotations

import base64
import io
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from bend_helpers import shared_bend_folder
from PIL import Image

from netbend.cli.main import main
from netbend.errors import NetbendError
from netbend.report import write_report
from netbend.report.svg import line_chart, nice_ticks
from netbend.sampling import draw_picture
from netbend.storage.bend_folder import load_bend
from netbend.storage.provenance import Provenance

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# SVG elements the charts close with "/>".
SELF_CLOSING = {"rect", "line", "polyline"}


class StrictParser(HTMLParser):
    """Records tag nesting errors, every attribute value, and the inline images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.images: list[str] = []
        self.doctype = None
        self.tags: list[str] = []

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        if tag not in VOID | SELF_CLOSING:
            self.errors.append(f"<{tag}/> is not a void or SVG element")

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()


@pytest.fixture(scope="module")
def folder():
    return shared_bend_folder()


@pytest.fixture(scope="module")
def report(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    figures = write_report(folder, out, count=4, grid_count=3)
    return out, figures


@pytest.fixture(scope="module")
def parsed(report):
    parser = StrictParser()
    parser.feed(report[0].read_text(encoding="utf-8"))
    parser.close()
    return parser


def embedded_image(source: str) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert source.startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(source[len(prefix) :])))


def test_report_is_well_formed(parsed):
    assert parsed.doctype == "DOCTYPE html"
    assert parsed.errors == []
    assert parsed.stack == []


def test_report_declares_charset(parsed):
    assert ("meta", "charset", "utf-8") in parsed.attributes


def test_report_blocks_requests(parsed):
    policies = [value for tag, name, value in parsed.attributes if tag == "meta" and name == "content" and "default-src" in value]
    assert policies == ["default-src 'none'; img-src data:; style-src 'unsafe-inline'"]


def test_report_has_no_external_references(report, parsed):
    links = [value for _, name, value in parsed.attributes if name in {"src", "href", "srcset", "poster", "action"}]
    assert all(value.startswith("data:") or value.startswith("#") for value in links)
    assert re.search(r"url\(|@import", report[0].read_text(encoding="utf-8")) is None


def test_report_has_no_script(parsed):
    assert "script" not in parsed.tags


def test_report_draws_each_loss_term(parsed):
    # losses.csv has loss, class and fidelity columns besides step.
    assert parsed.tags.count("svg") == 3
    assert parsed.tags.count("polyline") == 3


def test_report_image_carries_provenance(folder, parsed):
    image = embedded_image(parsed.images[0])
    provenance = Provenance.from_text(image.text)
    assert provenance.layout == "rows"
    assert provenance.strengths == (0.0, 0.5, 1.0, 1.5)
    assert provenance.indices == (0, 1, 2)
    assert provenance.run == str(folder.resolve())


def test_report_image_redraws_exactly(folder, parsed):
    image = embedded_image(parsed.images[0])
    bent, _ = load_bend(folder)
    redrawn = draw_picture(bent, Provenance.from_text(image.text))
    assert np.array_equal(np.asarray(redrawn), np.asarray(image.convert("RGB")))


def test_report_shows_metrics(report):
    text = report[0].read_text(encoding="utf-8")
    perceptual = f"{report[1]['fidelity']['perceptual_distance']:.4g}"
    assert perceptual in text
    assert "objective class:goldfish" in text


def test_report_without_losses(folder, tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("manifest.json", "bend.safetensors"):
        (bare / name).write_bytes((folder / name).read_bytes())
    out = tmp_path / "bare.html"
    write_report(bare, out, count=2, grid_count=1, strengths=(0.0, 1.0))
    text = out.read_text(encoding="utf-8")
    assert "No losses.csv" in text
    assert "<svg" not in text


def test_report_rejects_wrong_suffix(folder, tmp_path):
    with pytest.raises(NetbendError, match="unknown report format"):
        write_report(folder, tmp_path / "report.pdf", count=2)


def test_report_rejects_unwritable_folder(folder, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(NetbendError, match="cannot write to output folder"):
        write_report(folder, blocker / "report.html", count=2)


def test_evaluate_cli_missing_run(tmp_path, capsys):
    code = main(["evaluate", str(tmp_path / "missing"), "--out", str(tmp_path / "r.html")])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err


def test_chart_handles_flat_curve():
    svg = line_chart([0, 1, 2], [0.5, 0.5, 0.5], "flat")
    assert svg.count("<polyline") == 1
    assert "0.5" in svg


def test_chart_skips_non_finite_values():
    svg = line_chart([0, 1, 2], [1.0, float("nan"), 3.0], "gap")
    points = re.search(r'points="([^"]+)"', svg).group(1).split()
    assert len(points) == 2


def test_ticks_are_round_numbers():
    assert nice_ticks(0.05, 8.29) == [2, 4, 6, 8]
