"""Time `netbend evaluate` and a 10 s, 30 fps walk video against their 20 s limits.

Each command runs as its own process, exactly as a user types it, so the times
include Python start-up, imports and weight loading. On a shared machine other
processes slow both commands down, so the table also gives the load average before
each run and the CPU time (user + system) the command used. A row measured under a
load above the core count reflects the machine more than netbend. Its CPU time
divided by the core count estimates the wall time on a quiet machine, though under
load OpenMP threads that spin while waiting add CPU time of their own.

Usage:
    python benchmarks/bench_media.py [--run runs/demo] [--repeat 3] [--json PATH]
        [--env OMP_WAIT_POLICY=PASSIVE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_SECONDS = 20.0


def commands(run: str, folder: Path) -> dict[str, list[str]]:
    cli = [sys.executable, "-m", "netbend.cli.main"]
    return {
        "evaluate": [*cli, "evaluate", run, "--out", str(folder / "report.html")],
        "video walk 10 s 30 fps": [*cli, "video", run, "--walk", "--seconds", "10", "--fps", "30", "--quiet", "--out", str(folder / "walk.mp4")],
    }


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_command(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run ``command``; return wall seconds, CPU seconds and the 1-minute load average before it."""
    load = os.getloadavg()[0]
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with status {result.returncode}:\n{result.stderr}")
    return seconds, cpu_seconds() - cpu_before, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", default="runs/demo", help="bend folder to use (default: runs/demo; `make demo` writes it)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per command (default: 3)")
    parser.add_argument("--json", help="write the rows as JSON here")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="extra environment for the commands")
    args = parser.parse_args()

    if not (ROOT / args.run / "manifest.json").is_file() and not (Path(args.run) / "manifest.json").is_file():
        raise SystemExit(f"bend folder {args.run} not found; run `make demo` or pass --run")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.update(item.split("=", 1) for item in args.env)

    rows = []
    with tempfile.TemporaryDirectory(prefix="netbend-bench-") as folder:
        for name, command in commands(str(Path(args.run).resolve()), Path(folder)).items():
            times, cpu_times, loads = [], [], []
            for _ in range(args.repeat):
                seconds, cpu, load = time_command(command, env)
                times.append(seconds)
                cpu_times.append(cpu)
                loads.append(load)
            rows.append(
                {
                    "command": name,
                    "median_s": round(statistics.median(times), 2),
                    "min_s": round(min(times), 2),
                    "cpu_s": round(statistics.median(cpu_times), 2),
                    "limit_s": LIMIT_SECONDS,
                    "within_limit": statistics.median(times) <= LIMIT_SECONDS,
                    "load_before": [round(load, 2) for load in loads],
                }
            )

    print(f"cores: {os.cpu_count()}, torch threads: default, extra env: {args.env or 'none'}")
    print(f"{'command':<24} {'median s':>9} {'min s':>7} {'CPU s':>7} {'limit s':>8}  within  load before each run")
    for row in rows:
        loads = ", ".join(f"{load:.1f}" for load in row["load_before"])
        print(
            f"{row['command']:<24} {row['median_s']:>9.2f} {row['min_s']:>7.2f} {row['cpu_s']:>7.2f} {row['limit_s']:>8.0f}  "
            f"{'yes' if row['within_limit'] else 'NO':<6}  {loads}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"cores": os.cpu_count(), "env": args.env, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
