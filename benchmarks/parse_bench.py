"""Parse and resolve a generated 100,000-line policy; report lines per second.

Usage: .venv/bin/python benchmarks/parse_bench.py [LINES]
The policy uses the shared vocabulary, every timing form, exceptions and aims, so the resolver does
real work.
Figures are written down in docs/performance.md ("Parsing and resolving").
"""

from __future__ import annotations

import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compiler.model.load import Loader  # noqa: E402

BLOCKS = [
    'obligation visits_{i} "Visits {i}"\n  cite "3.{i}" "Children on a plan are seen fortnightly"\n'
    "  while child_protection\n  social_worker must do statutory_visit every 2 weeks\n\n",
    'obligation core_{i} "Core groups {i}"\n  cite "3.17" "A Core Group meeting must take place every 4 weeks"\n'
    "  while child_protection\n  social_worker must hold core_group_meeting\n"
    "    first within 10 working days of icpc\n    then every 4 weeks\n\n",
    'obligation review_{i} "Reviews {i}"\n  cite "3.26" "An initial CLA review meeting must take place"\n'
    "  while looked_after\n  iro must hold cla_review\n    first within 20 working days of became_looked_after\n"
    "    then within 3 months\n    then every 6 months\n    restart within 20 working days of placement_change\n\n",
    'obligation report_{i} "Reports {i}"\n  cite "3.18" "5 working days in advance of an RCPC"\n'
    "  social_worker must do conference_report_shared at least 5 working days before rcpc\n\n",
    'obligation pathway_{i} "Pathway {i}"\n  cite "3.36" "Within 3 months of their 16th birthday"\n'
    "  when age under 18 years\n  while looked_after\n  social_worker must do pathway_plan by age 16 years 3 months\n\n",
    'obligation anchored_{i} "Anchored {i}"\n  cite "3.31" "six weekly for the first year of placement"\n'
    "  while looked_after\n  social_worker must visit statutory_visit\n    first within 1 week of placement_start\n"
    "    then within 20 working days of placement_start\n    then every 6 weeks for 1 year from placement_start\n\n",
    'obligation bedroom_{i} "Bedroom {i}"\n  cite "6.2.4" "on at least every other visit"\n'
    "  while child_protection\n  social_worker must see child_seen every 2nd statutory_visit\n\n",
    'obligation seen_{i} "Seen {i}"\n  cite "reg 28" "on the day they are placed"\n'
    "  while looked_after\n  when legal_status is care_order or interim_care_order\n"
    "  when placement_type is not placed_with_parents\n  social_worker must see child_seen immediately after placement_start\n\n",
    'principle p_{i} "Principle {i}"\n  cite "1.{i}" "We treat everyone with respect"\n\n',
    # an exception to this cycle's `visits_{v}`, by decision, ending at closure; an aim and a minimum
    'obligation reduced_{i} "Reduced visits {i}"\n  cite "3.{i}" "may reduce to three weekly"\n'
    "  while child_protection\n  instead of visits_{v}\n  decided by service_manager on step_down\n"
    "  social_worker must do statutory_visit every 3 weeks\n  unless closure\n\n",
    'obligation tac_{i} "TAC {i}"\n  cite "3.13" "ideally every 6 weeks, as a minimum 3 monthly"\n'
    "  while child_in_need\n  should hold tac_meeting every 6 weeks and must every 3 months\n\n",
]


def generate(lines: int) -> str:
    out = ['policy "Benchmark"\n  authority "Bench"\n  uses "vocabulary.policy"\n\n']
    count, i = 4, 0
    while count < lines:
        block = BLOCKS[i % len(BLOCKS)].format(i=i, v=i - i % len(BLOCKS))
        out.append(block)
        count += block.count("\n")
        i += 1
    return "".join(out)


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "vocabulary.policy").write_text((ROOT / "policies" / "vocabulary.policy").read_text())
        path = folder / "bench.policy"
        text = generate(lines)
        path.write_text(text)
        n = text.count("\n")
        times = []
        for _ in range(5):
            gc.collect()
            start = time.perf_counter()
            loaded = Loader().load(path)
            times.append(time.perf_counter() - start)
            assert loaded.policy is not None and not [d for d in loaded.diagnostics if d.severity.value == "error"]
        med = statistics.median(times)
        print("| lines | obligations | median s | min s | max s | lines/s |")
        print("| --- | --- | --- | --- | --- | --- |")
        print(f"| {n:,} | {len(loaded.policy.obligations):,} | {med:.2f} | {min(times):.2f} | {max(times):.2f} | "
              f"{n / med:,.0f} |")


if __name__ == "__main__":
    main()
