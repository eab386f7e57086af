"""Where Spark's time goes in an audit: each statement of the generated Spark SQL, timed.

    .venv/bin/python benchmarks/spark_bench.py [--histories 240] [--master local[2]] [--top 15]
        [--obligations 5,6]

Runs what the differential test runs on Spark (tests/test_audit_differential.py): the kitchen-sink
policy (every timing form, tests/audit_samples.py) over `--histories` generated histories as one
events table, as of 2024-06-30, every event recorded. It times the session's start, the copy of
`events` and `children` into Spark, and each statement (`--obligations` keeps only those
obligations' pieces, by position, with the set-up and shared tables), prints the slowest
statements, the time by kind of statement (views, lazily cached shared tables, eagerly cached
result tables), wall and CPU time of this process (the JVM's CPU is not in it) and the load
average; then it reads the rows back and checks them against DuckDB's. Run it under
`flock /tmp/policyc-bench.lock` on a shared machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2024, 6, 30)


def _kind(statement: str) -> str:
    lines = [line for line in statement.splitlines() if line.strip() and not line.startswith("--")]
    head = lines[0] if lines else ""
    if head.startswith("CACHE TABLE"):
        return "result table (CACHE TABLE)"
    if head.startswith("CACHE LAZY TABLE"):
        return "shared table (CACHE LAZY TABLE)"
    if head.startswith("CREATE OR REPLACE TEMP VIEW"):
        return "step (view)"
    return "other (DROP VIEW ...)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--histories", type=int, default=240)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--obligations", help="comma-separated positions of the obligations to run (default all)")
    args = ap.parse_args(argv)
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    import tempfile

    import duckdb
    from audit_samples import ATTRIBUTES, kitchen_sink_policy, write_policy
    from test_audit_differential import generated_histories

    from compiler.analyses.check import check_paths
    from compiler.audit import warehouse
    from compiler.audit.engines import events_table_from_children, fetch_rows, run_duckdb
    from compiler.emitters.checker_sql import parameters, sql_plan
    from compiler.emitters.sqltext import SPARK

    with tempfile.TemporaryDirectory() as tmp:
        path = write_policy(Path(tmp) / "kitchen.policy", kitchen_sink_policy(trigger_day=0))
        policy = check_paths([path], [], analyse=False).policies[0]
    children = generated_histories(0, args.histories)
    con = duckdb.connect()
    events_table_from_children(con, children, sorted(ATTRIBUTES))
    start = time.perf_counter()
    run_duckdb(con, policy, AS_OF)
    want = fetch_rows(con, policy)
    print(f"DuckDB: {time.perf_counter() - start:.1f} s, {len(want):,} rows; load {os.getloadavg()[0]:.1f}")

    start = time.perf_counter()
    spark = warehouse.spark_session(args.master)
    print(f"Spark session ({args.master}): {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    warehouse.spark_load(spark, con, sorted(ATTRIBUTES))
    print(f"copy of events and children: {time.perf_counter() - start:.1f} s")

    plan = sql_plan(policy, SPARK)
    keep = None if args.obligations is None else {int(i) for i in args.obligations.split(",")}
    pieces = [p for i, p in enumerate(plan.obligations) if keep is None or i in keep]
    statements = [*parameters(SPARK, AS_OF), *plan.setup, *(s for p in plan.shared for s in p),
                  *(s for p in pieces for s in p)]
    times: list[tuple[float, str]] = []
    by_kind: dict[str, list[float]] = defaultdict(list)
    start, cpu = time.perf_counter(), time.process_time()
    for statement in statements:
        t = time.perf_counter()
        spark.sql(statement)
        took = time.perf_counter() - t
        head = next(line for line in statement.splitlines() if line.strip() and not line.startswith("--"))
        times.append((took, head[:80]))
        by_kind[_kind(statement)].append(took)
    wall = time.perf_counter() - start
    print(f"{len(statements)} statements: {wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU in Python; "
          f"load {os.getloadavg()[0]:.1f}")
    for kind, spent in sorted(by_kind.items()):
        print(f"  {kind:32s} {len(spent):4d} statements  {sum(spent):7.1f} s  "
              f"(median {sorted(spent)[len(spent) // 2]:.2f} s, max {max(spent):.2f} s)")
    print(f"the {args.top} slowest:")
    for took, head in sorted(times, reverse=True)[:args.top]:
        print(f"  {took:7.2f} s  {head}")
    if keep is None:
        start = time.perf_counter()
        got = warehouse.run_spark(spark, policy, AS_OF)
        print(f"run_spark (the same statements again, then the rows read): {time.perf_counter() - start:.1f} s; "
              f"{'the same rows as DuckDB' if got == want else 'ROWS DIFFER FROM DUCKDB'}")
        if got != want:
            return 1
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
