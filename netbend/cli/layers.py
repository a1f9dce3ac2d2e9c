"""``netbend layers``: list a generator's insertion points and activation shapes."""

from __future__ import annotations

import json

from netbend.generators import load_generator


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("layers", help="list the layers where a bending module can be inserted")
    parser.add_argument("--generator", default="faces", help="generator spec (default: faces)")
    parser.add_argument("--json", action="store_true", help="print a JSON list of {name, kind, shape}")
    parser.set_defaults(run=run)


def run(args) -> int:
    generator = load_generator(args.generator)
    points = generator.insertion_points()
    if args.json:
        print(json.dumps([point.as_dict() for point in points], indent=2))
        return 0
    default = getattr(generator, "default_layer", None)
    name_width = max(len("layer"), *(len(point.name) for point in points))
    kind_width = max(len("module"), *(len(point.kind) for point in points))
    shapes = [" x ".join(str(size) for size in point.shape) for point in points]

    # A note column only when the adapter describes its points, so other tables keep their layout.
    has_notes = any(point.note for point in points)
    shape_width = max(len("activation (C x H x W)"), *(len(shape) for shape in shapes)) if has_notes else 0
    header = f"{'layer':<{name_width}}  {'module':<{kind_width}}  {'activation (C x H x W)':<{shape_width}}"
    print(f"{header}  note" if has_notes else header)
    for point, shape in zip(points, shapes):
        marker = "  (default)" if point.name == default else ""
        note = f"  {point.note}" if has_notes else ""
        print(f"{point.name:<{name_width}}  {point.kind:<{kind_width}}  {shape:<{shape_width}}{note}{marker}".rstrip())
    return 0
