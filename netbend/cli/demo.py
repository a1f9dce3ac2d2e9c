"""``netbend demo``: train the default preset on the embedded face generator."""

from __future__ import annotations

from netbend.cli._summary import print_run_summary
from netbend.presets import demo_config
from netbend.training.run import train


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="bend the embedded face generator toward a jack-o'-lantern")
    parser.add_argument("--out", default="runs/demo", help="output bend folder (default: runs/demo)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args) -> int:
    config = demo_config()
    print(f"demo: {config.module} module at layer {config.layer} of '{config.generator}', objectives {config.objectives}")
    result = train(config, args.out, progress=not args.quiet)
    print_run_summary(result)
    return 0
