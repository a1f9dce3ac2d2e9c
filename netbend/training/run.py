"""A training run from settings to a finished bend folder.

``train`` is what ``netbend train`` and ``netbend demo`` call: build the modules,
train them, measure the result on held-out latents and write the folder.
"""

from __future__ import annotations

import csv
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from netbend.bending import BendPoint, BentGenerator, build_module
from netbend.bending.chain_spec import PointSpec
from netbend.errors import NetbendError
from netbend.generators import GeneratorAdapter, load_generator
from netbend.objectives import WeightedObjective, parse_objective
from netbend.sampling import save_picture
from netbend.storage.bend_folder import prepare_folder, read_manifest, save_bend, write_json
from netbend.storage.provenance import run_provenance
from netbend.training.metrics import HELD_OUT_SEED, measure_bend
from netbend.training.trainer import TrainHistory, TrainSettings, train_bend

_logger = logging.getLogger(__name__)


@dataclass
class RunConfig:
    """Everything that defines a training run; the manifest records all of it.

    A run bends one layer (``layer``, ``module``, ``module_options``) or several
    (``points``); setting both is an error.

    Attributes:
        objectives: Objective specs such as ``class:goldfish`` or ``fidelity:0.5``.
        generator: Generator spec.
        layer: Insertion point; None picks the generator's default layer.
        module: Bending module type, or a chain such as ``sort_rows+conv``
            (see ``netbend.bending.chain_spec``).
        module_options: Constructor options of the module (``hidden``, ``activation``…).
        training: Steps, batch, learning rate and seed.
        points: One ``PointSpec`` (or a dict of its fields) per bent layer.
    """

    objectives: list[str]
    generator: str = "faces"
    layer: str | None = None
    module: str = "conv"
    module_options: dict = field(default_factory=dict)
    training: TrainSettings = field(default_factory=TrainSettings)
    points: list[PointSpec] = field(default_factory=list)

    def point_specs(self) -> list[PointSpec]:
        """Return the bend points to build, checking each chain spec.

        Raises:
            NetbendError: both ``points`` and a single-layer setting are given,
                or a chain spec is malformed.
        """
        if not self.points:
            specs = [PointSpec(self.layer, self.module, dict(self.module_options))]
        elif self.layer is not None or self.module != "conv" or self.module_options:
            raise NetbendError("set either points or layer/module/module_options in RunConfig, not both")
        else:
            specs = [point if isinstance(point, PointSpec) else _point_from_dict(point) for point in self.points]
        for spec in specs:
            spec.modules()  # raises on a malformed chain before any long work starts
        return specs


def _point_from_dict(entry: dict) -> PointSpec:
    try:
        return PointSpec(**entry)
    except TypeError:
        raise NetbendError(
            f"bend point {entry!r} must be a dict with the keys layer, module and module_options"
        ) from None


@dataclass
class RunResult:
    """The outputs of ``train``: the folder, the trained bend, its history and metrics."""

    folder: Path
    bent: BentGenerator
    history: TrainHistory
    metrics: dict


def default_layer(generator: GeneratorAdapter) -> str:
    """Return the generator's preferred layer, or the middle insertion point."""
    preferred = getattr(generator, "default_layer", None)
    if preferred:
        return preferred
    points = generator.insertion_points()
    return points[len(points) // 2].name


def build_bend(generator: GeneratorAdapter, layer: str, module: str, module_options: dict, seed: int) -> BentGenerator:
    """Attach a freshly initialised module or chain (seeded with ``seed``) at ``layer``."""
    return build_bend_points(generator, [PointSpec(layer, module, module_options)], seed)


def build_bend_points(generator: GeneratorAdapter, specs: list[PointSpec], seed: int) -> BentGenerator:
    """Attach freshly initialised chains at several layers; ``seed`` seeds them all, in order.

    Raises:
        NetbendError: an unknown layer or module, a bad option, or a layer named twice.
    """
    # Trace the insertion points before seeding: a generator's forward pass may draw random numbers.
    layers = [generator.insertion_point(spec.layer or default_layer(generator)) for spec in specs]
    torch.manual_seed(seed)
    points = []
    for spec, layer in zip(specs, layers):
        chain = [build_module(module.type, layer.shape[0], module.options, shape=layer.shape) for module in spec.modules()]
        points.append(BendPoint(layer.name, layer.shape, chain))
    return BentGenerator(generator, points)


def write_losses(path: Path, history: TrainHistory) -> None:
    """Write one CSV row per step: step, total loss, then each objective term."""
    columns = ["step", "loss", *history.term_names]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(history.records)


def write_before_after_grid(bent: BentGenerator, path: Path, count: int = 8, manifest: dict | None = None) -> Path:
    """Write ``count`` held-out latents as an original row over a bent row.

    ``path`` must lie in the bend folder, whose manifest (read from there unless
    given) is saved first. The PNG records the folder and the manifest's hash, so
    ``netbend info`` can trace it and ``netbend sample`` redraw it.
    """
    if manifest is None:
        manifest = read_manifest(path.parent)
    provenance = run_provenance(
        path.parent, manifest, seed=HELD_OUT_SEED, count=count, layout="rows", strengths=(0.0, 1.0), indices=tuple(range(count))
    )
    return save_picture(bent, provenance, path)


def train(config: RunConfig, out: str | Path, device: str | None = None, progress: bool = True) -> RunResult:
    """Train a bend and write its folder.

    Args:
        config: The run's settings.
        out: Output folder; created if missing.
        device: Torch device for generator, modules and objectives (default: CPU).
        progress: Show a progress bar.

    Returns:
        The folder, bent generator, loss history and metrics.

    Raises:
        NetbendError: invalid settings, unknown names, or an unwritable folder.
    """
    # Check everything a user could get wrong before any long work starts.
    config.training.check()
    objectives: list[WeightedObjective] = [parse_objective(spec) for spec in config.objectives]
    if not objectives:
        raise NetbendError("training needs at least one objective, for example --objective class:goldfish")
    specs = config.point_specs()
    generator = load_generator(config.generator, device=device)
    specs = [PointSpec(spec.layer or default_layer(generator), spec.module, spec.module_options) for spec in specs]
    bent = build_bend_points(generator, specs, config.training.seed)
    folder = prepare_folder(out)
    if device is not None:
        bent.to(device)
        for weighted in objectives:
            weighted.objective.to(device)

    started = time.perf_counter()
    history = train_bend(bent, objectives, config.training, progress=progress)
    seconds = time.perf_counter() - started
    _logger.info("trained %d steps in %.1f s", history.steps_completed, seconds)

    # Save the trained modules first, so nothing trained is lost if a later step fails.
    extra = {
        "objectives": [weighted.describe() for weighted in objectives],
        "training": {**asdict(config.training), "optimizer": "adam", "steps_completed": history.steps_completed, "stopped": history.stopped},
        "run": {"points": [asdict(spec) for spec in specs]},
    }
    if len(specs) == 1:
        # Single-layer runs also keep the flat layer, module and module_options keys.
        extra["run"].update(asdict(specs[0]))
    save_bend(bent, folder, extra=extra)
    manifest = read_manifest(folder)
    write_losses(folder / "losses.csv", history)

    metrics = measure_bend(bent, objectives)
    metrics["training"] = {"seconds": round(seconds, 2), "steps_completed": history.steps_completed, "stopped": history.stopped}
    write_json(folder / "metrics.json", metrics)
    write_before_after_grid(bent, folder / "grid.png", manifest=manifest)
    return RunResult(folder=folder, bent=bent, history=history, metrics=metrics)
