"""Measure the sorting modules: distance from the identity when untrained, and cost.

For each module and size, an untrained module runs on standard-normal
activations. The script prints the largest change the module makes, then the
time of one forward and backward pass at batch 8.

Usage:
    python benchmarks/sort_modules.py [--sizes 4 16 64 256] [--batch 8]
"""

from __future__ import annotations

import argparse
import time

import torch

from netbend.bending import build_module

KINDS = ["sort_rows", "sort_cols", "sort_rows_cols", "sort_channels"]


def activation_shape(kind: str, size: int) -> tuple[int, int, int]:
    """Return ``size`` channels at 8 x 8 for channel sorting, else a ``size`` x ``size`` map of 64 channels."""
    return (size, 8, 8) if kind == "sort_channels" else (64, size, size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 16, 64, 256])
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()

    torch.manual_seed(0)
    print(f"{'module':<16} {'size':>5} {'max change untrained':>21} {'forward+backward s':>19}")
    for kind in KINDS:
        for size in args.sizes:
            shape = activation_shape(kind, size)
            module = build_module(kind, shape[0], {}, shape=shape)
            x = torch.randn(args.batch, *shape)
            with torch.no_grad():
                change = (module(x) - x).abs().max().item()

            started = time.perf_counter()
            module(x).square().mean().backward()
            seconds = time.perf_counter() - started
            print(f"{kind:<16} {size:>5} {change:>21.5f} {seconds:>19.2f}")


if __name__ == "__main__":
    main()
