"""``netbend sample``: generate images from a bend folder."""

from __future__ import annotations

from netbend.cli._options import positive_int
from netbend.errors import NetbendError
from netbend.sampling import sample, save_grid, save_images
from netbend.storage.bend_folder import load_bend


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("sample", help="generate images from a bend folder")
    parser.add_argument("run_dir", metavar="RUN_DIR", help="bend folder written by train, demo or bend")
    parser.add_argument("--n", type=positive_int, default=16, help="number of images (default: 16)")
    parser.add_argument("--seed", type=int, default=0, help="latent seed (default: 0)")
    parser.add_argument(
        "--strength", type=float, default=1.0, help="0 = original, 1 = as trained, above 1 exaggerates (default: 1)"
    )
    parser.add_argument("--columns", type=positive_int, help="grid columns (default: about square)")
    parser.add_argument("--out", help="grid PNG to write")
    parser.add_argument("--out-dir", help="folder for one PNG per image")
    parser.add_argument("--device", default=None, help="torch device (default: cpu)")
    parser.set_defaults(run=run)


def run(args) -> int:
    if not args.out and not args.out_dir:
        raise NetbendError("say where to write the images: --out grid.png and/or --out-dir FOLDER")
    bent, _ = load_bend(args.run_dir, device=args.device)
    images = sample(bent, count=args.n, seed=args.seed, strength=args.strength)
    if args.out:
        print(save_grid(images, args.out, columns=args.columns))
    if args.out_dir:
        paths = save_images(images, args.out_dir)
        print(f"{len(paths)} images in {args.out_dir}")
    return 0
