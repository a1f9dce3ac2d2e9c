"""The evaluation report as one self-contained HTML page.

Images are inline base64 PNGs (each keeping its provenance text chunks), loss curves
are inline SVG and the style sheet is inline, so the file opens in any browser with
no network and no script. A Content-Security-Policy meta tag blocks every request
the page could make, so a browser stays offline even if a later edit slips in an
external address. Headings carry Japanese next to English.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from html import escape

from netbend.report.svg import line_chart
from netbend.storage.provenance import format_number

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans CJK JP", "Yu Gothic",
       "IPAPGothic", sans-serif; margin: 0; background: #f6f6f4; color: #1d1d1d; line-height: 1.45; }
main { max-width: 1240px; margin: 0 auto; padding: 20px 28px 40px; }
h1 { font-size: 1.6rem; margin: 0.2rem 0 0.4rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.6rem; border-bottom: 2px solid #d8d8d2; padding-bottom: 0.2rem; }
.ja { color: #666; font-weight: normal; font-size: 0.85em; margin-left: 0.5em; }
.meta { color: #555; font-size: 0.9rem; margin: 0.1rem 0; }
table { border-collapse: collapse; background: #fff; font-size: 0.92rem; }
th, td { border: 1px solid #d8d8d2; padding: 5px 10px; text-align: left; vertical-align: top; }
th { background: #ecece6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.group td { background: #f0f0ea; font-weight: 600; }
.note { color: #555; font-size: 0.85rem; max-width: 60rem; }
figure { margin: 0 0 1.2rem; }
figure img { display: block; image-rendering: pixelated; background: #fff; border: 1px solid #d8d8d2; }
figcaption { font-size: 0.85rem; color: #444; margin-top: 0.3rem; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.82rem;
       background: #ecece6; padding: 1px 4px; word-break: break-all; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.chart { background: #fff; border: 1px solid #d8d8d2; }
.chart .plot { fill: #fff; stroke: #bbb; }
.chart .grid { stroke: #e4e4de; }
.chart .line { fill: none; stroke: #c0392b; stroke-width: 1.6; }
.chart .tick { font-size: 11px; fill: #555; }
.chart .chart-title { font-size: 13px; font-weight: 600; fill: #222; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { font-weight: 600; }
dd { margin: 0; }
pre { background: #fff; border: 1px solid #d8d8d2; padding: 10px; overflow-x: auto; font-size: 0.8rem; }
"""

# Readable names of the figures objectives report; unknown keys are shown as they are.
FIGURE_NAMES = {
    "target_probability": "target class probability",
    "target_top1_rate": "share of images whose top-1 class is the target",
    "pixel_mse": "pixel MSE to the original image",
    "pixel_pairwise_distance": "mean pairwise pixel distance",
    "pixel_pairwise_distance_original": "mean pairwise pixel distance of the originals",
}


@dataclass
class Picture:
    """One inline image: its PNG bytes, caption and the command that redraws it."""

    png: bytes
    width: int
    height: int
    caption: str
    command: str = ""


@dataclass
class ReportContent:
    """Everything the page shows.

    Attributes:
        run: Bend folder path as shown.
        manifest: The bend's manifest.
        manifest_sha256: Its canonical hash.
        evaluation: What ``evaluate_bend`` returned.
        losses: Column name to values from ``losses.csv`` (with ``step``), or None.
        pictures: Images to show, in order.
        written: When the report was made, as text.
    """

    run: str
    manifest: dict
    manifest_sha256: str
    evaluation: dict
    losses: dict[str, list[float]] | None = None
    pictures: list[Picture] = field(default_factory=list)
    written: str = ""


def heading(level: int, english: str, japanese: str) -> str:
    return f'<h{level}>{escape(english)}<span class="ja" lang="ja">{escape(japanese)}</span></h{level}>'


def number(value: float | None) -> str:
    if value is None:
        return "–"
    if value == 0:
        return "0"
    return f"{value:.4g}"


def signed(value: float) -> str:
    return "0" if value == 0 else f"{value:+.4g}"


def metrics_rows(evaluation: dict) -> list[str]:
    """Return the table rows: each objective's figures, then fidelity, then diversity."""
    rows = []

    def row(label: str, before: float | None, after: float | None, meaning: str, ratio: bool = False) -> None:
        change = "–"
        if before is not None and after is not None:
            change = signed(after - before)
            if ratio and before:
                change += f" (×{after / before:.2f})"
        rows.append(
            f"<tr><td>{escape(label)}</td><td class=\"num\">{number(before)}</td><td class=\"num\">{number(after)}</td>"
            f"<td class=\"num\">{change}</td><td>{escape(meaning)}</td></tr>"
        )

    def group(title: str) -> None:
        rows.append(f'<tr class="group"><td colspan="5">{escape(title)}</td></tr>')

    for name, result in evaluation["objectives"].items():
        group(f"objective {result['spec']}")
        if "error" in result:
            rows.append(f'<tr><td colspan="5">not measured: {escape(result["error"])}</td></tr>')
            continue
        for key, before in result["before"].items():
            row(FIGURE_NAMES.get(key, key), before, result["after"].get(key), f"{name} objective's own figure")

    fidelity = evaluation["fidelity"]
    group("fidelity: distance from the original image of the same latent")
    row("perceptual distance (mean)", 0.0, fidelity["perceptual_distance"], "0 = unchanged; higher = further from the original")
    row("perceptual distance (largest)", 0.0, fidelity["perceptual_distance_max"], "the image that moved most")
    row("pixel MSE", 0.0, fidelity["pixel_mse"], "mean squared difference of pixel values in [0, 1]")

    diversity = evaluation["diversity"]
    group("diversity: mean distance between pairs of images")
    row(
        "perceptual pairwise distance",
        diversity["perceptual_original"],
        diversity["perceptual_bent"],
        "near 0 = every latent gives the same look (collapse)",
        ratio=True,
    )
    row("pixel pairwise distance", diversity["pixel_original"], diversity["pixel_bent"], "mean absolute pixel difference", ratio=True)
    return rows


