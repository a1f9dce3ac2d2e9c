"""``write_report``: evaluate a bend folder and write its HTML report."""

from __future__ import annotations

import csv
import datetime
import logging
from pathlib import Path

from netbend.bending import BentGenerator
from netbend.errors import NetbendError
from netbend.evaluation.evaluate import evaluate_bend
from netbend.report.html import Picture, ReportContent, render_report
from netbend.sampling import draw_picture
from netbend.storage.bend_folder import load_bend
from netbend.storage.images import png_bytes
from netbend.storage.outputs import check_output_file
from netbend.storage.provenance import format_number, manifest_sha256, run_provenance
from netbend.training.metrics import HELD_OUT_COUNT, HELD_OUT_SEED

_logger = logging.getLogger(__name__)

DEFAULT_STRENGTHS = (0.0, 0.5, 1.0, 1.5)
LOSSES = "losses.csv"


def read_losses(path: Path) -> dict[str, list[float]] | None:
    """Read ``losses.csv`` into column lists, or return None when it is missing or unreadable."""
    if not path.is_file():
        return None
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            columns: dict[str, list[float]] = {name: [] for name in reader.fieldnames or []}
            for record in reader:
                for name in columns:
                    value = record.get(name)
                    columns[name].append(float(value) if value not in (None, "") else float("nan"))
    except (OSError, ValueError, csv.Error) as error:
        _logger.warning("losses file %s is unreadable, the report has no loss curves: %s", path, error)
        return None
    return columns


def strength_picture(bent: BentGenerator, run_dir: Path, manifest: dict, strengths: tuple[float, ...], count: int) -> Picture:
    """Draw ``count`` held-out latents, one row per strength, as a PNG that keeps its provenance."""
    provenance = run_provenance(
        run_dir, manifest, seed=HELD_OUT_SEED, count=count, layout="rows", strengths=strengths, indices=tuple(range(count))
    )
    image = draw_picture(bent, provenance)
    caption = (
        f"The first {count} held-out latents (seed {HELD_OUT_SEED}), one row per strength "
        f"{', '.join(format_number(value) for value in strengths)}: 0 is the original generator, "
        "1 the bend as trained, above 1 exaggerates it."
    )
    return Picture(
        png=png_bytes(image, provenance.to_text()),
        width=image.width,
        height=image.height,
        caption=caption,
        command=provenance.reproduce_command(out="strengths.png"),
    )


def write_report(
    run_dir: str | Path,
    out: str | Path,
    strengths: tuple[float, ...] = DEFAULT_STRENGTHS,
    count: int = HELD_OUT_COUNT,
    grid_count: int = 8,
    device: str | None = None,
) -> dict:
    """Evaluate the bend in ``run_dir`` and write a self-contained HTML report to ``out``.

    Args:
        run_dir: Bend folder.
        out: The ``.html`` file to write.
        strengths: One image row per strength.
        count: Held-out latents the metrics use.
        grid_count: Latents per image row.
        device: Torch device for the generator and the classifier.

    Returns:
        The evaluation (as ``evaluate_bend`` returns it).

    Raises:
        NetbendError: a missing bend folder, an unwritable output, or bad settings.
    """
    out = check_output_file(out, (".html", ".htm"), kind="report")
    if not strengths:
        raise NetbendError("the report needs at least one strength for its image rows, for example 0,1")
    if grid_count < 1:
        raise NetbendError(f"the image rows need at least 1 latent, got {grid_count}")
    run_dir = Path(run_dir)
    bent, manifest = load_bend(run_dir, device=device)

    evaluation = evaluate_bend(bent, manifest, count=count)
    content = ReportContent(
        run=str(run_dir.resolve()),
        manifest=manifest,
        manifest_sha256=manifest_sha256(manifest),
        evaluation=evaluation,
        losses=read_losses(run_dir / LOSSES),
        pictures=[strength_picture(bent, run_dir, manifest, tuple(strengths), grid_count)],
        written=datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
    )

    try:
        out.write_text(render_report(content), encoding="utf-8")
    except OSError as error:
        raise NetbendError(f"cannot write report {out}: {error.strerror or error}; choose another --out") from error
    _logger.info("wrote report %s", out)
    return evaluation
