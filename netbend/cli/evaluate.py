"""``netbend evaluate``: measure a bend and write a self-contained HTML report."""

from __future__ import annotations

from pathlib import Path

from netbend.cli._options import positive_int, strength_list
from netbend.errors import NetbendError
from netbend.report.build import DEFAULT_STRENGTHS, write_report
from netbend.storage.bend_folder import write_json
from netbend.storage.outputs import check_output_file
from netbend.storage.provenance import format_number
from netbend.training.metrics import HELD_OUT_COUNT


def add_parser(subparsers) -> None:
    default_strengths = ",".join(format_number(value) for value in DEFAULT_STRENGTHS)
    parser = subparsers.add_parser("evaluate", help="measure a bend and write an HTML report with metrics, losses and images")
    parser.add_argument("run_dir", metavar="RUN_DIR", help="bend folder written by train, demo or bend")
    parser.add_argument("--out", default="report.html", help="HTML file to write (default: report.html)")
    parser.add_argument(
        "--strengths",
        type=strength_list,
        default=list(DEFAULT_STRENGTHS),
        metavar="S,S,...",
        help=f"one image row per strength (default: {default_strengths})",
    )
    parser.add_argument(
        "--count", type=positive_int, default=HELD_OUT_COUNT, help=f"held-out latents to measure on (default: {HELD_OUT_COUNT})"
    )
    parser.add_argument("--grid-count", type=positive_int, default=8, help="latents per image row (default: 8)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--device", default=None, help="torch device (default: cpu)")
    parser.set_defaults(run=run)


def run(args) -> int:
    if args.json:
        check_output_file(args.json, (".json",), kind="figures")
    evaluation = write_report(
        args.run_dir, args.out, strengths=tuple(args.strengths), count=args.count, grid_count=args.grid_count, device=args.device
    )
    count = evaluation["held_out"]["count"]
    for name, result in evaluation["objectives"].items():
        if "error" in result:
            print(f"  {name}: not measured ({result['error']})")
            continue
        for key, before in result["before"].items():
            print(f"  {name} {key} over {count} held-out latents: {before:.4f} -> {result['after'][key]:.4f}")
    fidelity, diversity = evaluation["fidelity"], evaluation["diversity"]
    print(f"  fidelity perceptual distance to the original: {fidelity['perceptual_distance']:.4f}")
    print(f"  diversity perceptual pairwise distance: {diversity['perceptual_original']:.4f} -> {diversity['perceptual_bent']:.4f}")
    if args.json:
        path = Path(args.json)
        try:
            write_json(path, evaluation)
        except OSError as error:
            raise NetbendError(f"cannot write figures {path}: {error.strerror or error}; choose another --json") from error
        print(f"figures: {path}")
    print(f"report: {args.out}")
    return 0
