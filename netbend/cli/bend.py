"""``netbend bend``: write a bend folder of deterministic transforms, with no training."""

from __future__ import annotations

from netbend.bending.transform_bend import build_transform_bend, save_transform_bend, transform_names
from netbend.generators import load_generator
from netbend.storage.bend_folder import prepare_folder
from netbend.storage.cluster_file import load_clusters
from netbend.training.run import default_layer, write_before_after_grid


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "bend",
        help="apply fixed transforms (rotate, threshold, ...) to a layer's channels and write a bend folder",
        description=(
            "Chain transforms at one layer. Each --transform is NAME[:PARAM,...][@SELECTION], where SELECTION is "
            "all (default), channels:0-31,40, fraction:0.25[:seed=3] or cluster:2. "
            f"Transforms: {', '.join(transform_names())}. See docs/transforms.md for their parameters."
        ),
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
