"""``netbend sample``: generate images from a bend folder.

Every PNG it writes carries its provenance (see ``netbend.storage.provenance``), and
``netbend info IMAGE.png`` prints the ``sample`` command that redraws it.
"""

from __future__ import annotations

from netbend.cli._options import positive_int, strength_list
from netbend.errors import NetbendError
from netbend.sampling import sample, save_images, save_picture
from netbend.storage.bend_folder import load_bend
from netbend.storage.provenance import run_provenance


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("sample", help="generate images from a bend folder")
    parser.add_argument("run_dir", metavar="RUN_DIR", help="bend folder written by train, demo or bend")
    parser.add_argument("--n", type=positive_int, default=16, help="number of latents drawn from the seed (default: 16)")
    parser.add_argument("--seed", type=int, default=0, help="latent seed (default: 0)")
    parser.add_argument(
        "--strength",
        type=strength_list,
        default=[1.0],
        metavar="S[,S...]",
        help="0 = original, 1 = as trained, above 1 exaggerates (default: 1); "
        "several comma-separated values write one labelled row per strength",
    )
    parser.add_argument(
        "--index",
        type=int,
        help="write only latent I of the draw as a single image to --out (0 <= I < --n)",
    )
    parser.add_argument("--columns", type=positive_int, help="grid columns (default: about square)")
    parser.add_argument("--out", help="PNG to write: a grid, rows of strengths, or one image with --index")
    parser.add_argument("--out-dir", help="folder for one PNG per image")
    parser.add_argument("--device", default=None, help="torch device (default: cpu)")
    parser.set_defaults(run=run)


def run(args) -> int:
    if not args.out and not args.out_dir:
        raise NetbendError("say where to write the images: --out grid.png and/or --out-dir FOLDER")
    if args.index is not None and not args.out:
        raise NetbendError("--index writes one image to --out; add --out image.png")
    if args.index is not None and not 0 <= args.index < args.n:
        raise NetbendError(f"--index {args.index} is out of range for --n {args.n}; use 0 to {args.n - 1}, or raise --n")
    if len(args.strength) > 1 and args.out_dir:
        raise NetbendError("--out-dir takes one --strength; write rows of several strengths with --out only")
    if len(args.strength) > 1 and args.index is not None:
        raise NetbendError("--index takes one --strength; drop --index to write one row per strength")

    bent, manifest = load_bend(args.run_dir, device=args.device)
    draw = {"seed": args.seed, "count": args.n, "strengths": tuple(args.strength)}

    if args.out:
        if args.index is not None:
            provenance = run_provenance(args.run_dir, manifest, layout="image", indices=(args.index,), **draw)
        elif len(args.strength) > 1:
            provenance = run_provenance(args.run_dir, manifest, layout="rows", indices=tuple(range(args.n)), **draw)
        else:
            columns = args.columns or max(1, round(args.n**0.5))
            provenance = run_provenance(
                args.run_dir, manifest, layout="grid", indices=tuple(range(args.n)), columns=columns, **draw
            )
        print(save_picture(bent, provenance, args.out))

    if args.out_dir:
        provenance = run_provenance(args.run_dir, manifest, layout="grid", indices=tuple(range(args.n)), **draw)
        images = sample(bent, count=args.n, seed=args.seed, strength=args.strength[0])
        paths = save_images(images, args.out_dir, provenance=provenance)
        print(f"{len(paths)} images in {args.out_dir}")
    return 0
