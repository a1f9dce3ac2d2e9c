"""Splitting objective specs into name, argument, options and weight.

A spec is ``NAME[:ARGUMENT][;KEY=VALUE]...[*WEIGHT]``. Quotes (``"`` or ``'``)
protect ``;``, ``*`` and ``->`` inside prompts and paths. A quote only counts when
a matching closing quote follows it, so an apostrophe in an unquoted argument such
as ``class:jack-o'-lantern*2`` stays a literal character.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from netbend.errors import NetbendError

QUOTES = "\"'"


@dataclass
class SpecParts:
    """The parts of one spec, still as text apart from the weight."""

    name: str
    argument: str
    options: dict[str, str] = field(default_factory=dict)
    weight: float | None = None


def find_unquoted(text: str, token: str) -> list[int]:
    """Return the start positions of ``token`` in ``text`` outside quoted regions."""
    positions = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in QUOTES:
            closing = text.find(char, index + 1)
            if closing != -1:
                index = closing + 1
                continue
        if text.startswith(token, index):
            positions.append(index)
            index += len(token)
            continue
        index += 1
    return positions


def unquote(text: str) -> str:
    """Strip surrounding whitespace and one pair of quotes that enclose all of ``text``."""
    text = text.strip()
    if len(text) >= 2 and text[0] in QUOTES and text.find(text[0], 1) == len(text) - 1:
        return text[1:-1]
    return text


def split_unquoted(text: str, separator: str) -> list[str]:
    """Split ``text`` at every ``separator`` that is outside quotes."""
    parts = []
    start = 0
    for position in find_unquoted(text, separator):
        parts.append(text[start:position])
        start = position + len(separator)
    parts.append(text[start:])
    return parts


def split_spec(spec: str) -> SpecParts:
    """Split ``spec`` into its parts.

    Raises:
        NetbendError: an option without ``=``, a repeated option, or a weight that is
            not a positive finite number.
    """
    text = spec.strip()

    # A trailing *NUMBER outside quotes is the weight; anything else after * is text.
    weight = None
    stars = find_unquoted(text, "*")
    if stars:
        tail = text[stars[-1] + 1 :].strip()
        try:
            weight = float(tail)
        except ValueError:
            weight = None
        if weight is not None:
            text = text[: stars[-1]]
            if not (weight > 0 and math.isfinite(weight)):
                raise NetbendError(f"objective {spec!r} has weight {tail}; weights must be positive finite numbers")

    head, *option_texts = split_unquoted(text, ";")
    name, _, argument = head.partition(":")

    options: dict[str, str] = {}
    for option_text in filter(None, (item.strip() for item in option_texts)):
        key, separator, value = option_text.partition("=")
        key = key.strip()
        if not separator or not key.isidentifier():
            raise NetbendError(
                f"objective {spec!r}: option {option_text!r} must look like key=value, "
                'for example text:"a pumpkin";pretrained=laion400m_e32'
            )
        if key in options:
            raise NetbendError(f"objective {spec!r} sets option {key!r} twice; keep one")
        options[key] = unquote(value)

    return SpecParts(name=name.strip(), argument=unquote(argument), options=options, weight=weight)
