"""``netbend inspect``: a contact sheet of one layer's channel activation maps."""

from __future__ import annotations

import torch

from netbend.analysis.activations import layer_activations
from netbend.analysis.sheets import channel_sheet
from netbend.bending.transforms.channels import parse_index_list
from netbend.cli._options import positive_int
from netbend.generators import load_generator
from netbend.storage.images import save_png
from netbend.storage.provenance import sheet_text
from netbend.training.run import default_layer


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "inspect", help="draw a layer's channel activation maps beside the generated images, as a PNG contact sheet"
    )
    parser.add_argument("--generator", default="faces", help="generator spec (default: faces)")
    parser.add_argument("--layer", help="insertion point from `netbend layers` (default: the generator's default layer)")
    parser.add_argument("--latents", type=positive_int, default=4, help="number of latents, one block each (default: 4)")
    parser.add_argument(
        "--channels", default="0-15", help="channels to show: indices and ranges such as 0-31,40, or all (default: 0-15)"
    )
    parser.add_argument("--columns", type=positive_int, default=16, help="maps per line before wrapping (default: 16)")
    parser.add_argument("--seed", type=int, default=0, help="latent seed (default: 0)")
    parser.add_argument("--out", required=True, help="PNG file to write")
    parser.add_argument("--device", default=None, help="torch device for the generator (default: cpu)")
    parser.set_defaults(run=run)


def run(args) -> int:
    generator = load_generator(args.generator, device=args.device)
    layer = args.layer or default_layer(generator)
    count = generator.insertion_point(layer).shape[0]
    if args.channels.strip() == "all":
        channels = list(range(count))
    else:
        channels = parse_index_list(args.channels, count, layer=f"layer {layer}")

    latents = generator.sample_latents(args.latents, torch.Generator().manual_seed(args.seed))
    activations, images = layer_activations(generator, layer, latents, with_images=True)
    command = ["netbend", "inspect", "--generator", generator.spec, "--layer", layer, "--latents", str(args.latents)]
    command += ["--channels", args.channels, "--columns", str(args.columns), "--seed", str(args.seed), "--out", args.out]
    text = sheet_text("inspect", generator.spec, layer, args.seed, command)
    path = save_png(channel_sheet(images, activations, channels, columns=args.columns), args.out, text=text)
    print(f"{len(channels)} of {count} channels of {layer}, {args.latents} latents: {path}")
    return 0
