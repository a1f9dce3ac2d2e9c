"""Time channel clustering and transform-bend sampling on the embedded face generator.

(a) Clustering: sample 256 latents, record layer main.8 (128 x 16 x 16),
    cluster its channels into 5 groups, as ``netbend clusters`` does, and
    separately draw the cluster sheet.
(b) Sampling: render 64 images with the unbent generator and with two
    transform-only bends, alternating them, and compare images per second.
    The bends are the example from the docs (rotate:30@cluster:2 with
    threshold:0.5@channels:0-31, using the clusters from (a)) and a chain of
    four transforms from different families.

Both wall-clock and process CPU time are reported. On a machine shared with
other jobs the wall-clock figures swing widely, and the CPU time of the
process is the steadier measure of what the transforms cost. Rerun this on the
machine you care about. ``--per-transform`` also times each transform alone on
all channels, and ``--threads`` sets torch's thread count.

Usage:
    python benchmarks/bench_transforms.py [--repeats N] [--threads N] [--per-transform] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import torch

from netbend.analysis.clusters import ChannelClusters, find_clusters
from netbend.analysis.sheets import cluster_sheet
from netbend.bending import BentGenerator
from netbend.bending.transform_bend import build_transform_bend, transform_names
from netbend.generators import load_generator
from netbend.sampling import sample

LAYER = "main.8"
IMAGES = 64
EXAMPLE = ["rotate:30@cluster:2", "threshold:0.5@channels:0-31"]
# A chain that touches four families: spatial, pointwise, noise and morphology.
CHAIN = ["rotate:30@fraction:0.5:seed=1", "threshold:0.5@channels:0-31", "noise:0.2@channels:64-95", "dilate:3@channels:96-127"]
SINGLE = {
    "ablate": "ablate",
    "invert": "invert",
    "multiply": "multiply:2",
    "add": "add:0.5",
    "noise": "noise:0.5",
    "threshold": "threshold:0.5",
    "rotate": "rotate:30",
    "translate": "translate:0.25",
    "zoom": "zoom:1.5",
    "flip": "flip:h",
    "erode": "erode:3",
    "dilate": "dilate:3",
    "sobel": "sobel",
}


def time_clustering(repeats: int, latents: int, k: int) -> tuple[dict, ChannelClusters]:
    seconds, sheet_seconds = [], []
    for _ in range(repeats):
        generator = load_generator("faces")
        started = time.perf_counter()
        clusters, samples, activations = find_clusters(generator, LAYER, k, latents=latents, seed=0)
        seconds.append(time.perf_counter() - started)

        started = time.perf_counter()
        with torch.no_grad():
            images = generator.generate(samples[:4])
        cluster_sheet(images, activations, clusters)
        sheet_seconds.append(time.perf_counter() - started)
    figures = {
        "latents": latents,
        "k": k,
        "cluster_seconds_median": statistics.median(seconds),
        "cluster_seconds_max": max(seconds),
        "sheet_seconds_median": statistics.median(sheet_seconds),
        "sizes": clusters.sizes(),
    }
    return figures, clusters


def time_one_run(bent: BentGenerator) -> tuple[float, float]:
    """Return (wall seconds, process CPU seconds) to sample IMAGES images."""
    wall, cpu = time.perf_counter(), time.process_time()
    sample(bent, count=IMAGES, seed=0)
    return time.perf_counter() - wall, time.process_time() - cpu


def time_sampling(repeats: int, variants: dict[str, BentGenerator]) -> dict:
    """Sample with every variant in turn, ``repeats`` rounds, so that changing load hits them all alike."""
    for bent in variants.values():
        sample(bent, count=IMAGES, seed=0)  # warm-up
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, bent in variants.items():
            runs[name].append(time_one_run(bent))

    figures = {}
    for name, times in runs.items():
        walls = [wall for wall, _ in times]
        cpus = [cpu for _, cpu in times]
        figures[name] = {
            "wall_images_per_second_median": IMAGES / statistics.median(walls),
            "wall_images_per_second_best": IMAGES / min(walls),
            "cpu_seconds_median": statistics.median(cpus),
        }
    unbent = figures["unbent"]
    for name, row in figures.items():
        row["wall_median_over_unbent"] = row["wall_images_per_second_median"] / unbent["wall_images_per_second_median"]
        row["wall_best_over_unbent"] = row["wall_images_per_second_best"] / unbent["wall_images_per_second_best"]
        row["cpu_unbent_over_this"] = unbent["cpu_seconds_median"] / row["cpu_seconds_median"]
    return figures


def print_sampling(figures: dict) -> None:
    print(f"    {'variant':<26} {'img/s median':>12} {'img/s best':>10} {'CPU s':>7} {'ratio median':>12} {'ratio best':>10} {'ratio CPU':>9}")
    for name, row in figures.items():
        print(
            f"    {name:<26} {row['wall_images_per_second_median']:>12.1f} {row['wall_images_per_second_best']:>10.1f} "
            f"{row['cpu_seconds_median']:>7.3f} {row['wall_median_over_unbent']:>12.3f} {row['wall_best_over_unbent']:>10.3f} "
            f"{row['cpu_unbent_over_this']:>9.3f}"
        )


def time_each_transform(repeats: int) -> dict:
    variants = {"unbent": BentGenerator(load_generator("faces"), [])}
    for name in transform_names():
        variants[SINGLE[name]] = build_transform_bend(load_generator("faces"), LAYER, [SINGLE[name]])
    return time_sampling(repeats, variants)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="sampling rounds per variant (default: 15)")
    parser.add_argument("--cluster-repeats", type=int, default=3, help="clustering repeats (default: 3)")
    parser.add_argument("--latents", type=int, default=256, help="latents for clustering (default: 256)")
    parser.add_argument("--k", type=int, default=5, help="clusters (default: 5)")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--per-transform", action="store_true", help="also time each transform alone on all channels")
    parser.add_argument("--json", help="write the results as JSON here")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    machine = {
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "load_average_before": os.getloadavg(),
    }
    print(f"torch {machine['torch']}, {machine['torch_threads']} threads, load average {machine['load_average_before'][0]:.1f}")

    clustering, clusters = time_clustering(args.cluster_repeats, args.latents, args.k)
    print(f"\n(a) clustering {LAYER} (128 x 16 x 16), {args.latents} latents, k={args.k}, {args.cluster_repeats} runs")
    print(f"    median {clustering['cluster_seconds_median']:.2f} s, max {clustering['cluster_seconds_max']:.2f} s")
    print(f"    sheet drawing: median {clustering['sheet_seconds_median']:.2f} s; cluster sizes {clustering['sizes']}")

    variants = {
        "unbent": BentGenerator(load_generator("faces"), []),
        "example (2 transforms)": build_transform_bend(load_generator("faces"), LAYER, EXAMPLE, clusters),
        "chain (4 transforms)": build_transform_bend(load_generator("faces"), LAYER, CHAIN),
    }
    sampling = time_sampling(args.repeats, variants)
    print(f"\n(b) sampling {IMAGES} images, {args.repeats} alternating rounds; ratios are bent speed over unbent speed")
    print(f"    example: {' '.join(EXAMPLE)}")
    print(f"    chain: {' '.join(CHAIN)}")
    print_sampling(sampling)

    results = {"machine": machine, "clustering": clustering, "sampling": sampling, "example": EXAMPLE, "chain": CHAIN}
    if args.per_transform:
        results["per_transform"] = time_each_transform(max(3, args.repeats // 3))
        print("\n    each transform alone on all channels")
        print_sampling(results["per_transform"])

    machine["load_average_after"] = os.getloadavg()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
