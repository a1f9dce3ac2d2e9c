"""The ``netbend`` command: a thin layer over the Python API.

Each subcommand lives in its own module with ``add_parser(subparsers)`` and
``run(args) -> int``; ``COMMANDS`` lists them in help order.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from netbend.errors import NetbendError
from netbend.version import __version__

COMMANDS = ["layers", "train", "sample", "demo"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netbend",
        description="Network bending for pretrained generative image models.",
    )
    parser.add_argument("--version", action="version", version=f"netbend {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log where weights come from and other details")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"netbend.cli.{name.replace('-', '_')}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="netbend: %(levelname)s: %(message)s",
    )
    try:
        return args.run(args)
    except NetbendError as error:
        print(f"netbend: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("netbend: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
