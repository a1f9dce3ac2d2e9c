"""Time training steps in the CLIP setting of Aldegheri et al. (2023).

That setting is a 512 px generator, a conv bending module, ViT-B/32 CLIP and a
batch of 32. The generator here is a stand-in of conv-transpose layers with random
weights, and CLIP has random weights (``pretrained=none``). The timing depends on
the shapes, not on the values, so nothing is downloaded. Each step runs through
``train_bend``: generator forward, kornia augmentation, CLIP forward, backward and
the Adam step.

NOTE: run on the CPU only so far; the GPU figure for batch 32 is not measured yet.

Usage:
    python benchmarks/bench_clip_step.py [--device cuda] [--batch 32] [--steps 5]
        [--objective SPEC ...] [--layer main.11] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch
from torch import nn

from netbend.generators.base import GeneratorAdapter
from netbend.objectives import parse_objective
from netbend.training.run import build_bend
from netbend.training.trainer import TrainSettings, train_bend

LATENT_DIM = 512
# Channels after each conv-transpose layer, from 4 px (after the first) to 512 px.
WIDTHS = (512, 512, 256, 256, 128, 64, 32, 16)
DEFAULT_OBJECTIVES = ['text:"a laughing pumpkin";model=ViT-B-32-quickgelu;pretrained=none']


class StandInNetwork(nn.Module):
    """A random 512 x 512 generator: a latent of 512 x 1 x 1 through eight conv-transpose stages."""

    def __init__(self) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.ConvTranspose2d(LATENT_DIM, WIDTHS[0], 4, 1, 0), nn.ReLU()]  # 4 x 4
        for in_chans, out_chans in zip(WIDTHS[:-1], WIDTHS[1:]):  # 8 x 8 ... 512 x 512
            layers += [nn.ConvTranspose2d(in_chans, out_chans, 4, 2, 1), nn.ReLU()]
        layers += [nn.Conv2d(WIDTHS[-1], 3, 3, padding=1), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        return self.main(latents)


class StandInGenerator(GeneratorAdapter):
    """Adapter for ``StandInNetwork`` with weights drawn from seed 0.

    Insertion points are the ReLU outputs ``main.1`` (4 px) to ``main.15`` (512 px).
    """

    def __init__(self) -> None:
        torch.manual_seed(0)
        super().__init__(StandInNetwork(), spec="stand-in-512")

    def sample_latents(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return torch.randn(n, LATENT_DIM, 1, 1, generator=generator)

    def to_images(self, output: torch.Tensor) -> torch.Tensor:
        return (output + 1) / 2

    def insertion_point_names(self) -> list[str]:
        return [f"main.{index}" for index in range(1, 2 * len(WIDTHS), 2)]


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu", help="torch device")
    parser.add_argument("--batch", type=int, default=32, help="latents per step (default: 32)")
    parser.add_argument("--steps", type=int, default=5, help="timed steps after the warm-up (default: 5)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed first steps: model loading, kernel selection (default: 2)")
    parser.add_argument("--layer", default="main.11", help="insertion point (default: main.11, 128 px with 64 channels)")
    parser.add_argument("--objective", action="append", help=f"objective spec, repeatable (default: {DEFAULT_OBJECTIVES[0]})")
    parser.add_argument("--json", help="also write the result as JSON here")
    args = parser.parse_args()

    device = torch.device(args.device)
    generator = StandInGenerator().to(device)
    bent = build_bend(generator, args.layer, "conv", {}, seed=0).to(device)
    objectives = [parse_objective(spec) for spec in args.objective or DEFAULT_OBJECTIVES]
    for weighted in objectives:
        weighted.objective.to(device)

    # Each on_step call follows the step's loss.item(), which waits for the device.
    stamps: list[float] = []

    def on_step(record: dict) -> None:
        synchronize(device)
        stamps.append(time.perf_counter())

    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    synchronize(device)
    started = time.perf_counter()
    settings = TrainSettings(steps=args.warmup + args.steps, batch=args.batch)
    history = train_bend(bent, objectives, settings, progress=False, on_step=on_step)
    if history.stopped:
        raise SystemExit(f"training stopped early: {history.stopped}")

    times = [later - earlier for earlier, later in zip([started, *stamps], stamps)][args.warmup :]
    result = {
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "torch": torch.__version__,
        "batch": args.batch,
        "layer": args.layer,
        "image_size": list(bent(generator.sample_latents(1, torch.Generator().manual_seed(0)).to(device)).shape[-2:]),
        "objectives": [weighted.spec for weighted in objectives],
        "step_seconds_median": statistics.median(times),
        "step_seconds": [round(value, 4) for value in times],
        "peak_memory_gib": round(torch.cuda.max_memory_allocated(device) / 2**30, 2) if device.type == "cuda" else None,
    }
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)


if __name__ == "__main__":
    main()
