"""Argument types shared by several subcommands."""

from __future__ import annotations

import argparse

from netbend.bending.chain_spec import parse_options
from netbend.errors import NetbendError


def module_options(text: str) -> dict:
    """Parse ``key=value,key=value`` (values as JSON where they parse) into a dict."""
    try:
        return parse_options(text)
    except NetbendError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value
