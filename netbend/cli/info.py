"""``netbend info``: tell which bend and settings made a PNG, and how to redraw it."""

from __future__ import annotations

import sys
from pathlib import Path

from netbend.errors import NetbendError
from netbend.storage.bend_folder import read_manifest
from netbend.storage.provenance import format_number, manifest_sha256, read_provenance, read_sheet_text


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("info", help="show the bend, seed, latents and strength that made a netbend PNG")
    parser.add_argument("image", metavar="IMAGE", help="PNG written by netbend (sample, train, demo, evaluate, clusters, inspect)")
    parser.add_argument(
        "--run",
        dest="run_dir",
        metavar="RUN_DIR",
        help="bend folder to check the image against (default: the folder recorded in the image)",
    )
    parser.set_defaults(run=run)


def describe_latents(provenance) -> str:
    if provenance.layout == "image":
        return f"latent {provenance.indices[0]} of {provenance.count} drawn from seed {provenance.seed}"
    return f"{len(provenance.indices)} latents of {provenance.count} drawn from seed {provenance.seed}"


def check_run(run_dir: str, recorded_hash: str) -> str | None:
    """Return a warning when ``run_dir`` is missing or contains a different manifest, else None."""
    try:
        manifest = read_manifest(run_dir)
    except NetbendError as error:
        return f"cannot check the bend folder: {error}"
    actual = manifest_sha256(manifest)
    if actual != recorded_hash:
        return (
            f"the manifest in {run_dir} has sha256 {actual}, but the image was made from a manifest with sha256 "
            f"{recorded_hash}; that folder now holds a different bend, so the command below will not redraw the image"
        )
    return None


def print_sheet(image: str, fields: dict[str, str]) -> int:
    print(f"image:     {image} ({fields['sheet']} sheet)")
    print(f"generator: {fields.get('generator', 'unknown')}")
    print(f"layer:     {fields.get('layer', 'unknown')}")
    print(f"seed:      {fields.get('seed', 'unknown')}")
    print(f"netbend:   {fields.get('version', 'unknown')}")
    print(f"reproduce: {fields.get('command', 'unknown')}")
    return 0


def run(args) -> int:
    sheet = read_sheet_text(args.image)
    if sheet is not None:
        return print_sheet(args.image, sheet)
    provenance = read_provenance(args.image)
    run_dir = args.run_dir or provenance.run
    strengths = ", ".join(format_number(value) for value in provenance.strengths)
    layout = {"image": "single image", "grid": "grid", "rows": "one row per strength"}[provenance.layout]

    print(f"image:     {args.image} ({layout})")
    print(f"run:       {provenance.run}")
    print(f"manifest:  sha256 {provenance.manifest_sha256}")
    print(f"generator: {provenance.generator}")
    print(f"latents:   {describe_latents(provenance)}")
    print(f"strength:  {strengths}")
    if provenance.columns is not None:
        print(f"columns:   {provenance.columns}")
    print(f"netbend:   {provenance.version}")

    warning = check_run(run_dir, provenance.manifest_sha256)
    if warning:
        print(f"netbend: warning: {warning}", file=sys.stderr)
    out = f"{Path(args.image).stem}-reproduced.png"
    print(f"reproduce: {provenance.reproduce_command(out=out, run=run_dir)}")
    return 0
