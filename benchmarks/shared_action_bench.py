"""`policyc check` on a hostile policy: 100,000 obligations that all share one action (and status and
trigger), so every conflict check compares statements of one duty. Two shapes: 30 distinct timescales
(the usual case of a long document), and every timescale distinct (an attacker's). Times the whole
command in a subprocess, as CI runs it, and its CPU time (the figure that matters on a shared
machine). Target: under 30 s for 100,000 obligations sharing one action.

    .venv/bin/python benchmarks/shared_action_bench.py [N] [--runs 3]

Figures are written down in docs/performance.md ("Many statements of one duty").
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generate(n: int, distinct: bool) -> str:
    out = ['policy "Shared action"\n  authority "Bench"\n  uses "vocabulary.policy"\n\n']
    for i in range(n):
        timing = f"within {1 + i} hours of referral" if distinct else f"within {1 + i % 30} days of referral"
        out.append(f'obligation o{i} "Obligation {i}"\n  cite "{i}" "quote number {i}"\n  while child_in_need\n'
                   f"  social_worker must do statutory_visit {timing}\n\n")
    return "".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    policyc = Path(sys.executable).parent / "policyc"
    print("| obligations | timescales | findings | runs | median s | min s | max s | CPU s (median) | peak RSS MiB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for distinct in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            shutil.copy(ROOT / "policies" / "vocabulary.policy", folder / "vocabulary.policy")
            (folder / "bench.policy").write_text(generate(args.n, distinct), encoding="utf-8")
            times, cpus, last = [], [], ""
            for _ in range(args.runs):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                proc = subprocess.run([str(policyc), "check", "bench.policy", "--quiet"], cwd=folder,
                                      capture_output=True, text=True, check=False)
                times.append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
                if proc.returncode not in (0, 1):
                    sys.exit(f"policyc check failed ({proc.returncode}): {proc.stderr[-500:]}")
                last = proc.stdout.strip().splitlines()[-1]
            rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            warnings = last.split(", ")[1].split()[0]
            print(f"| {args.n:,} | {'all distinct' if distinct else '30'} | {warnings} warnings | {args.runs} | "
                  f"{statistics.median(times):.1f} | {min(times):.1f} | {max(times):.1f} | {statistics.median(cpus):.1f} | "
                  f"{rss:.0f} |")


if __name__ == "__main__":
    main()
