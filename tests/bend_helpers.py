"""Small real bend folders for the evaluation, report, video and provenance tests.

Not a test module: pytest collects only ``test_*.py``. The test files import it
by name, since pytest puts this folder on ``sys.path``.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

from netbend.generators import load_generator
from netbend.objectives import parse_objective
from netbend.storage.bend_folder import save_bend
from netbend.training.run import build_bend, write_losses
from netbend.training.trainer import TrainSettings, train_bend

OBJECTIVES = ["class:goldfish", "fidelity:1"]


def make_bend_folder(folder: Path, steps: int = 3, device: str = "cpu") -> Path:
    """Train a conv bend at main.8 for a few steps and save it with losses.csv.

    A few steps at a high learning rate move the zero-initialised head far enough
    that bent images differ visibly from the originals, in about a second.
    """
    generator = load_generator("faces", device=device)
    bent = build_bend(generator, "main.8", "conv", {}, seed=0)
    objectives = [parse_objective(spec) for spec in OBJECTIVES]
    settings = TrainSettings(steps=steps, batch=2, lr=0.05, seed=0)
    history = train_bend(bent, objectives, settings, progress=False)
    extra = {
        "objectives": [weighted.describe() for weighted in objectives],
        "training": {**asdict(settings), "optimizer": "adam", "steps_completed": history.steps_completed, "stopped": None},
    }
    save_bend(bent, folder, extra=extra)
    write_losses(folder / "losses.csv", history)
    return folder


def make_identity_folder(folder: Path, device: str = "cpu") -> Path:
    """Save an untrained residual conv bend, which leaves every image unchanged."""
    bent = build_bend(load_generator("faces", device=device), "main.8", "conv", {}, seed=0)
    save_bend(bent, folder, extra={"objectives": [parse_objective(OBJECTIVES[0]).describe()]})
    return folder


@functools.lru_cache(maxsize=1)
def shared_bend_folder() -> Path:
    """Return one trained bend folder for the whole test session, removed at exit.

    Training costs a few classifier passes, so the test modules share one folder.
    Tests may add files to it but must not change its manifest or weights.
    """
    root = Path(tempfile.mkdtemp(prefix="netbend-test-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return make_bend_folder(root / "run")
