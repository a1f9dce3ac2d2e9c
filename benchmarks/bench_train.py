"""Speed and memory of netbend's trainer on the default preset, against a minimal loop.

Figures:
- train_steps_per_s: ``netbend.train_bend`` on the demo preset.
- minimal_loop_steps_per_s: a hand-written loop doing the same work (same
  generator split at the same layer, same module, augmentation, classifier,
  fidelity and diversity terms and Adam), with none of netbend's machinery.
- ratio: the first over the second (goal >= 0.9).
- step_gflop and achieved_gflops: floating-point work of one training step counted
  by ``torch.utils.flop_counter.FlopCounterMode`` (convolutions and matmuls, forward
  and backward), and that work times the trainer's step rate.
- matmul_gflops: this machine's fp32 matmul rate (2048 x 2048), for scale.
- sample_images_per_s_bent / _unbent: batched sampling at strength 1 and from the
  plain generator.
- peak_rss_mb: peak resident memory of this process (goal <= 2048).

Usage:
    python benchmarks/bench_train.py [--steps 30] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from netbend.bending import build_module
from netbend.generators import load_generator
from netbend.objectives import parse_objective
from netbend.objectives.augment import random_views
from netbend.objectives.classifier import load_classifier
from netbend.objectives.diversity import pairwise_mean_distance
from netbend.objectives.imagenet_class import TRAIN_VIEW_SIZE
from netbend.presets import demo_config
from netbend.training.run import build_bend
from netbend.training.trainer import TrainSettings, train_bend


def netbend_steps_per_s(steps: int) -> float:
    config = demo_config()
    generator = load_generator(config.generator)
    bent = build_bend(generator, config.layer, config.module, {}, seed=0)
    objectives = [parse_objective(spec) for spec in config.objectives]
    settings = TrainSettings(steps=steps, batch=config.training.batch, lr=config.training.lr, seed=0)
    train_bend(bent, objectives, TrainSettings(steps=3, batch=settings.batch), progress=False)  # warm-up
    started = time.perf_counter()
    train_bend(bent, objectives, settings, progress=False)
    return steps / (time.perf_counter() - started)


class MinimalLoop:
    """The demo preset's training step written out by hand."""

    def __init__(self) -> None:
        config = demo_config()
        network = load_generator(config.generator).network
        split = int(config.layer.split(".")[1]) + 1
        self.prefix, self.suffix = network.main[:split], network.main[split:]
        self.batch = config.training.batch
        weights = {weighted.objective.name: weighted for weighted in map(parse_objective, config.objectives)}
        self.target = weights["class"].objective.target
        self.fidelity_weight = weights["fidelity"].weight
        self.diversity_weight = weights["diversity"].weight
        torch.manual_seed(0)
        self.module = build_module(config.module, 128)
        self.classifier = load_classifier("cpu")
        self.optimizer = torch.optim.Adam(self.module.parameters(), lr=config.training.lr)
        self.latent_generator = torch.Generator().manual_seed(0)
        self.augment_generator = torch.Generator().manual_seed(1)

    def step(self) -> None:
        latents = torch.randn(self.batch, 100, 1, 1, generator=self.latent_generator)
        with torch.no_grad():
            activation = self.prefix(latents)
            originals = (self.suffix(activation) + 1) / 2
        images = (self.suffix(self.module(activation)) + 1) / 2
        views = random_views(images, TRAIN_VIEW_SIZE, generator=self.augment_generator)
        logits = self.classifier(views)
        targets = torch.full((self.batch,), self.target)
        fidelity = (images - originals).square().mean()
        ratio = pairwise_mean_distance(images) / pairwise_mean_distance(latents)
        diversity = 1.0 / (ratio + 1e-5)
        loss = F.cross_entropy(logits, targets) + self.fidelity_weight * fidelity + self.diversity_weight * diversity
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()


def minimal_steps_per_s(steps: int) -> tuple[float, float]:
    """Return the minimal loop's step rate and the GFLOP of one of its steps."""
    loop = MinimalLoop()
    for _ in range(3):
        loop.step()
    counter = FlopCounterMode(display=False)
    with counter:
        loop.step()
    started = time.perf_counter()
    for _ in range(steps):
        loop.step()
    return steps / (time.perf_counter() - started), counter.get_total_flops() / 1e9


def matmul_gflops(size: int = 2048, repeats: int = 10) -> float:
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    started = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * size**3 * repeats / (time.perf_counter() - started) / 1e9


@torch.no_grad()
def sample_rates(count: int = 64, repeats: int = 5) -> tuple[float, float]:
    config = demo_config()
    generator = load_generator(config.generator)
    bent = build_bend(generator, config.layer, config.module, {}, seed=0)
    torch.nn.init.normal_(bent.points[0].chain[0].head.weight, std=0.02)
    latents = generator.sample_latents(count, torch.Generator().manual_seed(0))

    def best_rate(run) -> float:
        run()
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        return count / min(times)

    bent_rate = best_rate(lambda: bent(latents, strength=1.0))
    unbent_rate = best_rate(lambda: bent(latents, strength=0.0))
    return bent_rate, unbent_rate


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark netbend's trainer against a minimal loop.")
    parser.add_argument("--steps", type=int, default=30, help="timed steps per measurement (default: 30)")
    parser.add_argument("--json", help="write the figures as JSON here")
    args = parser.parse_args()

    # Alternate the two loops twice and keep each one's best rate, so a burst of
    # background load does not decide the ratio.
    train_rates, minimal_rates, step_gflop = [], [], 0.0
    for _ in range(2):
        train_rates.append(netbend_steps_per_s(args.steps))
        rate, step_gflop = minimal_steps_per_s(args.steps)
        minimal_rates.append(rate)
    train_rate, minimal_rate = max(train_rates), max(minimal_rates)
    bent_rate, unbent_rate = sample_rates()

    figures = {
        "train_steps_per_s": round(train_rate, 3),
        "minimal_loop_steps_per_s": round(minimal_rate, 3),
        "ratio": round(train_rate / minimal_rate, 3),
        "step_gflop": round(step_gflop, 3),
        "achieved_gflops": round(step_gflop * train_rate, 2),
        "matmul_gflops": round(matmul_gflops(), 2),
        "sample_images_per_s_bent": round(bent_rate, 1),
        "sample_images_per_s_unbent": round(unbent_rate, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "torch_threads": torch.get_num_threads(),
        "batch": demo_config().training.batch,
    }
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2, sort_keys=True)


if __name__ == "__main__":
    main()
