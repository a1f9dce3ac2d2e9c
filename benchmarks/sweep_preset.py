"""Sweep candidate demo presets and report what each achieves.

Each candidate trains on the embedded face generator toward jack-o'-lantern and is
scored on the 64 held-out latents: target probability, pixel MSE to the original
(how much of each face is kept), pairwise pixel distance among bent images (how
much the faces still differ from each other) and training time.

Usage:
    python benchmarks/sweep_preset.py [--json PATH] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from netbend.objectives import parse_objective
from netbend.training.metrics import measure_bend
from netbend.training.run import build_bend
from netbend.training.trainer import TrainSettings, train_bend
from netbend.generators import load_generator

TARGET = "class:jack-o'-lantern"

# name: (layer, module, extra objectives, steps)
CANDIDATES = {
    "conv@main.5 fid5": ("main.5", "conv", ["fidelity:5"], 120),
    "conv@main.8 fid5": ("main.8", "conv", ["fidelity:5"], 120),
    "conv@main.8 fid10 div": ("main.8", "conv", ["fidelity:10", "diversity*0.5"], 120),
    "conv@main.8 fid5 div": ("main.8", "conv", ["fidelity:5", "diversity*0.5"], 120),
    "conv@main.8 fid10 div0.2": ("main.8", "conv", ["fidelity:10", "diversity*0.2"], 120),
    "conv_xy@main.8 fid5": ("main.8", "conv_xy", ["fidelity:5"], 120),
    "conv@main.11 fid5": ("main.11", "conv", ["fidelity:5"], 120),
    "cppn@main.8 fid5": ("main.8", "cppn", ["fidelity:5"], 120),
}


def run_candidate(name: str, layer: str, module: str, extra: list[str], steps: int) -> dict:
    generator = load_generator("faces")
    bent = build_bend(generator, layer, module, {}, seed=0)
    objectives = [parse_objective(spec) for spec in [TARGET, *extra]]
    started = time.perf_counter()
    train_bend(bent, objectives, TrainSettings(steps=steps, batch=8, lr=2e-3, seed=0), progress=False)
    seconds = time.perf_counter() - started
    metrics = measure_bend(bent, objectives)
    return {
        "name": name,
        "seconds": round(seconds, 1),
        "target_probability": metrics["objectives"]["class"]["after"]["target_probability"],
        "pixel_mse": metrics["fidelity"]["pixel_mse"],
        "pairwise_bent": metrics["diversity"]["pixel_pairwise_distance_bent"],
        "pairwise_original": metrics["diversity"]["pixel_pairwise_distance_original"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the rows as JSON here")
    parser.add_argument("--only", nargs="*", help="candidate names to run (default: all)")
    args = parser.parse_args()

    rows = []
    print(f"{'candidate':<24} {'s':>6} {'p(target)':>10} {'MSE':>7} {'pairwise':>9} {'orig':>7}", flush=True)
    for name, (layer, module, extra, steps) in CANDIDATES.items():
        if args.only and name not in args.only:
            continue
        torch.manual_seed(0)
        row = run_candidate(name, layer, module, extra, steps)
        rows.append(row)
        print(
            f"{name:<24} {row['seconds']:>6.1f} {row['target_probability']:>10.3f} {row['pixel_mse']:>7.4f} "
            f"{row['pairwise_bent']:>9.4f} {row['pairwise_original']:>7.4f}",
            flush=True,
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(rows, handle, indent=2)


if __name__ == "__main__":
    main()
