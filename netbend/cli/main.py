"""The ``netbend`` command: a thin layer over the Python API.

Each subcommand lives in its own module of this package with
``add_parser(subparsers)``; the parser it adds sets ``run(args) -> int`` as its
default. Modules whose names start with an underscore are helpers, not commands.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

import netbend.cli

from netbend.errors import NetbendError
from netbend.version import __version__



def command_modules() -> list:
    """Import and return every subcommand module, sorted by name."""
    modules = []
    for info in sorted(pkgutil.iter_modules(netbend.cli.__path__), key=lambda info: info.name):
        if info.name.startswith("_") or info.name == "main":
            continue
        module = importlib.import_module(f"netbend.cli.{info.name}")
        if hasattr(module, "add_parser"):
            modules.append(module)
    return modules


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netbend",
        description="Network bending for pretrained generative image models.",
    )
    parser.add_argument("--version", action="version", version=f"netbend {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log where weights come from and other details")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in command_modules():
        module.add_parser(subparsers)
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
