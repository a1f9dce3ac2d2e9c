"""``netbend video``: a latent walk, a strength ramp or an option sweep as MP4 or GIF."""

from __future__ import annotations

from netbend.cli._options import positive_int
from netbend.errors import NetbendError
from netbend.media.frames import SWEEP_FORMAT, parse_range, parse_sweep
from netbend.media.video import default_keyframes, frame_count, make_video, plan_frames
from netbend.storage.bend_folder import load_bend
from netbend.storage.outputs import check_output_file


def parse_strength(text: str) -> tuple[float, float]:
    """Parse ``S`` (fixed) or ``START:STOP`` (a ramp)."""
    if ":" in text:
        return parse_range(text, "--strength")
    try:
        value = float(text)
    except ValueError:
        raise NetbendError(f"--strength {text!r} must be a number or START:STOP, for example 1 or 0:1.5") from None
    return value, value


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "video",
        help="write a video of a bend: a latent walk, a strength ramp or a module option sweep",
        description="Frames change by --walk, a --strength START:STOP ramp or a --sweep; they can be combined.",
    )
    parser.add_argument("run_dir", metavar="RUN_DIR", help="bend folder written by train, demo or bend")
    parser.add_argument("--out", required=True, help="video file: .mp4 (H.264) or .gif")
    parser.add_argument("--walk", action="store_true", help="walk through latent space along great circles, looping back to the start")
    parser.add_argument(
        "--strength",
        default="1",
        metavar="S|START:STOP",
        help="strength of every frame, or a ramp such as 0:1.5 over the video (default: 1)",
    )
    parser.add_argument("--sweep", metavar="SPEC", help=f"sweep a module option across the frames: {SWEEP_FORMAT}")
    parser.add_argument("--seconds", type=float, default=10.0, help="length in seconds (default: 10)")
    parser.add_argument("--fps", type=float, default=30.0, help="frames per second (default: 30)")
    parser.add_argument("--seed", type=int, default=0, help="latent seed (default: 0)")
    parser.add_argument("--grid", type=positive_int, default=1, metavar="N", help="images per frame, laid out as a grid (default: 1)")
    parser.add_argument("--columns", type=positive_int, help="grid columns (default: about square)")
    parser.add_argument("--scale", type=positive_int, default=1, help="integer upscaling of each frame (default: 1)")
    parser.add_argument(
        "--keyframes",
        type=positive_int,
        help="latents the walk passes through per grid cell (default: one per 2.5 s, at least 2)",
    )
    parser.add_argument("--device", default=None, help="torch device (default: cpu)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args) -> int:
    # Check what a user could get wrong before loading anything.
    check_output_file(args.out, (".mp4", ".gif"), kind="video")
    strength = parse_strength(args.strength)
    frames = frame_count(args.seconds, args.fps)

    bent, _ = load_bend(args.run_dir, device=args.device)
    sweep = parse_sweep(args.sweep, bent) if args.sweep else None
    keyframes = args.keyframes or default_keyframes(args.seconds)
    plan = plan_frames(
        bent, frames, seed=args.seed, cells=args.grid, walk=args.walk, keyframes=keyframes, strength=strength, sweep=sweep
    )
    result = make_video(bent, args.out, plan, fps=args.fps, columns=args.columns, scale=args.scale, progress=not args.quiet)
    print(f"{result.path}: {result.frames} frames of {result.size[0]} x {result.size[1]} at {result.fps:g} fps")
    return 0
