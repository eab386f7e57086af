"""Time `policyc build` for all shipped policies, as a user runs it: a whole command, in a subprocess.

    .venv/bin/python benchmarks/build_bench.py [--runs 5] [--warmup 1]

One warm-up run (which also brings generated/ and the docs pages up to date), then N timed runs;
prints a Markdown table: wall-clock median, min and max, child CPU time, and the peak resident set
size of the build process (resource.getrusage(RUSAGE_CHILDREN).ru_maxrss: the largest of all the
children waited for, warm-up included). `policyc build` is idempotent, so after the warm-up the timed
runs write nothing; the script ends with `policyc build --check` to confirm the tree is exactly as
`policyc build` leaves it.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10.0


def policyc() -> str:
    beside = Path(sys.executable).with_name("policyc")
    if beside.exists():
        return str(beside)
    found = shutil.which("policyc")
    if found is None:
        sys.exit("build_bench: no `policyc` beside this Python or on PATH: run scripts/setup.sh")
    return found


def run_build(command: list[str], cwd: Path = ROOT) -> tuple[float, float, str]:
    """(wall seconds, child CPU seconds, last line of output) of one build."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"build_bench: `{' '.join(command)}` exited {result.returncode}:\n{result.stdout}{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = (result.stdout + result.stderr).strip().splitlines()
    return wall, cpu, lines[-1] if lines else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args(argv)

    command = [policyc(), "build"]
    policies = sorted(p for p in (ROOT / "policies").rglob("*.policy") if p.name != "vocabulary.policy")

    for _ in range(args.warmup):
        run_build(command)
    walls, cpus, summaries = [], [], []
    for _ in range(args.runs):
        wall, cpu, summary = run_build(command)
        walls.append(wall)
        cpus.append(cpu)
        summaries.append(summary)
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux

    check = subprocess.run([*command, "--check"], cwd=ROOT, capture_output=True, text=True)
    median = statistics.median(walls)

    print(
        f"`policyc build`: {len(policies)} policies, {args.runs} runs after {args.warmup} warm-up; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    )
    # after the warm-up each run should write nothing; files written here mean someone edited the tree
    # (or the build is not idempotent), and those runs include the writes
    for i, summary in enumerate(summaries, 1):
        print(f"run {i}: {walls[i - 1]:.2f} s; {summary}")
    print()
    print("| policies | runs | median s | min s | max s | CPU s (median) | peak RSS MiB |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| {len(policies)} | {args.runs} | {median:.2f} | {min(walls):.2f} | {max(walls):.2f} "
        f"| {statistics.median(cpus):.2f} | {peak_mib:.0f} |"
    )
    print()
    print(f"target: under {TARGET_SECONDS:.0f} s: {'met' if median < TARGET_SECONDS else 'MISSED'}")
    print(f"`policyc build --check` afterwards: exit {check.returncode} ({check.stdout.strip().splitlines()[-1:]})")
    return 0 if median < TARGET_SECONDS and check.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
