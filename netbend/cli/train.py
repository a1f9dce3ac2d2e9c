"""``netbend train``: train a bending module against objectives and write a bend folder."""

from __future__ import annotations

from netbend.bending import MODULES
from netbend.bending.chain_spec import PointSpec
from netbend.cli._options import module_options, positive_int
from netbend.cli._summary import print_run_summary
from netbend.errors import NetbendError
from netbend.training.run import RunConfig, train
from netbend.training.trainer import TrainSettings


def add_parser(subparsers) -> None:
    defaults = TrainSettings()
    parser = subparsers.add_parser("train", help="train a bending module and write a bend folder")
    parser.add_argument("--generator", default="faces", help="generator spec (default: faces)")
    parser.add_argument(
        "--layer",
        action="append",
        help="insertion point from `netbend layers`; repeat to bend several layers (default: the generator's default layer)",
    )
    parser.add_argument(
        "--module",
        action="append",
        metavar="CHAIN",
        help=f"bending module type, or a chain TYPE[:K=V,...]+TYPE... run in order; one per --layer, or one for all "
        f"(default: conv). Types: {', '.join(MODULES.names())}",
    )
    parser.add_argument(
        "--module-options",
        type=module_options,
        default={},
        metavar="K=V,...",
        help="options for every module, for example hidden=64,activation=sin or residual=false for the replacing form",
    )

    parser.add_argument(
        "--objective",
        action="append",
        required=True,
        metavar="SPEC",
        help="objective NAME[:ARG][;KEY=VALUE...][*WEIGHT], repeatable: class:goldfish, fidelity:0.5, diversity*0.1, palette:#ff6600,#202020",
    )
    parser.add_argument("--steps", type=positive_int, default=defaults.steps, help=f"optimiser steps (default: {defaults.steps})")
    parser.add_argument("--batch", type=positive_int, default=defaults.batch, help=f"latents per step (default: {defaults.batch})")
    parser.add_argument("--lr", type=float, default=defaults.lr, help=f"Adam learning rate (default: {defaults.lr})")
    parser.add_argument("--seed", type=int, default=defaults.seed, help=f"random seed (default: {defaults.seed})")
    parser.add_argument("--device", default=None, help="torch device, for example cuda (default: cpu)")
    parser.add_argument("--out", required=True, help="output bend folder")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def point_specs(layers: list[str] | None, modules: list[str] | None, options: dict) -> list[PointSpec]:
    """Pair each --layer with its --module; a single --module applies to every layer.

    Raises:
        NetbendError: the counts of --layer and --module do not pair up.
    """
    layers = layers or [None]
    modules = modules or ["conv"]
    if len(modules) == 1:
        modules = modules * len(layers)
    if len(modules) != len(layers):
        raise NetbendError(
            f"got {len(layers)} --layer and {len(modules)} --module; give one --module per --layer, "
            "or a single --module for all layers"
        )
    return [PointSpec(layer, module, dict(options)) for layer, module in zip(layers, modules)]


def run(args) -> int:
    config = RunConfig(
        objectives=args.objective,
        generator=args.generator,
        points=point_specs(args.layer, args.module, args.module_options),
        training=TrainSettings(steps=args.steps, batch=args.batch, lr=args.lr, seed=args.seed),
    )
    result = train(config, args.out, device=args.device, progress=not args.quiet)
    print_run_summary(result)
    return 0 if result.history.stopped is None else 1
