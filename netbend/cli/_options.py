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


def strength_list(text: str) -> list[float]:
    """Parse ``1`` or ``0,0.5,1`` into a list of strengths."""
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"strength {text!r} must be a number or comma-separated numbers, for example 0,0.5,1") from None
    if not values:
        raise argparse.ArgumentTypeError(f"strength {text!r} contains no number; pass for example 0,0.5,1")
    return values
