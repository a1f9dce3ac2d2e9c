"""``netbend clusters``: group a layer's channels by their spatial activation maps."""

from __future__ import annotations

import time

import torch

from netbend.analysis.clusters import find_clusters
from netbend.analysis.sheets import cluster_sheet
from netbend.cli._options import positive_int
from netbend.generators import load_generator
from netbend.storage.bend_folder import prepare_folder
from netbend.storage.cluster_file import save_clusters
from netbend.storage.images import save_png
from netbend.storage.provenance import sheet_text
from netbend.training.run import default_layer


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "clusters",
        help="cluster a layer's channels by their activation maps, for @cluster:N transform selections",
    )
    parser.add_argument("--generator", default="faces", help="generator spec (default: faces)")
    parser.add_argument("--layer", help="insertion point from `netbend layers` (default: the generator's default layer)")
    parser.add_argument("--k", type=positive_int, default=5, help="number of clusters (default: 5)")
    parser.add_argument("--latents", type=positive_int, default=256, help="latents sampled for the activations (default: 256)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the latents and of k-means (default: 0)")
    parser.add_argument("--batch", type=positive_int, default=64, help="latents per forward pass (default: 64)")
    parser.add_argument("--sheet-latents", type=positive_int, default=4, help="latents shown with their images in clusters.png (default: 4)")
    parser.add_argument("--out", required=True, help="output folder for clusters.json and clusters.png")
    parser.add_argument("--device", default=None, help="torch device for the generator (default: cpu)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args) -> int:
    folder = prepare_folder(args.out)
    generator = load_generator(args.generator, device=args.device)
    layer = args.layer or default_layer(generator)

    started = time.perf_counter()
    clusters, latents, activations = find_clusters(
        generator, layer, args.k, latents=args.latents, seed=args.seed, batch=args.batch, progress=not args.quiet
    )
    seconds = time.perf_counter() - started
    path = save_clusters(clusters, folder)
    with torch.no_grad():
        images = generator.generate(latents[: args.sheet_latents]).float().cpu()
    command = ["netbend", "clusters", "--generator", generator.spec, "--layer", layer, "--k", str(args.k)]
    command += ["--latents", str(args.latents), "--seed", str(args.seed), "--sheet-latents", str(args.sheet_latents), "--out", args.out]
    text = sheet_text("clusters", generator.spec, layer, args.seed, command)
    picture = cluster_sheet(images, activations, clusters, sheet_latents=args.sheet_latents)
    sheet = save_png(picture, folder / "clusters.png", text=text)

    print(f"clustered the {clusters.shape[0]} channels of {layer} over {args.latents} latents in {seconds:.1f} s")
    for cluster, size in enumerate(clusters.sizes()):
        print(f"  cluster {cluster}: {size} channels")
    print(f"assignment: {path}")
    print(f"sheet: {sheet}")
    return 0
