"""Where the time of `policyc audit` goes: each phase timed in one process, wall and CPU.

    .venv/bin/python benchmarks/audit_profile.py [--out audit.parquet] [--report] [--sort]

Reads the files that benchmarks/audit_bench.py generated in benchmarks/out/ (run it first) and runs
the same command in-process (`compiler.cli.main`), with a timer around each phase: loading and
checking the input, the generated SQL's set-up, shared tables and obligations, counting the
summary, the steps of schedules, writing the rejects, writing the rows, and the report. CPU time is
the whole process's (every DuckDB thread), so on a shared machine it is the figure to compare.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
POLICY = ROOT / "policies" / "somerset" / "practice-standards-2023.policy"

PHASES: list[tuple[str, float, float]] = []


def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            PHASES.append((name, time.perf_counter() - wall, time.process_time() - cpu))
    return wrapper


def instrument() -> None:
    sys.path.insert(0, str(ROOT))
    from compiler.audit import engines, inputs, qa_report, report, run
    from compiler.cli import audit as cli_audit

    run.load = timed("load and check the input", inputs.load)
    engines.run_duckdb = timed("evaluate (generated SQL)", engines.run_duckdb)
    run.add_steps = timed("steps of schedules", report.add_steps)
    run.summarise = timed("summary counts", report.summarise)
    report.write_rejects = timed("write rejects", report.write_rejects)
    run.copy_rows_csv = timed("write the rows (CSV)", run.copy_rows_csv)
    run.write_rows_parquet = timed("write the rows (Parquet)", run.write_rows_parquet)
    qa_report.write_report = timed("report (page and workbook)", qa_report.write_report)
    del cli_audit


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="audit.parquet", help="file name in benchmarks/out/ (its extension picks the format)")
    ap.add_argument("--report", action="store_true", help="also write the report")
    ap.add_argument("--sort", action="store_true", help="sort the rows (Parquet)")
    ap.add_argument("--policy", type=Path, default=POLICY)
    ap.add_argument("--data", type=Path, default=OUT, help="the folder of events.parquet and children.parquet")
    args = ap.parse_args(argv)
    events, children = args.data / "events.parquet", args.data / "children.parquet"
    if not events.exists():
        raise SystemExit("run benchmarks/audit_bench.py first (it writes benchmarks/out/events.parquet)")
    instrument()
    from compiler.cli.main import main as cli

    cmd = ["audit", "--policy", str(args.policy), "--events", str(events), "--children", str(children),
           "--out", str(args.data / args.out), "--no-progress"]
    cmd += ["--report", str(OUT / "report")] if args.report else []
    cmd += ["--sort"] if args.sort else []
    wall, cpu = time.perf_counter(), time.process_time()
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        code = cli(cmd)
    total_wall, total_cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{'phase':32} {'wall s':>8} {'CPU s':>8}")
    for name, w, c in PHASES:
        print(f"{name:32} {w:8.2f} {c:8.2f}")
    print(f"{'whole command (in process)':32} {total_wall:8.2f} {total_cpu:8.2f}")
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
