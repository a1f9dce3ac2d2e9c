"""Plain-text summary of a finished run, printed by ``train`` and ``demo``."""

from __future__ import annotations

from netbend.training.run import RunResult


def print_run_summary(result: RunResult) -> None:
    metrics = result.metrics
    print(f"bend folder: {result.folder}")
    print(f"trained {metrics['training']['steps_completed']} steps in {metrics['training']['seconds']:.1f} s")
    if result.history.stopped:
        print(f"stopped early: {result.history.stopped}")
    count = metrics["held_out"]["count"]
    for name, figures in metrics["objectives"].items():
        for key, before in figures["before"].items():
            after = figures["after"][key]
            print(f"  {name} {key} over {count} held-out latents: {before:.4f} -> {after:.4f}")
    print(f"  fidelity pixel MSE to the original: {metrics['fidelity']['pixel_mse']:.4f}")
    print(f"grid: {result.folder / 'grid.png'}")