def metrics_section(evaluation: dict) -> str:
    held_out = evaluation["held_out"]
    features = evaluation["features"]
    strength = format_number(evaluation["strength"])
    blocks = ", ".join(str(block) for block in features["blocks"])
    header = (
        "<tr><th>measure</th><th>original (strength 0)<br><span lang=\"ja\">元の画像</span></th>"
        f"<th>bent (strength {strength})<br><span lang=\"ja\">ベンド後</span></th>"
        "<th>change<br><span lang=\"ja\">変化</span></th><th>how to read it</th></tr>"
    )
    return "\n".join(
        [
            heading(2, "Metrics", "指標"),
            f'<p class="meta">{held_out["count"]} held-out latents drawn from seed {held_out["seed"]}, the same latents '
            "as the run's metrics.json; the original images come from the unbent generator.</p>",
            "<table>",
            header,
            *metrics_rows(evaluation),
            "</table>",
            f'<p class="note">Perceptual distance: both images are resized to {features["input_size"]} px and '
            f"passed through the bundled EfficientNet-Lite0 classifier. The outputs of its blocks {blocks} are "
            "unit-normalised along channels, squared differences are summed over channels and averaged over "
            "positions, and the blocks are averaged. This is LPIPS without learned weights, so each block's figure "
            "lies in [0, 4]. Diversity is the same distance averaged over all pairs of images in a set.</p>",
        ]
    )


def picture_html(picture: Picture) -> str:
    source = "data:image/png;base64," + base64.b64encode(picture.png).decode("ascii")
    command = f"<br>redraw: <code>{escape(picture.command)}</code>" if picture.command else ""
    return (
        f'<figure><img src="{source}" width="{picture.width}" height="{picture.height}" alt="{escape(picture.caption)}">'
        f"<figcaption>{escape(picture.caption)}{command}</figcaption></figure>"
    )


def pictures_section(pictures: list[Picture]) -> str:
    return "\n".join([heading(2, "Images at several strengths", "強度ごとの画像"), *(picture_html(picture) for picture in pictures)])


def losses_section(losses: dict[str, list[float]] | None, manifest: dict) -> str:
    parts = [heading(2, "Loss curves", "損失の推移")]
    if not losses or "step" not in losses or not losses["step"]:
        parts.append("<p>No losses.csv in this bend folder: the bend was not trained by netbend, so there are no curves.</p>")
        return "\n".join(parts)

    weights = {entry.get("name"): entry.get("weight") for entry in manifest.get("objectives", [])}
    charts = []
    for column, values in losses.items():
        if column == "step":
            continue
        if column == "loss":
            title = "total loss (weighted sum)"
        elif weights.get(column) is not None:
            title = f"{column} (weight {format_number(weights[column])})"
        else:
            title = column
        charts.append(line_chart(losses["step"], values, title))
    parts.append('<div class="charts">' + "".join(charts) + "</div>")
    parts.append('<p class="note">Each objective term before weighting, per training step (one batch each), from losses.csv.</p>')
    return "\n".join(parts)


def chain_text(point: dict) -> str:
    modules = []
    for module in point.get("chain", []):
        options = ", ".join(f"{key}={value}" for key, value in sorted(module.get("config", {}).items()))
        modules.append(f"{module.get('type')}({options})")
    return " → ".join(modules)


def bend_section(content: ReportContent) -> str:
    manifest = content.manifest
    items = [("generator", manifest.get("generator", "?"))]
    for index, point in enumerate(manifest.get("points", [])):
        shape = " x ".join(str(size) for size in point.get("shape", []))
        items.append((f"point {index}", f"layer {point.get('layer')} ({shape}): {chain_text(point)}"))
    for entry in manifest.get("objectives", []):
        items.append(("objective", f"{entry.get('spec')} (weight {format_number(entry.get('weight', 1.0))})"))
    training = manifest.get("training")
    if training:
        settings = ", ".join(f"{key} {'none' if value is None else value}" for key, value in sorted(training.items()))
        items.append(("training", settings))
    items.append(("weights sha256", manifest.get("weights", {}).get("sha256", "?")))
    items.append(("manifest sha256", content.manifest_sha256))
    items.append(("made with netbend", manifest.get("netbend_version", "?")))

    rows = "".join(f"<dt>{escape(str(term))}</dt><dd>{escape(str(value))}</dd>" for term, value in items)
    manifest_json = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
    return "\n".join(
        [
            heading(2, "Bend", "ベンドの設定"),
            f"<dl>{rows}</dl>",
            f"<details><summary>manifest.json</summary><pre>{escape(manifest_json)}</pre></details>",
        ]
    )


def render_report(content: ReportContent) -> str:
    """Return the report page as HTML text."""
    folder_name = content.run.rstrip("/").rsplit("/", 1)[-1] or content.run
    title = f"netbend report: {folder_name}"
    seconds = content.evaluation.get("seconds")
    timing = f", measured in {seconds:.1f} s" if seconds is not None else ""
    body = [
        heading(1, title, "評価レポート"),
        f'<p class="meta">bend folder <code>{escape(content.run)}</code></p>',
        f'<p class="meta">written {escape(content.written)}{timing}</p>',
        metrics_section(content.evaluation),
        pictures_section(content.pictures),
        losses_section(content.losses, content.manifest),
        bend_section(content),
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
            "<main>",
            *body,
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )
