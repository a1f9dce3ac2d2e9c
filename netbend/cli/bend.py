"""``netbend bend``: write a bend folder of deterministic transforms, with no training."""

from __future__ import annotations

import argparse

from netbend.bending.transform_bend import build_transform_bend, save_transform_bend, transform_names, transform_usage
from netbend.generators import load_generator
from netbend.storage.bend_folder import prepare_folder
from netbend.storage.cluster_file import load_clusters
from netbend.training.run import default_layer, write_before_after_grid


def transform_help() -> str:
    """Return the help epilog: each transform with its parameters and defaults."""
    lines = ["transforms (parameters in positional order, defaults after =):"]
    for name in transform_names():
        lines.append(f"  {transform_usage(name)}")
    lines.append("see docs/transforms.md for what each one does")
    return "\n".join(lines)


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "bend",
        help="apply fixed transforms (rotate, threshold, ...) to a layer's channels and write a bend folder",
        description=(
            "Chain transforms at one layer, applied in order. Each --transform is\n"
            "NAME[:PARAM,...][@SELECTION]. SELECTION is all (the default), channels:0-31,40,\n"
            "fraction:0.25[:seed=3] or cluster:N (needs --clusters)."
        ),
        epilog=transform_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--generator", default="faces", help="generator spec (default: faces)")
    parser.add_argument("--layer", help="insertion point from `netbend layers` (default: the generator's default layer)")
    parser.add_argument(
        "--transform",
        action="append",
        required=True,
        metavar="SPEC",
        help="transform spec, repeatable, applied in order: rotate:30@cluster:2, threshold:0.5@channels:0-31",
    )
    parser.add_argument("--clusters", metavar="DIR", help="output folder (or clusters.json) of `netbend clusters`, for @cluster:N")
    parser.add_argument("--out", required=True, help="output bend folder")
    parser.add_argument("--device", default=None, help="torch device for the preview grid (default: cpu)")
    parser.add_argument("--no-grid", action="store_true", help="skip the original-versus-bent preview grid.png")
    parser.set_defaults(run=run)


def run(args) -> int:
    clusters = load_clusters(args.clusters) if args.clusters else None
    generator = load_generator(args.generator, device=args.device)
    layer = args.layer or default_layer(generator)
    bent = build_transform_bend(generator, layer, args.transform, clusters)
    folder = prepare_folder(args.out)
    save_transform_bend(bent, folder, args.transform, clusters)

    print(f"bend folder: {folder}")
    point = bent.points[0]
    for spec, module in zip(args.transform, point.chain):
        selected = point.shape[0] if module.indices is None else len(module.indices)
        print(f"  {spec}: {selected} of {point.shape[0]} channels at {layer}")
    if not args.no_grid:
        print(f"grid: {write_before_after_grid(bent, folder / 'grid.png')}")
    return 0
