"""Run every analysis on a generated policy with 10,000 obligations; report the time.

Conflicts are found through an index on (status, action, trigger), so the time grows with the
number of obligations, not its square. Usage: .venv/bin/python benchmarks/analyses_bench.py [N]
Figures are written down in docs/performance.md ("Analyses").
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compiler.analyses.analyse import analyse_policies  # noqa: E402
from compiler.model.load import Loader  # noqa: E402

STATUSES = ["child_in_need", "child_protection", "looked_after", "care_leaver", "early_help"]
ACTIONS = ["statutory_visit", "supervision", "case_note_recorded", "plan_review", "minutes_distributed",
           "cla_review", "core_group_meeting", "pep", "health_assessment", "pathway_plan"]
TRIGGERS = ["referral", "allocation", "icpc", "became_looked_after", "placement_start", "meeting"]
UNITS = ["days", "working days", "weeks", "months"]


def generate(n: int) -> str:
    out = ['policy "Analyses benchmark"\n  authority "Bench"\n  uses "vocabulary.policy"\n\n',
           "transition from contact to referral on referral\n",
           "transition from referral to child_in_need on cin_plan_start\n",
           "transition from child_in_need to closed on closure\n\n"]
    for i in range(n):
        status = STATUSES[i % len(STATUSES)]
        action = ACTIONS[(i // 5) % len(ACTIONS)]
        trigger = TRIGGERS[(i // 50) % len(TRIGGERS)]
        unit = UNITS[i % len(UNITS)]
        amount = 1 + (i * 7) % 30
        kind = i % 3
        if kind == 0:
            timing = f"within {amount} {unit} of {trigger}"
        elif kind == 1:
            timing = f"first within {amount} {unit} of {trigger} then every {1 + i % 6} months"
        else:
            timing = f"every {amount} {unit}"
        out.append(f'obligation o{i} "Obligation {i}"\n  cite "{i}" "quote number {i} of the benchmark"\n  while {status}\n'
                   f"  social_worker must do {action} {timing}\n\n")
    return "".join(out)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "vocabulary.policy").write_text((ROOT / "policies" / "vocabulary.policy").read_text())
        (folder / "bench.policy").write_text(generate(n))
        policy = Loader().load(folder / "bench.policy").policy
        assert policy is not None
        analyse_policies([policy], [])  # warm the duration-comparison caches once, as a long run would
        times, cpu, found = [], [], 0
        for _ in range(5):
            start, start_cpu = time.perf_counter(), time.process_time()
            found = len(analyse_policies([policy], []))
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        # the CPU time is the figure to compare on a shared machine, where other work inflates the wall time
        print("| obligations | findings | median s | min s | max s | median CPU s |")
        print("| --- | --- | --- | --- | --- | --- |")
        print(f"| {len(policy.obligations):,} | {found:,} | {statistics.median(times):.2f} | {min(times):.2f} | "
              f"{max(times):.2f} | {statistics.median(cpu):.2f} |")


if __name__ == "__main__":
    main()
