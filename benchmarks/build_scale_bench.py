"""Time `policyc build` on one policy with many local events: is the build near-linear?

    .venv/bin/python benchmarks/build_scale_bench.py [--sizes 2500 5000 10000] [--runs 3]

For each size N, writes a project to benchmarks/out/scale-N/ (git ignores benchmarks/out/): the
shared vocabulary and one policy declaring N local events (no `same as`), each the action of one
obligation with its own timescale. Then times `policyc build` there as a user runs it (a whole
command in a subprocess; the first run writes every file, later runs compare and write nothing),
and prints a Markdown table: wall-clock median, min and max, and child CPU time. With a linear build
the time per event stays flat as N grows; the target is under 30 s for 10,000 local events.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path

from build_bench import ROOT, policyc, run_build

TARGET_SECONDS = 30.0


def write_project(n: int) -> Path:
    root = ROOT / "benchmarks" / "out" / f"scale-{n}"
    if root.exists():
        shutil.rmtree(root)
    (root / "policies" / "bench").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.policyc]\n", encoding="utf-8")
    shutil.copy(ROOT / "policies" / "vocabulary.policy", root / "policies" / "vocabulary.policy")
    lines = ['policy "Many local events"', '  authority "Bench Council"', "  effective 2024-01-01",
             '  uses "../vocabulary.policy"', ""]
    lines += [f'event local_{i} "Local event {i}"' for i in range(n)]
    for i in range(n):
        lines += ["", f'obligation duty_{i} "Duty {i}"', "  while child_in_need",
                  f"  social_worker must do local_{i} within {i % 20 + 1} days of referral"]
    (root / "policies" / "bench" / "many.policy").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2500, 5000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    command = [policyc(), "build"]
    print(f"`policyc build` on one policy with N local events, {args.runs} runs each; "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")
    print()
    print("| local events | runs | median s | min s | max s | CPU s (median) | CPU ms per event |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    worst = 0.0
    for n in args.sizes:
        project = write_project(n)
        walls, cpus = [], []
        for _ in range(args.runs):
            wall, cpu, _ = run_build(command, cwd=project)
            walls.append(wall)
            cpus.append(cpu)
        median = statistics.median(walls)
        worst = max(worst, median)
        cpu = statistics.median(cpus)
        print(f"| {n:,} | {args.runs} | {median:.2f} | {min(walls):.2f} | {max(walls):.2f} | {cpu:.2f} "
              f"| {1000 * cpu / n:.2f} |")
    print()
    print(f"target: under {TARGET_SECONDS:.0f} s at every size: {'met' if worst < TARGET_SECONDS else 'MISSED'}")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
